"""Enterprise technology demands (企业技术需求): demand-list CSV/XLSX and the CCF free-text corpus.

Demand lists (需求库, refreshed every half-year) → one :class:`~ingest.records.DemandRecord`
per row, keyed ``企业|需求名称`` (both through :func:`~ingest.tabular.name_key`), so a
re-ordered or re-issued file gives the same keys and the pipeline can merge a demand that
reappears in a later batch.

The CCF BDCI 2019 corpus has no header: each line is ``'guid' , 'title' , 'content'`` with
single-quoted fields and ``\\n`` escapes.  Its records are keyed by the guid: the corpus names
no enterprise, and 23 titles occur more than once (mostly the same text posted twice).

>>> parse_budget_wan("0.5亿元"), parse_budget_wan("50"), parse_budget_wan("面议")
(5000.0, 50.0, None)
>>> parse_batch("2026年上半年"), parse_batch("2026下")
('2026H1', '2026H2')
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from ingest.ccf_demands import DemandFileError, read_ccf_demands
from ingest.records import DemandRecord, Quarantined
from ingest.tabular import (
    Column,
    Invalid,
    Row,
    TableSpec,
    cell_text,
    clean_long_text,
    clean_text,
    header_token,
    is_placeholder,
    name_key,
    parse_date,
)

__all__ = [
    "DEMAND_SPEC",
    "PERSONAL_FIELDS",
    "budget_unit",
    "parse_budget_wan",
    "parse_batch",
    "demand_key",
    "build_demand",
    "looks_like_ccf",
    "parse_ccf_line",
    "iter_ccf_demands",
]

PERSONAL_FIELDS = frozenset({"contact_phone"})
"""Fields masked in quarantine reports (PIPL)."""

# --------------------------------------------------------------------------- budget

_UNITS = {
    "元": 1e-4,
    "千元": 0.1,
    "万": 1.0,
    "万元": 1.0,
    "十万": 10.0,
    "十万元": 10.0,
    "百万": 100.0,
    "百万元": 100.0,
    "千万": 1000.0,
    "千万元": 1000.0,
    "亿": 1e4,
    "亿元": 1e4,
}
MAX_BUDGET_WAN = 1e7
"""Budgets above 1000亿元 are taken for a unit mistake and rejected."""
_NEGOTIABLE = (
    "面议",
    "议价",
    "待定",
    "协商",
    "商议",
    "面谈",
    "不限",
    "不定",
    "未定",
    "视情况",
    "另议",
)
_QUALIFIERS_RE = re.compile(
    r"人民币|rmb|[¥￥]|大约|约|左右|以上|以下|以内|不超过|不低于|不少于|不高于|最多|至少|最高|最低|预计|[≤≥<>=]"
)
_NUM = r"([0-9]+(?:\.[0-9]+)?)"
_UNIT = r"(元|千元|万元?|十万元?|百万元?|千万元?|亿元?)?"
_BUDGET_RE = re.compile(rf"{_NUM}{_UNIT}(?:[-~～至到]{_NUM}{_UNIT})?")



_OPEN_ENDED = frozenset({"长期", "长期有效", "不限", "无", "无期限", "常年", "持续", "open", "none"})


def parse_deadline(value: object) -> str | None | Invalid:
    """A deadline date; open-ended words (长期, 长期有效, 不限, 常年 …) mean no deadline.

    >>> parse_deadline("长期"), parse_deadline("2026-06-30")
    (None, '2026-06-30')
    """
    text = cell_text(value)
    if text is not None and text.strip().lower() in _OPEN_ENDED:
        return None
    return parse_date(value)

def budget_unit(header: str | None) -> float:
    """The unit (in 万元) a budget header declares: ``预算(元)`` → 0.0001, ``(亿元)`` → 10000.

    Bare numbers in the column are read in this unit; the default is 万元.

    >>> budget_unit("拟投入资金（万元）"), budget_unit("预算（元）"), budget_unit("预算")
    (1.0, 0.0001, 1.0)
    """
    if not header:
        return 1.0
    token = header_token(header)
    for word in ("亿", "千万", "百万", "十万", "万", "千元", "元"):
        if word in token:
            return _UNITS[word]
    return 1.0


def parse_budget_wan(value: object, unit: float = 1.0) -> float | None | Invalid:
    """A budget (拟投入资金) in 万元.

    Units in the text win (``50万元``, ``0.5亿元``, ``300000元``, ``5百万``); a bare number is in
    ``unit`` (from the header, default 万元).  ``面议``/``待定``/``协商`` and blanks → None.
    Qualifiers (``约``, ``以上``, ``不超过``, ``¥``) are dropped; a range ``50-100万元`` keeps its
    upper bound, the most the enterprise said it would put in.  Foreign currencies and
    negative numbers are invalid, and so is anything above :data:`MAX_BUDGET_WAN` (a unit slip).  Rounded to 0.0001 万元 (one yuan).  Idempotent on results.

    >>> parse_budget_wan("约50万元以上"), parse_budget_wan("50-100万"), parse_budget_wan(300000, 1e-4)
    (50.0, 100.0, 30.0)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _checked_amount(float(value) * unit, value)
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    token = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    token = _QUALIFIERS_RE.sub("", token.replace(",", ""))
    m = _BUDGET_RE.fullmatch(token)
    if m is None:
        if not token or any(word in text for word in _NEGOTIABLE):
            return None
        shown = text if len(text) <= 40 else text[:40] + "…"
        return Invalid(
            f"无法识别的预算金额 (unrecognised budget): {shown!r}；请写成如 50万元、0.5亿元 或 面议"
        )
    low, low_unit, high, high_unit = m.groups()
    number = float(high) if high is not None else float(low)
    word = high_unit if high is not None else low_unit
    factor = _UNITS[word] if word else unit
    return _checked_amount(number * factor, text)


