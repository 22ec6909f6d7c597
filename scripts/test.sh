#!/usr/bin/env bash
# The test command (README: `make test`): set up .venv, start a local Neo4j 5.26 from Maven
# when Java and Maven are there, run the whole pytest suite against it, stop Neo4j.
#   KG_REQUIRE_NEO4J=1   a Neo4j that cannot be started fails the run (CI) instead of skipping.
#   KG_TEST_NEO4J_URI    use an already running Neo4j instead of starting one.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/bootstrap.sh

started=0
cleanup() { if [ "$started" = 1 ]; then scripts/neo4j.sh stop || true; fi; }
trap cleanup EXIT

if [ -z "${KG_TEST_NEO4J_URI:-}" ]; then
    if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
        export KG_NEO4J_PORT="${KG_NEO4J_PORT:-7687}"
        export KG_NEO4J_HOME="${KG_NEO4J_HOME:-$PWD/.neo4j/test}"
        if uri=$(scripts/neo4j.sh start --fresh); then
            started=1
            export KG_TEST_NEO4J_URI="$uri"
        elif [ "${KG_REQUIRE_NEO4J:-0}" = "1" ]; then
            echo "test: KG_REQUIRE_NEO4J=1 but Neo4j did not start (see above)" >&2
            exit 1
        fi
    elif [ "${KG_REQUIRE_NEO4J:-0}" = "1" ]; then
        echo "test: KG_REQUIRE_NEO4J=1 but java/mvn are missing: apt-get install openjdk-17-jdk-headless maven" >&2
        exit 1
    fi
fi

mkdir -p test-output
.venv/bin/python -m pytest "$@"
