"""Open-licence matching (开放许可) on a hand-built graph, on both backends.

Offers (open_licence = true, completed by a university):
  a1「大豆蛋白提取技术」 东北农业大学 neau, 中试阶段 (0.6), COVERS k1 (co-applied by neau and sme1),
     IN_FIELD food 1.0, terms 首年免费…
  a2「稻米深加工技术」   neau, 产业化应用 (1.0), IN_FIELD food 0.8
  a4「碳纤维复合材料」   哈工大, IN_FIELD mat — nothing in common with the food firms
Not offers: a3 (open_licence false), a5「大豆蛋白饮料配方」 (open but completed by a firm).

Takers: sme1 哈尔滨大豆食品 (SME 专精特新, 哈尔滨, IN_FIELD food 1.0, demand d1 大豆蛋白提取…),
sme2 绥化米业 (SME, 绥化, demand d2 稻米副产物 in food 0.5).  北大荒 lead (leading) and a plain
trading firm are in food too but are not SMEs: field mode leaves them out.

Weights: text .35, field .30, maturity .15, proximity .20 (0.5·place + 0.5·min(1, ties/3)).

  (a1, sme1): text 1 (its demand's words), field 1.0, maturity .6, place 1 (both 哈尔滨),
              ties: k1 co-applied = 1 → proximity .5 + .5/3 = .666667
              → .35 + .30 + .09 + .133333 = 0.873333
  (a2, sme1): text 0, field .8, maturity 1, proximity .666667 → .24 + .15 + .133333 = 0.523333
  (a2, sme2): text 1, field .5·.8/.5 = .8, maturity 1, place .5 (黑龙江), no ties → .25
              → .35 + .24 + .15 + .05 = 0.79
  (a1, sme2): text 0, field 1, maturity .6, proximity .25 → .30 + .09 + .05 = 0.44
"""

from __future__ import annotations

import pytest

from graph.errors import NotFound, QueryError
from graph.model import NodeLabel as L
from graph.model import NodeRecord as N
from graph.model import RelRecord as R
from graph.model import RelType as T
from graph.queries.licensing import open_licence_matches
from graph.store.base import GraphStore
from tests.conftest import make_store


def build(store: GraphStore) -> None:
    def org(key: str, name: str, kind: str, **kw: object) -> N:
        return N(id=f"org:{key}", label=L.ORGANIZATION, props={"name": name, "kind": kind, **kw})

    def ach(key: str, name: str, description: str, maturity: str, open_licence: bool, **kw: object) -> N:
        return N(id=f"achievement:{key}", label=L.ACHIEVEMENT,
                 props={"name": name, "description": description, "maturity": maturity,
                        "open_licence": open_licence, **kw})

    nodes = [
        N(id="field:food", label=L.FIELD, props={"name": "食品精深加工", "kind": "industry"}),
        N(id="field:mat", label=L.FIELD, props={"name": "新材料", "kind": "industry"}),
        org("neau", "东北农业大学", "university", city="哈尔滨", province="黑龙江"),
        org("hit", "哈尔滨工业大学", "university", city="哈尔滨", province="黑龙江"),
        org("sme1", "哈尔滨大豆食品有限公司", "enterprise", city="哈尔滨", province="黑龙江",
            is_sme=True, is_specialised=True),
        org("sme2", "绥化米业有限公司", "enterprise", city="绥化", province="黑龙江", is_sme=True),
        org("lead", "北大荒食品集团", "enterprise", city="哈尔滨", province="黑龙江", is_leading=True),
        org("ent", "哈尔滨某贸易公司", "enterprise", city="哈尔滨", province="黑龙江"),
        ach("a1", "大豆蛋白提取技术", "大豆蛋白高效提取与改性", "中试阶段", True,
            licence_terms="首年免费，次年起按销售额1%"),
        ach("a2", "稻米深加工技术", "稻米精深加工与副产物利用", "产业化应用", True),
        ach("a3", "大豆发酵工艺", "大豆发酵", "小试阶段", False),
        ach("a4", "碳纤维复合材料", "碳纤维", "中试阶段", True),
        ach("a5", "大豆蛋白饮料配方", "大豆蛋白饮料", "产业化应用", True),
        N(id="patent:k1", label=L.PATENT, props={"name": "一种大豆蛋白提取方法"}),
        N(id="demand:d1", label=L.DEMAND, props={"name": "大豆蛋白提取工艺改进", "content": "提高大豆蛋白提取率",
                                                 "status": "open"}),
        N(id="demand:d2", label=L.DEMAND, props={"name": "稻米加工副产物利用", "content": "稻米副产物综合利用",
                                                 "status": "open"}),
    ]
    rels = [
        R(src="org:neau", type=T.COMPLETED, dst="achievement:a1"),
        R(src="org:neau", type=T.COMPLETED, dst="achievement:a2"),
        R(src="org:neau", type=T.COMPLETED, dst="achievement:a3"),
        R(src="org:hit", type=T.COMPLETED, dst="achievement:a4"),
        R(src="org:lead", type=T.COMPLETED, dst="achievement:a5"),
        R(src="achievement:a1", type=T.COVERS, dst="patent:k1"),
        R(src="org:neau", type=T.APPLICANT_OF, dst="patent:k1"),
        R(src="org:sme1", type=T.APPLICANT_OF, dst="patent:k1"),
        R(src="achievement:a1", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="achievement:a2", type=T.IN_FIELD, dst="field:food", props={"weight": 0.8}),
        R(src="achievement:a3", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="achievement:a4", type=T.IN_FIELD, dst="field:mat", props={"weight": 1.0}),
        R(src="achievement:a5", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="org:sme1", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="org:sme1", type=T.POSTED, dst="demand:d1"),
        R(src="demand:d1", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="org:sme2", type=T.POSTED, dst="demand:d2"),
        R(src="demand:d2", type=T.IN_FIELD, dst="field:food", props={"weight": 0.5}),
        R(src="org:lead", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="org:ent", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
    ]
    store.write(nodes, rels)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store)
    return store


