"""The matching list (对接清单 / 揭榜挂帅) of a half-year batch, as CSV or XLSX.

One row per (demand, candidate) — the best ``per_demand`` candidates of every demand of the
batch, from :func:`graph.queries.matching.match_demand` — with Chinese headers a matchmaker
can open in Excel or WPS:

批次, 需求编号, 需求名称, 企业, 名次, 候选类型, 候选, 候选编号, 所属单位, 综合得分, 文本相关,
领域匹配, 成果基础, 地域与关系, 负荷, 推荐理由

A demand of the batch is one whose ``batch`` or ``batches`` holds it (re-posted demands appear in
each batch they were posted in); demands with status ``closed`` are left out.  A demand without
any candidate gets one row saying so.  Demands are listed by id; CSV is UTF-8 with a BOM (Excel
reads it as UTF-8).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from graph.errors import QueryError
from graph.queries.matching import (
    KIND_NAMES,
    KINDS,
    Match,
    check_batch,
    check_kinds,
    match_demand_with,
    resolve_weights,
)
from graph.queries.profiles import check_limit, profiles
from graph.queries.text import text_index
from graph.store.base import GraphStore

__all__ = ["HEADERS", "ExportSummary", "export_matching_list", "matching_rows"]

HEADERS: tuple[str, ...] = (
    "批次", "需求编号", "需求名称", "企业", "名次", "候选类型", "候选", "候选编号", "所属单位",
    "综合得分", "文本相关", "领域匹配", "成果基础", "地域与关系", "负荷", "推荐理由",
)
SHEET = "对接清单"
_WIDTHS = (8, 24, 36, 30, 6, 8, 30, 24, 30, 9, 9, 9, 9, 10, 7, 120)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    batch: str
    format: str
    demands: int
    rows: int


def matching_rows(
    store: GraphStore,
    batch: str,
    *,
    per_demand: int = 5,
    kinds: Iterable[str] = KINDS,
    weights: Mapping[str, float] | None = None,
) -> Iterator[list[object]]:
    """The rows of the matching list of a batch (without the header), demand by demand."""
    batch = check_batch(batch)
    per_demand = check_limit(per_demand, name="per_demand", high=50)
    kinds_t = check_kinds(kinds)
    w = resolve_weights(weights)
    prof = profiles(store)
    idx = text_index(store, generation=prof.generation)
    demand_ids = sorted(d for d, (batches, status) in idx.demand_meta.items()
                        if batch in batches and status != "closed")
    for did in demand_ids:
        demand = prof.demand(did)
        if demand is None:
            continue
        firm = prof.org(demand.firm) if demand.firm else None
        firm_name = firm.name if firm else ""
        matches: list[Match] = match_demand_with(store, prof, idx, did, kinds_t, per_demand, w, None, None)
        if not matches:
            yield [batch, did, demand.name, firm_name, "", "", "", "", "", "", "", "", "", "", "",
                   "暂无匹配候选（与需求文本无共同关键词的候选不予推荐）"]
            continue
        for rank, m in enumerate(matches, start=1):
            f = m.factors
            yield [batch, did, demand.name, firm_name, rank, KIND_NAMES[m.kind], m.name, m.id,
                   "、".join(name for _, name in m.organizations), round(m.score, 4),
                   round(f["text"], 4), round(f["field"], 4), round(f["track"], 4),
                   round(f["proximity"], 4), round(f["load"], 4), m.explanation]


def export_matching_list(
    store: GraphStore,
    batch: str,
    path: str | Path,
    fmt: str | None = None,
    *,
    per_demand: int = 5,
    kinds: Iterable[str] = KINDS,
    weights: Mapping[str, float] | None = None,
) -> ExportSummary:
    """Write the 揭榜挂帅 matching list of a half-year batch to ``path``.

    Args:
        batch: ``2025H2`` style.
        path: the file to write (folders are created).
        fmt: ``csv`` or ``xlsx``; None takes it from the file suffix.
        per_demand: candidates per demand, 1..50.
        kinds, weights: as for :func:`~graph.queries.matching.match_demand`.

    Returns:
        :class:`ExportSummary` (path, batch, format, demands, rows).

    Raises:
        QueryError: a bad batch, format or bound.

    Example:
        >>> export_matching_list(store, "2025H2", "out/2025H2.xlsx")  # doctest: +SKIP
        ExportSummary(path=PosixPath('out/2025H2.xlsx'), batch='2025H2', format='xlsx', demands=12, rows=60)
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "xlsx"):
        raise QueryError(f"导出格式必须是 csv 或 xlsx，收到 {fmt!r}")
    batch = check_batch(batch)
    rows = list(matching_rows(store, batch, per_demand=per_demand, kinds=kinds, weights=weights))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(rows)
    else:
        _write_xlsx(path, rows)
    demands = len({r[1] for r in rows})
    return ExportSummary(path=path, batch=batch, format=fmt, demands=demands, rows=len(rows))


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    fixed = datetime(2020, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    ws = wb.create_sheet(SHEET)
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)

