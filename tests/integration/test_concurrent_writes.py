"""Two writers storing the same relationships at once never duplicate one.

The Neo4j store creates the relationships it found absent with a plain CREATE; that is safe only
because the same query first takes the write lock of every endpoint (SET n._LOCK_ …
REMOVE n._LOCK_, write/put_relationships) and holds it until commit.  These tests run real concurrent transactions
against the server; they assert outcomes (counts, no duplicates), never timings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

import cypher
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
from graph.store.base import GraphStore, WriteSummary
from graph.store.neo4j import Neo4jStore
from tests.conftest import NEO4J_URI

pytestmark = pytest.mark.neo4j

ORG = NodeRecord(id="org:concurrent", label=NodeLabel.ORGANIZATION, props={"name": "并发测试大学"})


def _people(n: int) -> list[NodeRecord]:
    return [NodeRecord(id=f"person:c{i:05d}", label=NodeLabel.PERSON, props={"name": f"并发{i}"})
            for i in range(n)]


def _rels(people: list[NodeRecord]) -> list[RelRecord]:
    """WORKS_AT to one organisation (a dense node) and a chain of collaborations."""
    works = [RelRecord(src=p.id, type=RelType.WORKS_AT, dst=ORG.id, props={"title": "教授"}) for p in people]
    chain = [RelRecord(src=a.id, type=RelType.COLLABORATED_WITH, dst=b.id, props={"count": 1})
             for a, b in zip(people, people[1:], strict=False)]
    return works + chain


@pytest.fixture
def second_store(neo4j_store: GraphStore) -> Iterator[Neo4jStore]:
    """Another store on the same database with a driver (and connections) of its own."""
    store = Neo4jStore(NEO4J_URI, None, apply_schema=False)
    yield store
    store.close()


def _stored_identities(store: GraphStore) -> list[tuple[str, str, str, str]]:
    rows = store.read(  # type: ignore[attr-defined]
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id STARTS WITH 'person:c' "
        "RETURN a.id AS src, type(r) AS type, b.id AS dst, r.key AS key"
    )
    return [(r["src"], r["type"], r["dst"], r["key"]) for r in rows]


def _write_at_once(stores: list[GraphStore], rels: list[RelRecord], batch: int) -> list[WriteSummary]:
    """Every store writes all of ``rels`` (in batches, i.e. many transactions), all starting
    together on threads of their own; the summaries in the order of ``stores``."""
    start = threading.Barrier(len(stores))
    results: list[WriteSummary | BaseException] = [WriteSummary() for _ in stores]

    def writer(k: int) -> None:
        try:
            start.wait()
            for i in range(0, len(rels), batch):
                results[k] += stores[k].write((), rels[i:i + batch])  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001 - reported in the test thread
            results[k] = exc

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results  # type: ignore[return-value]


def test_two_writers_of_the_same_relationships_store_each_once(
    neo4j_store: GraphStore, second_store: Neo4jStore
) -> None:
    people = _people(600)
    neo4j_store.write([ORG, *people])
    rels = _rels(people)
    for attempt in range(3):
        if attempt:
            neo4j_store.delete_relationships(r.identity for r in rels)
        a, b = _write_at_once([neo4j_store, second_store], rels, batch=200)
        idents = _stored_identities(neo4j_store)
        assert len(idents) == len(set(idents)) == len(rels)
        # Each relationship was created by exactly one writer; the other found it unchanged.
        assert a.rels_created + b.rels_created == len(rels)
        assert a.rels_unchanged + b.rels_unchanged == len(rels)
        assert a.rels_updated == b.rels_updated == 0
    assert neo4j_store.counts().relationships == {"COLLABORATED_WITH": len(people) - 1,
                                                  "WORKS_AT": len(people)}
    # The lock property is set and removed in the same transaction: nothing of it is stored.
    assert neo4j_store.get_node(ORG.id).props == ORG.props  # type: ignore[union-attr]


def test_a_writer_waits_for_the_lock_holder_and_counts_its_relationship_unchanged(
    neo4j_store: GraphStore, second_store: Neo4jStore
) -> None:
    """Transaction 1 runs the write query (taking the endpoint locks, finding the relationship
    absent and creating it) and holds on before committing; a second writer of the same
    relationship meanwhile has to wait for the locks, and then sees the committed relationship:
    unchanged, not created again.  Without the locks it would read "absent" too and CREATE a
    duplicate."""
    people = _people(2)
    neo4j_store.write([ORG, *people])
    rel = RelRecord(src=people[0].id, type=RelType.WORKS_AT, dst=ORG.id, props={"title": "教授"})
    ids = sorted({rel.src, rel.dst})
    driver = neo4j_store.driver  # type: ignore[attr-defined]
    with driver.session(database=neo4j_store.database) as session:  # type: ignore[attr-defined]
        tx = session.begin_transaction()
        found = tx.run(cypher.render("write/put_relationships", rel_type=rel.type), ids=ids,
                       src=[ids.index(rel.src)], dst=[ids.index(rel.dst)], key=[rel.key],
                       props=[rel.props]).single()
        assert (found["found"], found["created"], found["stored"]) == (2, 1, [])
        result: dict[str, WriteSummary] = {}
        second = threading.Thread(target=lambda: result.update(s=second_store.write((), [rel])))
        second.start()
        time.sleep(1.0)  # let the second writer reach the locks (the outcome must not depend on it)
        assert second.is_alive()  # waiting for the locks
        tx.commit()
        second.join(timeout=60)
    assert not second.is_alive()
    s = result["s"]
    assert (s.rels_created, s.rels_updated, s.rels_unchanged) == (0, 0, 1)
    assert neo4j_store.counts().relationships == {"WORKS_AT": 1}
