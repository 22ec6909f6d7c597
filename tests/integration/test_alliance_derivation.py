"""Alliance projection and member facts derived in memory from the generation's facts, on both
backends: the edge cases the derivation must keep (who counts as an employer, colleges folded
into their university for ties but not for a member's own patents, teams two PART_OF steps
away at most, repeated or self ties, a patent in two target fields).

Organisations: 北方大学 u (university) with its college uc and uc's lab ul; 龙江集团 f
(leading); 松花江科技 s (SME); 佳木斯零件 s2 (SME).  Fields: fx and fy (industries), ga and gb
(IPC classes).

Patents (applicants as written → top level):

    p1  uc + f      fx, ga    → u–f      (u did not apply itself: not one of u's own patents)
    p2  u + s       fx, gb    → u–s
    p3  u + uc + f  fx        → u–f      (u applied itself)
    p4  f + s       fx, fy    → f–s      (in both fields of the demand: counted once)

People (employers: current jobs, else jobs without an end):

    a   current at uc (→ u), IN_FIELD fx, invented p2 and p3, member of team t2 (PART_OF uc,
        two steps from u) and of team t1 (PART_OF ul, three steps from u: not u's team);
        a COLLABORATED_WITH a (ignored)
    b   ended at s, open at f → employer f; b–a → u–f + 0.5
    c   ended at s2 only → no employer; c–a adds nothing
    d   current at s, open at s2 → employer s only; d–a and a–d (one pair) → u–s + 0.5

Projection for fx: u–f 2 + 0.5 = 2.5, u–s 1 + 0.5 = 1.5, f–s 1.  One community, one alliance
{u, f, s}: three ties of three pairs, W = 5 → ties = 5/(3·2) = 5/6; sub-fields u {gb},
f {ga, fy}, s {gb, fy} → union 3, mean 5/3 → complementarity 4/9; score 0.6·5/6 + 0.4·4/9.
"""

from __future__ import annotations

import pytest

from graph.model import NodeLabel as L
from graph.model import NodeRecord as N
from graph.model import RelRecord as R
from graph.model import RelType as T
from graph.queries import alliances
from graph.queries.alliances import alliance_candidates, project_collaboration
from graph.queries.profiles import profiles
from graph.store.base import GraphStore


def _org(key: str, name: str, kind: str, **props: object) -> N:
    return N(id=f"org:{key}", label=L.ORGANIZATION, props={"name": name, "kind": kind, **props})


def build(store: GraphStore) -> None:
    nodes = [
        N(id="field:fx", label=L.FIELD, props={"name": "智能装备", "kind": "industry"}),
        N(id="field:fy", label=L.FIELD, props={"name": "新材料", "kind": "industry"}),
        N(id="field:ga", label=L.FIELD, props={"name": "焊接", "kind": "ipc_class"}),
        N(id="field:gb", label=L.FIELD, props={"name": "图像处理", "kind": "ipc_class"}),
        _org("u", "北方大学", "university"), _org("uc", "北方大学机电学院", "college"),
        _org("ul", "北方大学机器人实验室", "lab"),
        _org("f", "龙江集团", "enterprise", is_leading=True),
        _org("s", "松花江科技有限公司", "enterprise", is_sme=True),
        _org("s2", "佳木斯零件有限公司", "enterprise", is_sme=True),
        N(id="team:t1", label=L.TEAM, props={"name": "机器人团队"}),
        N(id="team:t2", label=L.TEAM, props={"name": "视觉团队"}),
        N(id="demand:d", label=L.DEMAND, props={"name": "视觉检测", "content": "视觉检测"}),
        *(N(id=f"person:{x}", label=L.PERSON, props={"name": name})
          for x, name in (("a", "张一"), ("b", "李二"), ("c", "王三"), ("d", "赵四"))),
        *(N(id=f"patent:p{i}", label=L.PATENT, props={"name": f"专利{i}"}) for i in (1, 2, 3, 4)),
    ]
    rels = [
        R(src="org:uc", type=T.PART_OF, dst="org:u"),
        R(src="org:ul", type=T.PART_OF, dst="org:uc"),
        R(src="team:t1", type=T.PART_OF, dst="org:ul"),
        R(src="team:t2", type=T.PART_OF, dst="org:uc"),
        R(src="person:a", type=T.MEMBER_OF, dst="team:t1"),
        R(src="person:a", type=T.MEMBER_OF, dst="team:t2"),
        R(src="person:a", type=T.WORKS_AT, dst="org:uc", props={"current": True}),
        R(src="person:b", type=T.WORKS_AT, dst="org:s", props={"end": "2020-01"}),
        R(src="person:b", type=T.WORKS_AT, dst="org:f", props={}),
        R(src="person:c", type=T.WORKS_AT, dst="org:s2", props={"end": "2019-06"}),
        R(src="person:d", type=T.WORKS_AT, dst="org:s", props={"current": True}),
        R(src="person:d", type=T.WORKS_AT, dst="org:s2", props={}),
        R(src="person:a", type=T.IN_FIELD, dst="field:fx", props={"weight": 0.9}),
        R(src="person:a", type=T.COLLABORATED_WITH, dst="person:a", props={"weight": 1.0}),
        R(src="person:b", type=T.COLLABORATED_WITH, dst="person:a", props={"weight": 0.5}),
        R(src="person:c", type=T.COLLABORATED_WITH, dst="person:a", props={"weight": 0.5}),
        R(src="person:d", type=T.COLLABORATED_WITH, dst="person:a", props={"weight": 0.5}),
        R(src="person:a", type=T.COLLABORATED_WITH, dst="person:d", props={"weight": 0.5}),
        R(src="person:a", type=T.INVENTED, dst="patent:p2", props={"position": 1}),
        R(src="person:a", type=T.INVENTED, dst="patent:p3", props={"position": 1}),
        R(src="org:s", type=T.POSTED, dst="demand:d"),
        R(src="demand:d", type=T.IN_FIELD, dst="field:fx", props={"weight": 1.0}),
        R(src="demand:d", type=T.IN_FIELD, dst="field:fy", props={"weight": 0.5}),
    ]
    for pid, applicants, fields in (("p1", ["uc", "f"], ["fx", "ga"]), ("p2", ["u", "s"], ["fx", "gb"]),
                                    ("p3", ["u", "uc", "f"], ["fx"]), ("p4", ["f", "s"], ["fx", "fy"])):
        rels += [R(src=f"org:{o}", type=T.APPLICANT_OF, dst=f"patent:{pid}") for o in applicants]
        rels += [R(src=f"patent:{pid}", type=T.IN_FIELD, dst=f"field:{f}", props={"weight": 1.0}) for f in fields]
    store.write(nodes, rels)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store)
    return store


