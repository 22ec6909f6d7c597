"""The management ledger (管理台账): outcomes of matches and recommendations, and the reports the
departments run on it — quarterly statistics (季度统计), half-year dispatch (半年调度) and the annual
assessment (年度考核) against the provincial targets.

An outcome follows one match or recommendation through its stages::

    proposed → contacted → negotiating → signed → industrialised
    (提出)      (已联系)     (洽谈中)        (签约)    (成果转化落地)

plus the events ``certified_high_tech`` (enterprise certified 高新技术企业) and ``appointed``
(person appointed 产业教授 / 技术导师 / 高校联络员).  Every recording is appended to the
outcome's history with its date, amount, note and who recorded it; a correction is a new entry
that names the one it corrects, so nothing is ever overwritten.  Outcomes are documents beside
the graph (collection ``outcomes``), so both backends keep them; an appointment also becomes an
``APPOINTED_AS`` relationship in the graph.

Each outcome carries its grouping dimensions — city, university, enterprise, field — resolved
from the graph when it is first recorded, so reports group the same way whatever changes later.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from graph.errors import NotFound, QueryError
from graph.model import AppointmentRole, NodeLabel, RelRecord, RelType
from graph.store.base import Document, GraphStore

__all__ = [
    "STAGES",
    "EVENTS",
    "Targets",
    "OutcomeEntry",
    "record_outcome",
    "correct_outcome",
    "get_outcome",
    "list_outcomes",
    "quarterly_statistics",
    "half_year_dispatch",
    "annual_assessment",
    "batch_diff",
    "export_report_xlsx",
    "sync_appointments",
    "DIMENSIONS",
]

OUTCOMES = "outcomes"
STAGES = ("proposed", "contacted", "negotiating", "signed", "industrialised")
EVENTS = ("certified_high_tech", "appointed")
STAGE_ZH = {"proposed": "提出", "contacted": "已联系", "negotiating": "洽谈中", "signed": "签约",
            "industrialised": "成果转化落地", "certified_high_tech": "认定高新技术企业",
            "appointed": "聘任"}
DIMENSIONS = {"city": "地市", "university": "高校", "enterprise": "企业", "field": "领域"}
Stage = Literal["proposed", "contacted", "negotiating", "signed", "industrialised",
                "certified_high_tech", "appointed"]


class Targets(BaseModel):
    """Provincial targets (the plan: by 2026, 600 results industrialised, ¥2bn invested, 100
    high-tech enterprises cultivated).  Configurable per assessment."""

    results_industrialised: int = 600
    investment_wan: float = 200_000.0  # 20 亿元 = 200,000 万元
    high_tech_enterprises: int = 100
    target_year: int = 2026
    start_year: int = 2023


class OutcomeEntry(BaseModel):
    """One recording in an outcome's history."""

    stage: Stage
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="when it happened (YYYY-MM-DD)")
    amount_wan: float | None = Field(default=None, ge=0, le=10_000_000, description="合同金额（万元）")
    note: str = Field(default="", max_length=2000)
    role: AppointmentRole | None = Field(default=None, description="for 'appointed'")
    recorded_by: str = Field(min_length=1, max_length=100)
    recorded_at: str = ""
    corrects: int | None = Field(default=None, description="index of the history entry this corrects")

    @field_validator("date")
    @classmethod
    def _real_date(cls, v: str) -> str:
        date.fromisoformat(v)
        return v


def outcome_id(subject_id: str, candidate_id: str, kind: str) -> str:
    digest = hashlib.blake2b(f"{kind}\x1f{subject_id}\x1f{candidate_id}".encode(), digest_size=8).hexdigest()
    return f"outcome-{digest}"


def _first_rel(store: GraphStore, node_id: str, rel_type: RelType, direction: str) -> list[RelRecord]:
    return store.relationships(node_id, types=[rel_type], direction=direction)  # type: ignore[arg-type]


