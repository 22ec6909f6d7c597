"""Alliance candidates (创新联合体) on a hand-built graph, on both backends.

Organisations: 哈工大 u1 (university, with college u1c and team 焊接机器人团队 led by 张三),
哈工程 u2 (university), 龙江重工 l1 and 北方材料 l2 (leading), 视觉科技 s1 (SME, 专精特新),
机械手 s2 and 船舶配件 s3 (SMEs), 佳木斯贸易 e1 (plain enterprise).

Patents in 高端智能装备 (ime), each adding 1 to its applicant pair, with their sub-field:

    u1–l1 ×3 (焊接 b23k, inventor 张三)   u1–s1 ×2 (图像处理 g06t)   l1–s2 ×2 (机械手 b25j)
    s1–s2 ×1                              u2–s3 ×3                    s3–e1 ×2
    u1–u2 ×1 (the only bridge)
    u2–l2 ×4 but in 新材料 (mat), so not in the ime projection.

Staff: 张三 (u1, IN_FIELD ime) COLLABORATED_WITH 李四 (s2) → u1–s2 += 0.5.

Projection for ime: edges u1–l1 3, u1–s1 2, l1–s2 2, s1–s2 1, u1–s2 0.5, u2–s3 3, s3–e1 2,
u1–u2 1; total weight m = 14.5.  Louvain keeps A = {u1, l1, s1, s2} and B = {u2, s3, e1}
apart: with the bridge cut, Q = 8.5/14.5 − (18/29)² + 5/14.5 − (11/29)² ≈ 0.41 against 0 for
one block and less for any split of A (e.g. {u1,l1},{s1,s2}: ≈ 0.29).

A under the default rule (高校 + 龙头 + 中小, one each):
  strengths inside A: u1 3+2+0.5 = 5.5, l1 3+2 = 5, s2 2+1+0.5 = 3.5, s1 2+1 = 3
  tied pairs 5 of 6 (l1–s1 is the missing one) → density 5/6; strength min(1, W/(3·(n−1)))
  = 8.5/9 → ties = 5/6 · 8.5/9 = 0.787037
  sub-fields: u1 {b23k, g06t}, l1 {b23k, b25j}, s1 {g06t}, s2 {b25j}: union 3, mean 1.5
  complementarity = (3 − 1.5)/3 = 0.5;  score = 0.6·0.787037 + 0.4·0.5 = 0.672222
B has no leading firm: it fails the default rule.  With {university: 1, sme: 1}:
  tied pairs 2 of 3 (u2–e1 missing), strength (3 + 2)/(3·2) → ties = 2/3 · 5/6 = 0.555556,
  no sub-fields → complementarity 0 → score 0.333333.
Cores grow from the university u1: the leading firm most tied to it (l1, 3), then the SME tied
  to most core members (s2: u1 0.5 + l1 2, two links; s1 has one), then s1 (tied to u1 and s2,
  half the core or more, weight 3 ≥ 2).
max_members = 2 still keeps one member per required role: core u1 (university), l1 (leading),
  s2 → all 3 pairs tied, W = 3 + 2 + 0.5 = 5.5 → ties 1 · 5.5/6 = 0.916667; sub-fields
  {b23k,g06t}, {b23k,b25j}, {b25j}: union 3, mean 5/3 → 4/9 → score 0.55 + 0.177778 = 0.727778
  (denser than the four-member core, so it scores higher).
"""

from __future__ import annotations

import pytest

from graph.errors import NotFound, QueryError
from graph.model import NodeLabel as L
from graph.model import NodeRecord as N
from graph.model import RelRecord as R
from graph.model import RelType as T
from graph.queries.alliances import alliance_candidates
from graph.store.base import GraphStore
from tests.conftest import make_store


def _org(key: str, name: str, kind: str, **props: object) -> N:
    return N(id=f"org:{key}", label=L.ORGANIZATION, props={"name": name, "kind": kind, **props})


