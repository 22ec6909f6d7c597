"""collaboration_paths and who_can_introduce on a small hand-built graph, on both backends.

The graph (costs with as_of=2025, see the table in graph/queries/paths.py)::

    张三 zs ─WORKS_AT(教授, current) 0.8─ 哈工大 hit ─PART_OF 0.6─ 机电学院 hit_me ─PART_OF 0.6─ 焊接团队 weld
    李四 ls ─WORKS_AT(副教授, current) 0.8─ hit
    张三 ─LEADS 0.5─ weld,  张三 ─MEMBER_OF(负责人) 0.6─ weld,  李四 ─MEMBER_OF 0.6─ weld
    张三, 王五 ─INVENTED 0.5 (2021 is recent)─ P1 CN202110123456.7 ─APPLICANT_OF 0.6─ hit, firm
    李四, 周八 ─INVENTED 0.5 (2024)─ P2 CN202410654321.0 ─APPLICANT_OF 0.6─ 哈工程 heu
    王五 ww ─WORKS_AT(高级工程师) 0.8─ 精工 firm ─POSTED 0.5─ 需求 d1 ─CONTACT_FOR 0.5─ 王五
    孙七 sq ─WORKS_AT 0.8─ firm,  孙七 ─STUDIED_AT(硕士) 1.1─ hit          (an alumnus at the firm)
    周八 zb ─WORKS_AT 0.8─ heu,   周八 ─APPOINTED_AS(技术导师) 0.8─ firm   (a mentor of the firm)
    COLLABORATED_WITH: 王五–张三 w0.5 co_invention 2021 → 1−0.25−0.1 = 0.65
                       李四–张三 w0.34 same_team (no years) → 1−0.17−0.1 = 0.73
                       李四–周八 w0.5 co_invention 2024 (recent) → 1−0.25−0.1−0.1 = 0.55
    张三, 王五 ─IN_FIELD 1.5─ 智能机器人 (Field);  张三, d1 ─HAS_TOPIC 1.5─ 焊接 (Topic)
    赵六 lonely: no ties at all.
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from graph.errors import NotFound, QueryError
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
from graph.queries import paths as paths_module
from graph.queries.paths import (
    CANDIDATE_LIMIT,
    Path,
    collaboration_paths,
    edge_cost,
    who_can_introduce,
)
from graph.store.base import GraphStore

AS_OF = 2025
P1 = "patent:CN202110123456.7"
P2 = "patent:CN202410654321.0"


def _n(node_id: str, label: NodeLabel, name: str, **props) -> NodeRecord:
    return NodeRecord(id=node_id, label=label, props={"name": name, **props})


NODES = [
    _n("person:zs", NodeLabel.PERSON, "张三", titles=["教授"], seniority=4),
    _n("person:ls", NodeLabel.PERSON, "李四", titles=["副教授"], seniority=3),
    _n("person:ww", NodeLabel.PERSON, "王五", titles=["高级工程师"]),
    _n("person:sq", NodeLabel.PERSON, "孙七", titles=["工程师"]),
    _n("person:zb", NodeLabel.PERSON, "周八", titles=["教授"]),
    _n("person:lonely", NodeLabel.PERSON, "赵六"),
    _n("org:hit", NodeLabel.ORGANIZATION, "哈尔滨工业大学", kind="university", city="哈尔滨"),
    _n("org:hit_me", NodeLabel.ORGANIZATION, "机电工程学院", kind="college"),
    _n("org:heu", NodeLabel.ORGANIZATION, "哈尔滨工程大学", kind="university", city="哈尔滨"),
    _n("org:firm", NodeLabel.ORGANIZATION, "哈尔滨精工智能装备有限公司", kind="enterprise",
       is_sme=True, is_specialised=True),
    _n("team:weld", NodeLabel.TEAM, "焊接机器人团队"),
    _n(P1, NodeLabel.PATENT, "一种焊接机器人视觉定位方法", application_number="CN202110123456.7",
       year=2021, ipc_codes=["B25J 9/16"]),
    _n(P2, NodeLabel.PATENT, "一种水下焊接装置", application_number="CN202410654321.0", year=2024),
    _n("demand:d1", NodeLabel.DEMAND, "焊缝缺陷在线检测", batch="2025H2", city="哈尔滨"),
    _n("field:robot", NodeLabel.FIELD, "智能机器人", kind="industry"),
    _n("topic:weld", NodeLabel.TOPIC, "焊接"),
]


def _r(src: str, t: RelType, dst: str, key: str = "", **props) -> RelRecord:
    return RelRecord(src=src, type=t, dst=dst, key=key, props=props)


RELS = [
    _r("person:zs", RelType.WORKS_AT, "org:hit", title="教授", unit="机电工程学院", current=True, start=2005),
    _r("person:ls", RelType.WORKS_AT, "org:hit", title="副教授", current=True),
    _r("person:ww", RelType.WORKS_AT, "org:firm", title="高级工程师", current=True),
    _r("person:sq", RelType.WORKS_AT, "org:firm", title="工程师", current=True),
    _r("person:sq", RelType.STUDIED_AT, "org:hit", key="硕士", degree="硕士", major="机械工程", end=2015),
    _r("person:zb", RelType.WORKS_AT, "org:heu", title="教授", current=True),
    _r("person:zb", RelType.APPOINTED_AS, "org:firm", role="tech_mentor", start=2023),
    _r("org:hit_me", RelType.PART_OF, "org:hit"),
    _r("team:weld", RelType.PART_OF, "org:hit_me"),
    _r("person:zs", RelType.LEADS, "team:weld"),
    _r("person:zs", RelType.MEMBER_OF, "team:weld", role="负责人"),
    _r("person:ls", RelType.MEMBER_OF, "team:weld"),
    _r("person:zs", RelType.INVENTED, P1, position=1),
    _r("person:ww", RelType.INVENTED, P1, position=2),
    _r("org:hit", RelType.APPLICANT_OF, P1, position=1),
    _r("org:firm", RelType.APPLICANT_OF, P1, position=2),
    _r("person:ls", RelType.INVENTED, P2, position=1),
    _r("person:zb", RelType.INVENTED, P2, position=2),
    _r("org:heu", RelType.APPLICANT_OF, P2, position=1),
    _r("org:firm", RelType.POSTED, "demand:d1", batch="2025H2"),
    _r("person:ww", RelType.CONTACT_FOR, "demand:d1"),
    _r("person:ww", RelType.COLLABORATED_WITH, "person:zs", weight=0.5, count=1,
       kinds=["co_invention"], evidence=[P1], first_year=2021, last_year=2021),
    _r("person:ls", RelType.COLLABORATED_WITH, "person:zs", weight=0.34, count=1,
       kinds=["same_team"], evidence=["team:weld"]),
    _r("person:ls", RelType.COLLABORATED_WITH, "person:zb", weight=0.5, count=1,
       kinds=["co_invention"], evidence=[P2], first_year=2024, last_year=2024),
    _r("person:zs", RelType.IN_FIELD, "field:robot", weight=0.9),
    _r("person:ww", RelType.IN_FIELD, "field:robot", weight=0.7),
    _r("person:zs", RelType.HAS_TOPIC, "topic:weld", weight=0.8),
    _r("demand:d1", RelType.HAS_TOPIC, "topic:weld", weight=0.9),
]


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    store.write(NODES, RELS)
    return store


@pytest.fixture(params=[
    pytest.param("embedded", id="embedded"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
    pytest.param("neo4j-cypher", id="neo4j-cypher", marks=pytest.mark.neo4j),
])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The stores every test here runs on; Neo4j twice: with the project's procedure
    xiaoqi.paths.corridor finding the corridor (the test launcher registers it), and with the
    Cypher search that a server without the plugin runs ("neo4j-cypher")."""
    if request.param == "neo4j-cypher":
        monkeypatch.setattr(paths_module, "_has_procedure", lambda store: False)
        return "neo4j"
    return request.param


