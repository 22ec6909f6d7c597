"""Shared fixtures: the backends every store test runs on, and where shared data lives.

Neo4j tests talk to a real server at ``KG_TEST_NEO4J_URI`` (default bolt://127.0.0.1:7687,
auth off, as started by ``scripts/neo4j.sh start``).  When it is missing they skip — unless
``KG_REQUIRE_NEO4J=1`` (CI), where a missing server fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store.base import GraphStore
from graph.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KG_SHARED_DATA", REPO.parent / "shared" / "data"))
NEO4J_URI = os.environ.get("KG_TEST_NEO4J_URI", "bolt://127.0.0.1:7687")
REQUIRE_NEO4J = os.environ.get("KG_REQUIRE_NEO4J", "") not in ("", "0", "false")

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]

_neo4j_store = None
_neo4j_error: str | None = None


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set KG_SHARED_DATA to enable this test)")
    return path


def _connect_neo4j():
    global _neo4j_store, _neo4j_error
    if _neo4j_store is None and _neo4j_error is None:
        from graph.errors import StoreUnavailable
        from graph.store.neo4j import Neo4jStore

        try:
            _neo4j_store = Neo4jStore(NEO4J_URI, None)
        except StoreUnavailable as exc:
            _neo4j_error = str(exc).splitlines()[0][:160]
    if _neo4j_store is None:
        message = (
            f"Neo4j not reachable at {NEO4J_URI}: {_neo4j_error}. "
            "Run `make test` (starts Neo4j 5.26 from Maven) or `scripts/neo4j.sh start`."
        )
        if REQUIRE_NEO4J:
            pytest.fail("KG_REQUIRE_NEO4J=1 but " + message, pytrace=False)
        pytest.skip(message)
    return _neo4j_store


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    """A fresh, empty store of the given backend."""
    if backend == "embedded":
        return EmbeddedStore(tmp_path / "kg.sqlite3")
    store = _connect_neo4j()
    store.clear()
    return store


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[GraphStore]:
    s = make_store(backend, tmp_path)
    yield s
    if backend == "embedded":
        s.close()


@pytest.fixture
def neo4j_store(tmp_path: Path) -> GraphStore:
    return make_store("neo4j", tmp_path)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _neo4j_store is not None:
        _neo4j_store.close()
