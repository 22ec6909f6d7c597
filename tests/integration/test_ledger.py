"""Ledger and reports on a small data set whose figures were worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph.errors import QueryError
from graph.ledger import (
    OutcomeEntry,
    Targets,
    annual_assessment,
    batch_diff,
    correct_outcome,
    export_report_xlsx,
    half_year_dispatch,
    quarterly_statistics,
    record_outcome,
)
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
from graph.store.base import GraphStore


def n(id_: str, label: NodeLabel, **props) -> NodeRecord:
    return NodeRecord(id=id_, label=label, props=props)


def seed(store: GraphStore) -> None:
    store.write(
        [
            n("org:a", NodeLabel.ORGANIZATION, name="哈尔滨甲科技有限公司", kind="enterprise", city="哈尔滨市"),
            n("org:b", NodeLabel.ORGANIZATION, name="大庆乙化工有限公司", kind="enterprise", city="大庆"),
            n("org:hit", NodeLabel.ORGANIZATION, name="哈尔滨工业大学", kind="university", city="哈尔滨"),
            n("org:neau", NodeLabel.ORGANIZATION, name="东北农业大学", kind="university", city="哈尔滨"),
            n("demand:d1", NodeLabel.DEMAND, name="焊缝跟踪", city="哈尔滨", batch="2026H1", batches=["2026H1"]),
            n("demand:d2", NodeLabel.DEMAND, name="耐腐蚀涂层", city="大庆", batch="2026H1", batches=["2025H2", "2026H1"], budget_wan=50.0),
            n("demand:d3", NodeLabel.DEMAND, name="视觉检测", city="哈尔滨", batch="2026H1", batches=["2026H1"]),
            n("demand:d4", NodeLabel.DEMAND, name="废水处理", city="大庆", batch="2025H2", batches=["2025H2"]),
            n("person:p1", NodeLabel.PERSON, name="张伟"),
            n("person:p2", NodeLabel.PERSON, name="李娜"),
            n("field:intelligent_equipment", NodeLabel.FIELD, name="高端智能装备"),
            n("field:new_materials", NodeLabel.FIELD, name="新材料"),
        ],
        [
            RelRecord(src="org:a", type=RelType.POSTED, dst="demand:d1"),
            RelRecord(src="org:b", type=RelType.POSTED, dst="demand:d2"),
            RelRecord(src="org:a", type=RelType.POSTED, dst="demand:d3"),
            RelRecord(src="org:b", type=RelType.POSTED, dst="demand:d4"),
            RelRecord(src="person:p1", type=RelType.WORKS_AT, dst="org:hit"),
            RelRecord(src="person:p2", type=RelType.WORKS_AT, dst="org:neau"),
            RelRecord(src="demand:d1", type=RelType.IN_FIELD, dst="field:intelligent_equipment", props={"weight": 0.9}),
            RelRecord(src="demand:d2", type=RelType.IN_FIELD, dst="field:new_materials", props={"weight": 0.8}),
        ],
    )


def e(stage: str, date: str, **kw) -> OutcomeEntry:
    return OutcomeEntry(stage=stage, date=date, recorded_by="王经理", **kw)


@pytest.fixture
def ledger(store: GraphStore) -> GraphStore:
    seed(store)
    for stage, date, amount in [("proposed", "2026-04-10", None), ("contacted", "2026-04-20", None),
                                ("negotiating", "2026-05-10", None), ("signed", "2026-06-15", 120.0),
                                ("industrialised", "2026-10-01", None)]:
        record_outcome(store, subject_id="demand:d1", candidate_id="person:p1", entry=e(stage, date, amount_wan=amount))
    record_outcome(store, subject_id="demand:d2", candidate_id="person:p2", entry=e("proposed", "2026-05-01"))
    record_outcome(store, subject_id="demand:d2", candidate_id="person:p2", entry=e("contacted", "2026-07-05"))
    o2 = record_outcome(store, subject_id="demand:d2", candidate_id="person:p2", entry=e("signed", "2026-08-01", amount_wan=80.0))
    # The contract was in fact 90 万元: a correction, the 80 stays in the history.
    correct_outcome(store, o2["outcome_id"], 2, e("signed", "2026-08-01", amount_wan=90.0, note="合同金额更正"))
    record_outcome(store, subject_id="demand:d3", candidate_id="person:p2", entry=e("proposed", "2026-06-01"))
    record_outcome(store, subject_id="org:a", candidate_id="person:p1", kind="recommendation",
                   entry=e("appointed", "2026-05-20", role="tech_mentor"))
    record_outcome(store, subject_id="org:b", candidate_id="org:b", kind="recommendation",
                   entry=e("certified_high_tech", "2026-11-01"))
    record_outcome(store, subject_id="org:a", candidate_id="org:a", kind="recommendation",
                   entry=e("certified_high_tech", "2025-12-01"))
    return store


def test_quarterly_statistics_by_city(ledger: GraphStore) -> None:
    q2 = quarterly_statistics(ledger, "2026Q2", by="city")
    rows = {r["group"]: r for r in q2["rows"]}
    # 哈尔滨: d1 proposed/contacted/negotiating/signed(120) in Q2, d3 proposed, 甲公司 appointment.
    assert {k: rows["哈尔滨"][k] for k in ("proposed", "contacted", "negotiating", "signed", "industrialised", "appointed")} == {
        "proposed": 2, "contacted": 1, "negotiating": 1, "signed": 1, "industrialised": 0, "appointed": 1}
    assert rows["哈尔滨"]["amount_wan"] == 120.0
    assert rows["大庆"]["proposed"] == 1 and rows["大庆"]["signed"] == 0
    assert q2["totals"]["proposed"] == 3
    q3 = {r["group"]: r for r in quarterly_statistics(ledger, "2026Q3")["rows"]}
    assert q3["大庆"]["contacted"] == 1 and q3["大庆"]["signed"] == 1
    assert q3["大庆"]["amount_wan"] == 90.0  # the corrected amount, not 80


def test_quarterly_by_university_and_field(ledger: GraphStore) -> None:
    rows = {r["group"]: r for r in quarterly_statistics(ledger, "2026Q2", by="university")["rows"]}
    assert rows["哈尔滨工业大学"]["signed"] == 1 and rows["东北农业大学"]["proposed"] == 2
    fields = {r["group"]: r for r in quarterly_statistics(ledger, "2026Q2", by="field")["rows"]}
    assert fields["高端智能装备"]["signed"] == 1 and fields["新材料"]["proposed"] == 1


def test_half_year_dispatch(ledger: GraphStore) -> None:
    rep = half_year_dispatch(ledger, "2026H1", by="city")
    rows = {r["group"]: r for r in rep["rows"]}
    assert rows["哈尔滨"] == {"group": "哈尔滨", "posted": 2, "matched": 1, "unmatched": 1, "carried_over": 0}
    assert rows["大庆"] == {"group": "大庆", "posted": 1, "matched": 1, "unmatched": 0, "carried_over": 1}
    assert rep["totals"] == {"posted": 3, "matched": 2, "unmatched": 1, "carried_over": 1}
    (u,) = rep["unmatched"]
    assert u["demand_id"] == "demand:d3" and "尚未联系" in u["reason"]


def test_annual_assessment_progress(ledger: GraphStore) -> None:
    rep = annual_assessment(ledger, 2026, targets=Targets(), by="city")
    assert rep["cumulative"] == {"industrialised": 1, "investment_wan": 210.0, "high_tech": 2}
    assert rep["progress"]["results_industrialised"]["ratio"] == pytest.approx(1 / 600, abs=1e-4)
    assert rep["progress"]["high_tech_enterprises"]["value"] == 2
    rows = {r["group"]: r for r in rep["rows"]}
    assert rows["哈尔滨"] == {"group": "哈尔滨", "industrialised": 1, "investment_wan": 120.0, "high_tech": 0}
    assert rows["大庆"] == {"group": "大庆", "industrialised": 0, "investment_wan": 90.0, "high_tech": 1}
    small = annual_assessment(ledger, 2026, targets=Targets(results_industrialised=2))
    assert small["progress"]["results_industrialised"]["ratio"] == 0.5


def test_batch_diff(ledger: GraphStore) -> None:
    diff = batch_diff(ledger, "2025H2", "2026H1")
    assert [d["demand_id"] for d in diff["added"]] == ["demand:d1", "demand:d3"]
    assert [d["demand_id"] for d in diff["carried_over"]] == ["demand:d2"]
    assert [d["demand_id"] for d in diff["not_reposted"]] == ["demand:d4"]


def test_history_is_kept_and_stages_do_not_go_back(ledger: GraphStore) -> None:
    from graph.ledger import list_outcomes

    (o2,) = list_outcomes(ledger, subject_id="demand:d2")
    assert [h["amount_wan"] for h in o2["history"] if h["stage"] == "signed"] == [80.0, 90.0]
    assert o2["contract_amount_wan"] == 90.0 and o2["stage"] == "signed"
    with pytest.raises(QueryError):
        record_outcome(ledger, subject_id="demand:d2", candidate_id="person:p2", entry=e("contacted", "2026-09-01"))


def test_appointment_becomes_a_graph_relationship(ledger: GraphStore) -> None:
    rels = ledger.relationships("person:p1", types=[RelType.APPOINTED_AS])
    assert [(r.dst, r.props["role"], r.props["start"]) for r in rels] == [("org:a", "tech_mentor", 2026)]


def test_bad_periods_and_groupings_are_refused(ledger: GraphStore) -> None:
    with pytest.raises(QueryError):
        quarterly_statistics(ledger, "2026-Q2")
    with pytest.raises(QueryError):
        half_year_dispatch(ledger, "2026H3")
    with pytest.raises(QueryError):
        quarterly_statistics(ledger, "2026Q2", by="province")


def test_excel_export_has_sheets_and_chinese_headers(ledger: GraphStore, tmp_path: Path) -> None:
    reps = [quarterly_statistics(ledger, "2026Q2", by="city"), half_year_dispatch(ledger, "2026H1", by="field"),
            annual_assessment(ledger, 2026, by="university")]
    path = export_report_xlsx(reps, tmp_path / "台账报表.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["季度统计-地市", "半年调度-领域", "未对接需求-2026H1", "年度考核-高校", "目标进度"]
    ws = wb["季度统计-地市"]
    assert [c.value for c in ws[1]] == ["地市", "提出", "已联系", "洽谈中", "签约", "签约金额（万元）",
                                        "成果转化落地", "聘任", "认定高新技术企业"]
    body = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}
    assert body["哈尔滨"][4] == 1 and body["合计"][1] == 3
    assert [c.value for c in wb["目标进度"][1]] == ["指标", "累计完成", "目标", "完成率"]


def test_ledger_over_http(tmp_path: Path) -> None:
    """Record through the API, read the quarterly table and download the workbook."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.security import create_token
    from graph.config import Settings
    from graph.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "kg.sqlite3")
    seed(store)
    _, matchmaker = create_token(store, "王经理", "matchmaker")
    _, viewer = create_token(store, "访客", "viewer")
    app = create_app(Settings(data_dir=tmp_path / "var"), store=store)
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {matchmaker}"}
        body = {"subject_id": "demand:d1", "candidate_id": "person:p1", "stage": "signed",
                "date": "2026-05-03", "amount_wan": 66.0}
        assert c.post("/api/v1/outcomes", json=body, headers=h).status_code == 201
        forbidden = c.post("/api/v1/outcomes", json=body, headers={"Authorization": f"Bearer {viewer}"})
        assert forbidden.status_code == 403
        bad = c.post("/api/v1/outcomes", json=body | {"date": "2026-02-30"}, headers=h)
        assert bad.status_code == 422
        rep = c.get("/api/v1/reports/quarterly", params={"quarter": "2026Q2"},
                    headers={"Authorization": f"Bearer {viewer}"}).json()
        assert rep["rows"] == [{"group": "哈尔滨", "proposed": 0, "contacted": 0, "negotiating": 0, "signed": 1,
                                "industrialised": 0, "certified_high_tech": 0, "appointed": 0, "amount_wan": 66.0}]
        xlsx = c.get("/api/v1/reports/workbook", params={"quarter": "2026Q2", "batch": "2026H1", "year": 2026}, headers=h)
        assert xlsx.status_code == 200
        (tmp_path / "r.xlsx").write_bytes(xlsx.content)
        assert "季度统计-地市" in load_workbook(tmp_path / "r.xlsx").sheetnames
    store.close()
