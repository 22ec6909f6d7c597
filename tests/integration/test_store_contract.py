"""The GraphStore contract, one body per test, run on the embedded store and on Neo4j."""

from __future__ import annotations

import pytest

from graph.errors import DanglingRelationship, SchemaError
from graph.model import (
    NodeLabel,
    NodeRecord,
    Organization,
    OrgKind,
    Patent,
    Person,
    Provenance,
    RelRecord,
    RelType,
    make_id,
)
from graph.store.base import GraphStore

PROV = Provenance(source="test.csv", source_key="row-1", run_id="run-1")


def _person(pid: str, name: str, **extra) -> NodeRecord:
    return Person(id=f"person:{pid}", provenance=PROV, name=name, **extra).to_record()


def _org(oid: str, name: str, kind: OrgKind = OrgKind.UNIVERSITY, **extra) -> NodeRecord:
    return Organization(id=f"org:{oid}", provenance=PROV, name=name, kind=kind, **extra).to_record()


def _seed(store: GraphStore) -> None:
    nodes = [
        _person("zw1", "张伟", titles=["教授", "博导"], birth_year=1978, phone="13800000001"),
        _person("zw2", "张伟", titles=["高级工程师"]),
        _person("ll", "李磊"),
        _org("hit", "哈尔滨工业大学", code="4123010213", province="黑龙江", city="哈尔滨"),
        _org("firm", "哈尔滨精工智能装备有限公司", OrgKind.ENTERPRISE, is_sme=True, is_high_tech=False),
        Patent(
            id="patent:CN202110123456.7", provenance=PROV, title="一种焊接机器人视觉定位方法",
            application_number="CN202110123456.7", patent_type="发明",
            application_date="2021-03-05", ipc_codes=["B25J 9/16", "G06T 7/73"], year=2021,
        ).to_record(),
    ]
    rels = [
        RelRecord(src="person:zw1", type=RelType.WORKS_AT, dst="org:hit", props={"title": "教授", "start": 2005}),
        RelRecord(src="person:zw2", type=RelType.WORKS_AT, dst="org:firm"),
        RelRecord(src="person:zw1", type=RelType.INVENTED, dst="patent:CN202110123456.7", props={"position": 1}),
        RelRecord(src="person:zw2", type=RelType.INVENTED, dst="patent:CN202110123456.7", props={"position": 2}),
        RelRecord(src="org:hit", type=RelType.APPLICANT_OF, dst="patent:CN202110123456.7"),
        RelRecord(src="org:firm", type=RelType.APPLICANT_OF, dst="patent:CN202110123456.7"),
    ]
    store.write(nodes, rels)


def test_roundtrip_keeps_values_and_types(store: GraphStore) -> None:
    _seed(store)
    p = store.get_node("person:zw1")
    assert p is not None and p.label is NodeLabel.PERSON
    assert p.props["name"] == "张伟"
    assert p.props["titles"] == ["教授", "博导"]
    assert p.props["birth_year"] == 1978 and isinstance(p.props["birth_year"], int)
    assert p.props["source"] == "test.csv" and p.props["run_id"] == "run-1"
    firm = store.get_node("org:firm")
    assert firm is not None and firm.props["is_sme"] is True and firm.props["is_high_tech"] is False
    pat = store.get_node("patent:CN202110123456.7")
    assert pat is not None and pat.props["ipc_codes"] == ["B25J 9/16", "G06T 7/73"]
    assert store.get_node("person:nobody") is None


def test_same_input_twice_changes_nothing(store: GraphStore) -> None:
    _seed(store)
    before = store.counts()
    assert before.nodes == {"Organization": 2, "Patent": 1, "Person": 3}
    assert before.relationships == {"APPLICANT_OF": 2, "INVENTED": 2, "WORKS_AT": 2}
    _seed(store)
    assert store.counts() == before


