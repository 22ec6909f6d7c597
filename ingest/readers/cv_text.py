"""Turn the text of one CV (简历) into a :class:`~ingest.records.CVRecord`.

The parser is rule-based and deterministic.  It first cuts the text into headed sections
(``姓名：`` / ``教育经历`` / ``Research Interests`` …, with the usual variants of real CVs:
``姓 名``, ``学习经历``, ``E-mail``, markdown ``##``, ``【获奖情况】``, tables flattened to
``label：value``), then reads each section with its own rules.  Whatever the sections leave
open is looked for in the prose (the text before the first heading and 个人简介-like
sections): ``张伟，男，1978年生，教授，博士生导师，现任哈尔滨工业大学…``.  Only when the rules
find no name or no employer does the résumé NER model (:mod:`nlp.ner`) get asked, if it is
installed.

Normalisations applied to every CV (documented in ``docs/formats.md``):

* full-width digits and Latin letters → ASCII; ``：，；（）`` are kept as written;
* titles to a canonical Chinese form (博士生导师 → 博导, Associate Professor → 副教授);
* patent application numbers to ``CN`` + 12 digits + ``.`` + check digit
  (pre-2004 numbers keep their 8 digits: ``CN98123456.9``); a wrong check digit drops it;
* an organisation written together with its college / lab is split
  (哈尔滨工业大学计算机科学与技术学院 → 哈尔滨工业大学 + 计算机科学与技术学院);
* year ranges ``2005.09-2010.07``, ``2005年—至今``, ``2015-今``, ``2010 - present``; an open
  end is ``end=None``.

Bad input never raises: it comes back as :class:`~ingest.records.Quarantined`.
Cost: linear in the text for the rules (a few milliseconds for a page); the NER fallback
adds a model pass over at most 3,000 characters.
"""

from __future__ import annotations

import csv
import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from ingest.readers.patents import normalise_application_number
from ingest.records import CVRecord, EducationIn, EmploymentIn, ProjectIn, Quarantined
from ingest.tabular import mask_phone

__all__ = [
    "MAX_TEXT_CHARS",
    "YearRange",
    "cells_to_lines",
    "find_patent_numbers",
    "mask_personal_data",
    "ner_available",
    "normalize_degree",
    "normalize_gender",
    "normalize_patent_number",
    "normalize_phone",
    "normalize_text",
    "normalize_titles",
    "parse_cv_text",
    "parse_year_range",
    "reconcile_employment",
    "split_organization",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_NLP_DATA = Path(__file__).resolve().parents[2] / "nlp" / "data"

#: Longest text kept on a record (``CVRecord.text`` allows 50,000 characters).
MAX_TEXT_CHARS = 50_000
_MAX_FIELD = 500  # ``Text`` fields of the records

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEP = "，,、；;／/|｜"

# ---------------------------------------------------------------------------------------------
# Character-level normalisation
# ---------------------------------------------------------------------------------------------

# Full-width ASCII → ASCII, except the Chinese punctuation people expect to see in values.
_KEEP_FULLWIDTH = set("（）：，；！？")
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_WIDTH_TABLE.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_WIDTH_TABLE.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0xFEFF, 0x00AD)})
_WIDTH_TABLE.update({ord("\t"): 0x20, ord("\r"): None})


