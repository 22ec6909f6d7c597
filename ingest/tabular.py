"""Reading tables: cell values, header location, rows, statistics and the three file formats.

This module knows nothing about patents or demands.  The readers in :mod:`ingest.readers`
describe their columns with :class:`Column` / :class:`TableSpec` and build records from
:class:`Row` objects; this module finds the header, hands out rows and turns cell problems into
:class:`~ingest.records.Quarantined` entries.

Cell parsers never raise on outside input.  Each returns the parsed value, ``None`` for a blank
(or "no value" placeholder such as ``-`` or ``无``), or an :class:`Invalid` that carries the
user-facing reason; the reader turns an ``Invalid`` into a quarantined row that names the field.

>>> parse_date("2021年3月5日")
'2021-03-05'
>>> parse_date("")
>>> print(parse_date("2021-13-45").reason)
无法识别的日期 (unrecognised date): '2021-13-45'；请写成 YYYY-MM-DD
>>> split_multi("哈尔滨工业大学（威海）；张三, 李四")
['哈尔滨工业大学（威海）', '张三, 李四']
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from graph.errors import IngestError, ValidationFailed

__all__ = [
    "HEADER_SCAN_ROWS",
    "Invalid",
    "cell_text",
    "clean_text",
    "clean_long_text",
    "is_placeholder",
    "split_multi",
    "parse_date",
    "parse_yes_no",
    "name_key",
    "mask_phone",
    "header_token",
    "Column",
    "TableSpec",
    "HeaderMatch",
    "locate_header",
    "match_keys",
    "Row",
    "RowRejected",
    "TableInfo",
    "ReadStats",
    "detect_encoding",
    "iter_csv_rows",
    "open_workbook",
    "iter_sheet_rows",
]

T = TypeVar("T")

HEADER_SCAN_ROWS = 10
"""How many leading rows of a CSV file or sheet are searched for the header row."""

_PLACEHOLDERS = frozenset(
    {"-", "--", "---", "—", "——", "/", "\\", "无", "空", "null", "none", "nan", "n/a", "na", "#n/a"}
)

_LONGEST_PLACEHOLDER = max(map(len, _PLACEHOLDERS))


class Invalid(NamedTuple):
    """A cell value that could not be understood; ``reason`` is shown to the user as is."""

    reason: str


def _shown(text: str, limit: int = 40) -> str:
    """A short quoted rendering of a bad value for messages."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


# --------------------------------------------------------------------------- cell text


def cell_text(value: object) -> str | None:
    """The text of a cell as a file gives it (CSV string, Excel number/date, JSON value).

    Integral floats lose their ``.0`` (Excel stores ``50`` as ``50.0``); dates become ISO text;
    JSON lists are joined with ``；``.  Blank text gives ``None``.

    >>> cell_text(50.0), cell_text(" 哈工大 "), cell_text(""), cell_text(["A", "B"])
    ('50', '哈工大', None, 'A；B')
    """
    if type(value) is str:  # the common case, first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        parts = [t for t in (cell_text(v) for v in value) if t]
        return "；".join(parts) or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value).strip()
    return text or None


def is_placeholder(text: str) -> bool:
    """True for the "no value" marks people type into cells (``-``, ``/``, ``无``, ``N/A`` …).

    >>> is_placeholder("—"), is_placeholder("N/A"), is_placeholder("无人机")
    (True, True, False)
    """
    text = text.strip()
    return len(text) <= _LONGEST_PLACEHOLDER and text.casefold() in _PLACEHOLDERS


def clean_text(value: object) -> str | None:
    """One-line text: whitespace runs (newlines too) collapsed, placeholders → ``None``.

    >>> clean_text("  哈尔滨工业大学\\n 机电学院 ")
    '哈尔滨工业大学 机电学院'
    >>> clean_text("/")
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    return " ".join(text.split())


def clean_long_text(value: object) -> str | None:
    """Multi-line text (abstracts, demand content): line breaks kept, runs of blank lines cut.

    >>> clean_long_text("第一段\\r\\n\\r\\n\\r\\n第二段  ")
    '第一段\\n\\n第二段'
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    joined = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return joined or None


