"""Tabular readers: patents, demands, enterprises and achievements from CSV, XLSX and JSON Lines.

Two entry points:

* :func:`iter_records` — what the pipeline calls: every data row of the file becomes exactly
  one record or one :class:`~ingest.records.Quarantined`; file-level problems (unreadable,
  empty, no header, missing required column) become one ``Quarantined`` without a row.
* :func:`read_table` — the same, plus a look before loading: the format, encoding, header
  row, table kind and column mapping are worked out when it is called, and
  :attr:`TableReading.stats` counts rows, blanks and quarantines as the rows stream.

The kind (patent / demand / enterprise / achievement) is sniffed from the header when not
given; in a workbook each sheet is read under its own kind, and sheets without a recognisable
header are skipped and listed in ``stats.skipped_sheets``.  Files are streamed: memory stays
flat for 100k-row files (apart from one small hash per record key, used to count duplicates).

>>> reading = read_table("docs/examples/patents.csv")
>>> reading.kind, reading.stats.encoding
('patent', 'utf-8')
>>> [r.source_key for r in reading][:2]
['CN202110123456.7', 'CN202120654321.9']
>>> reading.stats.rows == reading.stats.records + reading.stats.quarantined_rows
True
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pydantic import ValidationError

from graph.errors import IngestError
from ingest.readers.achievements import ACHIEVEMENT_SPEC
from ingest.readers.demands import DEMAND_SPEC, PERSONAL_FIELDS, iter_ccf_demands, looks_like_ccf
from ingest.readers.enterprises import ENTERPRISE_SPEC
from ingest.readers.patents import PATENT_SPEC
from ingest.records import (
    AchievementRecord,
    DemandRecord,
    EnterpriseRecord,
    PatentRecord,
    Quarantined,
)
from ingest.tabular import (
    HEADER_SCAN_ROWS,
    HeaderMatch,
    Invalid,
    ReadStats,
    Row,
    RowRejected,
    TableInfo,
    TableSpec,
    cell_text,
    detect_encoding,
    iter_csv_rows,
    iter_sheet_rows,
    locate_header,
    match_keys,
    open_workbook,
)

__all__ = ["KINDS", "SPECS", "TableRecord", "TableReading", "read_table", "iter_records"]

TableRecord = PatentRecord | DemandRecord | EnterpriseRecord | AchievementRecord

SPECS: dict[str, TableSpec] = {
    spec.kind: spec for spec in (PATENT_SPEC, DEMAND_SPEC, ENTERPRISE_SPEC, ACHIEVEMENT_SPEC)
}
KINDS = tuple(SPECS)

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
DELIMITERS = (",", "\t", ";", "|")
_SHOWN_HEADERS = 30


@dataclass
class _Table:
    """One planned table: a CSV/JSON Lines file or one sheet."""

    source: str
    spec: TableSpec
    match: HeaderMatch | None  # None for JSON Lines (keys per line) and the CCF corpus
    sheet: str | None = None


def _headers_shown(headers: tuple[str, ...] | list[str]) -> str:
    shown = [h for h in headers if h][:_SHOWN_HEADERS]
    more = " …" if len([h for h in headers if h]) > _SHOWN_HEADERS else ""
    return "、".join(shown) + more if shown else "（无）"


def _first_cells(rows: list[tuple[object, ...]] | list[list[str]]) -> str:
    for cells in rows:
        texts = [t for t in (cell_text(c) for c in cells) if t]
        if texts:
            return _headers_shown(texts)
    return "（无）"


class TableReading:
    """A planned read of one file; iterate it to stream the records.

    Attributes:
        path: the file.
        stats: counts for the last (or current) iteration; see :class:`~ingest.tabular.ReadStats`.
        problems: file- and sheet-level quarantine entries found while planning (yielded first
            when iterating).
    """

    def __init__(self, path: Path, kind: str | None) -> None:
        self.path = path
        self.requested_kind = kind
        self._specs = [SPECS[kind]] if kind else list(SPECS.values())
        self._tables: list[_Table] = []
        self.problems: list[Quarantined] = []
        self.stats = ReadStats(source=str(path))
        self._seen: set[int] = set()  # hashes of (kind, source_key), to count duplicates
        try:
            self._plan()
        except IngestError as exc:
            self._problem(str(exc))
        except OSError as exc:
            self._problem(f"无法读取文件 (unreadable file): {exc.strerror or exc}")

    # ----------------------------------------------------------------- planning

    @property
    def kind(self) -> str | None:
        """The table kind, when every table read has the same one (else None)."""
        kinds = {t.spec.kind for t in self._tables}
        return kinds.pop() if len(kinds) == 1 else None

    @property
    def tables(self) -> list[TableInfo]:
        return list(self.stats.tables)

    def _problem(self, reason: str, *, source: str | None = None, field: str | None = None) -> None:
        self.problems.append(
            Quarantined(
                source=source or str(self.path),
                source_key="file",
                row=None,
                field=field,
                reason=reason,
            )
        )

    def _kind_label(self) -> str:
        return f"{self._specs[0].label}表" if len(self._specs) == 1 else "专利/需求/企业/成果表"

    def _plan(self) -> None:
        path = self.path
        if not path.is_file():
            self._problem("文件不存在或不是文件 (no such file)")
            return
        if path.stat().st_size == 0:
            self._problem("文件为空 (empty file)")
            return
        with path.open("rb") as fh:
            magic = fh.read(4)
        suffix = path.suffix.lower()
        if suffix == ".xls" and magic != b"PK\x03\x04":
            self._problem(
                "不支持旧版 .xls 文件 (legacy .xls is not supported)；请在 Excel 中另存为 .xlsx 或 CSV UTF-8"
            )
        elif suffix in XLSX_SUFFIXES or magic == b"PK\x03\x04":
            self._plan_xlsx()
        elif suffix in JSONL_SUFFIXES:
            self._plan_jsonl()
        else:
            self._plan_text()

    def _add_table(
        self, table: _Table, *, header_row: int | None, ignored: list[str] | None = None
    ) -> None:
        self._tables.append(table)
        match = table.match
        columns = {f: match.headers[i] for f, i in match.columns.items()} if match else {}
        self.stats.tables.append(
            TableInfo(
                source=table.source,
                kind=table.spec.kind,
                header_row=header_row,
                columns=columns,
                ignored=list(match.ignored) if match else (ignored or []),
            )
        )

    def _check_header(self, match: HeaderMatch | None, source: str, first: str) -> bool:
        """Record a problem when there is no header or a required column is missing."""
        if match is None:
            self._problem(
                f"前{HEADER_SCAN_ROWS}行中未找到可识别的{self._kind_label()}表头 "
                f"(no recognisable header in the first {HEADER_SCAN_ROWS} rows)；首个非空行为 (first row): {first}",
                source=source,
            )
            return False
        if match.missing:
            col = match.missing[0]
            aliases = "/".join([col.label, *col.aliases[:4]])
            self._problem(
                f"缺少必需列「{col.label}」(missing required column; accepted headers: {aliases} …)；"
                f"找到的表头 (headers found): {_headers_shown(match.headers)}",
                source=source,
                field=col.label,
            )
            return False
        return True

    def _plan_text(self) -> None:
        path = self.path
        encoding = detect_encoding(path)
        self.stats.format, self.stats.encoding = "csv", encoding
        with path.open("r", encoding=encoding) as fh:
            first = next((line for line in islice(fh, 1000) if line.strip()), None)
        if first is None:
            self._problem("文件为空 (empty file: only blank lines)")
            return
        if DEMAND_SPEC in self._specs and looks_like_ccf(first):
            self.stats.format = "ccf"
            self._add_table(_Table(str(path), DEMAND_SPEC, None), header_row=None)
            self.stats.tables[-1].columns = {
                "source_key": "guid",
                "title": "title",
                "content": "content",
            }
            return
        best: tuple[str, HeaderMatch] | None = None
        sample: list[list[str]] = []
        for delimiter in DELIMITERS:
            with closing(iter_csv_rows(path, encoding, delimiter)) as rows:
                head = [[] if isinstance(r, Invalid) else r for r in islice(rows, HEADER_SCAN_ROWS)]
            if delimiter == ",":
                sample = head
            match = locate_header(head, self._specs, all_specs=list(SPECS.values()))
            if match and (best is None or match.score > best[1].score):
                best = (delimiter, match)
        if best is None:
            self._check_header(None, str(path), _first_cells(sample))
            return
        delimiter, match = best
        self.stats.delimiter = delimiter
        if self._check_header(match, str(path), ""):
            self._add_table(_Table(str(path), match.spec, match), header_row=match.index + 1)

    def _plan_xlsx(self) -> None:
        self.stats.format = "xlsx"
        firsts: list[str] = []
        with open_workbook(self.path) as wb:
            for ws in wb.worksheets:
                source = f"{self.path}#{ws.title}"
                head = list(islice(iter_sheet_rows(ws), HEADER_SCAN_ROWS))
                match = locate_header(head, self._specs, all_specs=list(SPECS.values()))
                if match is None:
                    first = _first_cells(head)
                    self.stats.skipped_sheets[ws.title] = (
                        f"未找到表头 (no header); 首行 (first row): {first}"
                    )
                    firsts.append(f"「{ws.title}」{first}")
                    continue
                if self._check_header(match, source, ""):
                    self._add_table(
                        _Table(source, match.spec, match, ws.title), header_row=match.index + 1
                    )
        if not self._tables and not self.problems:
            self._problem(
                f"所有工作表的前{HEADER_SCAN_ROWS}行中都未找到可识别的{self._kind_label()}表头 "
                f"(no sheet has a recognisable header)；{'；'.join(firsts) or '工作簿为空 (empty workbook)'}"
            )

    def _plan_jsonl(self) -> None:
        path = self.path
        encoding = detect_encoding(path)
        self.stats.format, self.stats.encoding = "jsonl", encoding
        keys: list[list[str]] = []
        first: str | None = None
        with path.open("r", encoding=encoding) as fh:
            for line in fh:
                if not line.strip():
                    continue
                first = first or line.strip()
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    keys.append([str(k) for k in obj])
                if len(keys) >= HEADER_SCAN_ROWS:
                    break
        if first is None:
            self._problem("文件为空 (empty file: only blank lines)")
            return
        if first.startswith("["):
            self._problem(
                "不支持 JSON 数组 (a JSON array is not JSON Lines)；请每行写一个 JSON 对象"
            )
            return
        if len(self._specs) == 1:
            spec = self._specs[0]
        else:
            match = locate_header(keys, self._specs, all_specs=self._specs)
            if match is None:
                self._problem(
                    f"无法从字段名判断表格类型 (cannot tell the kind from the keys): "
                    f"{_headers_shown(keys[0] if keys else [])}；可用 kind= 指定"
                )
                return
            spec = match.spec
        self._add_table(_Table(str(path), spec, None), header_row=None)

    # ----------------------------------------------------------------- streaming

    def __iter__(self) -> Iterator[TableRecord | Quarantined]:
        tables = self.stats.tables
        self.stats = ReadStats(
            source=str(self.path),
            format=self.stats.format,
            encoding=self.stats.encoding,
            delimiter=self.stats.delimiter,
            tables=tables,
            skipped_sheets=self.stats.skipped_sheets,
        )
        self._seen = set()
        for problem in self.problems:
            self.stats.file_problems += 1
            yield problem
        if not self._tables:
            return
        try:
            if self.stats.format == "xlsx":
                yield from self._stream_xlsx()
            elif self.stats.format == "jsonl":
                yield from self._stream_jsonl(self._tables[0])
            elif self.stats.format == "ccf":
                yield from self._stream_ccf()
            else:
                yield from self._stream_csv(self._tables[0])
        except IngestError as exc:  # the file broke part-way (e.g. a workbook that cannot be read)
            self.stats.file_problems += 1
            yield Quarantined(source=str(self.path), source_key="file", reason=str(exc))
            return
        if self.stats.rows == 0:
            self.stats.file_problems += 1
            yield Quarantined(
                source=str(self.path),
                source_key="file",
                reason="表头下没有数据行 (no data rows below the header)",
            )

    def _row_problem(
        self, source: str, number: int, reason: str, raw: dict[str, str] | str | None
    ) -> Quarantined:
        self.stats.rows += 1
        self.stats.quarantined_rows += 1
        return Quarantined(
            source=source, source_key=f"row:{number}", row=number, reason=reason, raw=raw
        )

    def _count(self, item: TableRecord | Quarantined) -> TableRecord | Quarantined:
        self.stats.rows += 1
        if isinstance(item, Quarantined):
            self.stats.quarantined_rows += 1
            return item
        self.stats.records += 1
        marker = hash((item.kind, item.source_key))
        if marker in self._seen:
            self.stats.duplicate_keys += 1
            if len(self.stats.duplicate_examples) < 10:
                self.stats.duplicate_examples.append(f"{item.source}:{item.row} {item.source_key}")
        else:
            self._seen.add(marker)
        return item

    def _build(
        self,
        table: _Table,
        number: int,
        cells: Sequence[object],
        match: HeaderMatch,
    ) -> TableRecord | Quarantined:
        row = Row(table.source, number, cells, match)
        try:
            record = table.spec.build(row)
        except RowRejected as exc:
            item: TableRecord | Quarantined = Quarantined(
                source=table.source,
                source_key=row.key or f"row:{number}",
                row=number,
                field=exc.field,
                reason=exc.reason,
                raw=row.raw(PERSONAL_FIELDS),
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = str(err["loc"][0]) if err["loc"] else None
            item = Quarantined(
                source=table.source,
                source_key=row.key or f"row:{number}",
                row=number,
                field=row.label(loc) if loc else None,
                reason=f"取值不合法 (invalid value): {err['msg']}",
                raw=row.raw(PERSONAL_FIELDS),
            )
        else:
            assert isinstance(
                record, PatentRecord | DemandRecord | EnterpriseRecord | AchievementRecord
            )
            item = record
        return self._count(item)

    @staticmethod
    def _blank(cells: Sequence[object]) -> bool:
        return all(cell_text(c) is None for c in cells)

    @staticmethod
    def _unnamed(cells: Sequence[object], headers: tuple[str, ...]) -> list[int]:
        """Positions of non-empty cells under an empty header or beyond the header."""
        return [
            pos
            for pos, value in enumerate(cells)
            if (pos >= len(headers) or not headers[pos]) and cell_text(value) is not None
        ]

    def _stream_csv(self, table: _Table) -> Iterator[TableRecord | Quarantined]:
        match = table.match
        assert match is not None and self.stats.encoding and self.stats.delimiter
        with closing(iter_csv_rows(self.path, self.stats.encoding, self.stats.delimiter)) as rows:
            for index, cells in enumerate(rows):
                if index <= match.index:
                    continue  # title lines above the header, and the header itself
                number = index - match.index
                if isinstance(cells, Invalid):
                    yield self._row_problem(table.source, number, cells.reason, None)
                    continue
                if self._blank(cells):
                    self.stats.blank_rows += 1
                    continue
                unnamed = self._unnamed(cells, match.headers)
                if unnamed:
                    raw = Row(table.source, number, cells, match).raw(PERSONAL_FIELDS)
                    yield self._row_problem(
                        table.source,
                        number,
                        f"第{unnamed[0] + 1}列有值但没有表头 (a value under no header: {len(cells)} cells, "
                        f"{len([h for h in match.headers if h])} named columns — an unquoted comma?)",
                        raw,
                    )
                    continue
                yield self._build(table, number, cells, match)

    def _stream_xlsx(self) -> Iterator[TableRecord | Quarantined]:
        with open_workbook(self.path) as wb:
            for table in self._tables:
                match = table.match
                assert match is not None and table.sheet is not None
                for index, cells in enumerate(iter_sheet_rows(wb[table.sheet])):
                    if index <= match.index:
                        continue
                    if self._blank(cells):
                        self.stats.blank_rows += 1
                        continue
                    self.stats.unnamed_cells += len(self._unnamed(cells, match.headers))
                    yield self._build(table, index - match.index, cells, match)

    def _stream_jsonl(self, table: _Table) -> Iterator[TableRecord | Quarantined]:
        assert self.stats.encoding
        matches: dict[tuple[str, ...], HeaderMatch] = {}
        ignored = self.stats.tables[0].ignored
        with self.path.open("r", encoding=self.stats.encoding) as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    self.stats.blank_rows += 1
                    continue
                raw = line.strip()[:500]
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield self._row_problem(
                        table.source,
                        number,
                        f"不是合法的 JSON (invalid JSON): {exc.msg}，第{exc.colno}列",
                        raw,
                    )
                    continue
                if not isinstance(obj, dict):
                    yield self._row_problem(
                        table.source,
                        number,
                        "每行应为一个 JSON 对象 (each line must be a JSON object)",
                        raw,
                    )
                    continue
                keys = tuple(str(k) for k in obj)
                match = matches.get(keys)
                if match is None:
                    match = matches[keys] = match_keys(table.spec, keys)
                    for key in match.ignored:
                        if key not in ignored and len(ignored) < 100:
                            ignored.append(key)
                yield self._build(table, number, list(obj.values()), match)

    def _stream_ccf(self) -> Iterator[TableRecord | Quarantined]:
        assert self.stats.encoding
        for item in iter_ccf_demands(self.path, self.stats.encoding):
            if item is None:
                self.stats.blank_rows += 1
                continue
            yield self._count(item)


def read_table(path: str | Path, kind: str | None = None) -> TableReading:
    """Plan the read of a tabular file; iterate the result to stream its records.

    Args:
        path: a ``.csv``/``.tsv``/``.txt`` (UTF-8 with or without BOM, GBK/GB18030, UTF-16 with
            BOM; comma, tab, semicolon or pipe separated), ``.xlsx``/``.xlsm`` or
            ``.jsonl``/``.ndjson`` file, or the CCF demand corpus.
        kind: ``patent``, ``demand``, ``enterprise`` or ``achievement``; sniffed from the header
            (per sheet in a workbook) when None.

    Returns:
        A :class:`TableReading`.  Bad input never raises: it becomes
        :class:`~ingest.records.Quarantined` entries (see ``docs/formats.md``).

    Raises:
        IngestError: ``kind`` is not one of :data:`KINDS` (a programming error).

    Example:
        >>> reading = read_table("docs/examples/demands.xlsx")
        >>> reading.kind, reading.tables[0].header_row
        ('demand', 2)
    """
    if kind is not None and kind not in SPECS:
        raise IngestError(
            f"未知的表格类型 (unknown table kind) {kind!r}；可选 (available): {', '.join(KINDS)}"
        )
    return TableReading(Path(path), kind)


def iter_records(path: str | Path, kind: str | None = None) -> Iterator[TableRecord | Quarantined]:
    """The records of a tabular file, streamed; what the ingest pipeline calls.

    Every non-blank data row yields exactly one record or one
    :class:`~ingest.records.Quarantined` (with the 1-based data row and the field); file-level
    problems yield one ``Quarantined`` without a row.  See :func:`read_table`.

    Example:
        >>> kinds = {r.kind for r in iter_records("docs/examples/enterprises.csv")}
        >>> kinds
        {'enterprise'}
    """
    yield from read_table(path, kind)