def normalize_text(text: str) -> str:
    """Width-normalise ``text`` and tidy its whitespace, keeping line structure.

    >>> normalize_text("电话：１３８ ０４５１\\u3000E-mail")
    '电话：138 0451 E-mail'
    """
    text = unicodedata.normalize("NFC", text).translate(_WIDTH_TABLE)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x0c", "\n")
    lines = [re.sub(r" {2,}", "  ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


# ---------------------------------------------------------------------------------------------
# Years and dates
# ---------------------------------------------------------------------------------------------

_MONTH_EN = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s*"


def _year_month(tag: str) -> str:
    return (
        rf"(?:{_MONTH_EN})?(?P<{tag}y>(?:19|20)\d{{2}})(?!\d)"
        rf"(?:\s*(?:年|[./\-])\s*(?P<{tag}m>\d{{1,2}})(?!\d)(?:\s*月)?)?\s*年?"
    )


_DASH = r"(?:-|–|—|―|－|~|～|至|到|\bto\b|\buntil\b|\btill\b)"
_OPEN_END = r"(?:至今|迄今|今|现在|目前|在职|\bpresent\b|\bnow\b|\bcurrent\b|\btoday\b|\bdate\b)"
_RANGE = re.compile(
    rf"{_year_month('s')}\s*(?:(?P<dash>{_DASH}(?:\s*{_DASH})*)\s*"
    rf"(?:{_year_month('e')}|(?P<open>{_OPEN_END}))?|(?P<since>起|以来|开始))?",
    re.IGNORECASE,
)
_SINCE_EN = re.compile(r"\bsince\s+((?:19|20)\d{2})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class YearRange:
    """A year or a span of years found in a line.

    ``single`` is true for a lone year (``2005 毕业``); ``open_end`` for ``至今`` / ``-今`` /
    ``present`` / a trailing dash.  ``span`` is the matched character range.
    """

    start: int
    end: int | None
    single: bool
    open_end: bool
    span: tuple[int, int]


def parse_year_range(text: str, *, anchored: bool = False) -> YearRange | None:
    """Find the first year range in ``text`` (or only at its start when ``anchored``).

    >>> parse_year_range("2005.09-2010.07 东北林业大学")
    YearRange(start=2005, end=2010, single=False, open_end=False, span=(0, 15))
    >>> r = parse_year_range("2005年—至今"); (r.start, r.end, r.open_end)
    (2005, None, True)
    """
    m = _RANGE.match(text) if anchored else _RANGE.search(text)
    if m is None:
        since = _SINCE_EN.match(text) if anchored else _SINCE_EN.search(text)
        if since is None:
            return None
        return YearRange(int(since.group(1)), None, False, True, since.span())
    start = int(m.group("sy"))
    end_text = m.group("ey")
    if re.search(r"\bsince\s*$", text[: m.start()], re.IGNORECASE) and not m.group("dash"):
        return YearRange(start, None, False, True, _trim_span(text, m.span()))
    if end_text is not None:
        end = int(end_text)
        if end < start:  # "2010-2005" is a typo, not a span: keep the start only
            end = None
        return YearRange(start, end, False, False, _trim_span(text, m.span()))
    if m.group("open") or m.group("since") or m.group("dash"):
        return YearRange(start, None, False, True, _trim_span(text, m.span()))
    return YearRange(start, None, True, False, _trim_span(text, m.span()))


def _trim_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_DATE = re.compile(
    r"((?:19|20)\d{2})(?!\d)\s*(?:年|[./\-])?\s*(?:(\d{1,2})(?!\d)\s*(?:月|[./\-])?\s*"
    r"(?:(\d{1,2})(?!\d)\s*日?)?)?"
)


def _parse_date(text: str) -> tuple[int | None, str | None]:
    """``1978年5月`` → (1978, "1978-05"); ``1978-05-12`` → (1978, "1978-05-12")."""
    m = _DATE.search(text)
    if m is None:
        return None, None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is None or not 1 <= month <= 12:
        return year, None
    if day is None or not 1 <= day <= 31:
        return year, f"{year:04d}-{month:02d}"
    return year, f"{year:04d}-{month:02d}-{day:02d}"


# ---------------------------------------------------------------------------------------------
# Titles, roles, degrees, gender
# ---------------------------------------------------------------------------------------------

# (written form, canonical form).  Canonical titles are Chinese so that the graph has one
# vocabulary whatever the language of the CV.
# fmt: off
_TITLE_FORMS_ZH: tuple[tuple[str, str], ...] = (
    ("中国科学院院士", "院士"), ("中国工程院院士", "院士"), ("院士", "院士"), ("博士研究生导师", "博导"),
    ("博士生导师", "博导"), ("博士导师", "博导"), ("博导", "博导"), ("硕士研究生导师", "硕导"),
    ("硕士生导师", "硕导"), ("硕士导师", "硕导"), ("硕导", "硕导"), ("教授级高级工程师", "正高级工程师"),
    ("研究员级高级工程师", "正高级工程师"), ("教授级高工", "正高级工程师"), ("正高级工程师", "正高级工程师"),
    ("正高工", "正高级工程师"), ("高级工程师", "高级工程师"), ("高工", "高级工程师"), ("助理工程师", "助理工程师"),
    ("工程师", "工程师"), ("正高级实验师", "正高级实验师"), ("高级实验师", "高级实验师"), ("实验师", "实验师"),
    ("副研究员", "副研究员"), ("助理研究员", "助理研究员"), ("研究员", "研究员"), ("副教授", "副教授"),
    ("助理教授", "助理教授"), ("教授", "教授"), ("讲师", "讲师"), ("助教", "助教"),
    ("副主任医师", "副主任医师"), ("主任医师", "主任医师"), ("高级农艺师", "高级农艺师"), ("农艺师", "农艺师"),
    ("高级经济师", "高级经济师"), ("高级会计师", "高级会计师"), ("技术员", "技术员"),
)
_TITLE_FORMS_EN: tuple[tuple[str, str], ...] = (
    ("Academician", "院士"), ("Doctoral Supervisor", "博导"),
    ("PhD Supervisor", "博导"), ("Ph.D. Supervisor", "博导"),
    ("Doctoral Advisor", "博导"), ("Master's Supervisor", "硕导"),
    ("Master Supervisor", "硕导"), ("Professor-level Senior Engineer", "正高级工程师"),
    ("Senior Engineer", "高级工程师"), ("Associate Research Professor", "副研究员"),
    ("Associate Research Fellow", "副研究员"),
    ("Assistant Research Fellow", "助理研究员"), ("Research Professor", "研究员"),
    ("Research Fellow", "研究员"), ("Associate Professor", "副教授"),
    ("Assistant Professor", "助理教授"), ("Full Professor", "教授"),
    ("Chair Professor", "教授"), ("Professor", "教授"), ("Senior Lecturer", "讲师"),
    ("Lecturer", "讲师"), ("Engineer", "工程师"),
)
# fmt: on
#: Position-only titles: a stage of a career, not a title of the person today.
# fmt: off
_POSITION_FORMS_ZH: tuple[tuple[str, str], ...] = (
    ("博士后研究员", "博士后"), ("博士后", "博士后"), ("访问学者", "访问学者"),
)
_POSITION_FORMS_EN: tuple[tuple[str, str], ...] = (
    ("Postdoctoral Fellow", "博士后"), ("Postdoctoral Researcher", "博士后"),
    ("Postdoc", "博士后"), ("Visiting Scholar", "访问学者"),
)
# fmt: on
# Administrative roles (EmploymentIn.role), kept as written.
# Unit names that contain a title word: matched so that the title inside is not taken.
_UNITS_WITH_TITLE_WORDS = ("博士后科研流动站", "博士后流动站", "博士后科研工作站", "博士后工作站")
# fmt: off
_ROLES_ZH = (
    "常务副院长", "执行院长", "副院长", "院长", "副校长", "校长", "党委书记", "副书记", "书记", "副系主任",
    "系主任", "室主任", "中心主任", "副主任", "主任", "副所长", "所长", "副总工程师", "总工程师", "副总经理",
    "总经理", "董事长", "技术总监", "研发总监", "首席科学家", "首席专家", "首席技术官", "首席执行官", "技术负责人",
    "研发经理", "技术经理", "项目经理", "部门经理", "副部长", "部长", "副处长", "处长", "科长",
)
_ROLES_EN = (
    "Vice Dean", "Associate Dean", "Dean", "Vice President", "President",
    "Deputy Director", "Director", "Head", "Chair", "Chief Engineer",
    "Chief Scientist", "CTO", "General Manager",
)
_RANK_TITLES = frozenset({
    "院士", "教授", "副教授", "助理教授", "研究员", "副研究员", "助理研究员", "讲师", "助教", "正高级工程师",
    "高级工程师", "工程师", "助理工程师", "正高级实验师", "高级实验师", "实验师", "主任医师", "副主任医师", "高级农艺师",
    "农艺师", "高级经济师", "高级会计师", "技术员",
})
# fmt: on


def _alternation(forms: Iterable[str], *, english: bool) -> str:
    parts = []
    for form in sorted(set(forms), key=len, reverse=True):
        pattern = re.escape(form)
        if english:
            pattern = pattern.replace(r"\ ", r"[\s\-]+")
            pattern = rf"(?<![A-Za-z]){pattern}(?![A-Za-z])"
        parts.append(pattern)
    return "|".join(parts)


_TITLE_LOOKUP: dict[str, tuple[str, str]] = {}
for _form, _canon in _TITLE_FORMS_ZH:
    _TITLE_LOOKUP[_form] = ("title", _canon)
for _form, _canon in _POSITION_FORMS_ZH:
    _TITLE_LOOKUP[_form] = ("position", _canon)
for _form in _ROLES_ZH:
    _TITLE_LOOKUP[_form] = ("role", _form)
for _form in _UNITS_WITH_TITLE_WORDS:
    _TITLE_LOOKUP[_form] = ("unit", _form)
for _form, _canon in _TITLE_FORMS_EN:
    _TITLE_LOOKUP[_form.lower()] = ("title", _canon)
for _form, _canon in _POSITION_FORMS_EN:
    _TITLE_LOOKUP[_form.lower()] = ("position", _canon)
for _form in _ROLES_EN:
    _TITLE_LOOKUP[_form.lower()] = ("role", _form)

# One alternation for titles and roles together, longest first, so that 总工程师 is a role
# and not 工程师, and 主任医师 a title and not 主任.
_TITLE_RE = re.compile(
    _alternation(
        [f for f, _ in _TITLE_FORMS_ZH]
        + [f for f, _ in _POSITION_FORMS_ZH]
        + list(_ROLES_ZH)
        + list(_UNITS_WITH_TITLE_WORDS),
        english=False,
    )
    + "|"
    + _alternation(
        [f for f, _ in _TITLE_FORMS_EN] + [f for f, _ in _POSITION_FORMS_EN] + list(_ROLES_EN),
        english=True,
    ),
    re.IGNORECASE,
)


@dataclass(slots=True)
class _TitleHit:
    kind: str  # "title" | "position" | "role" | "unit" (a unit name holding a title word)
    value: str
    span: tuple[int, int]


def _title_hits(text: str) -> list[_TitleHit]:
    hits = []
    for m in _TITLE_RE.finditer(text):
        key = re.sub(r"[\s\-]+", " ", m.group(0))
        kind_value = _TITLE_LOOKUP.get(key) or _TITLE_LOOKUP.get(key.lower())
        if kind_value is None:  # an English form written with a hyphen or odd spacing
            kind_value = _TITLE_LOOKUP.get(m.group(0).lower().replace("-", " "), ("title", key))
        hits.append(_TitleHit(kind_value[0], kind_value[1], m.span()))
    return hits


def normalize_titles(text: str) -> list[str]:
    """Canonical titles named in ``text``, in order, without repeats.

    >>> normalize_titles("教授，博士生导师")
    ['教授', '博导']
    >>> normalize_titles("Associate Professor, Master's Supervisor")
    ['副教授', '硕导']
    """
    out: list[str] = []
    for hit in _title_hits(text):
        if hit.kind == "title" and hit.value not in out:
            out.append(hit.value)
    return out


def _rank_title(titles: Iterable[str]) -> str | None:
    titles = list(titles)
    for title in titles:
        if title in _RANK_TITLES:
            return title
    return titles[0] if titles else None


_DEGREE_ZH = re.compile(
    r"(?:工学|理学|农学|医学|管理学|经济学|法学|文学|教育学|哲学|历史学|艺术学|军事学)?"
    r"(博士后|博士研究生|硕士研究生|博士|硕士|学士|本科|大专|专科|研究生)"
    r"(?:学位|毕业|研究生)?"
)
_DEGREE_EN = re.compile(
    r"(?<![A-Za-z])(Ph\.?\s?D\.?|D\.?\s?Eng\.?|Doctor(?:ate)?(?: of [A-Z][a-z]+)?|Postdoc(?:toral)?"
    r"|Master(?:'s)?(?: of [A-Z][a-z]+)?|M\.\s?(?:S|Sc|Eng|E|A|Phil)\.?|MSc|MEng|MBA|M\.?S\.?"
    r"|Bachelor(?:'s)?(?: of [A-Z][a-z]+)?|B\.\s?(?:S|Sc|Eng|E|A)\.?|BSc|BEng|B\.?S\.?|B\.?A\.?)"
    r"(?![A-Za-z])"
)


def normalize_degree(text: str) -> str | None:
    """``工学博士`` → 博士, ``本科`` → 学士, ``Ph.D.`` → 博士, ``M.Sc.`` → 硕士.

    >>> normalize_degree("工学博士学位"), normalize_degree("B.Eng.")
    ('博士', '学士')
    """
    m = _DEGREE_ZH.search(text)
    if m:
        word = m.group(1)
        return {
            "博士研究生": "博士",
            "硕士研究生": "硕士",
            "本科": "学士",
            "大专": "专科",
            "研究生": "硕士",
        }.get(word, word)
    m = _DEGREE_EN.search(text)
    if m:
        word = m.group(1).lower().replace(" ", "")
        if word.startswith(("ph", "d.", "de", "doc")):
            return "博士"
        if word.startswith("post"):
            return "博士后"
        if word.startswith("m"):
            return "硕士"
        return "学士"
    return None


def normalize_gender(text: str) -> str | None:
    """``男`` / ``男性`` / ``Male`` / ``M`` → 男; the female forms → 女; anything else → None."""
    value = text.strip().strip("。.").lower()
    if value in {"男", "男性", "male", "m", "man"}:
        return "男"
    if value in {"女", "女性", "female", "f", "woman"}:
        return "女"
    return None


# ---------------------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------------------

_COMPANY_SUFFIX = r"(?:集团)?(?:股份有限公司|有限责任公司|有限公司|公司)"
_ORG_SUFFIX = r"(?:大学|学院|科学院|研究院|医院|集团|学校|分校)"
_UNIT_SUFFIX = re.compile(
    r"(?:学院|学部|系|实验室|研究所|研究院|研究中心|工程中心|中心|团队|课题组|部|处|室|所|分院|"
    r"平台|基地|站)$"
)
_CAMPUS = re.compile(r"^[（(][^）)]{1,8}[）)]")


@lru_cache(maxsize=1)
def _short_aliases() -> frozenset[str]:
    """Two-character aliases (东林, 黑大): organisations only when a unit follows them."""
    path = _NLP_DATA / "org_aliases.csv"
    if not path.is_file():
        return frozenset()
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(
            alias
            for row in csv.DictReader(handle)
            if len(alias := (row.get("alias") or "").strip()) == 2 and re.match(f"[{_CJK}]", alias)
        )


# Departments of a firm, for a firm written without its legal form (博实电子生产技术部).
_FIRM_DEPARTMENT = re.compile(
    r"^(.{2,}?)((?:生产技术|工程技术|技术|研发|质量|质检|设计|工艺|产品|生产)(?:部|中心|处))$"
)


@lru_cache(maxsize=1)
def _known_org_index() -> dict[str, list[str]]:
    """Known institution names and Chinese aliases, keyed by their first two characters."""
    names: set[str] = set()
    for file, column in (
        ("institutions.csv", "name"),
        ("org_extra.csv", "name"),
        ("org_aliases.csv", "alias"),
    ):
        path = _NLP_DATA / file
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                name = (row.get(column) or "").strip()
                if len(name) >= 3 and re.match(rf"[{_CJK}]", name):
                    names.add(normalize_text(name))
    index: dict[str, list[str]] = {}
    for name in names:
        index.setdefault(name[:2], []).append(name)
    for bucket in index.values():
        bucket.sort(key=len, reverse=True)
    return index


def _known_org_at(text: str, pos: int) -> str | None:
    for name in _known_org_index().get(text[pos : pos + 2], ()):
        if text.startswith(name, pos):
            return name
    return None


def _find_known_org(text: str) -> tuple[int, str] | None:
    """The first known institution named in ``text``, as (position, name)."""
    index = _known_org_index()
    for pos in range(len(text) - 2):
        if text[pos : pos + 2] in index:
            name = _known_org_at(text, pos)
            if name:
                return pos, name
    return None


_ORG_IN_TEXT = re.compile(
    rf"[{_CJK}（）()]{{2,30}}?(?:{_COMPANY_SUFFIX}|大学|科学院|研究院|研究所)"
)


_ORG_LEAD_IN = re.compile(
    r"^.*?(?:毕业于|就读于|任职于|就职于|工作于|供职于|任教于|\d+年|\d+月|于|在|赴|到|任|为|是)"
)


def _find_org(text: str) -> tuple[int, str] | None:
    """The first organisation named in ``text``: a known institution, else a suffix match."""
    known = _find_known_org(text)
    suffixed = _ORG_IN_TEXT.search(text)
    if known and (suffixed is None or known[0] < suffixed.end()):
        return known
    if suffixed:
        start, name = suffixed.start(), suffixed.group(0)
        lead = _ORG_LEAD_IN.match(name)
        if lead and len(name) - lead.end() >= 4:
            start, name = start + lead.end(), name[lead.end() :]
        return start, name
    return known


_EN_ORG = re.compile(
    r"University|Academy|Institute of Technology|Polytechnic|Company|Co\.|Corporation|Corp\.|"
    r"Ltd|Limited|Inc\.|Group|Hospital|Chinese Academy",
    re.IGNORECASE,
)
_EN_UNIT = re.compile(
    r"School|College|Department|Dept\.?|Faculty|Laborator|\bLab\b|Cent(?:er|re)|Institute|"
    r"Division|Team|Group",
    re.IGNORECASE,
)
_EN_PLACE = re.compile(
    r"^(?:(?:P\.?\s?R\.?\s?)?China|Harbin|Heilongjiang(?: Province)?|Beijing|Shanghai|Shenzhen|"
    r"Daqing|Qiqihar|Jiamusi|Mudanjiang|[A-Z][a-z]+ Province|\d{6})(?:\s+\d{6})?$",
    re.IGNORECASE,
)


def split_organization(text: str) -> tuple[str | None, str | None]:
    """Split ``organisation + unit`` written together into the two parts.

    Known institutions (``nlp/data``) are matched first, then organisation suffixes
    (大学 / 学院 / 科学院 / 研究院 / 公司 …); a campus in brackets stays with the
    organisation.  English affiliations are split at commas.

    Returns:
        ``(organization, unit)``; either may be None.

    >>> split_organization("哈尔滨工业大学计算机科学与技术学院")
    ('哈尔滨工业大学', '计算机科学与技术学院')
    >>> split_organization("School of Computer Science, Harbin Institute of Technology")
    ('Harbin Institute of Technology', 'School of Computer Science')
    """
    text = re.sub(r"\s+", " ", text).strip(f" {_SEP}：:。.")
    if not text:
        return None, None
    if not re.search(f"[{_CJK}]", text):
        return _split_organization_en(text)
    known = _known_org_at(text, 0)
    if known:
        org, rest = known, text[len(known) :]
    elif " " in text:
        first, rest = text.split(" ", 1)
        org_m = re.match(rf"(.+?(?:{_COMPANY_SUFFIX}|{_ORG_SUFFIX}))(.*)$", first)
        org = first
        if org_m and org_m.group(2) and _UNIT_SUFFIX.search(org_m.group(2)):
            org, rest = org_m.group(1), org_m.group(2) + " " + rest
    elif text[:2] in _short_aliases() and len(text) > 4 and _UNIT_SUFFIX.search(text[2:]):
        org, rest = text[:2], text[2:]  # 东林化工与化学学院
    else:
        org_m = (
            re.match(rf"(.+?{_COMPANY_SUFFIX})(.*)$", text)
            or re.match(rf"(.+?{_ORG_SUFFIX})(.*)$", text)
            or _FIRM_DEPARTMENT.match(text)
        )
        if org_m is None:
            return text, None
        org, rest = org_m.group(1), org_m.group(2)
    campus = _CAMPUS.match(rest.strip())
    if campus:
        org += campus.group(0)
        rest = rest.strip()[campus.end() :]
    unit = re.sub(r"\s+", " ", rest).strip(f" {_SEP}：:")
    return org, (unit or None)


def _split_organization_en(text: str) -> tuple[str | None, str | None]:
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    parts = [p for p in parts if not _EN_PLACE.search(p)] or parts
    org_index = next((i for i, p in enumerate(parts) if _EN_ORG.search(p)), None)
    if org_index is None:
        org_index = len(parts) - 1
    units = [p for i, p in enumerate(parts) if i < org_index]
    return parts[org_index], (", ".join(units) or None)


# ---------------------------------------------------------------------------------------------
# Patents, phones, e-mails, ID numbers
# ---------------------------------------------------------------------------------------------

_PATENT_NEW = re.compile(
    r"(?<![\dA-Za-z])(?P<prefix>(?:CN|ZL)\s*)?((?:19|20)\d{2})\s*([12389])\s*(\d{7})"
    r"(?:\s*[.．·]\s*(?P<check>[\dXx])(?![\d])|(?P<xcheck>[Xx])(?![A-Za-z])|(?P<dcheck>\d)(?!\d))?"
    r"(?![\d])"
)
_PATENT_OLD = re.compile(
    r"(?<![\dA-Za-z])(?P<prefix>(?:CN|ZL)\s*)?(\d{2})\s*([1-3])\s*(\d{5})\s*[.．]\s*([\dXx])(?![\d])"
)


def find_patent_numbers(text: str, *, bare_old: bool = False) -> list[str]:
    """Patent application numbers in ``text``, normalised, in order, without repeats.

    A 12-digit number is taken when it has a ``CN``/``ZL`` prefix or a check digit
    (``.7``, or an ``X`` written straight after); one with a prefix but no check digit gets
    its check digit computed, and one whose check digit is wrong is dropped (the rule of
    :func:`ingest.readers.patents.normalise_application_number`).  Pre-2004 numbers (8 digits + check) and 13 digits written
    without the dot need the prefix unless ``bare_old`` (used inside a 专利 section).

    >>> find_patent_numbers("ZL 2017 1 0601862.3；CN201710601862；CN201710601862.9")
    ['CN201710601862.3']
    """
    found: list[tuple[int, str]] = []
    for m in _PATENT_NEW.finditer(text):
        digits = m.group(2) + m.group(3) + m.group(4)
        check = m.group("check") or m.group("xcheck")
        if m.group("dcheck") is not None:  # 13 digits in a row: the last may be the check digit
            if not (m.group("prefix") or bare_old):
                continue
            check = m.group("dcheck")
        if check is None and not m.group("prefix"):
            continue
        found.append((m.start(), f"CN{digits}" + (f".{check}" if check else "")))
    for m in _PATENT_OLD.finditer(text):
        if not (m.group("prefix") or bare_old):
            continue
        found.append((m.start(), f"CN{m.group(2)}{m.group(3)}{m.group(4)}.{m.group(5)}"))
    out: list[str] = []
    for _, candidate in sorted(found):
        # The patent reader's rule, so that a CV and a patent export name the same patent
        # the same way; a wrong check digit is a typo and would make a phantom patent.
        number = normalise_application_number(candidate)
        if isinstance(number, str) and number not in out:
            out.append(number)
        elif not isinstance(number, str):
            log.debug(
                "简历中的专利号无效，已忽略 (invalid patent number in CV, skipped): %s", number
            )
    return out


def normalize_patent_number(text: str) -> str | None:
    """A value known to be one application number, in normal form; None if it is not one.

    >>> normalize_patent_number("ZL201710601862.3"), normalize_patent_number("201710601862")
    ('CN201710601862.3', 'CN201710601862.3')
    """
    compact = re.sub(r"\s+", "", text)
    if re.fullmatch(r"\d{12}", compact):
        compact = "CN" + compact
    numbers = find_patent_numbers(compact, bare_old=True)
    return numbers[0] if numbers else None


_MOBILE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
_LANDLINE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?[(（]?(0\d{2,3})[)）]?[\s-]?(\d{7,8})(?![\d])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_EMAIL_AT = re.compile(r"\s*(?:\[at\]|\(at\)|（at）|\{at\}|＠|\sat\s|#)\s*", re.IGNORECASE)
_ID_NUMBER = re.compile(
    r"(?<![\dA-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])"
    r"(?![\dA-Za-z])"
)


def normalize_phone(text: str) -> str | None:
    """A mobile number as 11 digits, else a landline as ``0451-86412345``; None if neither.

    >>> normalize_phone("+86 138-0451-2345"), normalize_phone("(0451) 86412345")
    ('13804512345', '0451-86412345')
    """
    text = _ID_NUMBER.sub(" ", text)
    m = _MOBILE.search(text)
    if m:
        return "".join(m.groups())
    m = _LANDLINE.search(text)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    return None


def _find_email(text: str, *, obfuscated: bool) -> str | None:
    m = _EMAIL.search(text)
    if m is None and obfuscated:
        m = _EMAIL.search(_EMAIL_AT.sub("@", text))
    return m.group(0).lower().rstrip(".") if m else None


def mask_personal_data(text: str) -> str:
    """Mask phone numbers (``138****5678``, as the table readers do), e-mails and ID numbers
    (``***``) in text bound for a quarantine report (PIPL: reports travel further than data).

    >>> mask_personal_data("电话 13812345678，邮箱 zw@hit.edu.cn")
    '电话 138****5678，邮箱 ***'
    """
    text = _ID_NUMBER.sub("***", text)
    text = _EMAIL.sub("***", text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0)), text)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

# fmt: off
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "呼延", "万俟",
)
# fmt: on
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀"
    "郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴"
    "丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
    "尧闭由"
)
_NAME_ZH = re.compile(rf"[{_CJK}]{{2,4}}|[{_CJK}]{{1,8}}[·•・][{_CJK}]{{1,12}}")
_NAME_EN = re.compile(r"[A-Z][A-Za-z'’\-]+(?:[ .]+[A-Z][A-Za-z'’\-]*\.?){1,3}")
# fmt: off
_NOT_NAMES = frozenset({
    "个人简历", "个人简介", "简历", "简介", "基本信息", "个人信息", "姓名", "教授", "博士", "硕士", "先生",
    "女士", "老师", "同志", "我们", "本人", "研究方向", "工作单位", "教育经历", "工作经历", "联系方式", "中国",
    "学院", "大学",
})
# fmt: on
_NOT_NAMES_EN = frozenset(
    {
        "curriculum vitae",
        "resume",
        "résumé",
        "cv",
        "biography",
        "profile",
        "personal information",
        "personal profile",
        "about me",
        "contact information",
    }
)
_NAME_NOISE = re.compile(r"[（(][^）)]*[）)]|\s+(?=[" + _CJK + r"])|(?<=[" + _CJK + r"])\s+")


