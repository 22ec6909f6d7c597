"""Demand matching (match_demand, match_researcher, export_matching_list) on a hand-built
graph, on both backends.

The graph::

    哈尔滨焊装科技 firm (enterprise, SME, 哈尔滨/黑龙江) ─POSTED→ d1「焊接机器人视觉定位技术攻关」
        d1: city 哈尔滨, batch 2025H2, open, IN_FIELD ime 1.0
    大庆油田装备 other (leading, 大庆) ─POSTED→ d2 (same words, status closed, 2025H2)
    哈工大 hit (university, 哈尔滨市/黑龙江省) ← 机电学院 hit_me (college) ← 焊接机器人团队 t1
    吉林大学 jlu (university, 长春/吉林)

    张三 zhang  WORKS_AT hit (current), directions 焊接机器人/视觉定位, IN_FIELD ime 0.9,
                INVENTED p1 and p2, LEADS + MEMBER_OF t1, COLLABORATED_WITH 赵六
    李四 li     WORKS_AT jlu, direction 激光焊接, IN_FIELD ime 0.5, INVENTED p3,
                APPOINTED_AS other (tech_mentor, active)
    赵六 zhao   WORKS_AT firm (the firm's own engineer: never a candidate)
    钱七 qian   WORKS_AT other (an enterprise engineer: not the supply side)
    孙八 sun    WORKS_AT hit (current) and firm (2018–2020), MEMBER_OF t1, direction 数据库

    p1「一种焊接机器人视觉定位方法」 有效, applicant hit, IN_FIELD ime 0.8
    p2「焊接机器人焊缝跟踪装置」   有效, applicants hit + firm (the firm's own: never a candidate)
    p3「激光焊接工艺」              失效, applicant jlu
    a1「焊接机器人视觉系统」 产业化应用, open licence, COMPLETED by hit, COVERS p1, IN_FIELD ime 1.0

Ties firm–hit (see graph/queries/profiles.py): co-applied p2 (1) + 孙八 worked at both (1) +
赵六(firm)–张三(hit) collaborate (1) = 3 → the tie part of proximity is full.

Worked out by hand (default weights text .50, field .15, track .15, proximity .10, load .10):

=========== ===== ===== ===== ========= ==== =======================================
candidate   text  field track proximity load score
=========== ===== ===== ===== ========= ==== =======================================
a1          1     1.0   0.8   1.0       1    .50+.15+.12+.10+.10 = 0.97
p1          1     0.8   1.0   1.0       1    .50+.12+.15+.10+.10 = 0.97
zhang       1     0.9   0.61  1.0       1    .50+.135+.0915+.10+.10 = 0.9265
t1          1     0.9   0.61  1.0       1    0.9265 (members 张三, 孙八; fields max; load mean 0)
li          <1    0.5   0.08  0         0.5  (jlu is in 长春/吉林; no ties; one appointment)
p3          <1    0     0     0         0.5  (失效; first inventor 李四 has load 1)
=========== ===== ===== ===== ========= ==== =======================================

track: a1 = 0.4·min(1, 1 patent/2) + 0.3·maturity 1.0 + 0.3·transferred = 0.2+0.3+0.3;
p1 = 0.4·有效 + 0.3·covered by a1 + 0.3·a1 transferred = 1.0;
zhang = 0.4·(2/5) + 0.3·(1 result/2) + 0.3·(1 transferred) = 0.16+0.15+0.30 = 0.61.
Text is 1 for the best document of each kind (p1 beats p2 with 视觉定位; 张三 beats the rest).
Ties in score are broken by id: achievement:a1 < patent:p1, person:zhang < team:t1.
"""

from __future__ import annotations

import csv
import math
import re

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import NotFound, QueryError
from graph.model import NodeLabel as L
from graph.model import NodeRecord as N
from graph.model import RelRecord as R
from graph.model import RelType as T
from graph.queries.export import HEADERS, export_matching_list
from graph.queries.matching import (
    FACTORS,
    check_batch,
    check_kinds,
    match_demand,
    match_researcher,
    resolve_weights,
)
from graph.queries.profiles import check_limit
from graph.queries.text import BM25Index
from graph.store.base import GraphStore
from tests.conftest import make_store


