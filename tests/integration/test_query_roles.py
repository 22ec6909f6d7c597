"""People for roles (产业教授, 技术导师, 高校联络员) with conflict-of-interest exclusions, on a
hand-built graph, on both backends.

Organisations: 哈工大 hit (university, 哈尔滨市; college hit_me), 吉林大学 jlu (长春),
视检科技 sme (SME 专精特新, 哈尔滨, IN_FIELD ime 1.0, posts demand d「焊缝视觉检测」in ime),
齐齐哈尔视检装备 rival (SME, IN_FIELD ime 0.8 — a competitor of sme), 龙江重工 lead (leading).

Ties sme–hit: patent ps co-applied (1) + 冯教授 works at both (1) + 陈经理(sme)–郑博士(hit)
collaborate (1) = 3 → full.  Ties lead–hit: q1, q2 co-applied (2) + 孙工 works at both (1) = 3.

Industry professors of 哈工大 (or its college), field ime; weights field .30, seniority .25,
track .20, ties .15, load .10:

  王工 eng1 (lead, 高级工程师 3, ime 1.0, patents q1 q2): field 1, seniority .6,
      track 0.4·2/5 = .16, ties 1 (lead–hit 3), load 1 → .30+.15+.032+.15+.10 = 0.732
  赵工 eng2 (rival, 正高 4, ime 0.5, studied at hit): field .5, seniority .8, track 0,
      ties: 0 org ties + alumnus 1 → 1/3, load 1 → .15+.20+0+.05+.10 = 0.5
  冯教授 dual2 (works at hit and sme, ime 1.0, 教授 4): same_employer; .30+.20+0+.15+.10 = 0.75
  孙工 dual (works at lead and hit, ime 1.0): same_employer; .30+.15+0+.15+.10 = 0.70
  钱工 eng3 (lead, ime 0.9, appointed industry_professor at the college): already_appointed;
      .27+.15+0+.15+.05 = 0.62

Technology mentors of sme (weights text .25, field .25, seniority .15, track .15, ties .10,
load .10; enterprise fields {ime: 1.0}):

  张教授 pa (hit, 教授, ime 0.8, 焊接机器人/视觉检测 — the best text, 1.0): .25+.20+.12+0+.10+.10 = 0.77
  孙工 dual (hit + lead, 高级工程师 3, no text, ime 1.0): 0+.25+.09+0+.10+.10 = 0.54
  周副教授 pc (same text as pa, ime 0.6, 副教授 3, one active tech_mentor appointment at sme):
      already_appointed; .25+.15+.09+0+.10+.05 = 0.64
  李教授 pb (jlu, inventor of pk, co-owned by jlu and rival in ime): competing_ownership
  冯教授 dual2: same_employer
  吴讲师 (seniority 2) and 郑博士 (PhD student) are not eligible mentors.

Liaisons of sme (text .20, field .30, proximity .15, ties .15, activity .10, load .10):
  郑博士 phd (PhD, hit in 哈尔滨 = the firm's city → proximity 1; ime 0.7; collaborates with
      陈经理 of sme) and 吴讲师 lect (讲师 2, ime 0.6, one patent → activity 1/3).
"""

from __future__ import annotations

import pytest

import graph.queries.roles as roles
from graph.errors import NotFound, QueryError
from graph.model import NodeLabel as L
from graph.model import NodeRecord as N
from graph.model import RelRecord as R
from graph.model import RelType as T
from graph.queries.roles import (
    recommend_industry_professors,
    recommend_liaisons,
    recommend_tech_mentors,
)
from graph.store.base import GraphStore
from tests.conftest import make_store