def _has_surname(name: str) -> bool:
    return name[:1] in _SURNAMES or name[:2] in _COMPOUND_SURNAMES


def _clean_name(value: str, *, need_surname: bool) -> tuple[str | None, str | None]:
    """A person's name from a field value: (name, English name)."""
    value = value.strip(f" {_SEP}：:。.")
    english = None
    bracket = re.search(r"[（(]\s*([A-Za-z][A-Za-z .'’\-]{1,60}?)\s*[)）]", value)
    if bracket and re.search(f"[{_CJK}]", value):
        english = bracket.group(1).strip()
    zh_in_bracket = re.search(rf"[（(]\s*([{_CJK}]{{2,4}})\s*[)）]", value)
    if zh_in_bracket and not re.search(f"[{_CJK}]", value[: zh_in_bracket.start()]):
        # "Wei Zhang (张伟)": the Chinese name is the name, the rest its English form
        english = value[: zh_in_bracket.start()].strip() or None
        value = zh_in_bracket.group(1)
    value = _NAME_NOISE.sub("", value)
    for hit in reversed(_title_hits(value)):  # "张伟教授" → 张伟
        if hit.span[0] >= 2:
            value = value[: hit.span[0]]
    value = re.sub(r"(?:个人简历|个人简介|的简历|简历|简介|先生|女士|老师)$", "", value).strip()
    if _NAME_ZH.fullmatch(value) and value not in _NOT_NAMES:
        if need_surname and not _has_surname(value):
            return None, None
        return value, english
    if not re.search(f"[{_CJK}]", value):
        value = re.sub(r"\s+", " ", value).strip()
        value = re.sub(r",?\s*(?:Ph\.?\s?D\.?|Dr\.?|Prof\.?)$", "", value).strip()
        value = re.sub(r"^(?:Dr\.?|Prof\.?)\s+", "", value)
        not_a_name = value.lower() in _NOT_NAMES_EN or bool(_match_heading(value))
        if (
            _NAME_EN.fullmatch(value)
            and len(value) <= 60
            and not _title_hits(value)
            and not not_a_name
        ):
            return value, value
    return None, None