def build(store: GraphStore) -> None:
    cur = {"current": True}
    nodes = [
        N(id="field:ime", label=L.FIELD, props={"name": "高端智能装备", "kind": "industry"}),
        N(id="org:hit", label=L.ORGANIZATION, props={"name": "哈尔滨工业大学", "kind": "university",
                                                     "city": "哈尔滨市", "province": "黑龙江省"}),
        N(id="org:hit_me", label=L.ORGANIZATION, props={"name": "哈尔滨工业大学机电学院", "kind": "college"}),
        N(id="org:jlu", label=L.ORGANIZATION, props={"name": "吉林大学", "kind": "university",
                                                     "city": "长春", "province": "吉林"}),
        N(id="org:firm", label=L.ORGANIZATION, props={"name": "哈尔滨焊装科技有限公司", "kind": "enterprise",
                                                      "city": "哈尔滨", "province": "黑龙江", "is_sme": True}),
        N(id="org:other", label=L.ORGANIZATION, props={"name": "大庆油田装备有限公司", "kind": "enterprise",
                                                       "city": "大庆", "province": "黑龙江", "is_leading": True}),
        N(id="person:zhang", label=L.PERSON, props={"name": "张三", "titles": ["教授"], "seniority": 4,
                                                    "research_directions": ["焊接机器人", "视觉定位"]}),
        N(id="person:li", label=L.PERSON, props={"name": "李四", "titles": ["副教授"], "seniority": 3,
                                                 "research_directions": ["激光焊接"]}),
        N(id="person:zhao", label=L.PERSON, props={"name": "赵六", "titles": ["高级工程师"],
                                                   "research_directions": ["焊接机器人"]}),
        N(id="person:qian", label=L.PERSON, props={"name": "钱七", "titles": ["工程师"],
                                                   "research_directions": ["焊接机器人"]}),
        N(id="person:sun", label=L.PERSON, props={"name": "孙八", "titles": ["讲师"],
                                                  "research_directions": ["数据库"]}),
        N(id="team:t1", label=L.TEAM, props={"name": "焊接机器人团队"}),
        N(id="patent:p1", label=L.PATENT, props={"name": "一种焊接机器人视觉定位方法", "legal_status": "有效"}),
        N(id="patent:p2", label=L.PATENT, props={"name": "焊接机器人焊缝跟踪装置", "legal_status": "有效"}),
        N(id="patent:p3", label=L.PATENT, props={"name": "激光焊接工艺", "legal_status": "失效"}),
        N(id="achievement:a1", label=L.ACHIEVEMENT, props={"name": "焊接机器人视觉系统",
                                                          "maturity": "产业化应用", "open_licence": True}),
        N(id="demand:d1", label=L.DEMAND, props={"name": "焊接机器人视觉定位技术攻关",
                                                 "content": "需要焊接机器人视觉定位", "city": "哈尔滨",
                                                 "batch": "2025H2", "status": "open"}),
        N(id="demand:d2", label=L.DEMAND, props={"name": "焊接机器人视觉定位", "content": "焊接机器人视觉定位",
                                                 "batch": "2025H2", "status": "closed"}),
    ]
    rels = [
        R(src="org:hit_me", type=T.PART_OF, dst="org:hit"),
        R(src="person:zhang", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:li", type=T.WORKS_AT, dst="org:jlu", props=cur),
        R(src="person:zhao", type=T.WORKS_AT, dst="org:firm", props=cur),
        R(src="person:qian", type=T.WORKS_AT, dst="org:other", props=cur),
        R(src="person:sun", type=T.WORKS_AT, dst="org:hit", props=cur),
        R(src="person:sun", type=T.WORKS_AT, dst="org:firm", key="2018", props={"start": 2018, "end": 2020}),
        R(src="person:zhang", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.9}),
        R(src="person:li", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.5}),
        R(src="person:li", type=T.APPOINTED_AS, dst="org:other", props={"role": "tech_mentor", "status": "active"}),
        R(src="person:zhang", type=T.INVENTED, dst="patent:p1", props={"position": 1}),
        R(src="person:zhang", type=T.INVENTED, dst="patent:p2", props={"position": 1}),
        R(src="person:li", type=T.INVENTED, dst="patent:p3", props={"position": 1}),
        R(src="org:hit", type=T.APPLICANT_OF, dst="patent:p1"),
        R(src="org:hit", type=T.APPLICANT_OF, dst="patent:p2"),
        R(src="org:firm", type=T.APPLICANT_OF, dst="patent:p2"),
        R(src="org:jlu", type=T.APPLICANT_OF, dst="patent:p3"),
        R(src="patent:p1", type=T.IN_FIELD, dst="field:ime", props={"weight": 0.8}),
        R(src="org:hit", type=T.COMPLETED, dst="achievement:a1"),
        R(src="achievement:a1", type=T.COVERS, dst="patent:p1"),
        R(src="achievement:a1", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="team:t1", type=T.PART_OF, dst="org:hit_me"),
        R(src="person:zhang", type=T.LEADS, dst="team:t1"),
        R(src="person:zhang", type=T.MEMBER_OF, dst="team:t1"),
        R(src="person:sun", type=T.MEMBER_OF, dst="team:t1"),
        R(src="org:firm", type=T.POSTED, dst="demand:d1"),
        R(src="org:other", type=T.POSTED, dst="demand:d2"),
        R(src="demand:d1", type=T.IN_FIELD, dst="field:ime", props={"weight": 1.0}),
        R(src="person:zhang", type=T.COLLABORATED_WITH, dst="person:zhao", props={"weight": 0.5}),
    ]
    store.write(nodes, rels)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store)
    return store


