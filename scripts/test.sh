#!/usr/bin/env bash
# The README's test command (via `make test`): install the real engines if missing, run the suite.
# The pytest session starts PostgreSQL, Redis, Elasticsearch and MinIO on loopback and stops them.
# pyproject.toml's addopts run one pytest worker per core (pytest-xdist), each with its own engines.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m scripts.engines install
mkdir -p artifacts
exec .venv/bin/python -m pytest -ra -q --junitxml=artifacts/junit.xml "$@"
