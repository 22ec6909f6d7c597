"""The Cypher files themselves: identifiers from the allow-list only, and no Eager in writes."""

from __future__ import annotations

import re

import pytest

import cypher
from graph.errors import SchemaError
from graph.model import NodeLabel, RelType
from graph.store.base import GraphStore

_WRITE = re.compile(r"\b(MERGE|CREATE|SET|DELETE|REMOVE)\b")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _write_queries() -> list[str]:
    names = []
    for path in sorted(cypher.CYPHER_DIR.rglob("*.cypher")):
        rel = str(path.relative_to(cypher.CYPHER_DIR))[: -len(".cypher")]
        if rel.startswith("schema/"):
            continue
        body = "\n".join(ln for ln in path.read_text().splitlines() if not ln.strip().startswith("//"))
        if _WRITE.search(body):
            names.append(rel)
    return names


def _renderings(name: str) -> list[str]:
    text = cypher.load(name)
    if "{{label}}" in text:
        return [cypher.render(name, label=lb) for lb in NodeLabel]
    if "{{rel_type}}" in text:
        return [cypher.render(name, rel_type=t) for t in RelType]
    return [text]


def _operators(plan: dict) -> list[str]:
    ops = [plan.get("operatorType", "")]
    for child in plan.get("children", []):
        ops += _operators(child)
    return ops


def test_there_are_write_queries_to_check() -> None:
    assert {"write/upsert_nodes", "write/upsert_relationships"} <= set(_write_queries())


@pytest.mark.neo4j
@pytest.mark.parametrize("name", _write_queries())
def test_write_query_plans_have_no_eager(name: str, neo4j_store: GraphStore) -> None:
    allowed = "// eager:" in cypher.load(name)  # a file may say why it needs one
    with neo4j_store.driver.session(database=neo4j_store.database) as session:
        for text in _renderings(name):
            params = {p: [] if p in ("rows", "ids") else None for p in _PARAM.findall(text)}
            plan = session.run("EXPLAIN " + text, params).consume().plan
            ops = _operators(plan)
            eager = [op for op in ops if op.split("@")[0] == "Eager"]
            assert allowed or not eager, f"{name}: Eager in plan {ops}"


def test_render_refuses_identifiers_outside_the_allow_list() -> None:
    with pytest.raises(SchemaError):
        cypher.render("write/upsert_nodes", label="Person`) DETACH DELETE n //")  # type: ignore[arg-type]
    with pytest.raises(SchemaError):
        cypher.render("write/upsert_nodes")  # slot left empty
    assert "SET n:`Person`" in cypher.render("write/upsert_nodes", label=NodeLabel.PERSON)
    assert cypher.escape_identifier("a`b") == "`a``b`"


def test_unknown_query_name_lists_the_known_ones() -> None:
    with pytest.raises(FileNotFoundError, match="write/upsert_nodes"):
        cypher.load("write/nope")
    with pytest.raises(FileNotFoundError):
        cypher.load("../graph/model")


def test_migrations_are_versioned_in_order() -> None:
    versions = [v for v, _, _ in cypher.migrations()]
    assert versions == sorted(versions) and versions[0] == 1 and len(set(versions)) == len(versions)


@pytest.mark.neo4j
@pytest.mark.parametrize("name", ["write/put_relationships", "write/upsert_relationships",
                                  "write/delete_relationships"])
def test_relationship_lookups_expand_into_never_all(name: str, neo4j_store: GraphStore) -> None:
    """A relationship found by its two endpoints must be matched with Expand(Into) (which walks
    from the endpoint with fewer relationships), never Expand(All) from one endpoint: from a
    dense Field or university node that is quadratic in the batch (seconds per 10k rows)."""
    with neo4j_store.driver.session(database=neo4j_store.database) as session:
        for text in _renderings(name):
            params = {p: [] if p in ("rows", "ids") else None for p in _PARAM.findall(text)}
            ops = [op.split("@")[0] for op in _operators(session.run("EXPLAIN " + text, params).consume().plan)]
            expands = {op.removeprefix("Optional") for op in ops if "Expand(" in op}
            assert expands == {"Expand(Into)"}, f"{name}: {ops}"


@pytest.mark.neo4j
@pytest.mark.parametrize("name", ["read/find_nodes_named", "read/find_nodes_labeled_named"])
def test_name_search_uses_the_text_index(name: str, neo4j_store: GraphStore) -> None:
    """The search box (name CONTAINS a fragment) must be served by a TEXT index, not a scan of
    every node of the label (province scale: ~200 ms per search against 5–40 ms)."""
    with neo4j_store.driver.session(database=neo4j_store.database) as session:
        for text in _renderings(name):
            params = {"name_contains": "哈尔滨", "where": {}, "offset": 0, "limit": 20}
            ops = [op.split("@")[0] for op in _operators(session.run("EXPLAIN " + text, params).consume().plan)]
            assert "NodeIndexContainsScan" in ops, f"{name}: {ops}"