# ---------------------------------------------------------------------------------------------
# Headings and sections
# ---------------------------------------------------------------------------------------------

# key → labels.  Single-value keys hold one value; the others open a section that runs to
# the next heading.
# fmt: off
_SINGLE_KEYS = frozenset({
    "name", "name_en", "gender", "birth", "titles", "employer", "team", "phone",
    "email", "id_number", "school", "degree", "major", "misc",
})
_HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "中文姓名", "中文名", "Name", "Full Name"),
    "name_en": ("英文名", "英文姓名", "外文名", "English Name"),
    "gender": ("性别", "Gender", "Sex"),
    "birth": ("出生年月", "出生年月日", "出生日期", "出生年份", "出生时间", "生日", "出生",
              "Date of Birth", "Birth Date", "Birthday", "Born"),
    "titles": ("职称", "职务", "职称职务", "职称/职务", "职务/职称", "职称及职务", "专业技术职务",
               "专业技术职称", "技术职称", "导师类别", "导师资格", "Title", "Titles",
               "Academic Title", "Position", "Rank"),
    "employer": ("工作单位", "所在单位", "现工作单位", "现任职单位", "任职单位", "单位", "单位名称", "所在院系",
                 "所在学院", "院系", "工作部门", "Affiliation", "Current Affiliation",
                 "Organization", "Organisation", "Employer", "Institution"),
    "team": ("所在团队", "科研团队", "研究团队", "团队", "Team", "Research Group"),
    "education": ("教育经历", "教育背景", "学习经历", "学习简历", "学历教育", "教育情况", "教育",
                  "学习及工作经历", "Education", "Education Background",
                  "Educational Background"),
    "work": ("工作经历", "工作履历", "工作简历", "任职经历", "职业经历", "工作经验", "履历", "主要经历",
             "Experience", "Work Experience", "Employment",
             "Employment History", "Professional Experience", "Career",
             "Positions", "Appointments"),
    "directions": ("研究方向", "主要研究方向", "研究领域", "研究兴趣", "科研方向", "研究专长", "学术方向",
                   "专业方向", "Research Interests", "Research Interest",
                   "Research Areas", "Research Directions", "Research Fields",
                   "Interests"),
    "keywords": ("关键词", "关键字", "Keywords", "Key Words"),
    "projects": ("主持项目", "科研项目", "承担项目", "主要项目", "代表性项目", "在研项目", "主持及参与项目",
                 "主持/参与项目", "主要科研项目", "科研课题", "项目", "Projects",
                 "Research Projects", "Grants", "Funding"),
    "patents": ("授权专利", "代表性专利", "发明专利", "主要专利", "专利成果", "知识产权", "申请专利", "专利",
                "Patents"),
    "awards": ("获奖情况", "获奖与荣誉", "获奖及荣誉", "奖励与荣誉", "荣誉奖励", "科研奖励", "荣誉称号", "获奖",
               "奖励", "荣誉", "Awards", "Honors", "Honours", "Awards and Honors",
               "Awards and Honours"),
    "contact": ("联系方式", "通讯方式", "通信方式", "Contact", "Contact Information"),
    "phone": ("联系电话", "办公电话", "移动电话", "手机号码", "手机号", "手机", "电话", "Tel", "Phone",
              "Mobile", "Telephone", "Cell"),
    "email": ("电子邮箱", "电子邮件", "邮箱", "邮件", "E-mail", "Mail"),
    "id_number": ("公民身份号码", "身份证号码", "身份证号", "身份证", "证件号码", "ID Number",
                  "ID No"),
    "intro": ("个人简介", "简介", "基本信息", "个人信息", "个人概况", "基本情况", "个人简历", "简历",
              "Profile", "Biography", "Bio", "About", "About Me", "Summary",
              "Personal Information"),
    "school": ("毕业院校", "毕业学校", "Graduated From"),
    "degree": ("最高学位", "最高学历", "学历学位", "学位", "学历", "Degree"),
    "major": ("所学专业", "专业", "Major"),
    "misc": ("民族", "籍贯", "政治面貌", "国籍", "出生地", "通讯地址", "地址", "邮编", "个人主页", "主页",
             "学科", "Nationality", "Address", "Homepage", "Website"),
    "other": ("代表性论文", "代表论文", "发表论文", "学术论文", "论文", "代表性成果", "主要论著", "著作",
              "教材", "学术兼职", "社会兼职", "学术任职", "兼职", "教学工作", "讲授课程", "主讲课程",
              "招生信息", "招生方向", "人才培养", "指导学生", "其他", "备注", "科研成果",
              "Publications", "Selected Publications", "Teaching", "Service",
              "Professional Service", "Students", "Others"),
}
# fmt: on
# Labels that may be followed by a space instead of a colon ("姓名 张伟").
# fmt: off
_LOOSE_LABELS = frozenset({
    "姓名", "性别", "职称", "职务", "出生年月", "出生日期", "工作单位", "所在单位", "所在团队", "研究方向",
    "研究领域", "研究兴趣", "教育经历", "工作经历", "学习经历", "教育背景", "邮箱", "电子邮箱", "电话", "手机",
    "联系电话", "联系方式", "授权专利", "主持项目", "获奖情况", "个人简介", "身份证号",
})
# fmt: on

_LABEL_KEY: dict[str, str] = {}
_LABEL_IS_ENGLISH: dict[str, bool] = {}
for _key, _labels in _HEADINGS.items():
    for _label in _labels:
        _norm = re.sub(r"[\s\-_]", "", _label).lower()
        _LABEL_KEY[_norm] = _key
        _LABEL_IS_ENGLISH[_norm] = not re.search(f"[{_CJK}]", _label)


def _label_pattern(label: str) -> str:
    if re.search(f"[{_CJK}]", label):
        return r"[ \t]*".join(re.escape(ch) for ch in label)
    words = re.split(r"[\s\-_]+", label)
    return r"[\s\-_]*".join(re.escape(w) for w in words) + r"(?![A-Za-z])"


_ALL_LABELS = sorted(
    {lab for labels in _HEADINGS.values() for lab in labels}, key=len, reverse=True
)
_LABEL_ALT = "|".join(_label_pattern(lab) for lab in _ALL_LABELS)
_HEADING_RE = re.compile(
    rf"^[【\[〖]?\s*(?P<label>{_LABEL_ALT})\s*[】\]〗]?(?P<gap>\s*)"
    r"(?P<colon>\.?\s*[:：])?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_INLINE_RE = re.compile(
    rf"(?:(?<=\s)|(?<=[，,;；|｜]))(?P<label>{_LABEL_ALT})\s*[:：]", re.IGNORECASE
)
_GENERIC_HEADING = re.compile(
    r"^(?:[【\[〖](?P<a>[^】\]〗\d]{2,12})[】\]〗]|(?P<b>[^\d:：]{2,12})[:：])$"
)