def name_key(text: str | None) -> str:
    """A comparison key for names and titles: NFKC, no whitespace, case-folded.

    Used inside ``source_key`` so that full-width brackets, stray spaces and letter case do not
    make two keys for one thing.

    >>> name_key("哈尔滨XX科技（集团） 有限公司")
    '哈尔滨xx科技(集团)有限公司'
    """
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def mask_phone(text: str) -> str:
    """Mask a phone number for reports (PIPL: quarantine reports travel further than the data).

    >>> mask_phone("13812345678"), mask_phone("0451-86412345"), mask_phone("123")
    ('138****5678', '045****2345', '***')
    """
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return "***"
    return f"{digits[:3]}****{digits[-4:]}"


# --------------------------------------------------------------------------- multi-valued cells

_OPENERS = "([{（【〔《「『〈"
_CLOSERS = ")]}）】〕》」』〉"
_ALWAYS_SPLIT = frozenset(";；﹔、､|｜\n\r")
_SEMICOLONS = frozenset(";；﹔")
_COMMAS = frozenset(",，﹐")
_BRACKET_RE = re.compile(f"[{re.escape(_OPENERS + _CLOSERS)}]")
_SEMICOLON_RE = re.compile("[;；﹔]")
_SPLIT_RE = re.compile("[;；﹔、､|｜\n\r,，﹐]")
_SPLIT_NO_COMMA_RE = re.compile("[;；﹔、､|｜\n\r]")


def _split_once(text: str, *, brackets: bool) -> tuple[list[str], bool]:
    """Split at depth 0; returns the parts and whether the brackets were balanced."""
    depth = 0
    balanced = True
    semicolon_mode = False
    # First pass: is there a top-level semicolon?  Then commas are part of the items
    # ("Smith, John; Doe, Jane").
    for ch in text:
        if brackets and ch in _OPENERS:
            depth += 1
        elif brackets and ch in _CLOSERS:
            if depth == 0:
                balanced = False
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in _SEMICOLONS:
            semicolon_mode = True
    if depth != 0:
        balanced = False
    separators = _ALWAYS_SPLIT if semicolon_mode else _ALWAYS_SPLIT | _COMMAS
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if brackets and ch in _OPENERS:
            depth += 1
        elif brackets and ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()], balanced


def split_multi(value: object) -> list[str]:
    """Split a multi-valued cell (applicants, inventors, IPC codes …) into its items.

    Separators: ``;`` ``；`` ``、`` ``|`` and line breaks always; ``,`` and ``，`` only when the
    cell has no top-level semicolon (so ``"Smith, John; Doe, Jane"`` keeps its two names).
    Never inside brackets: ``哈尔滨工业大学（威海）`` and ``XX（集团，股份）有限公司`` stay whole.
    When the brackets are unbalanced (a typo) they are ignored rather than swallowing the rest of
    the cell.  Spaces never separate (IPC ``G06F 16/35``).  A JSON list is taken item by item,
    without splitting inside items.  Duplicates are kept; :meth:`Row.items` removes them.

    Complexity: O(len(text)).

    >>> split_multi("张三;李四、王五")
    ['张三', '李四', '王五']
    >>> split_multi("G06F 16/35, G06N 3/08")
    ['G06F 16/35', 'G06N 3/08']
    >>> split_multi(["A, B", " C "])
    ['A, B', 'C']
    """
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items = (cell_text(v) for v in value)
        return [" ".join(t.split()) for t in items if t]
    text = cell_text(value)
    if text is None:
        return []
    if _BRACKET_RE.search(text) is None:  # fast path, same result as _split_once
        splitter = _SPLIT_NO_COMMA_RE if _SEMICOLON_RE.search(text) else _SPLIT_RE
        parts = [p.strip() for p in splitter.split(text) if p.strip()]
    else:
        parts, balanced = _split_once(text, brackets=True)
        if not balanced:
            parts, _ = _split_once(text, brackets=False)
    return [" ".join(p.split()) for p in parts if not is_placeholder(p)]


# --------------------------------------------------------------------------- dates