def test_second_write_reports_unchanged_even_with_new_run_id(store: GraphStore) -> None:
    _seed(store)
    later = Provenance(source="test.csv", source_key="row-1", run_id="run-2")
    again = Person(id="person:ll", provenance=later, name="李磊").to_record()
    summary = store.write([again])
    assert (summary.nodes_created, summary.nodes_updated, summary.nodes_unchanged) == (0, 0, 1)
    assert store.get_node("person:ll").props["run_id"] == "run-1"


def test_changed_record_updates_in_place_and_keeps_other_keys(store: GraphStore) -> None:
    _seed(store)
    summary = store.write([NodeRecord(id="org:firm", label=NodeLabel.ORGANIZATION,
                                      props={"is_high_tech": True, "city": "哈尔滨"})])
    assert summary.nodes_updated == 1 and summary.nodes_created == 0
    firm = store.get_node("org:firm")
    assert firm.props["is_high_tech"] is True and firm.props["city"] == "哈尔滨"
    assert firm.props["is_sme"] is True  # untouched key stays
    assert store.counts().nodes["Organization"] == 2


def test_relationship_update_and_identity_key(store: GraphStore) -> None:
    _seed(store)
    s = store.write((), [RelRecord(src="person:zw1", type=RelType.WORKS_AT, dst="org:hit",
                                   props={"title": "教授", "start": 2005, "end": 2020})])
    assert s.rels_updated == 1
    # A second period at the same employer is a separate relationship (its own key).
    s = store.write((), [RelRecord(src="person:zw1", type=RelType.WORKS_AT, dst="org:hit",
                                   key="2021", props={"start": 2021})])
    assert s.rels_created == 1
    rels = store.relationships("person:zw1", types=[RelType.WORKS_AT])
    assert [(r.key, r.props.get("end")) for r in rels] == [("", 2020), ("2021", None)]


def test_dangling_relationship_is_refused_and_batch_is_atomic(store: GraphStore) -> None:
    with pytest.raises(DanglingRelationship) as err:
        store.write(
            [_person("solo", "王磊")],
            [RelRecord(src="person:solo", type=RelType.WORKS_AT, dst="org:missing")],
        )
    assert "org:missing" in str(err.value)
    assert store.get_node("person:solo") is None  # the node of the failed batch is not there
    assert store.counts().total_nodes == 0


def test_relationship_between_wrong_kinds_is_refused(store: GraphStore) -> None:
    _seed(store)
    with pytest.raises(SchemaError):
        store.write((), [RelRecord(src="org:hit", type=RelType.INVENTED, dst="patent:CN202110123456.7")])
    # An id whose prefix names another kind is refused before it reaches a store …
    with pytest.raises(ValueError, match="names a Person"):
        NodeRecord(id="person:zw1", label=NodeLabel.TEAM, props={"name": "x"})
    # … and a stored node cannot change kind.
    store.write([NodeRecord(id="x:1", label=NodeLabel.TEAM, props={"name": "团队"})])
    with pytest.raises(SchemaError):
        store.write([NodeRecord(id="x:1", label=NodeLabel.PERSON, props={"name": "x"})])


def test_find_nodes_orders_and_filters(store: GraphStore) -> None:
    _seed(store)
    people = store.find_nodes(NodeLabel.PERSON, name_contains="张")
    assert [p.id for p in people] == ["person:zw1", "person:zw2"]
    assert [n.id for n in store.find_nodes(name_contains="哈尔滨")] == ["org:hit", "org:firm"]
    assert [n.id for n in store.find_nodes(NodeLabel.ORGANIZATION, where={"kind": "enterprise"})] == ["org:firm"]
    # code-point order: 张 (U+5F20) sorts before 李 (U+674E)
    assert [n.id for n in store.find_nodes(NodeLabel.PERSON, limit=1, offset=2)] == ["person:ll"]
    assert store.find_nodes(NodeLabel.TEAM) == []