def _dimensions(store: GraphStore, subject_id: str, candidate_id: str) -> dict[str, str | None]:
    """City, university, enterprise and field of an outcome, read from the graph."""
    nodes = store.get_nodes([subject_id, candidate_id])
    subject, candidate = nodes.get(subject_id), nodes.get(candidate_id)
    if subject is None:
        raise NotFound(subject_id)
    if candidate is None:
        raise NotFound(candidate_id)
    enterprise = university = city = field = None

    def org_of(node_id: str) -> list[str]:
        node = nodes.get(node_id) or store.get_node(node_id)
        if node is None:
            return []
        if node.label is NodeLabel.ORGANIZATION:
            return [node.id]
        if node.label is NodeLabel.DEMAND:
            return [r.src for r in _first_rel(store, node.id, RelType.POSTED, "in")]
        if node.label is NodeLabel.PERSON:
            return [r.dst for r in _first_rel(store, node.id, RelType.WORKS_AT, "out")]
        if node.label is NodeLabel.TEAM:
            return [r.dst for r in _first_rel(store, node.id, RelType.PART_OF, "out")]
        if node.label is NodeLabel.PATENT:
            return [r.src for r in _first_rel(store, node.id, RelType.APPLICANT_OF, "in")]
        if node.label is NodeLabel.ACHIEVEMENT:
            return [r.src for r in _first_rel(store, node.id, RelType.COMPLETED, "in") if r.src.startswith("org:")]
        return []

    orgs = store.get_nodes(sorted(set(org_of(subject_id) + org_of(candidate_id))))
    for org in sorted(orgs.values(), key=lambda n: n.id):
        kind = org.props.get("kind")
        if kind in ("college", "lab"):
            parents = [r.dst for r in _first_rel(store, org.id, RelType.PART_OF, "out")]
            parent_nodes = store.get_nodes(parents)
            if parent_nodes:
                org = sorted(parent_nodes.values(), key=lambda n: n.id)[0]
                kind = org.props.get("kind")
        if kind == "enterprise" and enterprise is None:
            enterprise = org.props.get("name")
            city = city or org.props.get("city")
        elif kind in ("university", "institute") and university is None:
            university = org.props.get("name")
    if subject.label is NodeLabel.DEMAND:
        city = subject.props.get("city") or city
    fields = _first_rel(store, subject_id, RelType.IN_FIELD, "out") or _first_rel(store, candidate_id, RelType.IN_FIELD, "out")
    industry = [r for r in fields if not r.dst.startswith("field:ipc_")]
    if industry:
        best = sorted(industry, key=lambda r: (-float(r.props.get("weight", 0)), r.dst))[0]
        node = store.get_node(best.dst)
        field = node.name if node else best.dst
    if city:
        city = re.sub(r"市$", "", str(city))
    return {"city": city, "university": university, "enterprise": enterprise, "field": field}


def record_outcome(
    store: GraphStore,
    *,
    subject_id: str,
    candidate_id: str,
    kind: Literal["match", "recommendation"] = "match",
    entry: OutcomeEntry,
) -> dict[str, Any]:
    """Append a stage (or event) to the outcome of (subject, candidate), creating it if new.

    ``subject_id`` is the demand or enterprise/university the match is for; ``candidate_id``
    the person, team, patent or result proposed.  Stages may only move forward; to go back,
    :func:`correct_outcome` an earlier entry.

    Raises:
        NotFound: an id not in the graph.  QueryError: a stage going backwards.
    """
    oid = outcome_id(subject_id, candidate_id, kind)
    existing = store.get_documents(OUTCOMES, keys=[oid]).get(oid)
    entry = entry.model_copy(update={"recorded_at": datetime.now(UTC).isoformat()})
    if existing is None:
        doc: dict[str, Any] = {
            "outcome_id": oid, "kind": kind, "subject_id": subject_id, "candidate_id": candidate_id,
            "dimensions": _dimensions(store, subject_id, candidate_id), "history": [],
        }
    else:
        doc = existing.doc
    current = _current_stage(doc["history"])
    if entry.stage in STAGES and current in STAGES and STAGES.index(entry.stage) < STAGES.index(current):
        raise QueryError(
            f"阶段不能倒退 (stage cannot go back) {STAGE_ZH[current]} → {STAGE_ZH[entry.stage]}; "
            "如需更正请使用更正功能 (use a correction)"
        )
    if entry.stage == "appointed" and entry.role is None:
        raise QueryError("聘任需要注明角色 (appointment needs a role): industry_professor | tech_mentor | liaison")
    doc["history"].append(entry.model_dump(mode="json"))
    _refresh(doc)
    store.put_documents([Document(OUTCOMES, oid, doc, tag=subject_id)])
    if entry.stage == "appointed":
        sync_appointments(store, [doc])
    return doc


