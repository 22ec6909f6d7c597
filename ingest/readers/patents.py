"""Patent exports (专利): CNIPA search results and commercial databases, CSV/XLSX/JSON Lines.

One row → one :class:`~ingest.records.PatentRecord`, keyed by the canonical application number.

Application numbers (申请号) are brought to one form, ``CN`` + digits + ``.`` + check digit:

* spaces, ``CN``/``ZL`` prefixes (``ZL`` marks a granted patent number, same digits) and the
  dot are optional on input: ``CN202110123456.7``, ``202110123456.7``, ``CN 2021101234567``
  and ``ZL202110123456.7`` all give ``CN202110123456.7``;
* 12 digits (since Oct 2003: year, type, serial) or 8 digits (before: 2-digit year, type,
  serial), then the check digit.  The check digit is the weighted digit sum mod 11 with weights
  2,3,4,5,6,7,8,9,2,3,4,5 (``X`` for 10).  When the check digit is missing it is computed;
  when it is present and wrong the row is quarantined (a typo would create a phantom patent);
* the type digit (5th of 12, 3rd of 8) must be 1/8 (invention), 2/9 (utility model) or
  3 (design);
* other offices' numbers (``US17123456``, ``EP21123456.7``) are kept upper-cased without spaces.

>>> normalise_application_number("CN 2021101234567")
'CN202110123456.7'
>>> normalise_application_number("202110123456")
'CN202110123456.7'
>>> print(normalise_application_number("CN202110123456.3").reason)
申请号校验位不符 (check digit mismatch): 'CN202110123456.3' 的校验位应为 7
"""

from __future__ import annotations

import re
import unicodedata

from ingest.records import PatentRecord
from ingest.tabular import Column, Invalid, Row, TableSpec, cell_text, is_placeholder, parse_date

__all__ = [
    "PATENT_SPEC",
    "application_number_check_digit",
    "normalise_application_number",
    "normalise_ipc",
    "normalise_patent_type",
    "patent_type_from_number",
    "build_patent",
]

_WEIGHTS_NEW = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_WEIGHTS_OLD = (2, 3, 4, 5, 6, 7, 8, 9)
_CN_RE = re.compile(r"(?:CN|ZL|CNZL)?([0-9]{12}|[0-9]{8})\.?([0-9X])?")
_CANONICAL_RE = re.compile(r"CN([0-9]{12}|[0-9]{8})\.([0-9X])")
_FOREIGN_RE = re.compile(r"(?!CN|ZL)[A-Z]{2}[0-9][0-9A-Z./\-]{2,30}")
_TYPE_DIGITS = "12389"