def test_relationship_directions(store: GraphStore) -> None:
    _seed(store)
    pat = "patent:CN202110123456.7"
    incoming = store.relationships(pat, direction="in")
    assert [(r.type.value, r.src) for r in incoming] == [
        ("APPLICANT_OF", "org:firm"), ("APPLICANT_OF", "org:hit"),
        ("INVENTED", "person:zw1"), ("INVENTED", "person:zw2"),
    ]
    assert store.relationships(pat, direction="out") == []
    inv = store.relationships(pat, types=[RelType.INVENTED])
    assert [r.props["position"] for r in inv] == [1, 2]


def test_delete_node_removes_its_relationships(store: GraphStore) -> None:
    _seed(store)
    assert store.delete_nodes(["person:zw2"]) == 1
    c = store.counts()
    assert c.nodes["Person"] == 2
    assert c.relationships == {"APPLICANT_OF": 2, "INVENTED": 1, "WORKS_AT": 1}
    assert store.delete_relationships([("org:hit", "APPLICANT_OF", "patent:CN202110123456.7", "")]) == 1
    assert store.counts().relationships["APPLICANT_OF"] == 1


def test_graph_snapshot_follows_writes(store: GraphStore) -> None:
    _seed(store)
    g = store.graph()
    assert g.number_of_nodes() == 6 and g.number_of_edges() == 6
    assert g.nodes["org:hit"]["label"] == "Organization"
    assert g.has_edge("person:zw1", "org:hit", key="WORKS_AT|")
    store.write([_person("new", "刘洋")])
    assert store.graph().number_of_nodes() == 7


def test_iterators_are_ordered_and_complete(store: GraphStore) -> None:
    _seed(store)
    ids = [n.id for n in store.iter_nodes()]
    assert ids == sorted(ids) and len(ids) == 6
    assert [n.id for n in store.iter_nodes(NodeLabel.ORGANIZATION)] == ["org:firm", "org:hit"]
    rels = [r.identity for r in store.iter_relationships()]
    assert rels == sorted(rels) and len(rels) == 6
    assert len(list(store.iter_relationships(RelType.INVENTED))) == 2


def test_schema_migrations_apply_once(store: GraphStore) -> None:
    assert store.apply_schema() == []


def test_run_log(store: GraphStore) -> None:
    store.record_run("run-a", {"started_at": "2026-01-01T00:00:00", "status": "running"})
    store.record_run("run-a", {"started_at": "2026-01-01T00:00:00", "status": "done", "loaded": 3})
    store.record_run("run-b", {"started_at": "2026-02-01T00:00:00", "status": "done"})
    runs = store.runs()
    assert [r["run_id"] for r in runs[:2]] == ["run-b", "run-a"]
    assert runs[1]["status"] == "done" and runs[1]["loaded"] == 3


def test_ids_are_stable() -> None:
    assert make_id("person", "张伟", "哈尔滨工业大学") == make_id("person", "张伟", "哈尔滨工业大学")
    assert make_id("person", "张伟", "哈尔滨工业大学") != make_id("person", "张伟", "哈尔滨工程大学")
    assert make_id("patent", "CN202110123456.7") == "patent:CN202110123456.7"


def test_documents_put_get_delete_by_key_and_tag(store: GraphStore) -> None:
    from graph.store.base import Document

    store.put_documents([
        Document("mentions", "cv:1", {"name": "张伟", "orgs": ["哈工大"]}, tag="张伟"),
        Document("mentions", "patent:CN1#2", {"name": "张伟"}, tag="张伟"),
        Document("mentions", "cv:2", {"name": "李娜"}, tag="李娜"),
        Document("corrections", "m1", {"op": "merge"}),
    ])
    assert list(store.get_documents("mentions", tag="张伟")) == ["cv:1", "patent:CN1#2"]
    assert list(store.get_documents("mentions", tag=["李娜", "王磊"])) == ["cv:2"]
    assert store.get_documents("mentions", keys=["cv:2"])["cv:2"].doc == {"name": "李娜"}
    assert store.get_documents("mentions", keys=["cv:1"])["cv:1"].doc["orgs"] == ["哈工大"]
    store.write(delete_documents=[("mentions", "cv:1")],
                documents=[Document("mentions", "cv:2", {"name": "李娜", "v": 2}, tag="李娜")])
    assert sorted(store.get_documents("mentions")) == ["cv:2", "patent:CN1#2"]
    assert store.get_documents("mentions", keys=["cv:2"])["cv:2"].doc["v"] == 2
    assert list(store.get_documents("corrections")) == ["m1"]


