# XiaoQi Graph — the two commands of the README are `make demo` and `make test`.
.PHONY: demo test setup neo4j-start neo4j-stop lint bench-ingest bench-queries clean

PORT ?= 8000

setup:
	scripts/bootstrap.sh

## Create .venv, install, ingest the bundled demo data into the embedded store, serve the
## API and web explorer on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it).
demo: setup
	.venv/bin/kg demo --port $(PORT)

## Create .venv, start Neo4j 5.26 from Maven (if Java+Maven exist), run every test.
test:
	KG_WITH_SYSTEM_DEPS=$${KG_WITH_SYSTEM_DEPS:-1} scripts/test.sh

neo4j-start:
	scripts/neo4j.sh start

neo4j-stop:
	scripts/neo4j.sh stop

lint: setup
	.venv/bin/ruff check graph ingest nlp api cypher bench tests

bench-ingest: setup
	.venv/bin/python -m bench.ingest

bench-queries: setup
	.venv/bin/python -m bench.queries_paths --scale 0.05 --pairs 100 --embedded var/bench-paths.sqlite3
	.venv/bin/python -m bench.queries_reco --scale 0.05 --samples 20 --db var/bench-reco.sqlite3

clean:
	rm -rf var test-output .pytest_cache