def test_the_test_neo4j_has_the_corridor_procedure(neo4j_store: GraphStore) -> None:
    assert paths_module._has_procedure(neo4j_store)


@pytest.mark.parametrize(("signatures", "usable"), [
    ([], False),
    (["xiaoqi.paths.corridor(source :: NODE, target :: NODE, types :: LIST<STRING>, labels :: LIST<STRING>, "
      "maxHops :: INTEGER, groups :: INTEGER, hubDegree :: INTEGER) :: (shortest :: INTEGER, "
      "rels :: LIST<RELATIONSHIP>, scanned :: INTEGER)"], False),  # a plugin jar older than the app
    (["xiaoqi.paths.corridor(source :: NODE, target :: NODE, types :: LIST<STRING>, labels :: LIST<STRING>, "
      "maxHops :: INTEGER, groups :: INTEGER, hubDegree :: INTEGER, shared = true :: BOOLEAN) :: "
      "(shortest :: INTEGER, rels :: LIST<RELATIONSHIP>, scanned :: INTEGER)"], True),
])
def test_only_the_procedure_version_this_code_calls_is_used(
    signatures: list[str], usable: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Driver:  # weak-referenceable stand-in: the answer is kept per driver
        pass

    class Store:
        driver = Driver()

    monkeypatch.setattr(paths_module, "_read", lambda store, query, params: [{"signature": s} for s in signatures])
    assert paths_module._has_procedure(Store()) is usable  # type: ignore[arg-type]


def _ids(paths: list[Path]) -> list[list[str]]:
    return [p.node_ids for p in paths]


def _short(node_ids: list[str]) -> list[str]:
    return [i.split(":", 1)[1] if not i.startswith("patent:") else "P1" if i == P1 else "P2" for i in node_ids]


# --------------------------------------------------------------------------- edge costs


def test_edge_cost_table() -> None:
    collab = {"weight": 0.5, "kinds": ["co_invention"], "last_year": 2021}
    assert edge_cost(RelType.COLLABORATED_WITH, collab, as_of=AS_OF) == 0.65
    assert edge_cost(RelType.COLLABORATED_WITH, {**collab, "last_year": 2024}, as_of=AS_OF) == 0.55
    assert edge_cost(RelType.COLLABORATED_WITH, {"weight": 1.0, "kinds": ["same_team"], "last_year": 2025},
                     as_of=AS_OF) == 0.3
    assert edge_cost(RelType.COLLABORATED_WITH, {}, as_of=AS_OF) == 0.75  # unknown weight = 0.5
    assert edge_cost(RelType.COLLABORATED_WITH, {"weight": 0.2, "kinds": ["co_achievement"]}, as_of=AS_OF) == 0.9
    assert edge_cost(RelType.INVENTED, {}, patent_year=2021, as_of=AS_OF) == 0.5
    assert edge_cost(RelType.INVENTED, {}, patent_year=2015, as_of=AS_OF) == 0.6
    assert edge_cost(RelType.INVENTED, {}, as_of=AS_OF) == 0.6
    assert edge_cost(RelType.APPLICANT_OF, {}, patent_year=2024, as_of=AS_OF) == 0.6
    assert edge_cost(RelType.WORKS_AT, {"current": True}, as_of=AS_OF) == 0.8
    assert edge_cost(RelType.WORKS_AT, {}, as_of=AS_OF) == 0.8
    assert edge_cost(RelType.WORKS_AT, {"end": 2019}, as_of=AS_OF) == 1.0
    assert edge_cost(RelType.WORKS_AT, {"current": False}, as_of=AS_OF) == 1.0
    assert edge_cost(RelType.APPOINTED_AS, {"start": 2023}, as_of=AS_OF) == 0.8
    assert edge_cost(RelType.APPOINTED_AS, {"status": "ended"}, as_of=AS_OF) == 1.0
    fixed = {RelType.LEADS: 0.5, RelType.MEMBER_OF: 0.6, RelType.STUDIED_AT: 1.1,
             RelType.PART_OF: 0.6, RelType.POSTED: 0.5, RelType.CONTACT_FOR: 0.5,
             RelType.COMPLETED: 0.7, RelType.COVERS: 0.5, RelType.IN_FIELD: 1.5,
             RelType.HAS_TOPIC: 1.5}
    for t, cost in fixed.items():
        assert edge_cost(t, {}, as_of=AS_OF) == cost
    assert all(0 < edge_cost(t, {}, as_of=AS_OF) <= 1.5 for t in RelType)


# --------------------------------------------------------------------------- paths


def test_three_strongest_paths_from_professor_to_firm(graph: GraphStore) -> None:
    # No direct tie, so L = 2 and the candidates are the simple paths of 2 and 3 hops
    # (Field/Topic left out).  Costs by hand:
    #   2 hops  a  张三 -INVENTED- P1 -APPLICANT_OF- 精工            0.5 + 0.6        = 1.10
    #           b  张三 -COLLAB- 王五 -WORKS_AT- 精工                 0.65 + 0.8       = 1.45
    #   3 hops  g  张三 -COLLAB- 王五 -CONTACT_FOR- d1 -POSTED- 精工   0.65 + 0.5 + 0.5 = 1.65
    #           f  张三 -COLLAB- 王五 -INVENTED- P1 -APPLICANT_OF- 精工 0.65 + 0.5 + 0.6 = 1.75
    #           c  张三 -INVENTED- P1 -INVENTED- 王五 -WORKS_AT- 精工  0.5 + 0.5 + 0.8  = 1.80
    #           d  张三 -WORKS_AT- 哈工大 -APPLICANT_OF- P1 - 精工     0.8 + 0.6 + 0.6  = 2.00
    #           h  张三 -COLLAB- 李四 -COLLAB- 周八 -APPOINTED_AS- 精工 0.73 + 0.55 + 0.8 = 2.08
    #           e  张三 -WORKS_AT- 哈工大 -STUDIED_AT- 孙七 -WORKS_AT- 精工 0.8 + 1.1 + 0.8 = 2.70
    # Top 3: a, b, g — the shared patent beats the collaboration edge plus employment, and the
    # demand 王五 handles for the firm (two 0.5 ties) beats re-walking the patent.
    paths = collaboration_paths(graph, "person:zs", "org:firm", as_of=AS_OF)
    assert [_short(p) for p in _ids(paths)] == [
        ["zs", "P1", "firm"],
        ["zs", "ww", "firm"],
        ["zs", "ww", "d1", "firm"],
    ]
    assert [p.cost for p in paths] == [1.1, 1.45, 1.65]
    assert [p.length for p in paths] == [2, 2, 3]
    a, b, g = paths
    assert [h.type for h in a.hops] == [RelType.INVENTED, RelType.APPLICANT_OF]
    assert [h.direction for h in a.hops] == ["out", "in"]
    assert [h.cost for h in a.hops] == [0.5, 0.6]
    assert b.hops[0].direction == "in"  # stored once per pair, src 王五 < dst 张三
    assert b.hops[0].props["evidence"] == [P1] and "source" not in b.hops[0].props
    assert [n.name for n in g.nodes] == ["张三", "王五", "焊缝缺陷在线检测", "哈尔滨精工智能装备有限公司"]
    assert a.explanation == [
        "张三是专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）的发明人（第1发明人）",
        "哈尔滨精工智能装备有限公司是专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）的申请人",
    ]
    assert b.explanation == [
        "张三与王五共同发明专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）（2021年，合作强度0.50）",
        "王五任职于哈尔滨精工智能装备有限公司（高级工程师）",
    ]
    assert g.explanation == [
        "张三与王五共同发明专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）（2021年，合作强度0.50）",
        "王五是需求《焊缝缺陷在线检测》的联系人",
        "哈尔滨精工智能装备有限公司发布了技术需求《焊缝缺陷在线检测》（2025H2批次）",
    ]
    assert a.summary == "张三经由专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）与哈尔滨精工智能装备有限公司相连（2跳，路径代价1.10）"


def test_more_paths_keep_the_hand_computed_order(graph: GraphStore) -> None:
    paths = collaboration_paths(graph, "person:zs", "org:firm", k=10, as_of=AS_OF)
    assert [_short(p) for p in _ids(paths)] == [
        ["zs", "P1", "firm"],  # a 1.10
        ["zs", "ww", "firm"],  # b 1.45
        ["zs", "ww", "d1", "firm"],  # g 1.65
        ["zs", "ww", "P1", "firm"],  # f 1.75
        ["zs", "P1", "ww", "firm"],  # c 1.80
        ["zs", "hit", "P1", "firm"],  # d 2.00
        ["zs", "ls", "zb", "firm"],  # h 2.08
        ["zs", "hit", "sq", "firm"],  # e 2.70
    ]
    assert [p.cost for p in paths] == [1.1, 1.45, 1.65, 1.75, 1.8, 2.0, 2.08, 2.7]
    c, d = paths[4], paths[5]
    assert c.explanation[1] == "张三与王五共同发明专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）"
    assert d.explanation == [
        "张三任职于哈尔滨工业大学（机电工程学院教授）",
        "哈尔滨工业大学是专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）的申请人",
        "哈尔滨工业大学与哈尔滨精工智能装备有限公司共同申请专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）",
    ]
    e = paths[7]
    assert e.explanation == [
        "张三任职于哈尔滨工业大学（机电工程学院教授）",
        "孙七毕业于哈尔滨工业大学（硕士，机械工程）",
        "孙七任职于哈尔滨精工智能装备有限公司（工程师）",
    ]
    h = paths[6]
    assert h.explanation[2] == "周八受聘担任哈尔滨精工智能装备有限公司的技术导师（2023年起）"


def test_relationship_type_filters(graph: GraphStore) -> None:
    # Without COLLABORATED_WITH: a 1.10, c 1.80, d 2.00 (b, f, g, h all used it).
    paths = collaboration_paths(graph, "person:zs", "org:firm", as_of=AS_OF,
                                exclude_rel_types=[RelType.COLLABORATED_WITH])
    assert [_short(p) for p in _ids(paths)] == [["zs", "P1", "firm"], ["zs", "P1", "ww", "firm"],
                                                ["zs", "hit", "P1", "firm"]]
    assert all(h.type is not RelType.COLLABORATED_WITH for p in paths for h in p.hops)
    # Only employment and study ties: the alumnus route is the one path left (3 hops).
    paths = collaboration_paths(graph, "person:zs", "org:firm", as_of=AS_OF,
                                include_rel_types=["WORKS_AT", "STUDIED_AT"])
    assert [_short(p) for p in _ids(paths)] == [["zs", "hit", "sq", "firm"]]


def test_label_filters(graph: GraphStore) -> None:
    # Only people and organisations in between: b 1.45, h 2.08, e 2.70.
    paths = collaboration_paths(graph, "person:zs", "org:firm", as_of=AS_OF,
                                include_labels=[NodeLabel.PERSON, NodeLabel.ORGANIZATION])
    assert [_short(p) for p in _ids(paths)] == [["zs", "ww", "firm"], ["zs", "ls", "zb", "firm"],
                                                ["zs", "hit", "sq", "firm"]]
    # No patents: 王五's demand and the collaboration edge remain.
    paths = collaboration_paths(graph, "person:zs", "org:firm", as_of=AS_OF, k=10,
                                exclude_labels=["Patent", "Field", "Topic"])
    assert all(n.label is not NodeLabel.PATENT for p in paths for n in p.nodes)
    assert _short(paths[0].node_ids) == ["zs", "ww", "firm"]


def test_fields_and_topics_are_left_out_unless_asked_for(graph: GraphStore) -> None:
    only_fields = {"include_rel_types": [RelType.IN_FIELD], "as_of": AS_OF}
    assert collaboration_paths(graph, "person:zs", "person:ww", **only_fields) == []
    paths = collaboration_paths(graph, "person:zs", "person:ww", exclude_labels=(), **only_fields)
    assert [p.node_ids for p in paths] == [["person:zs", "field:robot", "person:ww"]]
    assert paths[0].cost == 3.0
    assert paths[0].explanation == ["张三属于“智能机器人”领域", "王五属于“智能机器人”领域"]
    # A Topic end node is fine: ends are never filtered.
    topic = collaboration_paths(graph, "topic:weld", "org:firm", as_of=AS_OF, k=1)
    assert [_short(p.node_ids) for p in topic] == [["weld", "d1", "firm"]]
    assert topic[0].explanation[0] == "需求《焊缝缺陷在线检测》涉及“焊接”主题"


def test_max_hops_cuts_the_second_group(graph: GraphStore) -> None:
    paths = collaboration_paths(graph, "person:zs", "org:firm", max_hops=2, as_of=AS_OF)
    assert [_short(p) for p in _ids(paths)] == [["zs", "P1", "firm"], ["zs", "ww", "firm"]]
    assert collaboration_paths(graph, "person:zs", "org:firm", max_hops=1, as_of=AS_OF) == []


def test_direct_tie_comes_first_and_parallel_ties_collapse(graph: GraphStore) -> None:
    # 张三 and 李四: L = 1 (the same_team collaboration, 0.73).  2 hops: the team (张三 reaches
    # it by LEADS 0.5 and MEMBER_OF 0.6 — one path, the cheaper tie) 0.5 + 0.6 = 1.10, and the
    # university 0.8 + 0.8 = 1.60.
    paths = collaboration_paths(graph, "person:zs", "person:ls", k=5, as_of=AS_OF)
    assert [_short(p) for p in _ids(paths)] == [["zs", "ls"], ["zs", "weld", "ls"], ["zs", "hit", "ls"]]
    assert [p.cost for p in paths] == [0.73, 1.1, 1.6]
    assert paths[1].hops[0].type is RelType.LEADS
    assert paths[0].explanation == ["张三与李四同属焊接机器人团队（合作强度0.34）"]
    assert paths[0].summary == "张三与李四直接相连（1跳，路径代价0.73）"
    assert paths[1].explanation == ["张三是焊接机器人团队负责人", "张三与李四同属焊接机器人团队"]
    assert paths[2].explanation == ["张三任职于哈尔滨工业大学（机电工程学院教授）",
                                    "李四也任职于哈尔滨工业大学（副教授）"]


def test_no_path_returns_empty(graph: GraphStore) -> None:
    assert collaboration_paths(graph, "person:zs", "person:lonely", as_of=AS_OF) == []
    assert collaboration_paths(graph, "person:lonely", "org:firm", max_hops=6, as_of=AS_OF) == []


def test_unknown_ids_raise_not_found(graph: GraphStore) -> None:
    with pytest.raises(NotFound) as err:
        collaboration_paths(graph, "person:zs", "org:nowhere")
    assert err.value.entity_id == "org:nowhere"
    with pytest.raises(NotFound):
        collaboration_paths(graph, "person:nobody", "org:firm")
    with pytest.raises(NotFound):
        who_can_introduce(graph, "org:nowhere", "person:ls")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k 必须是 1 到 10"),
        ({"k": 11}, "k 必须是 1 到 10"),
        ({"k": 2.5}, "k 必须是 1 到 10"),
        ({"k": True}, "k 必须是 1 到 10"),
        ({"max_hops": 0}, "max_hops 必须是 1 到 6"),
        ({"max_hops": 7}, "max_hops 必须是 1 到 6"),
        ({"include_labels": ["Professor"]}, "可选值：Person、Team、Organization"),
        ({"exclude_labels": "Nope"}, "节点类型 'Nope' 不存在"),
        ({"include_rel_types": ["KNOWS"]}, "关系类型 'KNOWS' 不存在；可选值：WORKS_AT"),
        ({"exclude_rel_types": ["works_at"]}, "关系类型 'works_at' 不存在"),
        ({"include_rel_types": []}, "include_rel_types 不能为空"),
        ({"as_of": 99}, "as_of 必须是年份"),
    ],
)
def test_bad_arguments_raise_query_error(graph: GraphStore, kwargs: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        collaboration_paths(graph, "person:zs", "org:firm", **kwargs)


def test_same_source_and_target_is_refused(graph: GraphStore) -> None:
    with pytest.raises(QueryError, match="起点与终点相同"):
        collaboration_paths(graph, "person:zs", "person:zs")


# --------------------------------------------------------------------------- introducers


def test_who_can_introduce_within_three_hops(graph: GraphStore) -> None:
    # 精工 → 李四, L = 2, max_hops 3: candidates of 2 and 3 hops.
    #   A 精工 -APPOINTED_AS- 周八 -COLLAB- 李四                 0.8 | 0.55
    #   F 精工 -APPOINTED_AS- 周八 -INVENTED- P2 -INVENTED- 李四  0.8 | 0.5 + 0.5
    #   C 精工 -APPLICANT_OF- P1 -INVENTED- 张三 -COLLAB- 李四    0.6 + 0.5 | 0.73
    #   D 精工 -WORKS_AT- 王五 -COLLAB- 张三 -COLLAB- 李四        王五 0.8 | 1.38; 张三 1.45 | 0.73
    #   E 精工 -WORKS_AT- 孙七 -STUDIED_AT- 哈工大 -WORKS_AT- 李四 0.8 | 1.9
    #   B 精工 - P1 - 哈工大 - 李四 has no person inside.
    # score = (1 + 0.1·(n−1)) / ((1+c_E)(1+c_R)):
    #   周八 n=2: 1.1 / (1.8·1.55) = 0.394265     张三 n=2: 1.1 / (2.1·1.73) = 0.302780
    #   王五 n=1: 1 / (1.8·2.38)   = 0.233427     孙七 n=1: 1 / (1.8·2.9)   = 0.191571
    people = who_can_introduce(graph, "org:firm", "person:ls", max_hops=3, as_of=AS_OF)
    assert [i.person.id for i in people] == ["person:zb", "person:zs", "person:ww", "person:sq"]
    assert [i.score for i in people] == [0.394265, 0.30278, 0.233427, 0.191571]
    assert [(i.enterprise_cost, i.researcher_cost, i.path_count) for i in people] == [
        (0.8, 0.55, 2), (1.1, 0.73, 2), (0.8, 1.38, 1), (0.8, 1.9, 1)]
    zb, zs, ww, sq = people
    assert _short(zb.best_path.node_ids) == ["firm", "zb", "ls"]
    assert zb.explanation == [
        "周八受聘担任哈尔滨精工智能装备有限公司的技术导师（2023年起）",
        "周八与李四共同发明专利 CN202410654321.0《一种水下焊接装置》（2024）（2024年，合作强度0.50）",
    ]
    assert zb.summary == ("周八可引荐：与哈尔滨精工智能装备有限公司联系代价0.80，"
                          "与李四联系代价0.55，共2条路径（评分0.394）")
    assert _short(zs.best_path.node_ids) == ["firm", "P1", "zs", "ls"]
    assert sq.explanation == [
        "孙七任职于哈尔滨精工智能装备有限公司（工程师）",
        "孙七毕业于哈尔滨工业大学（硕士，机械工程）",
        "李四任职于哈尔滨工业大学（副教授）",
    ]
    assert ww.explanation[0] == "王五任职于哈尔滨精工智能装备有限公司（高级工程师）"
    assert who_can_introduce(graph, "org:firm", "person:ls", max_hops=3, limit=2, as_of=AS_OF)[1].person.id == "person:zs"


def test_who_can_introduce_counts_routes_at_four_hops(graph: GraphStore) -> None:
    # Four hops add (among others) 精工-P1-张三-团队-李四, 精工-d1-王五-张三-李四, 精工-周八-哈工程-P2-李四,
    # 精工-孙七-哈工大-张三-李四.  By hand: 周八 3 routes (A, F, via 哈工程) → 1.2/(1.8·1.55) = 0.430108;
    # 张三 11 routes (bonus capped at +50%) → 1.5/(2.1·1.73) = 0.412882; 王五 7 routes, cheapest
    # ties 0.8 | 1.38 → 1.5/(1.8·2.38) = 0.350140; 孙七 2 routes → 1.1/(1.8·2.9) = 0.210728.
    people = who_can_introduce(graph, "org:firm", "person:ls", as_of=AS_OF)
    assert [(i.person.id, i.path_count, i.score) for i in people] == [
        ("person:zb", 3, 0.430108), ("person:zs", 11, 0.412882),
        ("person:ww", 7, 0.35014), ("person:sq", 2, 0.210728)]


def test_who_can_introduce_checks_its_arguments(graph: GraphStore) -> None:
    with pytest.raises(QueryError, match="limit 必须是 1 到 50"):
        who_can_introduce(graph, "org:firm", "person:ls", limit=0)
    with pytest.raises(QueryError, match="max_hops 必须是 2 到 6"):
        who_can_introduce(graph, "org:firm", "person:ls", max_hops=1)
    with pytest.raises(QueryError, match="需要 Organization"):
        who_can_introduce(graph, "person:zs", "person:ls")
    with pytest.raises(QueryError, match="需要 Person"):
        who_can_introduce(graph, "org:firm", "org:hit")
    assert who_can_introduce(graph, "org:firm", "person:lonely", as_of=AS_OF) == []


# --------------------------------------------------------------------------- parity


def _oracle(groups: int, max_hops: int, src: str, dst: str, labels: set[str], hub_degree: int) -> set[tuple]:
    """The candidate set by brute force on the records: every shortest path, plus the simple
    paths up to groups−1 hops longer whose intermediate nodes are not hubs."""
    label_of = {n.id: n.label.value for n in NODES}
    g = nx.MultiGraph()
    g.add_nodes_from(label_of)
    for r in RELS:
        g.add_edge(r.src, r.dst, key=(r.type.value, r.key, r.src))
    hubs = {n for n in g if g.degree(n) > hub_degree}
    keep = [n for n in g if n in (src, dst) or label_of[n] in labels]
    sub = g.subgraph(keep)
    found = set()
    for edge_path in nx.all_simple_edge_paths(sub, src, dst, cutoff=max_hops):
        nodes = [src] + [e[1] for e in edge_path]
        found.add((tuple(nodes), tuple(e[2][0] for e in edge_path)))
    if not found:
        return set()
    shortest = min(len(n) - 1 for n, _ in found)
    return {
        (nodes, types) for nodes, types in found
        if len(nodes) - 1 == shortest
        or (len(nodes) - 1 < shortest + groups and not hubs & set(nodes[1:-1]))
    }


_DEFAULT_LABELS = {lb.value for lb in NodeLabel} - {"Field", "Topic"}


@pytest.mark.parametrize(("hub_degree", "cache_from"), [(1000, 200), (4, 200), (1000, 1), (4, 1)])
def test_candidate_sets_equal_brute_force(
    graph: GraphStore, hub_degree: int, cache_from: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With 4, 张三 (8 ties), 李四, 王五, 哈工大 and 精工 (5 each) are hubs.  With cache_from 1 the
    # embedded search keeps every node's sorted and filtered adjacency across the queries below
    # (shared per snapshot, normally only for nodes of 200+ relationships).
    monkeypatch.setattr(paths_module, "HUB_DEGREE", hub_degree)
    monkeypatch.setattr(paths_module, "_CACHE_FROM_DEGREE", cache_from)
    ids = [n.id for n in NODES if n.id != "person:lonely"]
    for src, dst in itertools.combinations(ids, 2):
        for groups, max_hops in ((2, 4), (3, 4)):
            spec = paths_module._spec(
                src, dst, max_hops=max_hops, hop_bounds=(1, 6), groups=groups,
                include_labels=None, exclude_labels=None, include_rel_types=None,
                exclude_rel_types=None, as_of=AS_OF,
            )
            got = paths_module._candidates(graph, spec)
            want = _oracle(groups, max_hops, src, dst, _DEFAULT_LABELS, hub_degree)
            assert {(c.ids, c.types) for c in got} == want, (src, dst)
            assert len(got) == len(want)
            # canonical order: hops, then (next id, type, key) hop by hop
            keys = [(c.hops, [x for i in range(c.hops) for x in (c.ids[i + 1], c.types[i], c.keys[i])]) for c in got]
            assert keys == sorted(keys)


def test_longer_paths_avoid_hubs(graph: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # With HUB_DEGREE 4 every 3-hop route from 张三 to 精工 passes 王五, 哈工大 or 李四 (hubs), so
    # only the shortest group is left: a 1.10 and b 1.45 — b keeps its hub (王五), being shortest.
    monkeypatch.setattr(paths_module, "HUB_DEGREE", 4)
    paths = collaboration_paths(graph, "person:zs", "org:firm", as_of=AS_OF)
    assert [_short(p) for p in _ids(paths)] == [["zs", "P1", "firm"], ["zs", "ww", "firm"]]


def test_candidate_limit_keeps_the_canonical_prefix(graph: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = paths_module._spec(
        "org:firm", "person:ls", max_hops=4, hop_bounds=(1, 6), groups=3,
        include_labels=None, exclude_labels=None, include_rel_types=None,
        exclude_rel_types=None, as_of=AS_OF,
    )
    full = paths_module._candidates(graph, spec)
    assert 5 < len(full) < CANDIDATE_LIMIT
    monkeypatch.setattr(paths_module, "CANDIDATE_LIMIT", 5)
    assert paths_module._candidates(graph, spec) == full[:5]


def _spec_for(src: str, dst: str, max_hops: int = 4) -> paths_module._Spec:
    return paths_module._spec(
        src, dst, max_hops=max_hops, hop_bounds=(1, 6), groups=paths_module.PATH_GROUPS,
        include_labels=None, exclude_labels=None, include_rel_types=None,
        exclude_rel_types=None, as_of=AS_OF,
    )


def _random_graph(seed: int) -> tuple[list[NodeRecord], list[RelRecord]]:
    """People at a few organisations, co-inventing patents and collaborating with random
    strengths and years: many parallel routes of equal length and near-equal cost."""
    rng = random.Random(seed)
    people = [f"person:r{i}" for i in range(40)]
    orgs = [f"org:r{i}" for i in range(5)]
    patents = [f"patent:CN20{10 + i}9000{i:03d}" for i in range(25)]
    nodes = [*(_n(p, NodeLabel.PERSON, p) for p in people),
             *(_n(o, NodeLabel.ORGANIZATION, o, kind="university") for o in orgs),
             *(_n(p, NodeLabel.PATENT, p, year=2010 + i) for i, p in enumerate(patents))]
    rels = [_r(p, RelType.WORKS_AT, rng.choice(orgs), current=rng.random() < 0.7) for p in people]
    for patent in patents:
        for p in rng.sample(people, rng.randint(1, 4)):
            rels.append(_r(p, RelType.INVENTED, patent))
    for a, b in {tuple(sorted(rng.sample(people, 2))) for _ in range(50)}:
        rels.append(_r(a, RelType.COLLABORATED_WITH, b, weight=rng.choice([0.2, 0.34, 0.5, 0.75, 1.0]),
                       kinds=rng.choice([["co_invention"], ["same_team"], ["co_achievement"]]),
                       last_year=rng.randint(2015, 2025)))
    return nodes, rels


@pytest.mark.parametrize("limit", [CANDIDATE_LIMIT, 25, 4])
def test_the_pruned_search_keeps_the_k_best(
    store: GraphStore, limit: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """collaboration_paths skips the steps that cannot lead among the k best (counting what
    they hold towards CANDIDATE_LIMIT): the k best must be those of the full candidate list,
    also when the limit cuts it."""
    monkeypatch.setattr(paths_module, "CANDIDATE_LIMIT", limit)
    nodes, rels = _random_graph(7)
    store.write(nodes, rels)
    rng = random.Random(limit)
    pairs = [tuple(rng.sample([n.id for n in nodes], 2)) for _ in range(40)]
    listed = pruned = 0
    for src, dst in pairs:
        spec = _spec_for(src, dst)
        full = paths_module._candidates(store, spec)
        for k in (1, 3):
            got = paths_module._candidates(store, spec, best=k)
            assert paths_module._score(got, k) == paths_module._score(full, k), (src, dst, k)
            listed, pruned = listed + len(full), pruned + len(got)
    assert pruned < listed  # whole subtrees were skipped


_PARITY_QUERIES = [
    ("person:zs", "org:firm", {}),
    ("person:zs", "person:ls", {"k": 10}),
    ("org:heu", "demand:d1", {"k": 10, "max_hops": 5}),
    ("team:weld", "org:firm", {"k": 10, "exclude_rel_types": ["PART_OF"]}),
    (P2, "person:sq", {"k": 10, "max_hops": 6}),
    ("field:robot", "org:hit", {"k": 10, "exclude_labels": []}),
]


@pytest.mark.parametrize("inline_details", [64, 0])
def test_same_answers_on_both_backends(
    store: GraphStore, tmp_path_factory: pytest.TempPathFactory, inline_details: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every answer equals the embedded store's, field by field (run on each backend).  On
    Neo4j, small corridors bring the shown details along; with INLINE_DETAILS 0 every query
    reads them in a second round trip (what corridors of more than 64 relationships do)."""
    from graph.store.embedded import EmbeddedStore

    monkeypatch.setattr(paths_module, "INLINE_DETAILS", inline_details)

    reference = EmbeddedStore(tmp_path_factory.mktemp("ref") / "kg.sqlite3")
    reference.write(NODES, RELS)
    store.write(NODES, RELS)
    try:
        for src, dst, kwargs in _PARITY_QUERIES:
            got = collaboration_paths(store, src, dst, as_of=AS_OF, **kwargs)
            want = collaboration_paths(reference, src, dst, as_of=AS_OF, **kwargs)
            assert got and [p.model_dump() for p in got] == [p.model_dump() for p in want], (src, dst)
        for person in ("person:ls", "person:zs", "person:zb", "person:sq"):
            got_i = who_can_introduce(store, "org:firm", person, as_of=AS_OF, max_hops=5)
            want_i = who_can_introduce(reference, "org:firm", person, as_of=AS_OF, max_hops=5)
            assert [i.model_dump() for i in got_i] == [i.model_dump() for i in want_i], person
    finally:
        reference.close()


# --------------------------------------------------------------------------- query text


def test_corridor_query_text_is_built_from_the_allow_list_only() -> None:
    from graph.errors import SchemaError

    types = frozenset({RelType.WORKS_AT, RelType.COLLABORATED_WITH})
    labels = frozenset(NodeLabel) - {NodeLabel.FIELD, NodeLabel.TOPIC}
    text = paths_module._corridor_text(types, labels, 2, 4)
    assert "allShortestPaths((a)-[:`COLLABORATED_WITH`|`WORKS_AT`*..4]-(b))" in text
    assert "n = a OR n = b OR NOT n:`Field` AND NOT n:`Topic`)" in text
    assert "x = b OR (NOT x:`Field` AND NOT x:`Topic` AND COUNT" in text
    people = paths_module._corridor_text(types, frozenset({NodeLabel.PERSON}), 2, 4)
    assert "n = a OR n = b OR n:`Person`)" in people
    # Ends known to be people/organisations: WORKS_AT and COLLABORATED_WITH cannot reach a Field
    # or Topic node, so the label tests are left out (the hub test stays).
    ends = frozenset({NodeLabel.PERSON, NodeLabel.ORGANIZATION})
    lean = paths_module._corridor_text(types, labels, 2, 4, ends)
    assert "nodes(p)" not in lean and ":`Field`" not in lean
    assert "x = b OR (COUNT { (x)--() } <= $hub_degree)" in lean
    # ... but with only people allowed in between, an organisation could be: tests stay.
    assert "n = a OR n = b OR n:`Person`)" in paths_module._corridor_text(
        types, frozenset({NodeLabel.PERSON}), 2, 4, ends)
    # one branch per shortest length 1..3, each bounded at L+1 (capped by max_hops)
    assert text.splitlines().count("UNION ALL") == 2
    assert [text.count(f"WHERE shortest = {n}") for n in (1, 2, 3)] == [1, 1, 1]
    assert "){1,2}(b)" in text and "){1,3}(b)" in text and "){1,4}(b)" in text
    code = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("//"))
    assert "{{" not in code and "$source" in code and "$hub_degree" in code and "$labels" not in code
    assert "xiaoqi.paths.corridor" not in code
    assert "RETURN null AS p" in paths_module._corridor_text(types, labels, 2, 1)
    with pytest.raises(SchemaError):
        paths_module._render("queries/paths/corridor", ["WORKS_AT]-() DETACH DELETE a //"], max_hops=4, detours="")
    with pytest.raises(SchemaError):
        paths_module._render("queries/paths/detour_branch", types, shortest="1 OR true", groups=2, max_len=3)
    with pytest.raises(SchemaError):
        paths_module._render("queries/paths/detour_branch", types, shortest=1, groups=2)  # slot left empty


def test_label_tests_are_left_out_only_when_the_schema_rules_out_a_barred_node() -> None:
    barred = paths_module._barred_reachable
    default = frozenset(NodeLabel) - {NodeLabel.FIELD, NodeLabel.TOPIC}
    everything_but_tags = frozenset(RelType) - {RelType.IN_FIELD, RelType.HAS_TOPIC}
    # PART_OF joins Field to Field only: from non-Field ends no Field node is ever entered.
    assert not barred(everything_but_tags, default, default)
    # A Field end can enter another Field (field → PART_OF → field → …).
    assert barred({RelType.PART_OF}, default, {NodeLabel.FIELD, NodeLabel.ORGANIZATION})
    # IN_FIELD enters a Field from any subject.
    assert barred({RelType.IN_FIELD}, default, {NodeLabel.PERSON})
    # Only people in between: WORKS_AT enters an Organization, COLLABORATED_WITH never leaves people.
    people = frozenset({NodeLabel.PERSON})
    assert barred({RelType.WORKS_AT}, people, {NodeLabel.PERSON})
    assert not barred({RelType.COLLABORATED_WITH}, people, {NodeLabel.PERSON})
    # An end whose own label is barred in between: Organization → PART_OF → Organization.
    assert barred({RelType.PART_OF}, people, {NodeLabel.ORGANIZATION, NodeLabel.PERSON})


def test_field_ends_still_keep_barred_fields_out_of_the_middle(store: GraphStore) -> None:
    """Field ends over PART_OF only: a Field never sits between the ends unless Fields are
    allowed (whichever corridor query runs; the label-test decision itself is pinned by the
    test above).

    智能机器人 robot ─PART_OF─ 机器人细分 sub ─PART_OF─ 焊接机器人细分 leaf: robot–leaf passes a
    Field in between, so by default there is no path; with Fields allowed there is one, cost
    0.6 + 0.6 = 1.2.
    """
    nodes = [
        _n("field:robot", NodeLabel.FIELD, "智能机器人", kind="industry"),
        _n("field:sub", NodeLabel.FIELD, "机器人细分", kind="general"),
        _n("field:leaf", NodeLabel.FIELD, "焊接机器人细分", kind="general"),
    ]
    rels = [_r("field:sub", RelType.PART_OF, "field:robot"), _r("field:leaf", RelType.PART_OF, "field:sub")]
    store.write(nodes, rels)
    only = {"include_rel_types": [RelType.PART_OF], "as_of": AS_OF}
    assert collaboration_paths(store, "field:robot", "field:leaf", **only) == []
    paths = collaboration_paths(store, "field:robot", "field:leaf", exclude_labels=(), **only)
    assert [p.node_ids for p in paths] == [["field:robot", "field:sub", "field:leaf"]]
    assert paths[0].cost == 1.2
    assert collaboration_paths(store, "field:robot", "field:sub", **only)[0].cost == 0.6


# --------------------------------------------------------------------------- the procedure's shared adjacency

_CALL_CORRIDOR = """
MATCH (a:Entity {id: $s}) MATCH (b:Entity {id: $t})
CALL xiaoqi.paths.corridor(a, b, ['WORKS_AT'], null, 4, 1, 100000, $shared) YIELD shortest, rels, scanned
RETURN shortest, [r IN rels | startNode(r).id + '>' + endNode(r).id] AS rels, scanned
"""
_STAFF = 600  # a scan of the smaller university reads this many relationships: enough to be kept
_BRIDGE = _r("person:h1", RelType.WORKS_AT, "org:u2", current=False, end=2020)  # 教师1 worked at both


def _corridor(store: GraphStore, s: str, t: str, *, shared: bool = True) -> dict:
    return store.read(_CALL_CORRIDOR, {"s": s, "t": t, "shared": shared})[0]


@pytest.fixture
def hub_graph(neo4j_store: GraphStore) -> GraphStore:
    """Two universities, u1 with 700 staff (h0 … h699) and u2 with 600 (g0 … g599), and nobody
    at both.  From h0 to g0 the search reaches u1 and u2 one hop out and grows the smaller, u2:
    the procedure reads all of u2's relationships, and later calls take them from what it keeps."""
    staff = {"org:u1": [f"person:h{i}" for i in range(700)], "org:u2": [f"person:g{i}" for i in range(_STAFF)]}
    neo4j_store.write(
        [*(_n(p, NodeLabel.PERSON, p) for people in staff.values() for p in people),
         _n("org:u1", NodeLabel.ORGANIZATION, "一大", kind="university"),
         _n("org:u2", NodeLabel.ORGANIZATION, "二大", kind="university")],
        [_r(p, RelType.WORKS_AT, org, current=True) for org, people in staff.items() for p in people],
    )
    return neo4j_store


def test_the_procedure_keeps_a_hubs_relationships_across_calls(hub_graph: GraphStore) -> None:
    fresh = _corridor(hub_graph, "person:h0", "person:g0", shared=False)
    first = _corridor(hub_graph, "person:h0", "person:g0")
    again = _corridor(hub_graph, "person:h0", "person:g0")
    assert fresh["shortest"] is first["shortest"] is again["shortest"] is None
    assert fresh["scanned"] == first["scanned"] > _STAFF
    assert again["scanned"] == first["scanned"] - _STAFF  # u2 came from what the first call kept
    hub_graph.write([], [_BRIDGE])
    kept, fresh = _corridor(hub_graph, "person:h0", "person:g0"), _corridor(
        hub_graph, "person:h0", "person:g0", shared=False)
    assert kept["shortest"] == fresh["shortest"] == 4
    assert sorted(kept["rels"]) == sorted(fresh["rels"]) == [
        "person:g0>org:u2", "person:h0>org:u1", "person:h1>org:u1", "person:h1>org:u2"]


def test_a_write_makes_the_procedure_read_the_hub_afresh(hub_graph: GraphStore) -> None:
    assert _corridor(hub_graph, "person:h0", "person:g0")["shortest"] is None  # u2 is kept
    assert collaboration_paths(hub_graph, "person:h0", "person:g0", as_of=AS_OF) == []
    # 教师1 of u1 also worked at u2: u2's kept relationships miss the new one.
    hub_graph.write([], [_BRIDGE])
    assert _corridor(hub_graph, "person:h0", "person:g0")["shortest"] == 4
    assert _ids(collaboration_paths(hub_graph, "person:h0", "person:g0", as_of=AS_OF)) == [
        ["person:h0", "org:u1", "person:h1", "org:u2", "person:g0"]]


def test_a_transaction_with_changes_of_its_own_does_not_share(hub_graph: GraphStore) -> None:
    assert _corridor(hub_graph, "person:h0", "person:g0")["shortest"] is None  # u2 is kept

    def bridge_then_search(tx) -> dict:
        tx.run("MATCH (h:Entity {id: 'person:h1'}), (u:Entity {id: 'org:u2'}) "
               "CREATE (h)-[:WORKS_AT {key: ''}]->(u)").consume()
        return tx.run(_CALL_CORRIDOR, {"s": "person:h0", "t": "person:g0", "shared": True}).single().data()

    with hub_graph.driver.session(database=hub_graph.database) as session:  # type: ignore[attr-defined]
        seen = session.execute_write(bridge_then_search)
    assert seen["shortest"] == 4