_LIST_BLOCKS = frozenset({"education", "work", "directions", "projects", "patents", "awards"})
_SUBHEADING = re.compile(
    r"项目|课题|基金|专利|发明|实用新型|软件著作权|奖|荣誉|国家|省|部级|纵向|横向|经历|学历|方向|领域|"
    r"Patent|Project|Grant|Award|Honou?r",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"^(?:[#>]+\s*|[-*+•·●○■□◆◇▪▫►▶✓√]\s+|[•●○■□◆◇▪▫►▶✓√]"
    r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[、．)）]\s*"
    r"|\d{1,2}\.(?!\d)\s*"
    r"|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]\s*|[①-⑳]\s*|\[\d{1,3}\]\s*)+"
)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _clean_line(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    line = line.replace("**", "").replace("__", "").replace("`", "")
    line = _BULLET.sub("", line.strip())
    return line.strip()


def cells_to_lines(cells: Iterable[str]) -> list[str]:
    """Flatten one table row into text lines, pairing label cells with their values.

    ``["姓名", "张伟", "性别", "男"]`` → ``["姓名：张伟", "性别：男"]``; a row without labels
    (an education table row) becomes one line with the cells separated by spaces.  Repeated
    cells (merged cells repeat in python-docx) are dropped.
    """
    values: list[str] = []
    for cell in cells:
        cell = re.sub(r"\s*\n\s*", " ", cell or "").strip()
        if cell and (not values or values[-1] != cell):
            values.append(cell)
    lines: list[str] = []
    loose: list[str] = []
    i = 0
    while i < len(values):
        label = values[i].rstrip(":：").strip()
        key = _LABEL_KEY.get(re.sub(r"[\s\-_]", "", label).lower())
        if key is not None and len(label) <= 20:
            if loose:
                lines.append(" ".join(loose))
                loose = []
            nxt = values[i + 1] if i + 1 < len(values) else ""
            nxt_is_label = re.sub(r"[\s\-_:：]", "", nxt).lower() in _LABEL_KEY
            if nxt and not nxt_is_label:
                lines.append(f"{label}：{nxt}")
                i += 2
                continue
            lines.append(f"{label}：")
        else:
            loose.append(values[i])
        i += 1
    if loose:
        lines.append(" ".join(loose))
    return lines


@dataclass(slots=True)
class _Sections:
    single: dict[str, list[str]] = field(default_factory=dict)
    blocks: dict[str, list[str]] = field(default_factory=dict)
    english_labels: int = 0
    chinese_labels: int = 0

    def add_single(self, key: str, value: str) -> None:
        value = value.strip()
        if value:
            self.single.setdefault(key, []).append(value)

    def add_line(self, key: str, line: str) -> None:
        if line.strip():
            self.blocks.setdefault(key, []).append(line.strip())

    def first(self, key: str) -> str | None:
        values = self.single.get(key)
        return values[0] if values else None

    def lines(self, *keys: str) -> list[str]:
        return [line for key in keys for line in self.blocks.get(key, [])]


def _match_heading(line: str) -> tuple[str, str, str] | None:
    """(key, label, rest) when ``line`` starts with a heading label used as one."""
    m = _HEADING_RE.match(line)
    if m is None:
        return None
    label = m.group("label")
    norm = re.sub(r"[\s\-_]", "", label).lower()
    key = _LABEL_KEY.get(norm)
    if key is None:
        return None
    rest = m.group("rest").strip()
    loose = bool(m.group("gap")) and re.sub(r"\s", "", label) in _LOOSE_LABELS
    if not (m.group("colon") or not rest or loose):
        return None  # "项目名称…", "出生于…": a word of the text, not a heading
    if key == "degree" and not rest:
        key = "education"  # "学历" alone heads an education section
    return key, label, rest


def _split_inline(key: str, rest: str) -> list[tuple[str, str, str]]:
    """``姓名：张伟  性别：男`` → one (key, label, value) per field on the line."""
    out: list[tuple[str, str, str]] = []
    current_key, current_label, start = key, "", 0
    for m in _INLINE_RE.finditer(rest):
        norm = re.sub(r"[\s\-_]", "", m.group("label")).lower()
        next_key = _LABEL_KEY.get(norm)
        if next_key is None:
            continue
        out.append((current_key, current_label, rest[start : m.start()]))
        current_key, current_label, start = next_key, m.group("label"), m.end()
    out.append((current_key, current_label, rest[start:]))
    return out


def _scan_sections(lines: list[str]) -> _Sections:
    sections = _Sections()
    block = "preamble"
    pending: str | None = None  # a single-value label whose value is on the next line
    for raw in lines:
        if raw.startswith("|") and raw.rstrip().endswith("|"):  # markdown table row
            cells = [c.strip() for c in raw.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
                continue
            sub_lines = cells_to_lines(cells)
        else:
            sub_lines = [raw]
        for sub in sub_lines:
            line = _clean_line(sub)
            if not line:
                continue
            heading = _match_heading(line)
            if heading is None:
                generic = _GENERIC_HEADING.match(line)
                if generic and not _title_hits(line):
                    if block in _LIST_BLOCKS and _SUBHEADING.search(line):
                        continue  # 国家级项目： inside 主持项目 is a sub-heading, not a new section
                    block, pending = "other", None
                    continue
                if pending is not None:
                    sections.add_single(pending, line)
                    pending = None
                    continue
                sections.add_line(block, line)
                continue
            key, label, rest = heading
            if _LABEL_IS_ENGLISH.get(re.sub(r"[\s\-_]", "", label).lower()):
                sections.english_labels += 1
            else:
                sections.chinese_labels += 1
            pending = None
            for part_key, _part_label, value in _split_inline(key, rest):
                value = value.strip(" ，,;；|｜")
                if part_key in _SINGLE_KEYS:
                    if value:
                        sections.add_single(part_key, value)
                    else:
                        pending = part_key
                else:
                    block = part_key
                    if value:
                        sections.add_line(block, value)
    return sections


# ---------------------------------------------------------------------------------------------
# Entry lines: positions, education, projects, awards, directions
# ---------------------------------------------------------------------------------------------

_FILLER_ZH = re.compile(
    r"^(?:在|于|任|担任|历任|曾任|就职于|任职于|工作于|就读于|毕业于|攻读|获得?|至|：|:)+"
)
_TRAILING_FILLER_ZH = re.compile(r"(?:工作|任职|任|担任|从事|就读|攻读|获得?|学习|的)+$")


def _strip_fillers(text: str) -> str:
    text = text.strip(f" {_SEP}：:。.")
    for _ in range(3):
        text = _FILLER_ZH.sub("", text).strip(f" {_SEP}：:")
        text = _TRAILING_FILLER_ZH.sub("", text).strip(f" {_SEP}：:")
    return text


def _remove_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(" ")
        last = end
    out.append(text[last:])
    return "".join(out)


def _clip(text: str | None, limit: int = _MAX_FIELD) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text[:limit] if text else None


def _lenient(parse: Callable[..., _T | None]) -> Callable[..., _T | None]:
    """Drop an entry whose pieces fail the record's validation instead of the whole CV."""

    @functools.wraps(parse)
    def wrapper(*args: Any, **kwargs: Any) -> _T | None:
        try:
            return parse(*args, **kwargs)
        except ValidationError:
            return None

    return wrapper


@_lenient
def _parse_position(line: str, *, english: bool) -> EmploymentIn | None:
    years = parse_year_range(line, anchored=True) or parse_year_range(line)
    rest = _remove_spans(line, [years.span]) if years else line
    hits = [h for h in _title_hits(rest) if h.kind != "unit"]
    titles = [h.value for h in hits if h.kind in ("title", "position")]
    roles = [h.value for h in hits if h.kind == "role"]
    rest = _remove_spans(rest, [h.span for h in hits])
    if english:
        org, unit = _split_organization_en(re.sub(r"\s+(?:at|@)\s+", ", ", rest).strip(" ,;-–—|"))
        if org and not re.search(r"[A-Za-z]{2}", org):
            return None
    else:
        org, unit = split_organization(_strip_fillers(rest))
        if org:
            org = _strip_fillers(org)
        if unit:
            unit = _strip_fillers(unit) or None
    if not org or len(org) < 2 or not re.search(rf"[{_CJK}A-Za-z]", org):
        return None
    start = end = None
    if years:
        start = years.start
        end = years.end
    title, role = _title_and_role(titles, roles)
    return EmploymentIn(
        organization=_clip(org) or org[:_MAX_FIELD],
        unit=_clip(unit),
        title=title,
        role=role,
        start=start,
        end=end,
    )


def _title_and_role(titles: list[str], roles: list[str]) -> tuple[str | None, str | None]:
    """EmploymentIn.title is the 职称 or, failing one, the job title (技术总监)."""
    title = _rank_title(titles)
    if title is None and roles:
        return roles[0], None
    return title, (roles[0] if roles else None)


@_lenient
def _parse_education(line: str, *, english: bool) -> EducationIn | None:
    years = parse_year_range(line, anchored=True) or parse_year_range(line)
    rest = _remove_spans(line, [years.span]) if years else line
    degree = normalize_degree(rest)
    if english:
        m = _DEGREE_EN.search(rest)
        major = None
        if m:
            after = rest[m.end() :]
            major_m = re.match(r"\s*(?:,\s*)?(?:in|of)\s+([^,;]+)", after)
            if major_m:
                major = major_m.group(1).strip()
                after = after[: major_m.start()] + after[major_m.end() :]
            rest = rest[: m.start()] + " " + after
        parts = [p.strip(" -–—|") for p in re.split(r"[,;]|\s[-–—|]\s", rest)]
        parts = [p for p in parts if p and not _EN_PLACE.search(p)]
        school = next((p for p in parts if _EN_ORG.search(p) or _EN_UNIT.search(p)), None)
        if school is None:
            return None
        if major is None:
            others = [p for p in parts if p != school and len(p) > 2]
            major = others[0] if others else None
        start, end = _education_years(years)
        return EducationIn(
            school=school[:_MAX_FIELD], degree=degree, major=_clip(major), start=start, end=end
        )
    m = _DEGREE_ZH.search(rest)
    if m:
        rest = rest[: m.start()] + " " + rest[m.end() :]
    rest = re.sub(r"学位|毕业|在读|肄业", " ", rest)
    rest = _strip_fillers(rest)
    org, remainder = split_organization(rest)
    if not org:
        return None
    org = _strip_fillers(org)
    looks_like_school = re.search(rf"(?:{_ORG_SUFFIX}|{_COMPANY_SUFFIX}|研究所|大学)", org)
    # an abbreviation (大工, 哈工程) is fine in a "years school major degree" line
    abbreviation = years and degree and re.fullmatch(rf"[{_CJK}A-Za-z()（）]{{2,20}}", org)
    if not looks_like_school and not _known_org_at(org, 0) and not abbreviation:
        return None
    major = None
    if remainder:
        tokens = [t for t in re.split(rf"[\s{_SEP}]+", remainder) if t]
        plain = [t for t in tokens if not re.search(r"(?:学院|学部|系)$", t)]
        candidate = plain[-1] if plain else None
        if candidate is None and tokens:
            unit_m = re.match(r"(.+?(?:学院|学部|系))(.+)$", tokens[-1])
            candidate = unit_m.group(2) if unit_m else None
        if candidate:
            unit_m = re.match(r".+?(?:学院|学部|系)(.{2,})$", candidate)
            if unit_m:
                candidate = unit_m.group(1)
            candidate = re.sub(r"专业$", "", _strip_fillers(candidate))
            major = candidate or None
    start, end = _education_years(years)
    return EducationIn(
        school=org[:_MAX_FIELD], degree=degree, major=_clip(major), start=start, end=end
    )


def _education_years(years: YearRange | None) -> tuple[int | None, int | None]:
    if years is None:
        return None, None
    if years.single:  # "2005 哈尔滨工业大学 博士": the year of the degree
        return None, years.start
    return years.start, years.end


_FUNDER = re.compile(
    r"(国家自然科学基金(?:委员会)?(?:重点|面上|青年(?:科学)?|重大|优秀青年|杰出青年|联合基金|"
    r"国际合作|地区)?(?:项目|基金)?|国家社会科学基金(?:[\u4e00-\u9fff]{0,4}项目)?|"
    r"国家重点研发计划(?:项目|课题|子课题)?|国家科技重大专项|国家(?:863|973)计划|863计划|973计划|"
    r"国家科技支撑计划|中国博士后科学基金|(?:黑龙江省|省)(?:自然科学基金|重点研发计划|科技攻关计划|"
    r"博士后基金|重大科技专项|揭榜挂帅项目)(?:[\u4e00-\u9fff]{0,4}?项目)?|"
    r"(?:教育部|科技部|工信部|工业和信息化部|农业农村部|黑龙江省科技厅|黑龙江省教育厅)"
    r"[\u4e00-\u9fff]{0,12}?(?:基金|计划|项目|专项)|横向(?:课题|项目|合作项目)?|"
    r"企业委托(?:项目|课题)?|[\u4e00-\u9fff]{2,20}?(?:股份有限公司|有限责任公司|有限公司)(?:委托)?|"
    r"National Natural Science Foundation of China|NSFC|National Key R&D Program of China|"
    r"National Key Research and Development Program)"
)
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,200})[”\"」』》]")
_PROJECT_NOISE = re.compile(
    r"[（(][^）)]{0,40}[）)]|(?:项目编号|编号|批准号|课题编号|Grant No\.?|No\.)\s*[:：]?\s*[A-Za-z0-9\-]{4,}|"
    r"\d+(?:\.\d+)?\s*万元|主持人?|负责人|参与人?|在研|已结题|结题|排名第?\s*\d+|第\s*\d+\s*完成人|"
    r"\b[A-Z]{0,4}\d{6,}\b"
)