# --------------------------------------------------------------------------- BM25 by hand

def test_bm25_scores_by_hand() -> None:
    # N = 3 documents, lengths 2, 3, 1 → avgdl = 2; k1 = 1.2, b = 0.75.
    idx = BM25Index([("a", ["焊接", "机器人"]), ("b", ["焊接", "材料", "材料"]), ("c", ["电池"])])
    # 机器人: df = 1, idf = ln(1 + 2.5/1.5) = ln(8/3); doc a has dl = avgdl so the tf part is 1.
    hits = idx.top(["机器人"], 5)
    assert [h.id for h in hits] == ["a"]
    assert hits[0].score == pytest.approx(math.log(8 / 3))
    # 焊接: df = 2, idf = ln(1.6).  a: tf part 2.2/2.2 = 1.  b: dl 3 → norm 1.2·(0.25 + 0.75·1.5)
    # = 1.65, tf part 2.2/2.65.  Relevance of b = (2.2/2.65) / 1.
    hits = idx.top(["焊接"], 5)
    assert [h.id for h in hits] == ["a", "b"]
    assert hits[0].score == pytest.approx(math.log(1.6))
    assert hits[1].score == pytest.approx(math.log(1.6) * 2.2 / 2.65)
    assert hits[1].relevance == pytest.approx(2.2 / 2.65)
    # A repeated query term counts 1 + ln(2).
    assert idx.top(["机器人", "机器人"], 1)[0].score == pytest.approx(math.log(8 / 3) * (1 + math.log(2)))
    assert idx.matched_terms(["焊接", "机器人", "电池"], "a") == ["机器人", "焊接"]


# --------------------------------------------------------------------------- match_demand

def test_ranking_and_factors_by_hand(graph: GraphStore) -> None:
    matches = match_demand(graph, "demand:d1")
    assert [m.id for m in matches] == [
        "achievement:a1", "patent:p1", "person:zhang", "team:t1", "person:li", "patent:p3",
    ]
    by_id = {m.id: m for m in matches}
    zhang = by_id["person:zhang"]
    assert zhang.factors == pytest.approx({"text": 1.0, "field": 0.9, "track": 0.61, "proximity": 1.0, "load": 1.0})
    assert zhang.score == pytest.approx(0.9265)
    assert by_id["team:t1"].score == pytest.approx(0.9265)
    assert by_id["achievement:a1"].factors == pytest.approx(
        {"text": 1.0, "field": 1.0, "track": 0.8, "proximity": 1.0, "load": 1.0})
    assert by_id["patent:p1"].score == pytest.approx(0.97)
    assert by_id["achievement:a1"].score == pytest.approx(0.97)
    li = by_id["person:li"]
    assert li.factors["field"] == pytest.approx(0.5)
    assert li.factors["track"] == pytest.approx(0.08)  # one patent: 0.4·1/5
    assert li.factors["proximity"] == 0.0
    assert li.factors["load"] == pytest.approx(0.5)  # one active appointment
    assert 0 < li.factors["text"] < 1
    # The firm's own people and patents, enterprise staff and text-less people are never proposed.
    assert not {"person:zhao", "person:qian", "person:sun", "patent:p2"} & set(by_id)
    for m in matches:
        assert set(m.factors) == set(FACTORS)
        assert all(0.0 <= v <= 1.0 for v in m.factors.values())