def build(store: GraphStore) -> None:
    def org(key: str, name: str, kind: str, **kw: object) -> N:
        return N(id=f"org:{key}", label=L.ORGANIZATION, props={"name": name, "kind": kind, **kw})

    def person(key: str, name: str, **kw: object) -> N:
        return N(id=f"person:{key}", label=L.PERSON, props={"name": name, **kw})

    cur = {"current": True}
    nodes = [
        N(id="field:ime", label=L.FIELD, props={"name": "高端智能装备", "kind": "industry"}),
        org("hit", "哈尔滨工业大学", "university", city="哈尔滨市", province="黑龙江省"),
        org("hit_me", "哈尔滨工业大学机电学院", "college"),
        org("jlu", "吉林大学", "university", city="长春", province="吉林"),
        org("sme", "哈尔滨视检科技有限公司", "enterprise", city="哈尔滨", province="黑龙江",
            is_sme=True, is_specialised=True),
        org("rival", "齐齐哈尔视检装备有限公司", "enterprise", city="齐齐哈尔", province="黑龙江", is_sme=True),
        org("lead", "龙江重工集团", "enterprise", city="哈尔滨", province="黑龙江", is_leading=True),
        person("eng1", "王工", titles=["高级工程师"], seniority=3),
        person("eng2", "赵工", titles=["正高级工程师"], seniority=4),
        person("eng3", "钱工", titles=["高级工程师"], seniority=3),
        person("dual", "孙工", titles=["高级工程师"], seniority=3),
        person("pa", "张教授", titles=["教授"], seniority=4, research_directions=["焊接机器人", "视觉检测"]),
        person("pb", "李教授", titles=["教授"], seniority=4, research_directions=["视觉检测"]),
        person("pc", "周副教授", titles=["副教授"], seniority=3, research_directions=["焊接机器人", "视觉检测"]),
        person("lect", "吴讲师", titles=["讲师"], seniority=2, research_directions=["视觉检测"]),
        person("phd", "郑博士", titles=["博士研究生"], seniority=0, is_phd_student=True,
               research_directions=["焊接机器人"]),
        person("dual2", "冯教授", titles=["教授"], seniority=4, research_directions=["视觉检测"]),
        person("boss", "陈经理", titles=["经理"]),
        N(id="patent:q1", label=L.PATENT, props={"name": "重型焊接变位机"}),
        N(id="patent:q2", label=L.PATENT, props={"name": "焊接夹具"}),
        N(id="patent:pk", label=L.PATENT, props={"name": "一种视觉检测相机标定方法"}),
        N(id="patent:ps", label=L.PATENT, props={"name": "视觉检测光源"}),
        N(id="demand:d", label=L.DEMAND, props={"name": "焊缝视觉检测", "content": "需要焊接机器人焊缝视觉检测技术",
                                                "status": "open"}),
    ]
    rels = [
        R(src="org:hit_me", type=T.PART_OF, dst="org:hit"),
        R(src="org:sme", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="org:rival", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.8}),
        R(src="org:sme", type=T.POSTED, dst="demand:d"),
        R(src="demand:d", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="person:boss", type=T.WORKS_AT, dst="org:sme", props=cur),
        R(src="person:boss", type=T.CONTACT_FOR, dst="demand:d"),
        R(src="person:eng1", type=T.WORKS_AT, dst="org:lead", props=cur),
        R(src="person:eng1", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="person:eng1", type=T.INVENTED, dst="patent:q1", props={"position": 1}),
        R(src="person:eng1", type=T.INVENTED, dst="patent:q2", props={"position": 1}),
        R(src="org:lead", type=T.APPLICANT_OF, dst="patent:q1"),
        R(src="org:hit", type=T.APPLICANT_OF, dst="patent:q1"),
        R(src="org:lead", type=T.APPLICANT_OF, dst="patent:q2"),
        R(src="org:hit", type=T.APPLICANT_OF, dst="patent:q2"),
        R(src="person:eng2", type=T.WORKS_AT, dst="org:rival", props=cur),
        R(src="person:eng2", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.5}),
        R(src="person:eng2", type=T.STUDIED_AT, dst="org:hit", key="博士", props={"degree": "博士"}),
        R(src="person:eng3", type=T.WORKS_AT, dst="org:lead", props=cur),
        R(src="person:eng3", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.9}),
        R(src="person:eng3", type=T.APPOINTED_AS, dst="org:hit_me",
          props={"role": "industry_professor", "status": "active"}),
        R(src="person:dual", type=T.WORKS_AT, dst="org:lead", props=cur),
        R(src="person:dual", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:dual", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="person:pa", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:pa", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.8}),
        R(src="person:pb", type=T.WORKS_AT, dst="org:jlu", props=cur),
        R(src="person:pb", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.9}),
        R(src="person:pb", type=T.INVENTED, dst="patent:pk", props={"position": 1}),
        R(src="org:jlu", type=T.APPLICANT_OF, dst="patent:pk"),
        R(src="org:rival", type=T.APPLICANT_OF, dst="patent:pk"),
        R(src="patent:pk", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="person:pc", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:pc", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.6}),
        R(src="person:pc", type=T.APPOINTED_AS, dst="org:sme", props={"role": "tech_mentor"}),
        R(src="person:lect", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:lect", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.6}),
        R(src="person:lect", type=T.INVENTED, dst="patent:ps", props={"position": 1}),
        R(src="org:hit", type=T.APPLICANT_OF, dst="patent:ps"),
        R(src="org:sme", type=T.APPLICANT_OF, dst="patent:ps"),
        R(src="patent:ps", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="person:phd", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:phd", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.7}),
        R(src="person:boss", type=T.COLLABORATED_WITH, dst="person:phd", props={"weight": 0.5}),
        R(src="person:dual2", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:dual2", type=T.WORKS_AT, dst="org:sme", props=cur),
        R(src="person:dual2", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
    ]
    store.write(nodes, rels)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store)
    return store


def _excluded(recs) -> list[tuple[str, str]]:
    return [(e.person_id, e.reason) for e in recs.excluded]


def test_industry_professors(graph: GraphStore) -> None:
    recs = recommend_industry_professors(graph, "org:hit_me", field_id="field:ime")
    assert recs.target_id == "org:hit" and recs.fields == ("field:ime",)
    assert [c.person_id for c in recs.candidates] == ["person:eng1", "person:eng2"]
    eng1, eng2 = recs.candidates
    assert eng1.factors == pytest.approx({"field": 1.0, "seniority": 0.6, "track": 0.16, "ties": 1.0, "load": 1.0})
    assert eng1.score == pytest.approx(0.732)
    assert eng2.factors["ties"] == pytest.approx(1 / 3) and eng2.score == pytest.approx(0.5)
    assert "系哈尔滨工业大学校友" in eng2.explanation
    assert "共同申请专利 2 项（《重型焊接变位机》、《焊接夹具》）" in eng1.explanation
    assert "推荐为哈尔滨工业大学的产业教授" in eng1.explanation
    # Fewer than `limit` recommended: every excluded person is shown, best first.
    assert _excluded(recs) == [("person:dual2", "same_employer"), ("person:dual", "same_employer"),
                               ("person:eng3", "already_appointed")]
    assert [e.score for e in recs.excluded] == pytest.approx([0.75, 0.70, 0.62])
    assert "已是哈尔滨工业大学在任产业教授" in recs.excluded[2].detail
    assert "在职人员" in recs.excluded[0].detail


def test_only_exclusions_that_would_have_ranked_are_listed(graph: GraphStore) -> None:
    recs = recommend_industry_professors(graph, "org:hit", field_id="field:ime", limit=1)
    assert [c.person_id for c in recs.candidates] == ["person:eng1"]
    # 冯教授 (0.75) would have outranked 王工 (0.732); 孙工 (0.70) and 钱工 (0.62) would not.
    assert _excluded(recs) == [("person:dual2", "same_employer")]


def test_industry_professor_fields_default_to_the_university_patents(graph: GraphStore) -> None:
    # 哈工大 has no IN_FIELD of its own; its patents: ps in ime (q1, q2 have no field) → {ime: 1}.
    recs = recommend_industry_professors(graph, "org:hit")
    assert recs.fields == ("field:ime",)
    assert recs.candidates[0].person_id == "person:eng1"


def test_tech_mentors(graph: GraphStore) -> None:
    recs = recommend_tech_mentors(graph, "org:sme")
    assert [c.person_id for c in recs.candidates] == ["person:pa", "person:dual"]
    pa = recs.candidates[0]
    assert pa.factors == pytest.approx({"text": 1.0, "field": 0.8, "seniority": 0.8, "track": 0.0,
                                        "ties": 1.0, "load": 1.0})
    assert pa.score == pytest.approx(0.77)
    assert recs.candidates[1].score == pytest.approx(0.54)
    assert "焊接机器人" in pa.explanation and "技术导师" in pa.explanation
    assert _excluded(recs) == [("person:dual2", "same_employer"), ("person:pc", "already_appointed"),
                               ("person:pb", "competing_ownership")]
    assert recs.excluded[1].score == pytest.approx(0.64)
    detail = recs.excluded[2].detail
    for needle in ("李教授", "《一种视觉检测相机标定方法》", "齐齐哈尔视检装备有限公司", "高端智能装备"):
        assert needle in detail


def test_liaisons(graph: GraphStore) -> None:
    recs = recommend_liaisons(graph, "org:sme")
    assert [c.person_id for c in recs.candidates] == ["person:phd", "person:lect"]
    phd, lect = recs.candidates
    assert {k: phd.factors[k] for k in ("field", "proximity", "ties", "activity", "load")} == pytest.approx(
        {"field": 0.7, "proximity": 1.0, "ties": 1.0, "activity": 0.0, "load": 1.0})
    assert lect.factors["activity"] == pytest.approx(1 / 3)
    assert 0 < lect.factors["text"] < phd.factors["text"] <= 1
    assert "博士研究生" in phd.explanation and "陈经理" in phd.explanation
    assert "青年教师" in lect.explanation
    assert recs.excluded == ()


def test_bad_arguments(graph: GraphStore) -> None:
    with pytest.raises(QueryError, match="高校"):
        recommend_industry_professors(graph, "org:sme")
    with pytest.raises(QueryError, match="企业"):
        recommend_tech_mentors(graph, "org:hit")
    with pytest.raises(QueryError):
        recommend_liaisons(graph, "person:pa")
    with pytest.raises(NotFound):
        recommend_liaisons(graph, "org:nope")
    with pytest.raises(NotFound):
        recommend_industry_professors(graph, "org:hit", field_id="field:nope")
    with pytest.raises(QueryError):
        recommend_tech_mentors(graph, "org:sme", limit=0)


@pytest.mark.neo4j
def test_both_backends_give_identical_answers(tmp_path) -> None:
    answers = []
    for backend in ("embedded", "neo4j"):
        store = make_store(backend, tmp_path / backend)
        build(store)
        answers.append([
            recommend_industry_professors(store, "org:hit"),
            recommend_industry_professors(store, "org:hit_me", field_id="field:ime", limit=2),
            recommend_tech_mentors(store, "org:sme", limit=1),
            recommend_tech_mentors(store, "org:rival"),
            recommend_liaisons(store, "org:sme"),
        ])
        if backend == "embedded":
            store.close()
    assert answers[0] == answers[1]


def test_cached_ties_and_conflicts_follow_writes(graph: GraphStore) -> None:
    # Ties, circles and competing patents are cached per store generation: a write that
    # changes them must change the next answer.
    before = recommend_tech_mentors(graph, "org:rival")
    pa = next(c for c in before.candidates if c.person_id == "person:pa")
    assert pa.factors["ties"] == 0
    # 赵工 (rival) and 张教授 (hit) collaborate: rival–hit gets a collaborating pair, 张教授 a
    # colleague at rival → ties 2/3.
    graph.write([], [R(src="person:eng2", type=T.COLLABORATED_WITH, dst="person:pa", props={"weight": 0.5})])
    after = recommend_tech_mentors(graph, "org:rival")
    pa = next(c for c in after.candidates if c.person_id == "person:pa")
    assert pa.factors["ties"] == pytest.approx(2 / 3)
    assert "赵工" in pa.explanation

    recs = recommend_tech_mentors(graph, "org:sme")
    assert [c.person_id for c in recs.candidates][0] == "person:pa"
    # 张教授 now invents a patent in ime co-owned by the competitor rival: excluded.
    graph.write([N(id="patent:pz", label=L.PATENT, props={"name": "焊缝跟踪传感器"})], [
        R(src="person:pa", type=T.INVENTED, dst="patent:pz", props={"position": 1}),
        R(src="org:rival", type=T.APPLICANT_OF, dst="patent:pz"),
        R(src="patent:pz", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
    ])
    recs = recommend_tech_mentors(graph, "org:sme")
    assert "person:pa" not in [c.person_id for c in recs.candidates]
    assert ("person:pa", "competing_ownership") in _excluded(recs)
    assert "《焊缝跟踪传感器》" in next(e.detail for e in recs.excluded if e.person_id == "person:pa")


def test_ties_bound_holds_each_persons_ties_factor(graph: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ranking evaluates people in order of an upper bound of their score and stops once nobody
    # left can reach the last place; the ties factor enters that bound per person
    # (roles._ties_bound).  For an enterprise target it is exact (organisation ties + personal
    # ties); for a university target it adds one for a possible alumnus.
    bounds: list[dict[str, float]] = []
    real = roles._rank

    def spy(store, prof, directory, plan, limit, **kw):  # type: ignore[no-untyped-def]
        values = roles._ties_bound(prof, directory, plan)
        bounds.append({directory.ids[i]: float(v) for i, v in zip(plan.pool, values, strict=True)})
        return real(store, prof, directory, plan, limit, **kw)

    monkeypatch.setattr(roles, "_rank", spy)
    queries = [
        (lambda: recommend_industry_professors(graph, "org:hit_me", field_id="field:ime", limit=50), False),
        (lambda: recommend_tech_mentors(graph, "org:sme", limit=50), True),
        (lambda: recommend_tech_mentors(graph, "org:rival", limit=50), True),
        (lambda: recommend_liaisons(graph, "org:sme", limit=50), True),
    ]
    for run, exact in queries:
        recs = run()
        bound = bounds.pop()
        assert recs.candidates
        for c in recs.candidates:
            if exact:
                assert bound[c.person_id] == pytest.approx(c.factors["ties"], abs=1e-6), c.person_id
            else:
                assert bound[c.person_id] >= c.factors["ties"] - 1e-6, c.person_id
    # 赵工 (rival) has no organisation or personal tie to 哈工大; being an alumnus is his only
    # one (1/3), the same as the bound.
    recommend_industry_professors(graph, "org:hit", field_id="field:ime")
    assert bounds[-1]["person:eng2"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_stopping_early_changes_no_answer(graph: GraphStore, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    def answers() -> list[object]:
        return [
            recommend_industry_professors(graph, "org:hit", field_id="field:ime", limit=limit),
            recommend_tech_mentors(graph, "org:sme", limit=limit),
            recommend_tech_mentors(graph, "org:rival", limit=limit),
            recommend_liaisons(graph, "org:sme", limit=limit),
        ]

    monkeypatch.setattr(roles, "BATCH", 10_000)  # everyone evaluated
    full = answers()
    monkeypatch.setattr(roles, "BATCH", 1)  # the bound checked after every person
    assert answers() == full