def test_projection_counts_employers_colleges_and_repeated_ties(graph: GraphStore) -> None:
    proj = project_collaboration(graph, ["field:fx"])
    assert proj.co_patents == {("org:f", "org:s"): 1, ("org:f", "org:u"): 2, ("org:s", "org:u"): 1}
    assert proj.collab == {("org:f", "org:u"): 1, ("org:s", "org:u"): 1}


def test_a_patent_in_two_target_fields_counts_once(graph: GraphStore) -> None:
    proj = project_collaboration(graph, ["field:fx", "field:fy"])
    assert proj.co_patents[("org:f", "org:s")] == 1
    only_fy = project_collaboration(graph, ["field:fy"])
    assert only_fy.co_patents == {("org:f", "org:s"): 1} and only_fy.collab == {}


def test_member_facts_count_own_patents_and_near_teams(graph: GraphStore) -> None:
    [a] = alliance_candidates(graph, field_id="field:fx")
    assert [m.id for m in a.members] == ["org:u", "org:f", "org:s"]  # strength 4, 3.5, 2.5
    u, f, s = a.members
    assert (u.field_patents, f.field_patents, s.field_patents) == (2, 3, 2)  # p1 is uc's, not u's
    assert u.team == ("team:t2", "视觉团队")  # t1 is three PART_OF steps from u
    assert u.directions == ("field:gb",)
    assert f.directions == ("field:fy", "field:ga")
    assert a.factors == pytest.approx({"ties": 5 / 6, "complementarity": 4 / 9})
    assert a.score == pytest.approx(0.6 * 5 / 6 + 0.4 * 4 / 9, abs=1e-6)


def test_demand_fields_and_firm(graph: GraphStore) -> None:
    [a] = alliance_candidates(graph, demand_id="demand:d")
    assert a.includes_demand_firm and a.fields == ("field:fx", "field:fy")
    # In fx or fy: p4 is f's and s's patent once, though it is in both fields.
    assert {m.id: m.field_patents for m in a.members} == {"org:u": 2, "org:f": 3, "org:s": 2}


def test_generation_facts_are_read_once_and_follow_writes(graph: GraphStore) -> None:
    first = alliances._base(graph, profiles(graph))
    alliance_candidates(graph, field_id="field:fx")
    alliance_candidates(graph, field_id="field:fy", rule={"leading": 1, "sme": 1})
    assert alliances._base(graph, profiles(graph)) is first  # shared by every field
    # b's job at f ends: b has no employer left, so the b–a collaboration no longer ties u–f.
    graph.write([], [R(src="person:b", type=T.WORKS_AT, dst="org:f", props={"end": "2024-01"})])
    assert alliances._base(graph, profiles(graph)) is not first
    assert project_collaboration(graph, ["field:fx"]).collab == {("org:s", "org:u"): 1}
