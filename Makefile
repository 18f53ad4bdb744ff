# The two commands a fresh machine needs are `make run` and `make test` (see README.md).
.PHONY: setup run test test-fast engines-install bench bench-large

setup:
	bash scripts/setup.sh

run: setup
	.venv/bin/archive init
	.venv/bin/archive serve

# Installs the production engines (PostgreSQL, Redis, Elasticsearch, MinIO) if missing; the test
# session starts them on loopback ports and stops them at the end.
test: setup
	bash scripts/test.sh

# The suite without the real-engine tests (quick local loop).
test-fast: setup
	.venv/bin/python -m pytest -m "not engines" -q

engines-install: setup
	.venv/bin/python -m scripts.engines install

bench: setup
	.venv/bin/python -m bench.run

bench-large: setup
	.venv/bin/python -m bench.run --large

# Bounded load test of the production stack on loopback (bench/load.py): 10 min of mixed traffic
# at 100k pages by default; LOAD_ARGS="--duration 120" shortens it. Writes bench/RESULTS.md.
.PHONY: load
load: setup
	.venv/bin/python -m scripts.engines install --only pg,redis,es,s3
	.venv/bin/python -m bench.load $(LOAD_ARGS)