def correct_outcome(store: GraphStore, outcome: str, index: int, entry: OutcomeEntry) -> dict[str, Any]:
    """Record a correction of history entry ``index`` (the old entry stays, marked corrected)."""
    existing = store.get_documents(OUTCOMES, keys=[outcome]).get(outcome)
    if existing is None:
        raise NotFound(outcome)
    doc = existing.doc
    if not 0 <= index < len(doc["history"]):
        raise QueryError(f"没有第 {index} 条记录 (no history entry {index})")
    fixed = entry.model_copy(update={"corrects": index, "recorded_at": datetime.now(UTC).isoformat()})
    doc["history"].append(fixed.model_dump(mode="json"))
    _refresh(doc)
    store.put_documents([Document(OUTCOMES, outcome, doc, tag=doc["subject_id"])])
    return doc


def _effective(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """History with corrected entries replaced by their latest correction."""
    replaced: dict[int, dict[str, Any]] = {}
    for e in history:
        if e.get("corrects") is not None:
            replaced[e["corrects"]] = e
    return [replaced.get(i, e) for i, e in enumerate(history) if e.get("corrects") is None]


def _current_stage(history: Sequence[dict[str, Any]]) -> str | None:
    stages = [e["stage"] for e in _effective(history) if e["stage"] in STAGES]
    return max(stages, key=STAGES.index) if stages else None


def _refresh(doc: dict[str, Any]) -> None:
    eff = _effective(doc["history"])
    doc["stage"] = _current_stage(doc["history"])
    amounts = [e["amount_wan"] for e in eff if e.get("amount_wan") is not None]
    doc["contract_amount_wan"] = amounts[-1] if amounts else None
    doc["events"] = sorted({e["stage"] for e in eff if e["stage"] in EVENTS})


def get_outcome(store: GraphStore, outcome: str) -> dict[str, Any]:
    doc = store.get_documents(OUTCOMES, keys=[outcome]).get(outcome)
    if doc is None:
        raise NotFound(outcome)
    return doc.doc


def list_outcomes(store: GraphStore, *, subject_id: str | None = None) -> list[dict[str, Any]]:
    docs = store.get_documents(OUTCOMES, tag=subject_id) if subject_id else store.get_documents(OUTCOMES)
    return [d.doc for d in sorted(docs.values(), key=lambda d: d.key)]


def sync_appointments(store: GraphStore, outcomes: Iterable[dict[str, Any]] | None = None) -> int:
    """Write APPOINTED_AS for every 'appointed' event (after ingest rewrote people, too)."""
    docs = list(outcomes) if outcomes is not None else list_outcomes(store)
    rels = []
    for doc in docs:
        for e in _effective(doc["history"]):
            if e["stage"] != "appointed":
                continue
            person, org = doc["candidate_id"], doc["subject_id"]
            if not (person.startswith("person:") and org.startswith("org:")):
                continue
            rels.append(RelRecord(src=person, type=RelType.APPOINTED_AS, dst=org, key=e["role"], props={
                "role": e["role"], "start": int(e["date"][:4]), "status": "active",
                "source": "ledger", "source_key": doc["outcome_id"], "run_id": "ledger"}))
    present = store.get_nodes({i for r in rels for i in (r.src, r.dst)})
    rels = [r for r in rels if r.src in present and r.dst in present]
    if rels:
        store.write((), rels)
    return len(rels)


# --------------------------------------------------------------------------- periods

def _quarter(d: str) -> str:
    return f"{d[:4]}Q{(int(d[5:7]) - 1) // 3 + 1}"


def _half(d: str) -> str:
    return f"{d[:4]}H{1 if int(d[5:7]) <= 6 else 2}"


def _check_period(value: str, pattern: str, example: str) -> None:
    if not re.fullmatch(pattern, value):
        raise QueryError(f"期间格式不对 (bad period) {value!r}; 例如 {example}")


def _group_value(doc: dict[str, Any], by: str) -> str:
    if by not in DIMENSIONS:
        raise QueryError(f"分组维度只能是 (group by one of) {', '.join(DIMENSIONS)}")
    return doc["dimensions"].get(by) or "（未知）"


# --------------------------------------------------------------------------- reports

def quarterly_statistics(store: GraphStore, quarter: str, *, by: str = "city") -> dict[str, Any]:
    """季度统计: per group, how many outcomes reached each stage within the quarter, signed
    contract amounts, appointments and high-tech certifications (events dated in the quarter).

    A stage counts in the quarter its (effective) entry is dated in; an outcome that moves
    through two stages in one quarter counts in both.
    """
    _check_period(quarter, r"\d{4}Q[1-4]", "2026Q2")
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {**{s: 0 for s in (*STAGES, *EVENTS)}, "amount_wan": 0.0})
    for doc in list_outcomes(store):
        group = _group_value(doc, by)
        for e in _effective(doc["history"]):
            if _quarter(e["date"]) != quarter:
                continue
            rows[group][e["stage"]] += 1
            if e["stage"] == "signed" and e.get("amount_wan"):
                rows[group]["amount_wan"] += float(e["amount_wan"])
    table = [{"group": g, **vals} for g, vals in sorted(rows.items())]
    totals = {k: sum(r[k] for r in table) for k in (*STAGES, *EVENTS, "amount_wan")}
    return {"report": "quarterly", "period": quarter, "by": by, "rows": table, "totals": totals}