def build(store: GraphStore) -> None:
    nodes = [
        N(id="field:ime", label=L.FIELD, props={"name": "高端智能装备", "kind": "industry"}),
        N(id="field:mat", label=L.FIELD, props={"name": "新材料", "kind": "industry"}),
        N(id="field:b23k", label=L.FIELD, props={"name": "焊接", "kind": "ipc_class"}),
        N(id="field:g06t", label=L.FIELD, props={"name": "图像处理", "kind": "ipc_class"}),
        N(id="field:b25j", label=L.FIELD, props={"name": "机械手", "kind": "ipc_class"}),
        _org("u1", "哈尔滨工业大学", "university"), _org("u1c", "哈尔滨工业大学机电学院", "college"),
        _org("u2", "哈尔滨工程大学", "university"),
        _org("l1", "龙江重工集团", "enterprise", is_leading=True),
        _org("l2", "北方材料集团", "enterprise", is_leading=True),
        _org("s1", "哈尔滨视觉科技有限公司", "enterprise", is_sme=True, is_specialised=True),
        _org("s2", "哈尔滨机械手有限公司", "enterprise", is_sme=True),
        _org("s3", "牡丹江船舶配件有限公司", "enterprise", is_sme=True),
        _org("e1", "佳木斯贸易有限公司", "enterprise"),
        N(id="person:x", label=L.PERSON, props={"name": "张三"}),
        N(id="person:y", label=L.PERSON, props={"name": "李四"}),
        N(id="team:tx", label=L.TEAM, props={"name": "焊接机器人团队"}),
        N(id="demand:d", label=L.DEMAND, props={"name": "焊缝视觉检测", "content": "焊缝视觉检测"}),
        N(id="demand:nofield", label=L.DEMAND, props={"name": "其他需求"}),
    ]
    rels = [
        R(src="org:u1c", type=T.PART_OF, dst="org:u1"),
        R(src="team:tx", type=T.PART_OF, dst="org:u1c"),
        R(src="person:x", type=T.LEADS, dst="team:tx"),
        R(src="person:x", type=T.WORKS_AT, dst="org:u1", props={"current": True}),
        R(src="person:y", type=T.WORKS_AT, dst="org:s2", props={"current": True}),
        R(src="person:x", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.9}),
        R(src="person:x", type=T.COLLABORATED_WITH, dst="person:y", props={"weight": 0.5}),
        R(src="org:s2", type=T.POSTED, dst="demand:d"),
        R(src="demand:d", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
    ]
    count = 0

    def patents(times: int, applicants: list[str], fields: list[str], inventors: tuple[str, ...] = ()) -> None:
        nonlocal count
        for _ in range(times):
            count += 1
            pid = f"patent:p{count:02d}"
            nodes.append(N(id=pid, label=L.PATENT, props={"name": f"专利{count}"}))
            rels.extend(R(src=f"org:{a}", type=T.APPLICANT_OF, dst=pid) for a in applicants)
            rels.extend(R(src=pid, type=T.IN_FIELD, dst=f"field:{f}", props={"weight": 1.0}) for f in fields)
            rels.extend(R(src=i, type=T.INVENTED, dst=pid, props={"position": 1}) for i in inventors)

    patents(3, ["u1", "l1"], ["ime", "b23k"], ("person:x",))
    patents(2, ["u1", "s1"], ["ime", "g06t"])
    patents(2, ["l1", "s2"], ["ime", "b25j"])
    patents(1, ["s1", "s2"], ["ime"])
    patents(3, ["u2", "s3"], ["ime"])
    patents(2, ["s3", "e1"], ["ime"])
    patents(1, ["u1", "u2"], ["ime"])
    patents(4, ["u2", "l2"], ["mat"])
    store.write(nodes, rels)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store)
    return store


def test_default_rule_keeps_the_university_leading_sme_cluster(graph: GraphStore) -> None:
    found = alliance_candidates(graph, field_id="field:ime")
    assert len(found) == 1
    a = found[0]
    assert a.member_ids == ("org:u1", "org:l1", "org:s2", "org:s1")  # by strength 5.5, 5, 3.5, 3
    assert [m.strength for m in a.members] == [5.5, 5.0, 3.5, 3.0]
    assert [m.role for m in a.members] == ["university", "leading", "sme", "sme"]
    assert a.factors == pytest.approx({"ties": 5 / 6 * 8.5 / 9, "complementarity": 0.5})
    assert a.score == pytest.approx(0.672222)
    assert a.community_size == 4
    assert not a.includes_demand_firm
    strongest = a.ties[0]
    assert (strongest.a, strongest.b, strongest.weight, strongest.co_patents) == ("org:l1", "org:u1", 3.0, 3)


def test_member_roles_are_explained(graph: GraphStore) -> None:
    a = alliance_candidates(graph, field_id="field:ime")[0]
    u1, l1, s2, s1 = a.members
    assert u1.explanation.startswith("哈尔滨工业大学：高校，提供焊接、图像处理方向的研发团队（焊接机器人团队，负责人张三）")
    assert u1.team == ("team:tx", "焊接机器人团队")
    assert u1.field_patents == 6
    assert "龙头企业" in l1.explanation and "与哈尔滨工业大学共同申请本领域专利 3 项" in l1.explanation
    assert "中小企业（专精特新）" in s1.explanation
    assert "机械手" in s2.explanation
    assert "高端智能装备领域创新联合体候选" in a.explanation
    assert "高校 1 家" in a.explanation and "龙头企业 1 家" in a.explanation