_YMD_RE = re.compile(
    r"([0-9]{4})\s*[-./年]\s*([0-9]{1,2})\s*[-./月]\s*([0-9]{1,2})\s*[日号]?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_YM_RE = re.compile(r"([0-9]{4})\s*[-./年]\s*([0-9]{1,2})\s*月?")
_Y_RE = re.compile(r"([0-9]{4})\s*年?")
_COMPACT_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_ISO_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(value: object) -> str | None | Invalid:
    """An ISO date (``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when only that much is given).

    Accepts ``2021-03-05``, ``2021.03.05``, ``2021/3/5``, ``2021年3月5日``, ``20210305``,
    a trailing time (``2021-03-05 00:00:00``), Excel date cells, and Excel serial numbers when a
    date cell arrives as a plain number (``44260`` → ``2021-03-05``).  Years outside 1900–2100
    and impossible days are rejected; day-first/month-first forms like ``3/5/2021`` are
    rejected because they are ambiguous.

    >>> parse_date("2021/3/5"), parse_date(20210305), parse_date(44260), parse_date("2021年3月")
    ('2021-03-05', '2021-03-05', '2021-03-05', '2021-03')
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _iso(value.year, value.month, value.day) or Invalid(
            f"日期超出范围 (date out of range): {value.date().isoformat()}"
        )
    if isinstance(value, dt.date):
        return _iso(value.year, value.month, value.day) or Invalid(
            f"日期超出范围 (date out of range): {value.isoformat()}"
        )
    if isinstance(value, int | float):
        if not math.isfinite(value) or not float(value).is_integer():
            return Invalid(f"无法识别的日期 (unrecognised date): {value!r}")
        number = int(value)
        if 10_000_000 <= number <= 99_999_999:
            return parse_date(str(number))
        if 1 <= number < 80_000:  # an Excel serial day number
            day = _EXCEL_EPOCH + dt.timedelta(days=number)
            return _iso(day.year, day.month, day.day) or Invalid(
                f"日期超出范围 (date out of range): {value!r}"
            )
        return Invalid(f"无法识别的日期 (unrecognised date): {value!r}")
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    if _ISO_RE.fullmatch(text):  # fast path for what most exports write
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if _MIN_YEAR <= day.year <= _MAX_YEAR:
                return text
    norm = unicodedata.normalize("NFKC", text).strip()
    result: str | None = None
    if (m := _YMD_RE.fullmatch(norm)) or (m := _COMPACT_RE.fullmatch(norm)):
        result = _iso(int(m[1]), int(m[2]), int(m[3]))
    elif m := _YM_RE.fullmatch(norm):
        result = _iso(int(m[1]), int(m[2]))
    elif m := _Y_RE.fullmatch(norm):
        result = _iso(int(m[1]))
    if result is None:
        return Invalid(f"无法识别的日期 (unrecognised date): {_shown(text)}；请写成 YYYY-MM-DD")
    return result


# --------------------------------------------------------------------------- yes / no

_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对", "已认定", "已开放"})
_NO = frozenset(
    {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "无", "不是", "非", "未认定", "未开放"}
)


def parse_yes_no(value: object) -> bool | None | Invalid:
    """是/否 columns: ``是 Y yes true 1 √ 有`` → True, ``否 N no false 0 × 无`` → False.

    >>> parse_yes_no("是"), parse_yes_no("N"), parse_yes_no(""), parse_yes_no("也许")
    (True, False, None, Invalid(reason="无法识别的是/否取值 (expected 是/否): '也许'"))
    """
    text = cell_text(value)
    if text is None:
        return None
    token = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    if token in _YES:
        return True
    if token in _NO:
        return False
    if is_placeholder(token):
        return None
    return Invalid(f"无法识别的是/否取值 (expected 是/否): {_shown(text)}")


# --------------------------------------------------------------------------- headers

_HEADER_STRIP_RE = re.compile(r"[\s*_\-.:/\\、#※]+")
_TRAILING_PAREN_RE = re.compile(r"\([^()]*\)$")


def header_token(text: str) -> str:
    """The comparison form of a header: NFKC (full-width brackets → ASCII), case-folded, with
    spaces and punctuation such as ``* _ - . : / 、`` removed.

    >>> header_token("公开（公告）号"), header_token(" Application No. "), header_token("*企业名称")
    ('公开(公告)号', 'applicationno', '企业名称')
    """
    norm = unicodedata.normalize("NFKC", text).casefold()
    return _HEADER_STRIP_RE.sub("", norm)


@dataclass(frozen=True)
class Column:
    """One logical column of a table kind.

    ``field`` names the value for the builder (usually the record field); ``label`` is the
    Chinese name used in messages and docs; ``aliases`` are the header spellings accepted.  The
    label and the field name are accepted too (so JSON Lines may use ``application_number``).
    """

    field: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @cached_property
    def tokens(self) -> frozenset[str]:
        return frozenset(header_token(a) for a in (self.label, self.field, *self.aliases))


@dataclass(frozen=True)
class TableSpec:
    """A table kind: its columns and the function that builds one record from a row.

    ``build`` raises :class:`RowRejected` (via the :class:`Row` helpers) or pydantic's
    ``ValidationError`` for a bad row; the reader turns either into a quarantined row.
    """

    kind: str
    label: str
    columns: tuple[Column, ...]
    build: Callable[[Row], BaseModel]

    @cached_property
    def by_token(self) -> dict[str, Column]:
        index: dict[str, Column] = {}
        for col in self.columns:
            for token in col.tokens:
                if index.setdefault(token, col) is not col:
                    raise ValueError(f"{self.kind}: header alias {token!r} used by two columns")
        return index

    @cached_property
    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns}

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column_for(self, header: str) -> Column | None:
        """The column a header names, or None.  A trailing unit such as ``(万元)`` is ignored
        when the full header is not an alias itself.

        >>> from ingest.readers.demands import DEMAND_SPEC
        >>> DEMAND_SPEC.column_for("拟投入资金（万元）").field
        'budget_wan'
        """
        found = self.resolve(header)
        return found[1] if found else None

    def resolve(self, header: str) -> tuple[str, Column] | None:
        """The alias token a header matched, and its column."""
        token = header_token(header)
        col = self.by_token.get(token)
        if col is None and token.endswith(")"):
            token = _TRAILING_PAREN_RE.sub("", token)
            col = self.by_token.get(token)
        return (token, col) if col else None


@dataclass(frozen=True)
class HeaderMatch:
    """How one header row maps onto a :class:`TableSpec`."""

    spec: TableSpec
    index: int  # 0-based position of the header among the rows read (CSV record / sheet row)
    headers: tuple[str, ...]  # header texts as found ('' where a header cell is empty)
    columns: Mapping[str, int]  # field → 0-based column position
    ignored: tuple[str, ...]  # non-empty headers that name no column (or repeat one)
    score: float

    @property
    def missing(self) -> tuple[Column, ...]:
        return tuple(c for c in self.spec.required if c.field not in self.columns)

    def header_of(self, field_name: str) -> str | None:
        pos = self.columns.get(field_name)
        return None if pos is None else self.headers[pos]


def _match(
    spec: TableSpec, cells: Sequence[object], index: int, weights: Mapping[str, float]
) -> HeaderMatch:
    headers = tuple(cell_text(c) or "" for c in cells)
    columns: dict[str, int] = {}
    ignored: list[str] = []
    score = 0.0
    for pos, header in enumerate(headers):
        if not header:
            continue
        found = spec.resolve(header)
        if found is None or found[1].field in columns:
            ignored.append(header)
            continue
        token, col = found
        columns[col.field] = pos
        score += weights.get(token, 1.0)
    return HeaderMatch(spec, index, headers, columns, tuple(ignored), score)


def _weights(specs: Sequence[TableSpec]) -> dict[str, float]:
    """Each header token counts 1/k towards a kind, k = how many kinds accept it.

    ``需求名称`` is decisive for demands; ``企业名称`` (demands and the enterprise directory)
    counts half for each.
    """
    counts: dict[str, int] = {}
    for spec in specs:
        for token in spec.by_token:
            counts[token] = counts.get(token, 0) + 1
    weights: dict[str, float] = {}
    for spec in specs:
        for token in spec.by_token:
            weights[token] = 1.0 / counts[token]
    return weights


def locate_header(
    rows: Sequence[Sequence[object]], specs: Sequence[TableSpec], *, all_specs: Sequence[TableSpec]
) -> HeaderMatch | None:
    """The header row among the first :data:`HEADER_SCAN_ROWS` rows, and its table kind.

    With one spec (the caller named the kind) a row is a header when it names two of the
    kind's columns, or all its required ones.  With several specs (sniffing) a row must name two
    columns of one kind and score at least 1, where a header shared by k kinds scores 1/k —
    so ``企业名称`` + ``技术领域`` alone is too ambiguous to decide.  The best score wins; ties
    go to the earlier row.  Complexity: O(rows × cells × kinds).

    Returns ``None`` when no row qualifies.
    """
    weights = _weights(all_specs)
    best: HeaderMatch | None = None
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        for spec in specs:
            m = _match(spec, cells, index, weights)
            named = len(m.columns)
            if len(specs) == 1:
                ok = named >= 2 or (named >= 1 and not m.missing)
            else:
                ok = named >= 2 and m.score >= 1.0
            if ok and (best is None or (m.score, named) > (best.score, len(best.columns))):
                best = m
    return best


def match_keys(spec: TableSpec, keys: Sequence[str]) -> HeaderMatch:
    """Map the keys of one JSON object onto a spec (no score threshold)."""
    return _match(spec, keys, 0, {})


# --------------------------------------------------------------------------- rows


class RowRejected(ValidationFailed):
    """A data row cannot become a record; ``field`` is the header as written in the file."""

    def __init__(self, field_name: str | None, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(reason, where=field_name)


class Row:
    """One data row, with helpers that parse a field or reject the row naming the field.

    ``number`` is the 1-based data row (the header excluded), as in
    :class:`~ingest.records.Located`.  A builder may set ``key`` as soon as it knows the
    record's key, so a later rejection is reported under that key.
    """

    __slots__ = ("source", "number", "cells", "match", "key")

    def __init__(
        self, source: str, number: int, cells: Sequence[object], match: HeaderMatch
    ) -> None:
        self.source = source
        self.number = number
        self.cells = cells
        self.match = match
        self.key: str | None = None

    def has(self, field_name: str) -> bool:
        """Whether the file has this column at all."""
        return field_name in self.match.columns

    def get(self, field_name: str) -> object:
        """The raw cell value (None when the column is absent or the row is short)."""
        pos = self.match.columns.get(field_name)
        if pos is None or pos >= len(self.cells):
            return None
        return self.cells[pos]

    def label(self, field_name: str) -> str:
        """The column's header as written in the file, else its canonical Chinese label."""
        header = self.match.header_of(field_name)
        if header:
            return header
        col = self.match.spec.by_field.get(field_name)
        return col.label if col else field_name

    def reject(self, field_name: str | None, reason: str) -> RowRejected:
        return RowRejected(self.label(field_name) if field_name else None, reason)

    def text(self, field_name: str) -> str | None:
        return clean_text(self.get(field_name))

    def long_text(self, field_name: str) -> str | None:
        return clean_long_text(self.get(field_name))

    def items(self, field_name: str) -> list[str]:
        """The cell's items (see :func:`split_multi`), duplicates removed, order kept."""
        return list(dict.fromkeys(split_multi(self.get(field_name))))

    def required(self, field_name: str) -> str:
        """The cell's text; rejects the row when blank or when the key is missing (JSON)."""
        text = self.text(field_name)
        if text is None:
            raise self.reject(field_name, self._blank_reason(field_name))
        return text

    def parse(
        self, field_name: str, parser: Callable[..., T | None | Invalid], *args: Any
    ) -> T | None:
        """Parse the cell; ``None`` when blank; rejects the row naming the field when invalid."""
        result = parser(self.get(field_name), *args)
        if isinstance(result, Invalid):
            raise self.reject(field_name, result.reason)
        return result

    def parse_required(
        self, field_name: str, parser: Callable[..., T | None | Invalid], *args: Any
    ) -> T:
        result = self.parse(field_name, parser, *args)
        if result is None:
            raise self.reject(field_name, self._blank_reason(field_name))
        return result

    def _blank_reason(self, field_name: str) -> str:
        if not self.has(field_name):
            return "缺少必填字段 (required field missing)"
        return "必填项为空 (required value is blank)"

    def raw(self, personal: frozenset[str] = frozenset()) -> dict[str, str]:
        """Header → cell text for the quarantine report; fields in ``personal`` are masked."""
        masked = {self.match.columns[f] for f in personal if f in self.match.columns}
        out: dict[str, str] = {}
        headers = self.match.headers
        for pos, value in enumerate(self.cells):
            text = cell_text(value)
            if text is None:
                continue
            name = headers[pos] if pos < len(headers) and headers[pos] else f"第{pos + 1}列"
            while name in out:
                name += "'"
            out[name] = mask_phone(text) if pos in masked else text
        return out


# --------------------------------------------------------------------------- statistics


@dataclass
class TableInfo:
    """One table read: a CSV/JSON Lines file or one worksheet."""

    source: str
    kind: str
    header_row: int | None  # 1-based physical row of the header; None without a header row
    columns: dict[str, str] = field(default_factory=dict)  # field → header as written
    ignored: list[str] = field(default_factory=list)  # headers that name no field


@dataclass
class ReadStats:
    """What a read did.  After a complete read: ``rows == records + quarantined_rows``.

    ``blank_rows`` are skipped and counted, never quarantined.  ``file_problems`` counts the
    file- or sheet-level :class:`~ingest.records.Quarantined` entries (unreadable file, missing
    column …).  ``duplicate_keys`` counts records whose ``source_key`` already occurred in this
    file (both are yielded; the pipeline merges them).  ``unnamed_cells`` counts non-empty XLSX
    cells under no header (ignored; the same in a CSV quarantines the row).
    """

    source: str
    format: str | None = None  # csv / xlsx / jsonl / ccf
    encoding: str | None = None
    delimiter: str | None = None
    tables: list[TableInfo] = field(default_factory=list)
    skipped_sheets: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    blank_rows: int = 0
    records: int = 0
    quarantined_rows: int = 0
    file_problems: int = 0
    duplicate_keys: int = 0
    duplicate_examples: list[str] = field(default_factory=list)
    unnamed_cells: int = 0

    def summary(self) -> str:
        """One line for logs and the CLI."""
        kinds = ",".join(sorted({t.kind for t in self.tables})) or "?"
        return (
            f"{self.source} [{self.format or '?'}"
            f"{'/' + self.encoding if self.encoding else ''}; {kinds}]: "
            f"{self.records} 条记录 records, {self.quarantined_rows} 行隔离 quarantined rows, "
            f"{self.blank_rows} 空行 blank, {self.file_problems} 文件级问题 file problems, "
            f"{self.duplicate_keys} 重复键 duplicate keys"
        )


# --------------------------------------------------------------------------- file formats

_CHUNK = 1 << 20


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """The text encoding of a CSV/JSON Lines file, with no extra dependency.

    A BOM decides (``utf-8-sig``, ``utf-16``); otherwise the whole file must decode as UTF-8
    (``utf-8``), else as GB18030 (``gb18030``, a superset of GBK/GB2312 — what Excel writes on a
    Chinese Windows).  The check streams the file in 1 MiB chunks, so memory stays flat.

    Raises:
        IngestError: neither encoding decodes the file.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    raise IngestError(
        f"无法识别文件编码 (cannot decode; tried {', '.join(candidates)}): {path}；"
        "请在 Excel 中另存为“CSV UTF-8”"
    )


def iter_csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[str] | Invalid]:
    """The file's CSV records, streamed; a malformed record comes as an :class:`Invalid`.

    The parser is strict, so an unbalanced quote is reported instead of silently gluing the
    following lines into one cell (Python's lenient mode reads ``1,"x⏎2,y⏎3,z`` as one record
    to the end of the file).  Parsing resumes on the next line, so later records still load.
    """
    csv.field_size_limit(1 << 24)  # long abstracts; LongText limits the length later
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        while True:
            first_line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                lines = (
                    f"第{first_line}行"
                    if reader.line_num <= first_line
                    else f"第{first_line}–{reader.line_num}行"
                )
                yield Invalid(
                    f"CSV 格式错误，{lines}无法解析 (malformed CSV at line {first_line}: {exc})；请检查引号是否成对"
                )
                if reader.line_num < first_line:  # nothing consumed: stop rather than loop
                    return
                continue
            yield record


@contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    """An openpyxl workbook in read-only mode (rows streamed from the zip), closed afterwards.

    Raises:
        IngestError: the file is not a readable .xlsx/.xlsm workbook.
    """
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML, key and value errors alike
        raise IngestError(
            f"无法打开 Excel 文件 (cannot open workbook: {type(exc).__name__}: {exc})；"
            "请确认是 .xlsx 格式且未加密"
        ) from exc
    try:
        yield wb
    finally:
        wb.close()


def iter_sheet_rows(ws: Any) -> Iterator[tuple[object, ...]]:
    """A worksheet's rows in order, blank rows included (as empty tuples).

    The stored sheet dimension is ignored: some exporters write a wrong one, which either cuts
    rows short or pads a million empty rows.
    """
    ws.reset_dimensions()
    for row in ws.iter_rows(values_only=True):
        yield tuple(row)