def test_explanations_name_people_organisations_patents_and_ties(graph: GraphStore) -> None:
    zhang = next(m for m in match_demand(graph, "demand:d1") if m.id == "person:zhang")
    text = zhang.explanation
    for needle in ("张三", "哈尔滨工业大学", "焊接机器人视觉定位技术攻关", "高端智能装备",
                   "《焊接机器人焊缝跟踪装置》", "孙八曾在两家单位任职", "赵六", "同在哈尔滨"):
        assert needle in text
    assert zhang.evidence["co_patents"] == ["patent:p2"]
    assert zhang.evidence["shared_staff"] == ["person:sun"]
    assert zhang.evidence["collab_pairs"] == [["person:zhao", "person:zhang"]]
    assert zhang.organizations == (("org:hit", "哈尔滨工业大学"),)
    li = next(m for m in match_demand(graph, "demand:d1") if m.id == "person:li")
    assert "尚无合作记录" in li.explanation and "在任聘任 1 项" in li.explanation


def test_filters(graph: GraphStore) -> None:
    assert [m.id for m in match_demand(graph, "demand:d1", kinds=["patent"], limit=1)] == ["patent:p1"]
    # Only 吉林大学 is in 长春 / 吉林省 (suffixes ignored).
    assert [m.id for m in match_demand(graph, "demand:d1", city="长春")] == ["person:li", "patent:p3"]
    assert [m.id for m in match_demand(graph, "demand:d1", province="吉林省")] == ["person:li", "patent:p3"]
    assert match_demand(graph, "demand:d1", city="齐齐哈尔") == []
    # Text only: every best-of-kind has score 1; ties by id.
    only_text = match_demand(graph, "demand:d1", weights={"text": 1, "field": 0, "track": 0,
                                                          "proximity": 0, "load": 0})
    assert [m.id for m in only_text[:4]] == ["achievement:a1", "patent:p1", "person:zhang", "team:t1"]
    assert only_text[2].score == pytest.approx(1.0)


def test_bad_arguments(graph: GraphStore) -> None:
    with pytest.raises(NotFound):
        match_demand(graph, "demand:nope")
    with pytest.raises(QueryError, match="需求"):
        match_demand(graph, "person:zhang")
    for bad in ({"kinds": ["robot"]}, {"kinds": "person"}, {"kinds": []}, {"limit": 0},
                {"limit": 101}, {"limit": True}, {"weights": {"fame": 1}},
                {"weights": {"text": -1}}, {"weights": {f: 0 for f in FACTORS}},
                {"weights": {"text": float("nan")}}, {"province": ""}, {"city": 3}):
        with pytest.raises(QueryError):
            match_demand(graph, "demand:d1", **bad)


def test_resolve_weights_normalises() -> None:
    assert sum(resolve_weights(None).values()) == pytest.approx(1.0)
    w = resolve_weights({"text": 2, "field": 2, "track": 0, "proximity": 0, "load": 0})
    assert w["text"] == pytest.approx(0.5) and w["load"] == 0


# --------------------------------------------------------------------------- match_researcher

def test_match_researcher(graph: GraphStore) -> None:
    # d2 has the same words but is closed; d1 gets the same factors as in match_demand.
    found = match_researcher(graph, "person:zhang")
    assert [m.id for m in found] == ["demand:d1"]
    assert found[0].kind == "demand"
    assert found[0].factors == pytest.approx({"text": 1.0, "field": 0.9, "track": 0.61,
                                              "proximity": 1.0, "load": 1.0})
    assert found[0].organizations == (("org:firm", "哈尔滨焊装科技有限公司"),)
    assert "2025H2" in found[0].explanation
    assert [m.id for m in match_researcher(graph, "team:t1", batch="2025H2")] == ["demand:d1"]
    assert match_researcher(graph, "person:zhang", batch="2026H1") == []
    with pytest.raises(QueryError):
        match_researcher(graph, "person:zhang", batch="2025Q3")
    with pytest.raises(QueryError):
        match_researcher(graph, "org:hit")
    with pytest.raises(NotFound):
        match_researcher(graph, "person:nobody")


# --------------------------------------------------------------------------- export