def application_number_check_digit(digits: str) -> str:
    """The check digit of a 12-digit (2003+) or 8-digit (older) CN application number.

    >>> application_number_check_digit("201710601862")
    '3'

    Raises:
        ValueError: ``digits`` is not 8 or 12 ASCII digits.
    """
    if not re.fullmatch(r"[0-9]{12}|[0-9]{8}", digits):
        raise ValueError(f"expected 8 or 12 digits, got {digits!r}")
    weights = _WEIGHTS_NEW if len(digits) == 12 else _WEIGHTS_OLD
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_application_number(value: object) -> str | None | Invalid:
    """The canonical application number (see the module docstring for the rule).

    Returns None for a blank cell and :class:`~ingest.tabular.Invalid` for text that is not an
    application number or has a wrong check digit.  Idempotent on its results.
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    m = _CANONICAL_RE.fullmatch(text)  # already canonical: the common case in CNIPA exports
    if m is None:
        token = re.sub(r"[\s,，_]", "", unicodedata.normalize("NFKC", text).upper())
        m = _CN_RE.fullmatch(token)
        if m is None:
            if _FOREIGN_RE.fullmatch(token):
                return token
            shown = text if len(text) <= 40 else text[:40] + "…"
            return Invalid(f"无法识别的申请号 (unrecognised application number): {shown!r}")
    digits, given = m[1], m[2]
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    year_ok = len(digits) == 8 or 1985 <= int(digits[:4]) <= 2100
    if type_digit not in _TYPE_DIGITS or not year_ok:
        return Invalid(f"不是中国专利申请号 (not a CN application number): {text!r}")
    expected = application_number_check_digit(digits)
    if given is not None and given != expected:
        return Invalid(f"申请号校验位不符 (check digit mismatch): {text!r} 的校验位应为 {expected}")
    return f"CN{digits}.{expected}"


def patent_type_from_number(number: str) -> str | None:
    """The patent type a CN application number encodes, or None.

    >>> patent_type_from_number("CN202120123456.1"), patent_type_from_number("US17123456")
    ('实用新型', None)
    """
    m = re.fullmatch(r"CN([0-9]{12}|[0-9]{8})\.[0-9X]", number)
    if not m:
        return None
    digit = m[1][4] if len(m[1]) == 12 else m[1][2]
    return {"1": "发明", "8": "发明", "2": "实用新型", "9": "实用新型", "3": "外观设计"}.get(digit)


_IPC_RE = re.compile(r"([A-HY])\s*([0-9]{2})\s*([A-Z])(?:\s*([0-9]{1,4})\s*/\s*([0-9]{1,6}))?")


def normalise_ipc(value: object) -> list[str]:
    """IPC codes in one cell, in the project's printed form ``G06F 16/35``.

    Version suffixes (``(2006.01)``) and spacing variants are dropped; leading zeros of the
    main group too (``G06F 016/35``).  A cell with several codes and no separator
    (``G06F16/35 G06N3/08``) gives each.  Text that holds no IPC code is kept as written
    (upper-cased), not dropped — the field mapping simply will not recognise it.

    >>> normalise_ipc("g06f16/35(2019.01)"), normalise_ipc("G06F 16/35 G06N 3/08")
    (['G06F 16/35'], ['G06F 16/35', 'G06N 3/08'])
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return []
    upper = unicodedata.normalize("NFKC", text).upper()
    codes = []
    for m in _IPC_RE.finditer(upper):
        sub = f"{m[1]}{m[2]}{m[3]}"
        codes.append(f"{sub} {int(m[4])}/{m[5]}" if m[4] else sub)
    return codes or [" ".join(upper.split())]


_TYPE_WORDS = {
    "外观设计": ("外观", "design", "s"),
    "实用新型": ("实用", "utility", "u", "y"),
    "发明": ("发明", "invention", "a", "b", "c"),
}