@_lenient
def _parse_project(line: str) -> ProjectIn | None:
    years = parse_year_range(line)
    funder_m = _FUNDER.search(line)
    funder = funder_m.group(1) if funder_m else None
    quoted = _QUOTED.search(line)
    if quoted:
        name = quoted.group(1)
    else:
        rest = line
        spans = []
        if years:
            spans.append(years.span)
        if funder_m:
            spans.append(funder_m.span())
        rest = _remove_spans(rest, spans)
        rest = _PROJECT_NOISE.sub(" ", rest)
        pieces = [p.strip() for p in re.split(r"[，,；;：:\s]+", rest)]
        pieces = [_strip_fillers(p) for p in pieces]
        pieces = [p for p in pieces if len(p) >= 4 and re.search(rf"[{_CJK}A-Za-z]", p)]
        if not pieces:
            if funder is None:
                return None
            name = funder  # only the programme is known ("国家自然科学基金面上项目")
        else:
            name = (
                max(pieces, key=len)
                if len(pieces) > 1 and all(re.search(f"[{_CJK}]", p) for p in pieces)
                else " ".join(pieces)
            )
    name = name.strip(" ，,：:。.")
    if not name:
        return None
    year = years.start if years else None
    return ProjectIn(name=name[:_MAX_FIELD], year=year, funder=_clip(funder))


def _split_items(text: str) -> list[str]:
    items = re.split(
        r"[、；;，,/／\n]|以及|(?<=[\u4e00-\u9fff]{2})和(?=[\u4e00-\u9fff]{2})|\band\b", text
    )
    out = []
    for item in items:
        item = _clean_line(item).strip(" 。.：:")
        item = re.sub(r"(?:等(?:方面|领域|方向|研究)?|方面|领域的研究|的研究)$", "", item).strip()
        if item and len(item) <= 60:
            out.append(item)
    return out


_PROSE_DIRECTIONS = (
    re.compile(
        r"(?:主要)?(?:研究方向|研究领域|研究兴趣)(?:主要)?(?:为|是|包括|涉及|集中在|集中于|：|:)\s*([^。；;\n]{2,200})"
    ),
    re.compile(
        r"(?:主要)?从事\s*([^。；;\n]{2,200}?)(?:等)?(?:方面|领域|方向)?的?(?:研究|教学|工作)"
    ),
    re.compile(
        r"(?:research interests?|research areas?)\s+(?:include|includes|are|is|lie in|focus on)\s+([^.\n]{2,300})",
        re.IGNORECASE,
    ),
)


def _directions_from_prose(text: str) -> list[str]:
    out: list[str] = []
    for pattern in _PROSE_DIRECTIONS:
        for m in pattern.finditer(text):
            for item in _split_items(m.group(1)):
                if item not in out:
                    out.append(item)
        if out:
            break
    return out


def _dedupe(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


# ---------------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CLAUSE = re.compile(r"[^，,；;。！？!?\n]+")
_PROSE_NAME = re.compile(
    rf"^\s*([{_CJK}·]{{2,5}}?)(?:\s*[（(][^）)]{{0,30}}[)）])?\s*"
    r"(?=[，,、\s]|男|女|教授|副教授|研究员|博士|高级工程师|先生|女士|同志|现任|现为|，)"
)
_PROSE_NAME_EN = re.compile(
    r"^\s*((?:Dr\.?\s+|Prof\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z\-]+){1,3})\s*(?:,|\s+is\b|\s+\()"
)
_PROSE_GENDER = re.compile(r"(?:^|[，,、\s(（])(男|女)(?=[，,、\s)）。]|$|族|，)")
_PROSE_BIRTH = re.compile(
    r"((?:19|20)\d{2})\s*(?:年|[./\-])\s*(?:(\d{1,2})\s*月?\s*(?:(\d{1,2})\s*日)?)?\s*(?:生|出生)(?!产)"
    r"|(?:生于|出生于)\s*((?:19|20)\d{2})(?:\s*年\s*(\d{1,2})\s*月)?"
    r"|\bborn\s+(?:in\s+)?((?:19|20)\d{2})",
    re.IGNORECASE,
)
_CURRENT_EMPLOYER = re.compile(
    r"(?:现任职于|现就职于|现工作于|现供职于|现任教于|目前就职于|目前在|就职于|任职于|工作于|供职于|"
    r"任教于|现任|现为|现在|现于)\s*([^，,。；;\n]{2,80})"
)
_EDUCATION_CLAUSE = re.compile(
    r"毕业|学位|本科|研究生|攻读|就读|学士|硕士(?!生?导师)|博士(?!生?导师|后)|留学"
)
_PAST_CLAUSE = re.compile(r"曾任|曾在|历任|先后|曾于|期间")
_TEAM = re.compile(
    rf"([{_CJK}A-Za-z0-9]{{2,30}}?(?:团队|课题组|创新团队))(?:的)?\s*[（(]?\s*"
    r"(负责人|带头人|学术带头人|首席|核心成员|骨干成员|成员|骨干|leader|head|member)?"
)
# fmt: off
_TEAM_ROLE = {
    "负责人": "负责人", "带头人": "负责人", "学术带头人": "负责人", "首席": "负责人", "团队负责人": "负责人",
    "pi": "负责人", "leader": "负责人", "head": "负责人", "成员": "成员", "核心成员": "成员",
    "骨干成员": "成员", "骨干": "成员", "member": "成员",
}
# fmt: on
_AWARD_PROSE = re.compile(r"(?:曾)?(?:荣获|获得|获)([^。；;\n]{2,200}?奖[^。；;，,\n]{0,20})")


@dataclass(slots=True)
class _Prose:
    name: str | None = None
    name_en: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    birth_date: str | None = None
    titles: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    employer: EmploymentIn | None = None
    team: str | None = None
    team_role: str | None = None
    positions: list[EmploymentIn] = field(default_factory=list)
    education: list[EducationIn] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)
    projects: list[ProjectIn] = field(default_factory=list)


@_lenient
def _employer_from_clause(clause: str) -> EmploymentIn | None:
    hits = _title_hits(clause)
    cut = min((h.span[0] for h in hits), default=len(clause))
    org_text = _strip_fillers(clause[:cut])
    if not org_text:
        return None
    org, unit = split_organization(org_text)
    if not org or (len(org) < 3 and org not in _short_aliases()):
        return None
    # The title is left to the caller when only a role is named here: 现任…所所长 of a
    # 研究员 is a 研究员 whose role is 所长.
    ranks = [h.value for h in hits if h.kind in ("title", "position")]
    roles = [h.value for h in hits if h.kind == "role"]
    return EmploymentIn(
        organization=org[:_MAX_FIELD],
        unit=_clip(unit),
        title=_rank_title(ranks),
        role=roles[0] if roles else None,
    )


def _read_prose(text: str, *, english: bool) -> _Prose:
    prose = _Prose()
    if not text.strip():
        return prose
    head = text.lstrip()[:200]
    if english:
        m = _PROSE_NAME_EN.match(head)
        if m:
            prose.name, prose.name_en = _clean_name(m.group(1), need_surname=False)
    else:
        m = _PROSE_NAME.match(head)
        if m:
            prose.name, prose.name_en = _clean_name(m.group(1), need_surname=True)
        gm = _PROSE_GENDER.search(head)
        if gm:
            prose.gender = gm.group(1)
    bm = _PROSE_BIRTH.search(text[:400])
    if bm:
        year = bm.group(1) or bm.group(4) or bm.group(6)
        month = bm.group(2) or bm.group(5)
        day = bm.group(3)
        prose.birth_year = int(year)
        if month and 1 <= int(month) <= 12:
            prose.birth_date = f"{int(year):04d}-{int(month):02d}"
            if day and 1 <= int(day) <= 31:
                prose.birth_date += f"-{int(day):02d}"
    if english:
        gm = re.search(r"\b(?:gender|sex)\s*[:：]?\s*(male|female)\b", text[:400], re.IGNORECASE)
        if gm:
            prose.gender = normalize_gender(gm.group(1))
    if english:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n", text):
            _read_prose_sentence_en(sentence, prose)
    else:
        for sentence_m in _SENTENCE.finditer(text):
            _read_prose_sentence(sentence_m.group(0), prose, english=False)
    prose.directions = _directions_from_prose(text)
    if not english:
        for m in _AWARD_PROSE.finditer(text):
            for item in re.split(r"[、]", m.group(1)):
                item = re.sub(
                    r"(?:等(?:多项)?(?:奖励|荣誉|奖项)?|\d+项)$", "", item.strip()
                ).strip()
                if len(item) >= 4 and item.endswith(("奖", "等奖")) and item not in prose.awards:
                    prose.awards.append(item)
        # Only a team with a role (…团队负责人 / …团队骨干成员): "带领团队" names no team.
        for tm in _TEAM.finditer(text):
            if not tm.group(2):
                continue
            team = re.sub(r"^(?:现为|现任|担任|作为|任|是|为|系)", "", tm.group(1))
            team = re.sub(r"^.*(?:大学|学院|研究所|研究院|公司|系|的)(?=.{2,}团队$)", "", team)
            prose.team = team or None
            prose.team_role = _TEAM_ROLE.get(tm.group(2).lower())
            break
    return prose