def test_delete_and_write_in_one_batch(store: GraphStore) -> None:
    _seed(store)
    store.write([_person("zw3", "张伟")],
                [RelRecord(src="person:zw3", type=RelType.WORKS_AT, dst="org:hit")],
                delete_node_ids=["person:zw1"])
    assert store.get_node("person:zw1") is None
    assert [r.src for r in store.relationships("org:hit", types=[RelType.WORKS_AT])] == ["person:zw3"]


def test_clear_empties_the_store(store: GraphStore) -> None:
    _seed(store)
    store.clear()
    assert store.counts().total_nodes == 0 and store.counts().total_relationships == 0


def test_mixed_batch_counts_each_record_once(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """New, updated and unchanged records in one batch, spread over several statements (tiny
    batch size), with repeats folded: every record lands in exactly one count."""
    _seed(store)
    store.write((), [RelRecord(src="person:ll", type=RelType.WORKS_AT, dst="org:hit",
                               props={"weight": 0.3, "title": "讲师"})])
    monkeypatch.setattr(store, "batch_size", 2)
    later = Provenance(source="test.csv", source_key="row-1", run_id="run-2")
    nodes = [
        Person(id="person:ll", provenance=later, name="李磊").to_record(),  # unchanged
        NodeRecord(id="org:firm", label=NodeLabel.ORGANIZATION, props={"city": "大庆"}),  # updated
        _person("new1", "王芳"),  # created …
        NodeRecord(id="person:new1", label=NodeLabel.PERSON, props={"birth_year": 1990}),  # … folded
        _person("new2", "赵敏"),  # created
    ]
    s = store.write(nodes)
    assert (s.nodes_created, s.nodes_updated, s.nodes_unchanged) == (2, 1, 1)
    assert store.get_node("person:ll").props["run_id"] == "run-1"
    assert store.get_node("person:new1").props["birth_year"] == 1990
    assert store.get_node("person:new1").props["name"] == "王芳"
    assert store.get_node("org:firm").props["city"] == "大庆"
    assert store.get_node("org:firm").props["is_sme"] is True

    rels = [
        # unchanged: equal within the float tolerance, an int equal to its float, new run_id
        RelRecord(src="person:ll", type=RelType.WORKS_AT, dst="org:hit",
                  props={"weight": 0.3 + 1e-13, "title": "讲师", "run_id": "run-2"}),
        RelRecord(src="person:zw2", type=RelType.INVENTED, dst="patent:CN202110123456.7",
                  props={"position": 2.0}),
        RelRecord(src="org:hit", type=RelType.APPLICANT_OF, dst="patent:CN202110123456.7"),
        # updated: a new value, other keys kept
        RelRecord(src="person:zw1", type=RelType.WORKS_AT, dst="org:hit", props={"end": 2020}),
        # created, once though given twice
        RelRecord(src="person:new1", type=RelType.WORKS_AT, dst="org:hit", props={"title": "讲师"}),
        RelRecord(src="person:new1", type=RelType.WORKS_AT, dst="org:hit", props={"start": 2019}),
        RelRecord(src="person:new2", type=RelType.WORKS_AT, dst="org:firm"),
        RelRecord(src="person:new2", type=RelType.INVENTED, dst="patent:CN202110123456.7",
                  props={"position": 3}),
    ]
    s = store.write((), rels)
    assert (s.rels_created, s.rels_updated, s.rels_unchanged) == (3, 1, 3)
    works = {(r.src, r.key): r.props for r in store.relationships("org:hit", types=[RelType.WORKS_AT])}
    assert works[("person:ll", "")]["weight"] == 0.3 and works[("person:ll", "")].get("run_id") is None
    assert works[("person:zw1", "")] == {"title": "教授", "start": 2005, "end": 2020}
    assert works[("person:new1", "")] == {"title": "讲师", "start": 2019}
    assert store.counts().relationships == {"APPLICANT_OF": 2, "INVENTED": 3, "WORKS_AT": 5}
    again = store.write((), rels)
    assert (again.rels_created, again.rels_updated, again.rels_unchanged) == (0, 0, 7)


def test_dangling_relationship_among_stored_ones_rolls_back_the_batch(store: GraphStore) -> None:
    _seed(store)
    before = store.counts()
    with pytest.raises(DanglingRelationship) as err:
        store.write((), [
            RelRecord(src="person:zw1", type=RelType.WORKS_AT, dst="org:hit",
                      props={"title": "教授", "start": 2005}),  # stored, unchanged
            RelRecord(src="person:ll", type=RelType.WORKS_AT, dst="org:hit"),  # new, fine
            RelRecord(src="person:ll", type=RelType.WORKS_AT, dst="org:gone"),  # no such node
        ])
    assert "org:gone" in str(err.value)
    assert store.counts() == before
    assert store.relationships("person:ll") == []


def test_embedded_name_search_reads_the_name_index(tmp_path) -> None:
    """Search by name fragment (any kind) scans the name index in order, not the JSON of every
    node; a store made before the index existed gets it when opened."""
    import sqlite3

    from graph.store.embedded import EmbeddedStore

    path = tmp_path / "old.sqlite3"
    with EmbeddedStore(path) as store:
        store.write([NodeRecord(id="person:a", label=NodeLabel.PERSON, props={"name": "王伟"})])
    with sqlite3.connect(path) as conn:  # as a version-1 store was
        conn.execute("DROP INDEX nodes_name")
        conn.execute("DELETE FROM schema_migrations WHERE version = 2")
    with EmbeddedStore(path) as store:
        assert [n.id for n in store.find_nodes(name_contains="伟")] == ["person:a"]
        plan = store._read("EXPLAIN QUERY PLAN SELECT id, label, props FROM nodes "
                           "WHERE instr(name, ?) > 0 ORDER BY name, id LIMIT 20", ["伟"])
        assert any("nodes_name" in str(row) for row in plan), plan


def test_relationships_limit_keeps_the_first_in_order(store: GraphStore) -> None:
    """The patent has 4 relationships in, none out; ordered by (type, src, dst, key):
    APPLICANT_OF firm, APPLICANT_OF hit, INVENTED zw1, INVENTED zw2.  A university's 20,000
    staff are never all read for an entity page of 100."""
    _seed(store)
    pat = "patent:CN202110123456.7"
    every = store.relationships(pat)
    assert [(r.type, r.src) for r in every] == [
        (RelType.APPLICANT_OF, "org:firm"), (RelType.APPLICANT_OF, "org:hit"),
        (RelType.INVENTED, "person:zw1"), (RelType.INVENTED, "person:zw2")]
    assert store.relationships(pat, limit=3) == every[:3]
    assert store.relationships(pat, limit=1, types=[RelType.INVENTED]) == every[2:3]
    assert store.relationships(pat, limit=0) == []
    # Both directions merged before the cut: zw1's WORKS_AT (out) sorts after its INVENTED (out)
    # and the list holds no incoming one.
    assert [r.type for r in store.relationships("person:zw1", limit=1)] == [RelType.INVENTED]
    assert [r.src for r in store.relationships("org:hit", limit=2)] == ["org:hit", "person:zw1"]
