"""What the ingest run's speed-ups must leave unchanged.

Worker results travel with their records packed as tuples; the embedded store encodes JSON
with one reused encoder, tunes its connection during a run (:meth:`EmbeddedStore.bulk_load`)
and reads relationship ends without their properties (:meth:`iter_edges`); check_props
remembers the property names it has accepted. Each gives what the plain way gives.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from graph.errors import ValidationFailed
from graph.model import NodeLabel, RelRecord, RelType, check_props
from graph.store.base import Document
from graph.store.embedded import EmbeddedStore, _dumps
from ingest.build import (
    Built,
    BuiltNode,
    fast_node,
    fast_rel,
    pack_nodes,
    pack_rels,
    unpack_nodes,
    unpack_rels,
)
from ingest.people import _Plan
from ingest.pipeline import FileResult, ingest_paths

DEMO = Path(__file__).resolve().parents[2] / "ingest" / "demo"


def _state(record: object) -> tuple[object, ...]:
    return (type(record), record.__dict__, record.__pydantic_fields_set__, record.__pydantic_extra__,  # type: ignore[attr-defined]
            record.__pydantic_private__)  # type: ignore[attr-defined]


def _records() -> tuple[list[RelRecord], list]:
    rels = [
        fast_rel("org:a", RelType.PART_OF, "org:b", "", {"source": "s", "source_key": "k", "run_id": "r"}),
        RelRecord(src="topic:x", type=RelType.HAS_TOPIC, dst="topic:y", key="", props={"weight": 0.5}),
        fast_rel("person:p", RelType.COLLABORATED_WITH, "person:q", "",
                 {"weight": 0.5, "kinds": ["co_invention"], "evidence": ["patent:1"], "count": 1}),
    ]
    nodes = [fast_node("person:p", NodeLabel.PERSON, {"name": "张伟", "mention_kinds": ["cv"]})]
    return rels, nodes


def test_packed_records_come_back_as_they_were() -> None:
    rels, nodes = _records()
    assert [_state(r) for r in unpack_rels(pickle.loads(pickle.dumps(pack_rels(rels))))] == [_state(r) for r in rels]
    assert [_state(n) for n in unpack_nodes(pickle.loads(pickle.dumps(pack_nodes(nodes))))] == [_state(n) for n in nodes]


def test_worker_results_and_plans_pickle_to_equal_objects() -> None:
    rels, nodes = _records()
    built = Built(nodes=[BuiltNode("org:a", NodeLabel.ORGANIZATION, defaults={"name": "a"})], rels=rels,
                  primary=["org:a"])
    res = FileResult(path="x.csv", records=3, built=built, record_keys=[("enterprise", "a")], part=1, parts=2)
    back = pickle.loads(pickle.dumps(res, pickle.HIGHEST_PROTOCOL))
    assert back == res
    assert [_state(r) for r in back.built.rels] == [_state(r) for r in rels]
    plan = _Plan(nodes=nodes, rels=rels, docs=[Document("mentions", "m", {"a": 1}, tag="t")],
                 doomed={"person:z"}, doomed_docs=[("resolution", "person:z")], person_ids={"person:p"})
    back_plan = pickle.loads(pickle.dumps(plan, pickle.HIGHEST_PROTOCOL))
    assert back_plan == plan
    assert [_state(n) for n in back_plan.nodes] == [_state(n) for n in nodes]


@pytest.mark.parametrize("value", [
    {"b": [1, 2.5, "中\"\n\u2028"], "a": float("nan"), "c": True, "z": None, "y": {"q": [], "p": 1e100}},
    {}, [], "text", {"t": (1, 2), "x": -0.0, "i": float("inf")},
])
def test_store_json_is_json_dumps(value: object) -> None:
    assert _dumps(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # type: ignore[arg-type]


def test_store_json_still_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        _dumps({"a": object()})
    with pytest.raises(TypeError):
        _dumps({"a": {1: "x", "b": 2}})  # keys of mixed types cannot be sorted


def test_check_props_keeps_refusing_bad_names_after_good_ones() -> None:
    assert check_props({"name": "x", "year": 2020, "tags": ["a", None], "none": None}) == {
        "name": "x", "year": 2020, "tags": ["a"]}
    for bad in ("_private", "1st", "with space", "", 3):
        with pytest.raises(ValidationFailed):
            check_props({"name": "x", bad: 1})  # type: ignore[dict-item]


def _pragmas(store: EmbeddedStore) -> tuple[int, int]:
    return (store._conn.execute("PRAGMA cache_size").fetchone()[0],
            store._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def test_bulk_load_tunes_the_connection_for_the_block_only(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "kg.sqlite3")
    before = _pragmas(store)
    with store.bulk_load():
        inside = _pragmas(store)
        with store.bulk_load():
            assert _pragmas(store) == inside
        assert _pragmas(store) == inside  # the outer block still runs
    assert inside != before
    assert _pragmas(store) == before
    with pytest.raises(RuntimeError), store.bulk_load():
        raise RuntimeError("a failed run")
    assert _pragmas(store) == before
    store.close()


def test_iter_edges_are_the_ends_iter_relationships_gives(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "kg.sqlite3")
    ingest_paths([DEMO], store, run_id="run-edges", workers=1, data_dir=tmp_path / "var")
    for rel_type in RelType:
        assert list(store.iter_edges(rel_type)) == [(r.src, r.dst) for r in store.iter_relationships(rel_type)]
    assert list(store.iter_edges(RelType.INVENTED))  # the demo set has patents with inventors
    store.close()