def _read_prose_sentence(sentence: str, prose: _Prose, *, english: bool) -> None:
    if english:
        _read_prose_sentence_en(sentence, prose)
        return
    pending: dict[str, Any] = {}
    last_year: int | None = None
    for clause_m in _CLAUSE.finditer(sentence):
        clause = clause_m.group(0).strip()
        years = parse_year_range(clause)
        if years:
            last_year = years.start if years.single else (years.end or years.start)
        is_education = bool(_EDUCATION_CLAUSE.search(clause))
        if is_education:
            found = _find_org(clause)
            degree = normalize_degree(re.sub(r"博士生导师|硕士生导师", "", clause))
            major_m = re.search(rf"([{_CJK}]{{2,20}})专业", clause)
            major = None
            if major_m:
                major = major_m.group(1)
                if found and found[1] in major:
                    major = major.split(found[1])[-1]
                major = re.sub(r"^.*?(?:学院|学部|系)", "", _strip_fillers(major)) or None
            if found:
                if pending.get("school"):
                    _emit_education(prose, pending)
                pending = {
                    "school": found[1],
                    "degree": degree,
                    "major": major,
                    "years": years,
                    "year": last_year,
                }
                if degree:
                    _emit_education(prose, pending)
                    pending = {}
            elif degree and pending.get("school"):
                pending["degree"] = degree
                pending["major"] = pending.get("major") or major
                _emit_education(prose, pending)
                pending = {}
            continue
        hits = _title_hits(clause)
        titles_here = [h.value for h in hits if h.kind == "title"]
        closed_past = years is not None and not years.single and years.end is not None
        stages = [h.value for h in hits if h.kind == "position"]
        if hits and not closed_past and not _PAST_CLAUSE.search(clause):
            for title in titles_here or stages:
                if title not in prose.titles:
                    prose.titles.append(title)
            for hit in hits:
                if hit.kind == "role" and hit.value not in prose.roles:
                    prose.roles.append(hit.value)
        if years and not years.single:
            position = _parse_position(_remove_spans(clause, [years.span]), english=False)
            if position is not None:
                position = position.model_copy(update={"start": years.start, "end": years.end})
                prose.positions.append(position)
                if years.open_end and prose.employer is None:
                    prose.employer = position
                continue
        em = _CURRENT_EMPLOYER.search(clause)
        if em and prose.employer is None and not closed_past:
            prose.employer = _employer_from_clause(em.group(1))
        elif prose.employer is None and not _PAST_CLAUSE.search(clause) and not closed_past:
            found = _find_org(clause)
            if found:
                prose.employer = _employer_from_clause(clause[found[0] :])
    if pending.get("school"):
        _emit_education(prose, pending)


def _emit_education(prose: _Prose, pending: dict[str, Any]) -> None:
    years: YearRange | None = pending.get("years")
    start, end = (None, pending.get("year"))
    if years is not None and not years.single:
        start, end = years.start, years.end
    entry = EducationIn(
        school=pending["school"][:_MAX_FIELD],
        degree=pending.get("degree"),
        major=_clip(pending.get("major")),
        start=start,
        end=end,
    )
    if entry not in prose.education:
        prose.education.append(entry)


def _read_prose_sentence_en(sentence: str, prose: _Prose) -> None:
    for title in normalize_titles(sentence):
        if title not in prose.titles and not re.search(r"\b(?:was|former|formerly)\b", sentence):
            prose.titles.append(title)
    m = re.search(r"\b(?:at|with|of)\s+((?:the\s+)?[A-Z][^.;]{3,200})", sentence)
    if (
        m
        and prose.employer is None
        and not re.search(r"\b(?:received|obtained|graduated|was)\b", sentence)
    ):
        org, unit = _split_organization_en(re.sub(r"^the\s+", "", m.group(1)))
        if org and _EN_ORG.search(org):
            prose.employer = EmploymentIn(organization=org[:_MAX_FIELD], unit=_clip(unit))
    dm = re.search(r"\b(?:received|obtained|earned)\s+(?:his|her|the|a)?\s*([^;]{2,200})", sentence)
    if dm:
        degree = normalize_degree(dm.group(1))
        fm = re.search(
            r"\bfrom\s+(?:the\s+)?([A-Z][^,.;]{3,120}?)(?:\s+in\s+\d{4})?(?:[,.;]|$)", dm.group(1)
        )
        if degree and fm:
            years = parse_year_range(dm.group(1))
            major_m = re.search(r"\bin\s+([a-zA-Z ]{3,60}?)\s+from\b", dm.group(1))
            prose.education.append(
                EducationIn(
                    school=fm.group(1).strip()[:_MAX_FIELD],
                    degree=degree,
                    major=major_m.group(1).strip() if major_m else None,
                    end=years.start if years else None,
                )
            )


# ---------------------------------------------------------------------------------------------
# NER fallback
# ---------------------------------------------------------------------------------------------

_NER_STATE: dict[str, bool] = {}


def _ner_entities(text: str) -> list[Any] | None:
    """Entities from :mod:`nlp.ner`, or None when the model is not installed."""
    if _NER_STATE.get("missing"):
        return None
    try:
        from nlp.ner import MODEL_DIR, NerModelMissingError, extract_entities
    except ImportError:
        _NER_STATE["missing"] = True
        return None
    if not (MODEL_DIR / "config.cfg").is_file():  # skip importing spaCy for nothing
        _NER_STATE["missing"] = True
        log.warning(
            "简历 NER 模型未安装（%s），只用规则抽取 (CV NER model not installed, rules only)",
            MODEL_DIR,
        )
        return None
    try:
        return extract_entities(text[:3000])
    except (NerModelMissingError, OSError) as exc:
        _NER_STATE["missing"] = True
        log.warning(
            "简历 NER 模型不可用，只用规则抽取 (CV NER model unavailable, rules only): %s", exc
        )
        return None


def ner_available() -> bool:
    """Whether the résumé NER model can be loaded (loads it once)."""
    return _ner_entities("张伟，教授。") is not None


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------