def normalise_patent_type(value: object) -> str | None | Invalid:
    """发明 / 实用新型 / 外观设计 from the many ways exports write it.

    ``发明专利``, ``发明授权``, ``发明申请``, ``invention`` and kind codes ``A``/``B`` → 发明;
    ``实用新型专利``, ``utility model``, ``U``/``Y`` → 实用新型; ``外观``, ``design``, ``S`` →
    外观设计.

    >>> normalise_patent_type("发明授权"), normalise_patent_type("Utility Model")
    ('发明', '实用新型')
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    token = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    for canonical, words in _TYPE_WORDS.items():
        for word in words:
            if (len(word) == 1 and token == word) or (len(word) > 1 and word in token):
                return canonical
    return Invalid(
        f"无法识别的专利类型 (unknown patent type): {text!r}；应为 发明/实用新型/外观设计"
    )


def _clean_publication_number(value: object) -> str | None:
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    return "".join(unicodedata.normalize("NFKC", text).upper().split())


def build_patent(row: Row) -> PatentRecord:
    """One :class:`PatentRecord` from a row; rejects the row naming the bad field.

    ``main_ipc`` defaults to the first IPC code (CNIPA lists the main class first) and is put
    first in ``ipc_codes`` when missing there; a blank 专利类型 is read off the application
    number.
    """
    number = row.parse_required("application_number", normalise_application_number)
    row.key = number
    title = row.required("title")
    ipc_codes = list(
        dict.fromkeys(c for item in row.items("ipc_codes") for c in normalise_ipc(item))
    )
    main_list = normalise_ipc(row.get("main_ipc"))
    main_ipc = main_list[0] if main_list else (ipc_codes[0] if ipc_codes else None)
    if main_ipc and main_ipc not in ipc_codes:
        ipc_codes.insert(0, main_ipc)
    patent_type = row.parse("patent_type", normalise_patent_type) or patent_type_from_number(number)
    return PatentRecord(
        source=row.source,
        source_key=number,
        row=row.number,
        application_number=number,
        title=title,
        publication_number=_clean_publication_number(row.get("publication_number")),
        abstract=row.long_text("abstract"),
        applicants=row.items("applicants"),
        inventors=row.items("inventors"),
        ipc_codes=ipc_codes,
        main_ipc=main_ipc,
        application_date=row.parse("application_date", parse_date),
        publication_date=row.parse("publication_date", parse_date),
        legal_status=row.text("legal_status"),
        patent_type=patent_type,
        address=row.text("address"),
    )


PATENT_SPEC = TableSpec(
    kind="patent",
    label="专利",
    columns=(
        Column(
            "application_number",
            "申请号",
            (
                "专利申请号",
                "申请号码",
                "申请(专利)号",
                "申请号/专利号",
                "专利号",
                "Application Number",
                "Application No",
                "Appl No",
                "App No",
                "AN",
            ),
            required=True,
        ),
        Column(
            "title",
            "发明名称",
            (
                "名称",
                "专利名称",
                "标题",
                "发明创造名称",
                "实用新型名称",
                "外观设计名称",
                "题名",
                "Title",
                "Patent Title",
                "Invention Title",
            ),
            required=True,
        ),
        Column(
            "publication_number",
            "公开(公告)号",
            (
                "公开号",
                "公告号",
                "公开公告号",
                "授权公告号",
                "公开号码",
                "Publication Number",
                "Publication No",
                "Pub No",
                "PN",
            ),
        ),
        Column("abstract", "摘要", ("摘要文本", "文摘", "Abstract")),
        Column(
            "applicants",
            "申请人",
            (
                "专利权人",
                "申请(专利权)人",
                "申请人/专利权人",
                "申请人(专利权人)",
                "申请人名称",
                "当前申请(专利权)人",
                "当前权利人",
                "权利人",
                "原始申请(专利权)人",
                "Applicant",
                "Applicants",
                "Assignee",
                "Assignees",
                "Patentee",
            ),
        ),
        Column(
            "inventors",
            "发明人",
            ("发明(设计)人", "设计人", "发明人/设计人", "Inventor", "Inventors"),
        ),
        Column(
            "ipc_codes",
            "IPC分类号",
            (
                "IPC",
                "分类号",
                "IPC分类",
                "IPC Codes",
                "IPC Classification",
                "International Classification",
            ),
        ),
        Column(
            "main_ipc",
            "主分类号",
            ("IPC主分类号", "主分类", "主IPC", "Main IPC", "Main Classification", "Primary IPC"),
        ),
        Column("application_date", "申请日", ("申请日期", "Application Date", "Filing Date")),
        Column(
            "publication_date",
            "公开(公告)日",
            (
                "公开日",
                "公告日",
                "公开日期",
                "授权公告日",
                "公开公告日",
                "Publication Date",
                "Pub Date",
            ),
        ),
        Column(
            "legal_status",
            "法律状态",
            ("当前法律状态", "法律状态/事件", "专利状态", "Legal Status", "Status"),
        ),
        Column("patent_type", "专利类型", ("类型", "专利类别", "申请类型", "Patent Type", "Type")),
        Column("address", "地址", ("申请人地址", "专利权人地址", "通讯地址", "Address")),
    ),
    build=build_patent,
)