def _pairs(matches) -> list[tuple[str, str]]:
    return [(m.achievement_id, m.enterprise_id) for m in matches]


def test_offers_for_one_enterprise(graph: GraphStore) -> None:
    found = open_licence_matches(graph, enterprise_id="org:sme1")
    assert _pairs(found) == [("achievement:a1", "org:sme1"), ("achievement:a2", "org:sme1")]
    a1, a2 = found
    assert a1.factors == pytest.approx({"text": 1.0, "field": 1.0, "maturity": 0.6, "proximity": 2 / 3})
    assert a1.score == pytest.approx(0.873333)
    assert a2.factors == pytest.approx({"text": 0.0, "field": 0.8, "maturity": 1.0, "proximity": 2 / 3})
    assert a2.score == pytest.approx(0.523333)
    assert a1.patents == (("patent:k1", "一种大豆蛋白提取方法"),)
    assert a1.owners == (("org:neau", "东北农业大学"),)
    assert a1.licence_terms.startswith("首年免费")
    for needle in ("大豆蛋白提取技术", "东北农业大学", "《一种大豆蛋白提取方法》", "首年免费",
                   "需求「大豆蛋白提取工艺改进」", "食品精深加工", "同在哈尔滨", "共同申请专利 1 项"):
        assert needle in a1.explanation


def test_field_mode_pairs_offers_with_smes_only(graph: GraphStore) -> None:
    found = open_licence_matches(graph, field_id="field:food")
    assert _pairs(found) == [("achievement:a1", "org:sme1"), ("achievement:a2", "org:sme2"),
                             ("achievement:a2", "org:sme1"), ("achievement:a1", "org:sme2")]
    assert [m.score for m in found] == pytest.approx([0.873333, 0.79, 0.523333, 0.44])
    assert "同在黑龙江" in found[1].explanation
    assert _pairs(open_licence_matches(graph, field_id="field:food", limit=1)) == [("achievement:a1", "org:sme1")]


def test_filters_and_non_offers(graph: GraphStore) -> None:
    # a3 is not open, a5 is a firm's result, a4 shares nothing with a food firm.
    assert open_licence_matches(graph, enterprise_id="org:sme1", field_id="field:mat") == []
    # A leading firm can still ask for itself (enterprise mode).
    lead = open_licence_matches(graph, enterprise_id="org:lead")
    assert {m.achievement_id for m in lead} == {"achievement:a1", "achievement:a2"}


def test_bad_arguments(graph: GraphStore) -> None:
    with pytest.raises(QueryError):
        open_licence_matches(graph)
    with pytest.raises(QueryError, match="不是企业"):
        open_licence_matches(graph, enterprise_id="org:neau")
    with pytest.raises(NotFound):
        open_licence_matches(graph, enterprise_id="org:nope")
    with pytest.raises(QueryError):
        open_licence_matches(graph, field_id="org:sme1")
    with pytest.raises(QueryError):
        open_licence_matches(graph, field_id="field:food", limit=1000)


@pytest.mark.neo4j
def test_both_backends_give_identical_answers(tmp_path) -> None:
    answers = []
    for backend in ("embedded", "neo4j"):
        store = make_store(backend, tmp_path / backend)
        build(store)
        answers.append([
            open_licence_matches(store, enterprise_id="org:sme1"),
            open_licence_matches(store, enterprise_id="org:sme2", limit=1),
            open_licence_matches(store, field_id="field:food"),
            open_licence_matches(store, enterprise_id="org:lead", field_id="field:food"),
        ])
        if backend == "embedded":
            store.close()
    assert answers[0] == answers[1]


def test_cached_offers_takers_and_ties_follow_writes(graph: GraphStore) -> None:
    # The offers and SMEs of a field and the ties are cached per store generation: writes that
    # change them must change the next answer.
    before = open_licence_matches(graph, field_id="field:food")
    a2_sme2 = next(m for m in before if _pairs([m]) == [("achievement:a2", "org:sme2")])
    assert a2_sme2.factors["proximity"] == pytest.approx(0.25)
    graph.write([
        N(id="org:sme3", label=L.ORGANIZATION, props={"name": "牡丹江豆制品有限公司", "kind": "enterprise",
                                                      "city": "牡丹江", "province": "黑龙江", "is_sme": True}),
        N(id="achievement:a6", label=L.ACHIEVEMENT, props={"name": "稻壳综合利用技术", "maturity": "中试阶段",
                                                           "open_licence": True}),
        N(id="patent:k2", label=L.PATENT, props={"name": "稻米副产物处理装置"}),
    ], [
        R(src="org:sme3", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="org:neau", type=T.COMPLETED, dst="achievement:a6"),
        R(src="achievement:a6", type=T.IN_FIELD, dst="field:food", props={"weight": 1.0}),
        R(src="org:neau", type=T.APPLICANT_OF, dst="patent:k2"),
        R(src="org:sme2", type=T.APPLICANT_OF, dst="patent:k2"),
    ])
    after = open_licence_matches(graph, field_id="field:food", limit=20)
    pairs = _pairs(after)
    assert ("achievement:a6", "org:sme1") in pairs and ("achievement:a1", "org:sme3") in pairs
    a2_sme2 = next(m for m in after if _pairs([m]) == [("achievement:a2", "org:sme2")])
    assert a2_sme2.factors["proximity"] == pytest.approx(0.25 + 0.5 / 3)