def _is_english(sections: _Sections, text: str) -> bool:
    if sections.english_labels or sections.chinese_labels:
        return sections.english_labels > sections.chinese_labels
    cjk = len(re.findall(f"[{_CJK}]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin > 3 * cjk and latin >= 20


def _quarantine(
    source: str,
    source_key: str,
    row: int | None,
    field_name: str | None,
    reason: str,
    text: str | None,
) -> Quarantined:
    raw = mask_personal_data(text[:300]) if text else None
    return Quarantined(
        source=source, source_key=source_key, row=row, field=field_name, reason=reason, raw=raw
    )


def parse_cv_text(
    text: str,
    *,
    source: str,
    source_key: str,
    row: int | None = None,
    use_ner: bool = True,
) -> CVRecord | Quarantined:
    """Parse the text of one CV.

    Args:
        text: the CV as plain text (a .txt/.md file, or the text of a .docx / .pdf).
        source: the file (or system) it came from, for provenance.
        source_key: the record key inside the source.
        row: 1-based line for JSONL sources.
        use_ner: ask the résumé NER model (when installed) for a name or employer that the
            rules did not find.

    Returns:
        A :class:`CVRecord`, or a :class:`Quarantined` entry when the text is empty or names
        no person.  Never raises on bad input.

    Example:
        >>> rec = parse_cv_text("姓名：张伟\\n职称：教授，博士生导师", source="x.txt", source_key="x")
        >>> rec.name, rec.titles
        ('张伟', ['教授', '博导'])
    """
    if not isinstance(text, str):
        return _quarantine(
            source, source_key, row, "text", "简历内容不是文本 (CV content is not text)", None
        )
    try:
        return _parse(text, source=source, source_key=source_key, row=row, use_ner=use_ner)
    except ValidationError as exc:  # a value the record refuses: say which one
        return _quarantine_validation(exc, source=source, source_key=source_key, row=row, text=text)


def _parse(
    text: str, *, source: str, source_key: str, row: int | None, use_ner: bool
) -> CVRecord | Quarantined:
    normalized = normalize_text(text)
    if not normalized:
        return _quarantine(source, source_key, row, None, "简历内容为空 (empty CV)", None)
    lines = normalized.split("\n")
    sections = _scan_sections(lines)
    english = _is_english(sections, normalized)

    prose_lines = sections.lines("preamble", "intro")
    prose_text = "\n".join(prose_lines)
    prose = _read_prose(prose_text, english=english)

    # -- name ------------------------------------------------------------------------------
    name = name_en = None
    for value in sections.single.get("name", []):
        name, name_en = _clean_name(value, need_surname=False)
        if name:
            break
    if name is None:  # a title line: "张伟", "张伟个人简历", "Curriculum Vitae / Hong Wang"
        top_lines = [c for c in (_clean_line(line) for line in lines[:8]) if c][:3]
        for line in top_lines:
            if len(line) <= 30 and not _match_heading(line):
                name, name_en = _clean_name(line, need_surname=not english)
                if name:
                    break
    if name is None and prose.name:
        name, name_en = prose.name, prose.name_en
    if name is None:
        first_intro = next((line for line in sections.lines("intro")), "")
        m = _PROSE_NAME.match(first_intro)
        if m:
            name, name_en = _clean_name(m.group(1), need_surname=True)
    entities: list[Any] | None = None
    if name is None and use_ner and not english:
        entities = _ner_entities(prose_text or normalized)
        for ent in entities or ():
            if ent.label == "NAME" and ent.start < 200:
                name, name_en = _clean_name(ent.text, need_surname=False)
                if name:
                    break
    if name is None:
        return _quarantine(
            source,
            source_key,
            row,
            "name",
            "未找到可识别的姓名（需要“姓名：”一行或以姓名开头的简介） "
            "(no recognisable name: add a 姓名/Name line or start the profile with the name)",
            normalized,
        )
    for value in sections.single.get("name_en", []):
        name_en = value.strip()[:100] or name_en
        break

    # -- gender, birth -----------------------------------------------------------------------
    gender = None
    for value in sections.single.get("gender", []):
        gender = normalize_gender(value)
        if gender:
            break
    gender = gender or prose.gender
    birth_year = birth_date = None
    for value in sections.single.get("birth", []):
        birth_year, birth_date = _parse_date(value)
        if birth_year:
            break
    if birth_year is None:
        birth_year, birth_date = prose.birth_year, prose.birth_date

    # -- titles and roles ---------------------------------------------------------------------
    titles: list[str] = []
    roles: list[str] = []
    for value in sections.single.get("titles", []):
        hits = _title_hits(value)
        ranks = [h.value for h in hits if h.kind == "title"]
        stages = [h.value for h in hits if h.kind == "position"]
        value_roles = [h.value for h in hits if h.kind == "role"]
        roles += value_roles
        # An enterprise expert's 职称 line often holds only a job title (技术总监), a postdoc's
        # only 博士后: keep those, and keep a title we do not know as written.
        titles += ranks or stages or value_roles or [p for p in _split_items(value) if len(p) <= 20]
    for value in sections.single.get("name", []):
        titles += normalize_titles(value)
    if not titles:  # as for the 职称 line: a job title (总工程师) when there is no rank
        titles = list(prose.titles) or prose.roles[:1]
        roles += prose.roles

    # -- positions ----------------------------------------------------------------------------
    positions: list[EmploymentIn] = []
    for line in sections.lines("work"):
        position = _parse_position(line, english=english)
        if position is not None:
            positions.append(position)
    if not positions:
        positions = list(prose.positions)

    # -- current employer ---------------------------------------------------------------------
    employer: EmploymentIn | None = None
    employer_value = sections.first("employer")
    if employer_value:
        if english:
            hits = _title_hits(employer_value)
            org, unit = _split_organization_en(
                _remove_spans(employer_value, [h.span for h in hits])
            )
        else:
            hits = _title_hits(employer_value)
            org, unit = split_organization(_remove_spans(employer_value, [h.span for h in hits]))
        roles += [h.value for h in hits if h.kind == "role"]
        titles += [h.value for h in hits if h.kind == "title" and h.value not in titles]
        if org:
            employer = EmploymentIn(organization=org[:_MAX_FIELD], unit=_clip(unit))
    if employer is None:
        ongoing = [p for p in positions if p.end is None and p.start is not None]
        if ongoing:
            employer = max(ongoing, key=lambda p: p.start or 0)
    if employer is None and prose.employer is not None:
        employer = prose.employer
    if employer is None and use_ner and not english:
        if entities is None:
            entities = _ner_entities(prose_text) if prose_text else None
        for ent in entities or ():
            if ent.label == "ORG":
                clause_end = re.search(r"[，,。；;\n]", prose_text[ent.start :])
                clause = prose_text[
                    ent.start : ent.start + (clause_end.start() if clause_end else 80)
                ]
                employer = _employer_from_clause(clause)
                if employer:
                    break
    titles = _dedupe(titles)

    # -- team ---------------------------------------------------------------------------------
    team = team_role = None
    team_value = sections.first("team")
    if team_value:
        role_m = re.search(
            r"[（(]\s*([^）)]{1,12})\s*[)）]|\s(负责人|带头人|学术带头人|成员|骨干|leader|member|head)$",
            team_value,
            re.IGNORECASE,
        )
        if role_m:
            role_text = (role_m.group(1) or role_m.group(2)).strip().lower()
            team_role = _TEAM_ROLE.get(role_text) or next(
                (v for k, v in _TEAM_ROLE.items() if k in role_text), None
            )
            team_value = team_value[: role_m.start()] + team_value[role_m.end() :]
        team = team_value.strip(f" {_SEP}：:") or None
        if team and team_role is None:
            team_role = "成员"  # 所在团队 is the team one belongs to; leaders say (负责人)
    if team is None and employer is not None and employer.unit:
        unit_team = re.search(r"(\S+?(?:团队|课题组))$", employer.unit)
        if unit_team:
            team = unit_team.group(1)
    if team is None:
        team, team_role = prose.team, prose.team_role
    elif team_role is None and prose.team == team:
        team_role = prose.team_role

    employer, positions = reconcile_employment(employer, positions, titles, roles)

    # -- education ----------------------------------------------------------------------------
    education: list[EducationIn] = []
    for line in sections.lines("education"):
        entry = _parse_education(line, english=english)
        if entry is not None:
            education.append(entry)
    school = sections.first("school")
    if school and not any(school.startswith(e.school) or e.school in school for e in education):
        org, _unit = split_organization(school)
        if org:
            education.append(
                EducationIn(
                    school=org[:_MAX_FIELD],
                    degree=normalize_degree(sections.first("degree") or ""),
                    major=_clip(re.sub(r"专业$", "", sections.first("major") or "")),
                )
            )
    if not education:
        education = list(prose.education)

    # -- directions, keywords, projects, patents, awards --------------------------------------
    directions: list[str] = []
    for line in sections.lines("directions"):
        pieces = _split_items(line)
        if len(line) > 40 and len(pieces) <= 1:
            pieces = _directions_from_prose(line) or pieces
        directions += pieces
    if not directions:
        directions = prose.directions
    keywords: list[str] = []
    for line in sections.lines("keywords"):
        keywords += _split_items(line)

    projects: list[ProjectIn] = []
    for line in sections.lines("projects"):
        project = _parse_project(line)
        if project is not None:
            projects.append(project)

    patents = find_patent_numbers("\n".join(sections.lines("patents")), bare_old=True)
    patents = _dedupe(patents + find_patent_numbers(normalized))

    awards: list[str] = []
    for line in sections.lines("awards"):
        awards += [a.strip(" 。.") for a in re.split(r"[；;]", line) if len(a.strip(" 。.")) >= 2]
    if not awards:
        awards = prose.awards

    # -- contact ------------------------------------------------------------------------------
    contact_text = "\n".join(
        sections.single.get("phone", [])
        + sections.lines("contact")
        + sections.single.get("email", [])
    )
    id_number = None
    for value in sections.single.get("id_number", []) + [contact_text, normalized]:
        m = _ID_NUMBER.search(value)
        if m:
            id_number = m.group(1).upper()
            break
    phone = None
    for value in sections.single.get("phone", []) + [contact_text]:
        phone = normalize_phone(value)
        if phone:
            break
    if phone is None:
        phone = normalize_phone(_remove_patent_like(normalized))
    email = None
    for value in sections.single.get("email", []) + [contact_text]:
        email = _find_email(value, obfuscated=True)
        if email:
            break
    if email is None:
        email = _find_email(normalized, obfuscated=False)

    data: dict[str, Any] = {
        "source": source,
        "source_key": source_key,
        "row": row,
        "name": name,
        "name_en": name_en,
        "gender": gender,
        "birth_year": birth_year if birth_year and 1900 <= birth_year <= 2100 else None,
        "birth_date": birth_date,
        "titles": titles,
        "employer": employer,
        "team": _clip(team),
        "team_role": team_role,
        "positions": positions,
        "education": _dedupe_models(education),
        "research_directions": _dedupe(directions),
        "keywords": _dedupe(keywords),
        "projects": _dedupe_models(projects),
        "patents": patents,
        "awards": _dedupe(awards),
        "phone": phone,
        "email": email,
        "id_number": id_number,
        "language": "en" if english else "zh",
        "text": normalized[:MAX_TEXT_CHARS],
    }
    return _validated(data, source=source, source_key=source_key, row=row, text=normalized)


def _remove_patent_like(text: str) -> str:
    return _PATENT_OLD.sub(" ", _PATENT_NEW.sub(" ", text))


@lru_cache(maxsize=1)
def _org_aliases() -> dict[str, str]:
    path = _NLP_DATA / "org_aliases.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            normalize_text(row["alias"]): normalize_text(row["canonical"])
            for row in csv.DictReader(handle)
            if row.get("alias") and row.get("canonical")
        }


def _same_org(a: str, b: str) -> bool:
    """Same organisation as written in two places of one CV.

    Cheap checks first (equal, one a prefix of the other, a curated alias: 哈医大 =
    哈尔滨医科大学); then the organisation resolver's key (:func:`nlp.orgs.resolve_org`), which
    knows firm-name variants (红松文化创意（哈尔滨）有限公司 = 哈尔滨红松文化创意有限公司).
    """
    aliases = _org_aliases()
    a, b = (aliases.get(x, x).replace("（", "(").replace("）", ")") for x in (a, b))
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    if _known_org_at(a, 0) == a and _known_org_at(b, 0) == b:
        return False  # two different listed institutions: no need for the resolver
    try:
        from nlp.orgs import resolve_org

        key_a, key_b = resolve_org(a).key, resolve_org(b).key
    except (ImportError, ValueError):
        return False
    return key_a.split(":", 1)[-1] == key_b.split(":", 1)[-1]


def reconcile_employment(
    employer: EmploymentIn | None,
    positions: list[EmploymentIn],
    titles: list[str],
    roles: list[str] = (),  # type: ignore[assignment]
) -> tuple[EmploymentIn | None, list[EmploymentIn]]:
    """Make the current employer and the list of positions agree.

    The employer takes its start (and missing unit / title / role) from the open-ended
    position at the same organisation (哈医大 and 哈尔滨医科大学 are the same); an employer
    that is in no position is added to the positions ("past and present").

    Returns:
        ``(employer, positions)``.
    """
    if employer is None:
        return None, positions
    employer = _complete_employer(employer, positions, titles, list(roles))
    if not any(_same_org(p.organization, employer.organization) for p in positions):
        positions = [*positions, employer]
    return employer, positions


def _complete_employer(
    employer: EmploymentIn, positions: list[EmploymentIn], titles: list[str], roles: list[str]
) -> EmploymentIn:
    """Fill the current employer's title, role and start from the CV's other parts."""
    update: dict[str, Any] = {}
    match = next(
        (
            p
            for p in positions
            if _same_org(p.organization, employer.organization) and p.end is None
        ),
        None,
    )
    if match is not None:
        if employer.start is None and match.start is not None:
            update["start"] = match.start
        if employer.unit is None and match.unit:
            update["unit"] = match.unit
        if employer.title is None and match.title:
            update["title"] = match.title
        if employer.role is None and match.role:
            update["role"] = match.role
    role = update.get("role", employer.role) or (roles[0] if roles else None)
    if employer.title is None and "title" not in update:
        rank = next((t for t in titles if t in _RANK_TITLES or t == "博士后"), None)
        if rank:
            update["title"] = rank
        elif role:  # a job title only (总工程师): it is the title, not also the role
            update["title"], role = role, None
        elif titles:
            update["title"] = titles[0]
    title = update.get("title", employer.title)
    if role != employer.role or role == title:
        update["role"] = None if role == title else role
    return employer.model_copy(update=update) if update else employer


def _dedupe_models(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _validated(
    data: dict[str, Any], *, source: str, source_key: str, row: int | None, text: str | None
) -> CVRecord | Quarantined:
    try:
        return CVRecord.model_validate(data)
    except ValidationError as exc:
        return _quarantine_validation(exc, source=source, source_key=source_key, row=row, text=text)


def _quarantine_validation(
    exc: ValidationError, *, source: str, source_key: str, row: int | None, text: str | None
) -> Quarantined:
    error = exc.errors()[0]
    loc = ".".join(str(part) for part in error["loc"]) or None
    return _quarantine(
        source,
        source_key,
        row,
        loc,
        f"字段 {loc} 不合规：{error['msg']} (invalid field {loc}: {error['msg']})",
        text,
    )