def half_year_dispatch(store: GraphStore, batch: str, *, by: str = "city") -> dict[str, Any]:
    """半年调度: demands of a half-year batch — posted, matched (an outcome at 'contacted' or
    beyond), unmatched with the reason, carried over from earlier batches."""
    _check_period(batch, r"\d{4}H[12]", "2026H1")
    demands = [d for d in store.iter_nodes(NodeLabel.DEMAND) if batch in (d.props.get("batches") or [d.props.get("batch")])]
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in list_outcomes(store):
        by_subject[doc["subject_id"]].append(doc)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"posted": 0, "matched": 0, "unmatched": 0, "carried_over": 0})
    unmatched: list[dict[str, Any]] = []
    for d in sorted(demands, key=lambda n: n.id):
        outs = by_subject.get(d.id, [])
        dims = outs[0]["dimensions"] if outs else _demand_dims(store, d.id)
        group = (dims.get(by) if by in DIMENSIONS else None) or "（未知）"
        if by not in DIMENSIONS:
            raise QueryError(f"分组维度只能是 (group by one of) {', '.join(DIMENSIONS)}")
        r = rows[group]
        r["posted"] += 1
        batches = sorted(d.props.get("batches") or [])
        if batches and batches[0] < batch:
            r["carried_over"] += 1
        reached = [o["stage"] for o in outs if o.get("stage")]
        if any(STAGES.index(s) >= STAGES.index("contacted") for s in reached):
            r["matched"] += 1
            continue
        r["unmatched"] += 1
        if not outs:
            reason = "未提出对接候选 (no candidate proposed)"
        else:
            reason = "已提出候选但尚未联系 (candidates proposed, none contacted)"
        unmatched.append({"demand_id": d.id, "demand": d.name, "group": group, "reason": reason})
    table = [{"group": g, **vals} for g, vals in sorted(rows.items())]
    totals = {k: sum(r[k] for r in table) for k in ("posted", "matched", "unmatched", "carried_over")}
    return {"report": "half_year", "period": batch, "by": by, "rows": table, "totals": totals,
            "unmatched": unmatched}


def _demand_dims(store: GraphStore, demand_id: str) -> dict[str, str | None]:
    firms = [r.src for r in store.relationships(demand_id, types=[RelType.POSTED], direction="in")]
    return _dimensions(store, demand_id, firms[0]) if firms else _dimensions(store, demand_id, demand_id)


def annual_assessment(store: GraphStore, year: int, *, targets: Targets | None = None, by: str = "city") -> dict[str, Any]:
    """年度考核: results industrialised, contract investment and high-tech enterprises
    certified — in the year and cumulative since ``targets.start_year`` — with progress toward
    the targets (cumulative / target), and the year's figures per group."""
    targets = targets or Targets()
    if not 2000 <= year <= 2100:
        raise QueryError("年份不合理 (implausible year)")
    year_rows: dict[str, dict[str, float]] = defaultdict(lambda: {"industrialised": 0, "investment_wan": 0.0, "high_tech": 0})
    cumulative = {"industrialised": 0, "investment_wan": 0.0, "high_tech": 0}
    certified: set[str] = set()
    for doc in list_outcomes(store):
        group = _group_value(doc, by)
        for e in _effective(doc["history"]):
            y = int(e["date"][:4])
            if y > year or y < targets.start_year:
                continue
            key = None
            if e["stage"] == "industrialised":
                key = "industrialised"
            elif e["stage"] == "signed" and e.get("amount_wan"):
                cumulative["investment_wan"] += float(e["amount_wan"])
                if y == year:
                    year_rows[group]["investment_wan"] += float(e["amount_wan"])
            elif e["stage"] == "certified_high_tech":
                firm = doc["dimensions"].get("enterprise") or doc["subject_id"]
                if firm in certified:
                    continue  # an enterprise is cultivated once
                certified.add(firm)
                key = "high_tech"
            if key:
                cumulative[key] += 1
                if y == year:
                    year_rows[group][key] += 1
    progress = {
        "results_industrialised": _progress(cumulative["industrialised"], targets.results_industrialised),
        "investment_wan": _progress(cumulative["investment_wan"], targets.investment_wan),
        "high_tech_enterprises": _progress(cumulative["high_tech"], targets.high_tech_enterprises),
    }
    table = [{"group": g, **vals} for g, vals in sorted(year_rows.items())]
    return {"report": "annual", "period": str(year), "by": by, "targets": targets.model_dump(),
            "cumulative": cumulative, "progress": progress, "rows": table}