def test_export_csv_and_xlsx(graph: GraphStore, tmp_path) -> None:
    summary = export_matching_list(graph, "2025H2", tmp_path / "list.csv", per_demand=3)
    assert (summary.format, summary.demands, summary.rows) == ("csv", 1, 3)  # d2 is closed
    with open(tmp_path / "list.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == HEADERS
    for header in ("需求名称", "企业", "候选类型", "候选", "所属单位", "综合得分", "文本相关",
                   "领域匹配", "成果基础", "地域与关系", "负荷", "推荐理由"):
        assert header in rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["需求名称"], first["企业"], first["候选类型"], first["候选"]) == (
        "焊接机器人视觉定位技术攻关", "哈尔滨焊装科技有限公司", "成果", "焊接机器人视觉系统")
    assert first["综合得分"] == "0.97" and first["名次"] == "1"

    summary = export_matching_list(graph, "2025H2", tmp_path / "out" / "list.xlsx")
    assert (summary.format, summary.rows) == ("xlsx", 5)
    ws = openpyxl.load_workbook(tmp_path / "out" / "list.xlsx")["对接清单"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert tuple(values[0]) == HEADERS
    assert values[3][6] == "张三" and values[3][8] == "哈尔滨工业大学"
    assert values[3][9] == pytest.approx(0.9265)

    assert export_matching_list(graph, "2026H1", tmp_path / "empty.csv").rows == 0
    with pytest.raises(QueryError):
        export_matching_list(graph, "2025H2", tmp_path / "list.pdf")
    with pytest.raises(QueryError):
        export_matching_list(graph, "25H2", tmp_path / "list.csv")


# --------------------------------------------------------------------------- parity

@pytest.mark.neo4j
def test_both_backends_give_identical_answers(tmp_path) -> None:
    answers = []
    for backend in ("embedded", "neo4j"):
        store = make_store(backend, tmp_path / backend)
        build(store)
        answers.append((
            [m.as_dict() for m in match_demand(store, "demand:d1", limit=20)],
            [m.as_dict() for m in match_demand(store, "demand:d1", kinds=["person", "team"], city="哈尔滨")],
            [m.as_dict() for m in match_researcher(store, "person:li")],
            [m.as_dict() for m in match_researcher(store, "team:t1")],
        ))
        if backend == "embedded":
            store.close()
    assert answers[0] == answers[1]


# --------------------------------------------------------------------------- outside input

_weights = st.dictionaries(st.sampled_from(FACTORS), st.floats(min_value=0, max_value=1e6), max_size=5)


@given(_weights)
def test_weights_from_outside_are_normalised_or_refused(weights: dict[str, float]) -> None:
    if len(weights) == len(FACTORS) and not any(weights.values()):  # all given, all zero
        with pytest.raises(QueryError):
            resolve_weights(weights)
        return
    w = resolve_weights(weights)
    assert set(w) == set(FACTORS)
    assert sum(w.values()) == pytest.approx(1.0)
    assert all(0.0 <= v <= 1.0 for v in w.values())


@given(st.one_of(st.integers(), st.text(max_size=5), st.none(), st.booleans(), st.floats()))
def test_limits_from_outside(limit: object) -> None:
    ok = isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= 100
    if ok:
        assert check_limit(limit) == limit
    else:
        with pytest.raises(QueryError):
            check_limit(limit)


@given(st.text(max_size=8))
def test_batches_from_outside(text: str) -> None:
    if re.fullmatch(r"\d{4}H[12]", text):
        assert check_batch(text) == text
    else:
        with pytest.raises(QueryError):
            check_batch(text)


@given(st.lists(st.sampled_from([*("person", "team", "patent", "achievement"), "robot", ""]), max_size=6))
def test_kinds_from_outside(kinds: list[str]) -> None:
    if kinds and all(k in ("person", "team", "patent", "achievement") for k in kinds):
        assert set(check_kinds(kinds)) == set(kinds)
    else:
        with pytest.raises(QueryError):
            check_kinds(kinds)


def test_cached_ties_follow_writes(graph: GraphStore) -> None:
    # Ties and the firm's circle are cached per store generation: a write that changes them
    # must change the next answer.
    li = next(m for m in match_demand(graph, "demand:d1", kinds=["person"]) if m.id == "person:li")
    assert li.factors["proximity"] == 0
    # 赵六 (the firm) and 李四 (jlu) collaborate: firm–jlu gets a pair, 李四 a colleague → 2 ties.
    graph.write([], [R(src="person:zhao", type=T.COLLABORATED_WITH, dst="person:li", props={"weight": 0.5})])
    li = next(m for m in match_demand(graph, "demand:d1", kinds=["person"]) if m.id == "person:li")
    assert li.factors["proximity"] == pytest.approx(1 / 3)