def _checked_amount(amount: float, shown: object) -> float | Invalid:
    if not math.isfinite(amount) or amount < 0:
        return Invalid(f"预算金额不合法 (invalid budget): {shown!r}")
    if amount > MAX_BUDGET_WAN:
        return Invalid(f"预算金额过大，请检查单位 (budget over 1000亿元 — wrong unit?): {shown!r}")
    return round(amount, 4) + 0.0  # + 0.0 turns a -0.0 number into 0.0 (its text "-0.0" would be invalid)


# --------------------------------------------------------------------------- batch

_BATCH_H_RE = re.compile(r"([0-9]{4})h([12])")
_BATCH_ZH_RE = re.compile(r"([0-9]{4})(上|下)(?:半年|半年度|半)?")
_BATCH_ZH_LEAD_RE = re.compile(r"(上|下)半年?([0-9]{4})")


def parse_batch(value: object) -> str | None | Invalid:
    """The half-year batch (批次) as ``YYYYH1``/``YYYYH2``.

    Accepts ``2026H1``, ``2026-h1``, ``2026年上半年``, ``2026上``, ``2026年度下半年``,
    ``上半年2026``.  Idempotent on results.

    >>> parse_batch("2026H1"), parse_batch("2026 年 下半年"), parse_batch("2026")  # doctest: +ELLIPSIS
    ('2026H1', '2026H2', Invalid(reason=...))
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    token = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    token = re.sub(r"[-_/.年度第期批次]", "", token)
    if m := _BATCH_H_RE.fullmatch(token):
        return f"{m[1]}H{m[2]}"
    if m := _BATCH_ZH_RE.fullmatch(token):
        return f"{m[1]}H{1 if m[2] == '上' else 2}"
    if m := _BATCH_ZH_LEAD_RE.fullmatch(token):
        return f"{m[2]}H{1 if m[1] == '上' else 2}"
    shown = text if len(text) <= 30 else text[:30] + "…"
    return Invalid(f"无法识别的批次 (unrecognised batch): {shown!r}；请写成 2026H1 或 2026年上半年")


# --------------------------------------------------------------------------- demand lists


def demand_key(enterprise: str | None, title: str) -> str:
    """``企业|需求名称`` through :func:`~ingest.tabular.name_key`; the enterprise part is empty
    when unknown.

    >>> demand_key("哈尔滨某科技有限公司", "高韧性 CBN 单晶")
    '哈尔滨某科技有限公司|高韧性cbn单晶'
    """
    return f"{name_key(enterprise)}|{name_key(title)}"


def build_demand(row: Row) -> DemandRecord:
    """One :class:`DemandRecord` from a demand-list row."""
    title = row.required("title")
    enterprise = row.text("enterprise")
    key = demand_key(enterprise, title)
    row.key = key
    unit = budget_unit(row.match.header_of("budget_wan"))
    return DemandRecord(
        source=row.source,
        source_key=key,
        row=row.number,
        enterprise=enterprise,
        title=title,
        content=row.long_text("content") or "",
        declared_field=row.text("declared_field"),
        demand_type=row.text("demand_type"),
        budget_wan=row.parse("budget_wan", parse_budget_wan, unit),
        contact_name=row.text("contact_name"),
        contact_phone=row.text("contact_phone"),
        deadline=row.parse("deadline", parse_deadline),
        city=row.text("city"),
        batch=row.parse("batch", parse_batch),
    )


DEMAND_SPEC = TableSpec(
    kind="demand",
    label="企业技术需求",
    columns=(
        Column(
            "enterprise",
            "企业名称",
            (
                "企业",
                "需求企业",
                "需求单位",
                "单位名称",
                "公司名称",
                "需求方",
                "提出单位",
                "Enterprise",
                "Company",
            ),
        ),
        Column(
            "title",
            "需求名称",
            (
                "需求标题",
                "需求项目名称",
                "技术需求名称",
                "项目名称",
                "需求",
                "Demand",
                "Demand Title",
            ),
            required=True,
        ),
        Column(
            "content",
            "需求内容",
            (
                "需求描述",
                "需求详情",
                "需求说明",
                "技术需求描述",
                "具体需求",
                "内容",
                "Content",
                "Description",
            ),
        ),
        Column(
            "declared_field",
            "技术领域",
            ("所属领域", "行业领域", "所属行业", "领域", "需求领域", "Field", "Technical Field"),
        ),
        Column("demand_type", "需求类型", ("需求类别", "需求性质", "Demand Type")),
        Column(
            "budget_wan",
            "拟投入资金",
            (
                "预算",
                "投入资金",
                "拟投入金额",
                "预计投入",
                "资金预算",
                "预算金额",
                "拟投入经费",
                "经费预算",
                "Budget",
            ),
        ),
        Column("contact_name", "联系人", ("联系人姓名", "Contact", "Contact Name")),
        Column("contact_phone", "联系电话", ("电话", "手机", "手机号", "联系方式", "Phone", "Tel")),
        Column(
            "deadline", "截止日期", ("截止时间", "有效期", "有效期至", "需求截止日期", "Deadline")
        ),
        Column(
            "city", "所属地市", ("地市", "所在地市", "城市", "所在城市", "地区", "所属地区", "City")
        ),
        Column("batch", "批次", ("需求批次", "发布批次", "征集批次", "Batch")),
    ),
    build=build_demand,
)

# --------------------------------------------------------------------------- CCF corpus
#
# The corpus format belongs to ingest.ccf_demands (read_ccf_demands); this reader wraps it and
# turns its demands into records.  That function is all-or-nothing on a malformed record
# (strict) or skips it silently (strict=False), and reads UTF-8 only, so for such files this
# module falls back to parsing line by line, quarantining the bad lines and loading the rest.

_CCF_START_RE = re.compile(r"\s*'[0-9A-Fa-f-]{8,}'\s*,\s*'")
_CCF_LINE_RE = re.compile(r"\s*'(?P<guid>[^']*)'\s*,\s*'(?P<title>.*?)'\s*,\s*'(?P<content>.*)'\s*")
_CCF_ESCAPE_RE = re.compile(r"\\[ntr\\']")
_CCF_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "", "\\\\": "\\", "\\'": "'"}


def looks_like_ccf(first_line: str) -> bool:
    """Whether a file's first non-blank line is in the CCF ``'guid' , 'title' , …`` format.

    >>> looks_like_ccf("'13a581e1-2d7e-4c8d-b350-e3ab36dbe6a0' , '防爆锂离子电池的研发' , '…'")
    True
    """
    return _CCF_START_RE.match(first_line) is not None


def _unescape(text: str) -> str:
    # The escapes ccf_demands decodes; other backslashes are literal ("RNN\\注意力\\BERT").
    return _CCF_ESCAPE_RE.sub(lambda m: _CCF_ESCAPES[m[0]], text)


def _ccf_record(
    source: str, number: int, guid: str, title: str, content: str, raw: str
) -> DemandRecord | Quarantined:
    guid = guid.strip()
    clean_title = clean_text(title)
    if not guid:
        return Quarantined(
            source=source,
            source_key=f"row:{number}",
            row=number,
            field="guid",
            raw=raw,
            reason="guid 为空 (blank guid)",
        )
    if clean_title is None:
        return Quarantined(
            source=source,
            source_key=guid,
            row=number,
            field="title",
            raw=raw,
            reason="必填项为空 (required value is blank)",
        )
    try:
        return DemandRecord(
            source=source,
            source_key=guid,
            row=number,
            enterprise=None,
            title=clean_title,
            content=clean_long_text(content) or "",
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        return Quarantined(
            source=source,
            source_key=guid,
            row=number,
            raw=raw,
            field=str(err["loc"][0]) if err["loc"] else None,
            reason=f"取值不合法 (invalid value): {err['msg']}",
        )


def parse_ccf_line(line: str, source: str, number: int) -> DemandRecord | Quarantined | None:
    """One corpus line → a demand, a quarantined row, or None for a blank line."""
    if not line.strip():
        return None
    m = _CCF_LINE_RE.fullmatch(line.rstrip("\r\n"))
    raw = line if len(line) <= 500 else line[:500] + "…"
    if m is None:
        return Quarantined(
            source=source,
            source_key=f"row:{number}",
            row=number,
            field=None,
            raw=raw,
            reason="不是 'guid' , 'title' , 'content' 格式的行 (line not in the CCF format)",
        )
    return _ccf_record(
        source, number, m["guid"], _unescape(m["title"]), _unescape(m["content"]), raw
    )


def iter_ccf_demands(path: Path, encoding: str) -> Iterator[DemandRecord | Quarantined | None]:
    """The corpus's demands (or quarantined lines); ``None`` marks each skipped blank line.

    ``row`` is the record's ordinal among the non-blank lines (the line number when the file
    has no blank lines, as in the shared corpus).
    """
    source = str(path)
    demands = None
    if encoding in ("utf-8", "utf-8-sig"):
        try:
            demands = read_ccf_demands(path)
        except DemandFileError:
            demands = None  # a malformed record: fall back to line by line, below
    with path.open("r", encoding=encoding, newline=None) as fh:
        if demands is not None:
            yield from (None for line in fh if not line.strip())
            for number, d in enumerate(demands, 1):
                yield _ccf_record(source, number, d.guid, d.title, d.content, d.guid)
            return
        number = 0
        for line in fh:
            if not line.strip():
                yield None
                continue
            number += 1
            yield parse_ccf_line(line, source, number)