def test_configurable_rule_and_core_size(graph: GraphStore) -> None:
    found = alliance_candidates(graph, field_id="field:ime", rule={"university": 1, "sme": 1})
    assert [x.member_ids for x in found] == [("org:u1", "org:l1", "org:s2", "org:s1"),
                                             ("org:s3", "org:u2", "org:e1")]
    assert found[1].score == pytest.approx(0.333333)
    assert found[1].factors == pytest.approx({"ties": 2 / 3 * 5 / 6, "complementarity": 0.0})
    small = alliance_candidates(graph, field_id="field:ime", max_members=2)
    assert small[0].member_ids == ("org:u1", "org:l1", "org:s2")
    assert small[0].factors == pytest.approx({"ties": 5.5 / 6, "complementarity": 4 / 9})
    assert small[0].score == pytest.approx(0.727778)
    best = alliance_candidates(graph, field_id="field:ime", limit=1, rule={"research": 1})
    assert [x.member_ids for x in best] == [found[0].member_ids]


def test_field_restricts_the_projection(graph: GraphStore) -> None:
    # In 新材料 only u2–l2 co-file: no SME, so the default rule finds nothing.
    assert alliance_candidates(graph, field_id="field:mat") == []
    pair = alliance_candidates(graph, field_id="field:mat", rule={"university": 1, "leading": 1})
    assert [x.member_ids for x in pair] == [("org:l2", "org:u2")]
    assert pair[0].factors == pytest.approx({"ties": 1.0, "complementarity": 0.0})  # 4/(3·1) capped
    assert pair[0].score == pytest.approx(0.6)


def test_demand_uses_its_fields_and_flags_its_firm(graph: GraphStore) -> None:
    found = alliance_candidates(graph, demand_id="demand:d")
    assert found[0].includes_demand_firm and "org:s2" in found[0].member_ids
    assert "包含发布需求的企业" in found[0].explanation
    with pytest.raises(QueryError, match="领域"):
        alliance_candidates(graph, demand_id="demand:nofield")


def test_bad_arguments(graph: GraphStore) -> None:
    with pytest.raises(QueryError):
        alliance_candidates(graph)
    with pytest.raises(NotFound):
        alliance_candidates(graph, field_id="field:nope")
    with pytest.raises(QueryError):
        alliance_candidates(graph, field_id="person:x")
    for bad in ({"rule": {"robot": 1}}, {"rule": {"university": 0}}, {"rule": {"sme": -1}},
                {"rule": {}}, {"limit": 0}, {"seed": True}, {"seed": -1}, {"max_members": 1}):
        with pytest.raises(QueryError):
            alliance_candidates(graph, field_id="field:ime", **bad)


@pytest.mark.neo4j
def test_both_backends_give_identical_answers(tmp_path) -> None:
    answers = []
    for backend in ("embedded", "neo4j"):
        store = make_store(backend, tmp_path / backend)
        build(store)
        answers.append([
            [a.as_dict() for a in alliance_candidates(store, field_id="field:ime", seed=seed,
                                                      rule={"research": 1, "enterprise": 1})]
            for seed in (1, 7, 42)
        ] + [[a.as_dict() for a in alliance_candidates(store, demand_id="demand:d")]])
        if backend == "embedded":
            store.close()
    assert answers[0] == answers[1]


def test_cached_projection_follows_writes(graph: GraphStore) -> None:
    """The projection is cached per store generation: asking again gives the same answer, and
    a write is seen at once.  Two new ime patents of l1 + s1 make l1–s1 a tie (weight 2), so
    the core {u1, l1, s2, s1} becomes fully tied: density 6/6, W = 8.5 + 2 = 10.5 → ties =
    min(1, 10.5/9) = 1; complementarity still 0.5 (the new patents carry no sub-field) →
    score 0.6 + 0.2 = 0.8."""
    from graph.queries import alliances

    first = alliance_candidates(graph, field_id="field:ime")
    cached = alliances.cached_projection(graph, ["field:ime"])
    assert alliance_candidates(graph, field_id="field:ime") == first
    assert alliances.cached_projection(graph, ["field:ime"]) is cached  # not recomputed
    nodes = [N(id=f"patent:extra{i}", label=L.PATENT, props={"name": f"新专利{i}"}) for i in (1, 2)]
    rels = [r for n in nodes for r in (
        R(src="org:l1", type=T.APPLICANT_OF, dst=n.id), R(src="org:s1", type=T.APPLICANT_OF, dst=n.id),
        R(src=n.id, type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}))]
    graph.write(nodes, rels)
    a = alliance_candidates(graph, field_id="field:ime")[0]
    assert set(a.member_ids) == {"org:u1", "org:l1", "org:s2", "org:s1"}
    assert a.factors == pytest.approx({"ties": 1.0, "complementarity": 0.5})
    assert a.score == pytest.approx(0.8)
