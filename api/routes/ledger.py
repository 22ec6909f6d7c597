"""Outcome tracking and the departments' reports (tables as JSON, workbooks as XLSX)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from api.deps import ALL_ROLES, StoreDep, require_roles
from api.security import Principal, Role
from graph import ledger
from graph.ledger import OutcomeEntry, Targets

router = APIRouter(tags=["ledger"])

Recorders = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.MATCHMAKER))]
Readers = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
IdStr = Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[a-z_]+:\S+$")]
GroupBy = Annotated[Literal["city", "university", "enterprise", "field"], Query(description="分组维度")]


Stage = Literal["proposed", "contacted", "negotiating", "signed", "industrialised", "certified_high_tech",
                "appointed"]


class OutcomeIn(BaseModel):
    subject_id: IdStr = Field(description="需求或企业/高校 id (the demand, enterprise or university)")
    candidate_id: IdStr = Field(description="候选人、团队、专利、成果 id")
    kind: Literal["match", "recommendation"] = "match"
    stage: Stage
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    amount_wan: float | None = Field(default=None, ge=0, le=10_000_000)
    note: str = Field(default="", max_length=2000)
    role: Literal["industry_professor", "tech_mentor", "liaison"] | None = None


class CorrectionIn(BaseModel):
    index: int = Field(ge=0, le=10_000, description="被更正的历史记录序号")
    stage: Stage
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    amount_wan: float | None = Field(default=None, ge=0, le=10_000_000)
    note: str = Field(default="", max_length=2000)
    role: Literal["industry_professor", "tech_mentor", "liaison"] | None = None


def _entry(body: Any, who: str) -> OutcomeEntry:
    return OutcomeEntry(stage=body.stage, date=body.date, amount_wan=body.amount_wan, note=body.note,
                        role=body.role, recorded_by=who)


@router.post("/outcomes", summary="记录对接进展 (record an outcome stage)", status_code=201)
def record(store: StoreDep, user: Recorders, body: OutcomeIn) -> dict[str, Any]:
    try:
        entry = _entry(body, user.name)
    except ValueError as exc:
        from graph.errors import QueryError

        raise QueryError(f"记录不合法 (invalid entry): {exc}") from exc
    return ledger.record_outcome(store, subject_id=body.subject_id, candidate_id=body.candidate_id,
                                 kind=body.kind, entry=entry)


@router.post("/outcomes/{outcome_id}/corrections", summary="更正历史记录（保留原记录）(correct an entry)", status_code=201)
def correct(store: StoreDep, user: Recorders, outcome_id: Annotated[str, PathParam(pattern=r"^outcome-[0-9a-f]{16}$")],
            body: CorrectionIn) -> dict[str, Any]:
    try:
        entry = _entry(body, user.name)
    except ValueError as exc:
        from graph.errors import QueryError

        raise QueryError(f"记录不合法 (invalid entry): {exc}") from exc
    return ledger.correct_outcome(store, outcome_id, body.index, entry)


@router.get("/outcomes", summary="对接台账 (list outcomes)")
def outcomes(
    store: StoreDep, user: Readers,
    subject_id: Annotated[str | None, Query(max_length=200, pattern=r"^[a-z_]+:\S+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[dict[str, Any]]:
    return ledger.list_outcomes(store, subject_id=subject_id)[offset: offset + limit]


@router.get("/reports/quarterly", summary="季度统计 (quarterly statistics)")
def quarterly(store: StoreDep, user: Readers,
              quarter: Annotated[str, Query(pattern=r"^\d{4}Q[1-4]$", examples=["2026Q2"])],
              by: GroupBy = "city") -> dict[str, Any]:
    return ledger.quarterly_statistics(store, quarter, by=by)


@router.get("/reports/half-year", summary="半年调度 (half-year dispatch)")
def half_year(store: StoreDep, user: Readers,
              batch: Annotated[str, Query(pattern=r"^\d{4}H[12]$", examples=["2026H1"])],
              by: GroupBy = "city") -> dict[str, Any]:
    return ledger.half_year_dispatch(store, batch, by=by)


@router.get("/reports/annual", summary="年度考核 (annual assessment against targets)")
def annual(store: StoreDep, user: Readers,
           year: Annotated[int, Query(ge=2000, le=2100)],
           by: GroupBy = "city",
           target_results: Annotated[int, Query(ge=1, le=1_000_000)] = 600,
           target_investment_wan: Annotated[float, Query(ge=1, le=1e9)] = 200_000.0,
           target_high_tech: Annotated[int, Query(ge=1, le=1_000_000)] = 100) -> dict[str, Any]:
    targets = Targets(results_industrialised=target_results, investment_wan=target_investment_wan,
                      high_tech_enterprises=target_high_tech)
    return ledger.annual_assessment(store, year, targets=targets, by=by)


@router.get("/reports/batch-diff", summary="两期需求对比 (difference between two batches)")
def diff(store: StoreDep, user: Readers,
         old: Annotated[str, Query(pattern=r"^\d{4}H[12]$")],
         new: Annotated[str, Query(pattern=r"^\d{4}H[12]$")]) -> dict[str, Any]:
    return ledger.batch_diff(store, old, new)


@router.get("/reports/workbook", summary="报表 Excel 下载 (reports as an Excel workbook)",
            response_class=FileResponse)
def workbook(store: StoreDep, user: Readers,
             quarter: Annotated[str, Query(pattern=r"^\d{4}Q[1-4]$")],
             batch: Annotated[str, Query(pattern=r"^\d{4}H[12]$")],
             year: Annotated[int, Query(ge=2000, le=2100)]) -> FileResponse:
    reports = []
    for by in ("city", "university", "enterprise", "field"):
        reports += [ledger.quarterly_statistics(store, quarter, by=by),
                    ledger.half_year_dispatch(store, batch, by=by),
                    ledger.annual_assessment(store, year, by=by)]
    folder = Path(tempfile.mkdtemp(prefix="kg-report-"))
    path = ledger.export_report_xlsx(reports, folder / f"台账报表-{quarter}.xlsx")
    return FileResponse(path, filename=path.name,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        background=BackgroundTask(lambda: (path.unlink(missing_ok=True), folder.rmdir())))