def _progress(value: float, target: float) -> dict[str, float]:
    return {"value": value, "target": target, "ratio": round(value / target, 4) if target else 0.0}


def batch_diff(store: GraphStore, old: str, new: str) -> dict[str, Any]:
    """Demands new in ``new``, carried over from ``old`` (with budget changes), and not re-posted."""
    _check_period(old, r"\d{4}H[12]", "2025H2")
    _check_period(new, r"\d{4}H[12]", "2026H1")
    in_old, in_new = {}, {}
    for d in store.iter_nodes(NodeLabel.DEMAND):
        batches = d.props.get("batches") or [d.props.get("batch")]
        if old in batches:
            in_old[d.id] = d
        if new in batches:
            in_new[d.id] = d

    def brief(n: Any) -> dict[str, Any]:
        return {"demand_id": n.id, "demand": n.name, "budget_wan": n.props.get("budget_wan")}

    return {
        "old": old, "new": new,
        "added": [brief(in_new[i]) for i in sorted(set(in_new) - set(in_old))],
        "carried_over": [brief(in_new[i]) for i in sorted(set(in_new) & set(in_old))],
        "not_reposted": [brief(in_old[i]) for i in sorted(set(in_old) - set(in_new))],
    }


# --------------------------------------------------------------------------- Excel

_HEADERS = {
    "quarterly": [("group", None), ("proposed", "提出"), ("contacted", "已联系"), ("negotiating", "洽谈中"),
                  ("signed", "签约"), ("amount_wan", "签约金额（万元）"), ("industrialised", "成果转化落地"),
                  ("appointed", "聘任"), ("certified_high_tech", "认定高新技术企业")],
    "half_year": [("group", None), ("posted", "发布需求"), ("matched", "已对接"), ("unmatched", "未对接"),
                  ("carried_over", "上期结转")],
    "annual": [("group", None), ("industrialised", "成果转化落地"), ("investment_wan", "签约投入（万元）"),
               ("high_tech", "培育高新技术企业")],
}
_TITLES = {"quarterly": "季度统计", "half_year": "半年调度", "annual": "年度考核"}


def export_report_xlsx(reports: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write reports (one per grouping, any kind) into one workbook with Chinese headers.

    Sheets are named ``<报表>-<维度>`` (e.g. 季度统计-地市); half-year reports add a sheet
    of unmatched demands with reasons, annual ones a sheet of progress toward the targets.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for rep in reports:
        kind = rep["report"]
        title = f"{_TITLES[kind]}-{DIMENSIONS[rep['by']]}"
        ws = wb.create_sheet(title[:31])
        cols = _HEADERS[kind]
        ws.append([DIMENSIONS[rep["by"]] if zh is None else zh for _, zh in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rep["rows"]:
            ws.append([row.get(k) for k, _ in cols])
        if "totals" in rep:
            ws.append(["合计", *[rep["totals"].get(k) for k, _ in cols[1:]]])
        ws.cell(row=ws.max_row + 2, column=1, value=f"期间 {rep['period']}")
        if kind == "half_year" and f"未对接需求-{rep['period']}" not in wb.sheetnames:
            un = wb.create_sheet(f"未对接需求-{rep['period']}"[:31])
            un.append(["需求", "需求ID", DIMENSIONS[rep["by"]], "原因"])
            for u in rep["unmatched"]:
                un.append([u["demand"], u["demand_id"], u["group"], u["reason"]])
        if kind == "annual" and "目标进度" not in wb.sheetnames:
            pr = wb.create_sheet("目标进度")
            pr.append(["指标", "累计完成", "目标", "完成率"])
            names = {"results_industrialised": "科研成果产业化（项）", "investment_wan": "投入（万元）",
                     "high_tech_enterprises": "培育高新技术企业（家）"}
            for key, zh in names.items():
                p = rep["progress"][key]
                pr.append([zh, p["value"], p["target"], p["ratio"]])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
