#!/usr/bin/env bash
# The README's test command (via `make test`): install the real engines if missing, run the suite.
# The pytest session starts PostgreSQL, Redis, Elasticsearch and MinIO on loopback and stops them.
# -n auto: one pytest worker per core (pytest-xdist), each with its own engines; --dist loadfile
# keeps a module's tests (and its module fixtures) on one worker.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m scripts.engines install
mkdir -p artifacts
exec .venv/bin/python -m pytest -n auto --dist loadfile -ra -q --junitxml=artifacts/junit.xml "$@"
