"""Organisation name normalisation: universities, their units, institutes, firms, government.

Raw organisation strings reach the graph from CVs, patents (申请人), demand forms and
university web pages: 哈工大, 哈尔滨工业大学计算机科学与技术学院, Harbin Institute of Technology,
黑龙江XX科技股份有限公司, 中科院自动化所 ... :func:`resolve_org` turns one such string into an
:class:`OrgMatch` with a canonical name, a kind, the Ministry of Education code where there
is one, the parent university of a college or lab, and a stable ``key`` for graph ids.
:func:`normalize_company` does the firm-specific part (region prefixes and legal forms).

Gazetteer (all shipped in ``nlp/data``, loaded once per :class:`OrgNormalizer`):

* ``institutions.csv`` — the Ministry of Education list of higher-education institutions
  (2017 edition, 2,631 rows, 81 in 黑龙江) with the 10-digit institution code;
* ``universities_with_website.json`` — 2,752 institutions by province (MIT licence): names
  missing from the ministry list are added without a code;
* ``org_extra.csv`` — campuses, academies and well-known research institutes;
* ``org_aliases.csv`` — hand-curated abbreviations, former names and English names;
* ``regions.csv`` plus the city column of ``institutions.csv`` — provinces, cities and the
  districts and counties of 黑龙江, used to strip and record region prefixes.

Decisions worth knowing:

* **Campuses are distinct organisations.** 哈尔滨工业大学（威海） and 哈尔滨工业大学（深圳）
  have their own province, city, faculty and patents, so they get their own key
  (``edu:4123010213@威海``); ``parent`` is 哈尔滨工业大学 and ``code`` is the parent's
  ministry code (the ministry lists the campus under its parent). An unlisted campus
  written as ``大学（城市）`` or ``大学XX校区`` is treated the same way.
* **A college, lab or department is its own node** with ``parent`` = the university and
  ``unit`` = the unit name as written (计算机学院 and 计算机科学与技术学院 are not merged).
  ``kind`` is ``lab`` for research units (实验室, 中心, 平台, 团队, 课题组, and a university's
  研究所/研究院) and ``college`` for every other unit (学院, 系, 处, 医院 ...). Only ``college``
  and ``lab`` matches carry a ``unit``. An academy's institute (中国科学院XX研究所) is kind
  ``institute`` with the academy as ``parent`` and no ``unit``; a lab inside an institute is
  kind ``lab`` under that institute.
* **Short aliases** (two characters: 黑大, 东林, 北大, 清华 ...) match only the whole string or
  when followed by a unit (东林机电工程学院); 北大荒集团 is not 北京大学.
* **Fuzzy matching** is limited to school-like names (ending in 大学/学院/学校), needs a
  rapidfuzz ratio of at least 88 and a clear lead of 4 points over the runner-up, so a typo
  can never merge 哈尔滨工业大学 and 哈尔滨工程大学.
* Anything ending in a company legal form (有限公司, 集团, 合作社 ...) is an enterprise even if
  it starts with a university name (哈工大机器人集团股份有限公司 is a firm).

Methods in :attr:`OrgMatch.method`: ``exact`` (gazetteer name), ``alias`` (curated Chinese
alias or former name), ``english`` (English name or abbreviation), ``fuzzy``,
``company-rule`` (firm recognised by its legal form), ``suffix-rule`` (institute,
government body or unlisted school recognised by its suffix; not in the brief's list, added
so those are not reported as ``unknown``) and ``unknown``.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from nlp.segment import DATA_DIR, normalize_text

__all__ = [
    "CompanyName",
    "MatchMethod",
    "OrgKind",
    "OrgMatch",
    "OrgNormalizer",
    "default_normalizer",
    "normalize_company",
    "resolve_org",
    "same_company",
    "split_org_names",
]

OrgKind = Literal[
    "university", "college", "lab", "institute", "enterprise", "government", "unknown"
]
MatchMethod = Literal[
    "exact", "alias", "english", "fuzzy", "company-rule", "suffix-rule", "unknown"
]


class OrgMatch(BaseModel):
    """The resolution of one raw organisation string.

    Attributes:
        raw: the input string, unchanged.
        canonical_name: the gazetteer name (full-width brackets, as the ministry writes it),
            or for a unit the parent name followed by the unit (哈尔滨工业大学计算机科学与技术学院),
            or the cleaned input for firms, institutes and government bodies.
        kind: university (any ministry-listed higher-education institution, 本科 or 专科, and
            their campuses), college, lab, institute, enterprise, government or unknown.
        code: the ministry's 10-digit institution code, for a university and for the units
            and campuses under it; ``None`` otherwise.
        province: short province name (黑龙江), when known.
        city: city name as the ministry writes it (哈尔滨市), when known.
        parent: canonical name of the university (or academy) a unit or campus belongs to.
        unit: the college/lab/department name as written (计算机科学与技术学院); set only for
            ``college`` and ``lab`` matches.
        key: a stable id fragment: ``edu:<code>`` for a university, ``edu:<code>@<campus>``
            for a campus, ``<parent key>/<unit>`` for a unit, ``inst:``, ``gov:``, ``ent:<company
            key>`` and ``org:`` for the rest.
        confidence: 1.0 for an exact gazetteer hit down to 0.0 for unknown.
        method: how the match was made.
    """

    model_config = ConfigDict(frozen=True)

    raw: str
    canonical_name: str
    kind: OrgKind
    code: str | None = None
    province: str | None = None
    city: str | None = None
    parent: str | None = None
    unit: str | None = None
    key: str
    confidence: float = Field(ge=0.0, le=1.0)
    method: MatchMethod


class CompanyName(BaseModel):
    """A firm name split into its identifying core and the parts that vary between filings.

    Attributes:
        raw: the input string, unchanged.
        core: the name without region prefixes, bracketed regions and legal form
            (哈尔滨XX科技有限公司 → XX科技). When removing the region would leave only generic
            words (电机厂, 油田, 啤酒), the most specific region is kept in its short form
            (哈尔滨电机厂, 大庆油田).
        region: the most specific region recognised (哈尔滨市), if any.
        regions: every region recognised, outermost first (黑龙江省, 哈尔滨市), including one
            kept inside ``core`` by the generic-name guard.
        province: short province name implied by the regions (黑龙江).
        city: city implied by the regions (哈尔滨市), if any.
        legal_form: the stripped legal-form suffixes (股份有限公司, 集团有限公司, Co., Ltd.).
        branch: the branch label for a 分公司/分厂/办事处 (哈尔滨分公司), else ``None``.
        key: the matching key: ``core`` lower-cased without spaces and punctuation, plus
            ``/branch`` for a branch.
        parent_key: for a branch, the key of its head office; else ``None``.
    """

    model_config = ConfigDict(frozen=True)

    raw: str
    core: str
    region: str | None = None
    regions: tuple[str, ...] = ()
    province: str | None = None
    city: str | None = None
    legal_form: str | None = None
    branch: str | None = None
    key: str
    parent_key: str | None = None


# --------------------------------------------------------------------------------------
# text helpers

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_BRACKETS = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "〖": "(",
        "〗": ")",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
        "<": "(",
        ">": ")",
        "《": "",
        "》": "",
        "「": "",
        "」": "",
        "『": "",
        "』": "",
        "“": "",
        "”": "",
        "‘": "'",
        "’": "'",
        '"': "",
    }
)
_EDGE_PUNCT = " \t.,;:!?。，、；：！？·-—_|/\\'\"*#"
_KEY_DROP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_SEPARATORS = re.compile(r"[、;；/\n|]+")


def _has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


def _clean(raw: str) -> str:
    """Normalise an organisation string for matching.

    NFKC + traditional→simplified (:func:`normalize_text`), bracket variants to ASCII
    parentheses, quotes dropped, edge punctuation stripped; for names with Chinese
    characters every space is removed (哈尔滨 工业 大学 → 哈尔滨工业大学).
    """
    text = normalize_text(raw).translate(_BRACKETS)
    if _has_cjk(text):
        # Spaces between Chinese characters are noise; spaces inside a Latin run (an
        # English unit name inside a Chinese string) are kept.
        text = re.sub(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])", "", text)
    text = re.sub(r"\(\s*\)", "", text)
    return text.strip(_EDGE_PUNCT)


def _display(text: str) -> str:
    """Chinese names are displayed with full-width brackets, as official names are."""
    if _has_cjk(text):
        return text.replace("(", "（").replace(")", "）")
    return text


def _key_part(text: str) -> str:
    return _KEY_DROP.sub("", normalize_text(text).lower())


def _compact_en(text: str) -> str:
    text = normalize_text(text).lower().replace("&", "and")
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


def split_org_names(text: str) -> list[str]:
    """Split a field holding several organisations (申请人 lists, CV lines) into names.

    Splits on 、 ； ; / | and newlines. Commas are *not* separators because English names
    use them (School of Computer Science, Harbin Institute of Technology).

    Args:
        text: the raw field.

    Returns:
        The non-empty names, stripped, in order.

    Example:
        >>> split_org_names("哈尔滨工业大学、哈尔滨工程大学；东北林业大学")
        ['哈尔滨工业大学', '哈尔滨工程大学', '东北林业大学']
    """
    return [p.strip() for p in _SEPARATORS.split(normalize_text(text)) if p.strip()]


# --------------------------------------------------------------------------------------
# regions


@dataclass(frozen=True)
class _Region:
    name: str  # canonical full name: 黑龙江省, 哈尔滨市, 南岗区
    short: str  # 黑龙江, 哈尔滨, 南岗区 (districts keep their suffix)
    level: Literal["province", "city", "district"]
    province: str  # short province name
    city: str | None


_DEV_ZONES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "高新技术开发区",
    "经济开发区",
    "高新区",
    "经开区",
    "开发区",
    "自由贸易试验区",
    "自贸区",
    "新区",
    "工业园区",
    "产业园区",
    "园区",
)


class _RegionTable:
    """Chinese region names (provinces, cities, 黑龙江 districts) for prefix stripping."""

    def __init__(self, data_dir: Path) -> None:
        by_form: dict[str, _Region] = {}
        english: dict[str, _Region] = {}
        english_name: dict[str, str] = {}

        def put(form: str, region: _Region) -> None:
            # Keep the first (higher-level) reading of an ambiguous form.
            if len(form) >= 2 and form not in by_form:
                by_form[form] = region

        rows = list(csv.DictReader((data_dir / "regions.csv").open(encoding="utf-8", newline="")))
        rows.sort(key=lambda r: ("province", "city", "district").index(r["level"]))
        for row in rows:
            region = _Region(
                name=row["name"],
                short=row["short"] or row["name"],
                level=row["level"],  # type: ignore[arg-type]
                province=row["province"],
                city=row["city"] or None,
            )
            put(region.name, region)
            put(region.short, region)
            if row["name_en"]:
                english[_compact_en(row["name_en"])] = region
                english_name[region.name] = row["name_en"]
        with (data_dir / "institutions.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                city = re.sub(r"\s+", "", row["city"])
                if not city or city == row["province"] + "市":
                    continue
                short = city[:-1] if city.endswith("市") and len(city) >= 3 else city
                region = _Region(city, short, "city", row["province"], city)
                put(city, region)
                put(short, region)
        self.by_form = by_form
        self.english = english
        self.english_name = english_name
        self.max_len = max(map(len, by_form))
        self.province_full = {r.province: r.name for r in by_form.values() if r.level == "province"}

    def lookup(self, text: str) -> _Region | None:
        return self.by_form.get(text)

    def leading(self, text: str) -> tuple[_Region, str] | None:
        """The longest region name at the start of ``text`` and the text after it."""
        for size in range(min(self.max_len, len(text)), 1, -1):
            region = self.by_form.get(text[:size])
            if region is not None:
                return region, text[size:]
        return None

    def strip_leading(self, text: str) -> tuple[list[_Region], str]:
        """Strip every leading region (黑龙江省哈尔滨市南岗区 ...) and development zone."""
        found: list[_Region] = []
        rest = text
        while True:
            hit = self.leading(rest)
            if hit is not None and (not found or _nested(found[-1], hit[0])):
                found.append(hit[0])
                rest = hit[1]
                continue
            zone = next((z for z in _DEV_ZONES if found and rest.startswith(z)), None)
            if zone is not None:
                rest = rest[len(zone) :]
                continue
            return found, rest

    @staticmethod
    def place(regions: Iterable[_Region]) -> tuple[str | None, str | None]:
        province = city = None
        for region in regions:
            province = province or region.province
            city = region.city or city
        return province, city


def _nested(outer: _Region, inner: _Region) -> bool:
    """True if ``inner`` can follow ``outer`` in an address (黑龙江省→哈尔滨市→南岗区)."""
    order = ("province", "city", "district")
    if order.index(inner.level) <= order.index(outer.level):
        return False
    return inner.province == outer.province


# --------------------------------------------------------------------------------------
# companies

_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "总公司",
    "公司",
    "(集团)",
    "集团",
    "控股",
    "股份",
    "(有限合伙)",
    "(普通合伙)",
    "有限合伙",
    "合伙企业",
    "农民专业合作社",
    "专业合作社",
    "合作社",
    "(个人独资)",
    "个人独资企业",
)
_LEGAL_FORMS_SORTED = sorted(_LEGAL_FORMS, key=len, reverse=True)
_COMPANY_END = re.compile(r"(公司|集团|\(集团\)|合作社|合伙\)|合伙企业|独资企业|株式会社)$")
_BRANCH = re.compile(
    r"^(?P<head>.+?(?:公司|集团|\(集团\)))(?P<branch>.+?(?:分公司|分厂|办事处|营业部|分部|分店|分中心))$"
)
_BRANCH_BARE = re.compile(r"(?P<branch>分公司|分厂|办事处|营业部)$")
_INFORMAL_FIRM_END = re.compile(
    r"(科技|股份|实业|药业|制药|电气|乳业|食品|机械|电子|软件|信息技术|网络科技|生物科技|新材料|能源|环保)$"
)
_EN_LEGAL = re.compile(
    r"(?<![A-Za-z0-9])[\s,]*(co\.?,?\s*ltd\.?|company\s+limited|limited|ltd\.?|inc\.?|incorporated|corp\.?|"
    r"corporation|company|co\.?|llc|l\.l\.c\.|gmbh|plc|holdings?|group)\s*$",
    re.IGNORECASE,
)
_EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&.-]*")


class _GenericWords:
    def __init__(self, data_dir: Path) -> None:
        words = [
            w.strip()
            for w in (data_dir / "company_generic_words.txt").read_text("utf-8").splitlines()
            if w.strip() and not w.startswith("#")
        ]
        self.words = frozenset(words)
        self.max_len = max(map(len, words))

    def covers(self, text: str) -> bool:
        """True if ``text`` is empty or splits entirely into generic words/digits."""
        text = re.sub(r"[0-9()]", "", text)
        if len(text) < 2:
            return True
        reachable = [True] + [False] * len(text)
        for i in range(len(text)):
            if not reachable[i]:
                continue
            for size in range(1, min(self.max_len, len(text) - i) + 1):
                if text[i : i + size] in self.words:
                    reachable[i + size] = True
        return reachable[len(text)]


# --------------------------------------------------------------------------------------
# institutions


@dataclass(frozen=True)
class _Org:
    name: str  # canonical display name
    kind: OrgKind
    code: str | None
    province: str | None
    city: str | None
    parent: str | None
    name_en: str | None = None

    @property
    def key(self) -> str:
        if self.kind == "university":
            if self.parent and self.code:
                campus = _key_part(self.name.replace(self.parent, "", 1))
                return f"edu:{self.code}@{campus}"
            return f"edu:{self.code}" if self.code else f"edu:{_key_part(self.name)}"
        if self.kind == "institute":
            return f"inst:{_key_part(self.name)}"
        return f"org:{_key_part(self.name)}"


_UNIT_LAB = (
    "国家重点实验室",
    "重点实验室",
    "实验室",
    "研究中心",
    "工程中心",
    "技术中心",
    "创新中心",
    "中心",
    "平台",
    "基地",
    "课题组",
    "团队",
    "工作站",
)
_UNIT_INSTITUTE = ("研究所", "研究院", "所")
_UNIT_COLLEGE = (
    "学院",
    "系",
    "学部",
    "书院",
    "研究生院",
    "医院",
    "处",
    "办公室",
    "图书馆",
    "出版社",
    "部",
    "科",
    "馆",
    "站",
    "室",
    "院",
)
_NOT_A_UNIT = ("大学", "学校", "科学院", "公司", "集团")
_CAMPUS_END = re.compile(r"(校区|分校)$")
_SCHOOL_END = re.compile(r"(大学|学院|学校|学堂)$")
_INSTITUTE_END = re.compile(r"(研究所|研究院|科学院|设计院|工程院|研究中心|研究室|试验站|实验站)$")
_GOV_END = re.compile(
    r"(人民政府|政府|办公厅|厅|局|委员会|管委会|委|署|人民代表大会|常务委员会|法院|检察院)$"
)
_GOV_MINISTRY = re.compile(r"(部)$")
_NOT_GOV_BU = re.compile(
    r"(事业部|业务部|销售部|技术部|研发部|工程部|俱乐部|总部|部门|学部|本部|分部|外联部)$"
)
_GOV_EXACT = frozenset({"国务院", "国务院办公厅", "全国人大", "中共中央"})
_EN_UNIT_LAB = re.compile(r"\b(laborator(y|ies)|lab|labs|cent(er|re)|platform|group)\b", re.I)
_EN_UNIT_INSTITUTE = re.compile(r"\b(institute|academy)\b", re.I)
_EN_GOV = re.compile(
    r"\b(ministry|bureau|people's government|government|commission|administration|department of .* province)\b",
    re.I,
)
_EN_INSTITUTE = re.compile(
    r"\b(academy of|institute of|research institute|research center|research centre)\b", re.I
)
_EN_GEO_FILLER = frozenset({"china", "pr", "prc", "p", "r", "peoples", "republic", "of", "the"})

_CONFIDENCE = {
    "exact": 1.0,
    "alias": 0.95,
    "short_alias": 0.9,
    "english": 0.95,
    "unit": 0.9,
    "unit_unsure": 0.7,
    "campus_guess": 0.75,
    "company_legal": 0.9,
    "company_informal": 0.6,
    "institute": 0.75,
    "government": 0.75,
    "school_unlisted": 0.5,
    "college_orphan": 0.3,
}


class OrgNormalizer:
    """Resolve raw organisation strings against the shipped gazetteer.

    Build one per process (construction reads about 3,000 institution rows, ~0.1 s) and share
    it: after construction it is read-only and thread-safe. :func:`resolve_org` uses a
    lazily built module-level instance. Results are memoised (LRU, 65,536 entries).

    Args:
        data_dir: folder with the data files (default: ``nlp/data``).

    Example:
        >>> OrgNormalizer().resolve("哈工大").canonical_name
        '哈尔滨工业大学'
    """

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir or DATA_DIR
        self._regions = _RegionTable(self.data_dir)
        self._generic = _GenericWords(self.data_dir)
        self._orgs: dict[str, _Org] = {}  # match form of canonical name -> org
        self._aliases: dict[str, tuple[_Org, bool]] = {}  # match form -> (org, is_short)
        self._english: dict[str, _Org] = {}  # compact English -> org
        self._abbrev: dict[str, _Org] = {}  # upper-case abbreviation -> org
        self._load()
        self._prefix_max = max(map(len, [*self._orgs, *self._aliases]))
        self._school_forms = [
            f for f, o in self._orgs.items() if o.kind == "university" and _SCHOOL_END.search(f)
        ]
        en_sorted = sorted(self._english_phrases, key=len, reverse=True)
        self._en_pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(_en_phrase_regex(p) for p in en_sorted) + r")(?![a-z0-9])"
        )
        self.resolve = lru_cache(maxsize=65536)(self._resolve)  # type: ignore[method-assign]
        self.normalize_company = lru_cache(maxsize=65536)(self._normalize_company)  # type: ignore[method-assign]

    # ---------------------------------------------------------------- loading

    def _load(self) -> None:
        d = self.data_dir
        with (d / "institutions.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                city = re.sub(r"\s+", "", row["city"]) or None
                self._add_org(
                    _Org(row["name"], "university", row["code"], row["province"], city, None)
                )
        websites = json.loads((d / "universities_with_website.json").read_text("utf-8"))
        for province, by_name in websites.items():
            for name in by_name:
                if _clean(name) not in self._orgs:
                    self._add_org(_Org(name, "university", None, province, None, None))
        with (d / "org_extra.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                org = _Org(
                    row["name"],
                    row["kind"],
                    row["code"] or None,  # type: ignore[arg-type]
                    row["province"] or None,
                    row["city"] or None,
                    row["parent"] or None,
                    row["name_en"] or None,
                )
                self._add_org(org)
                if org.name_en:
                    self._english[_compact_en(org.name_en)] = org
        self._english_phrases: dict[str, _Org] = {}
        for org in self._orgs.values():
            if org.name_en:
                self._english_phrases[normalize_text(org.name_en).lower()] = org
        with (d / "org_aliases.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                target = self._orgs.get(_clean(row["canonical"]))
                if target is None:
                    raise ValueError(
                        f"org_aliases.csv: alias {row['alias']!r} points to {row['canonical']!r}, "
                        "which is not in institutions.csv, universities_with_website.json or "
                        "org_extra.csv; add the organisation there first."
                    )
                alias = row["alias"]
                if row["lang"] == "en":
                    if re.fullmatch(r"[A-Z]{2,8}", alias):
                        self._abbrev[alias] = target
                    else:
                        self._english[_compact_en(alias)] = target
                        self._english_phrases[normalize_text(alias).lower()] = target
                else:
                    form = _clean(alias)
                    self._aliases[form] = (target, len(form) <= 2)

    def _add_org(self, org: _Org) -> None:
        self._orgs.setdefault(_clean(org.name), org)

    # ---------------------------------------------------------------- public API

    def _resolve(self, raw: str) -> OrgMatch:
        """Resolve one organisation name. See :func:`resolve_org`."""
        text = _clean(raw)
        if not _key_part(text):
            raise ValueError(
                f"Organisation name {raw!r} has no letters, digits or Chinese characters; "
                "skip blank fields before resolving."
            )
        if not _has_cjk(text):
            return self._resolve_english(raw, text)
        return self._resolve_chinese(raw, text)

    def _normalize_company(self, name: str) -> CompanyName:
        """Split a firm name into core, regions and legal form. See :func:`normalize_company`."""
        text = _clean(name)
        if not _key_part(text):
            raise ValueError(f"Company name {name!r} has no letters, digits or Chinese characters.")
        if not _has_cjk(text):
            return self._company_english(name, text)
        return self._company_chinese(name, text)

    # ---------------------------------------------------------------- Chinese

    def _lookup_exact(self, text: str) -> tuple[_Org, str, float] | None:
        org = self._orgs.get(text)
        if org is not None:
            return org, "exact", _CONFIDENCE["exact"]
        hit = self._aliases.get(text)
        if hit is not None:
            org, short = hit
            return org, "alias", _CONFIDENCE["short_alias" if short else "alias"]
        return None

    def _resolve_chinese(self, raw: str, text: str) -> OrgMatch:
        exact = self._lookup_exact(text)
        if exact is not None:
            return self._org_match(raw, *exact)
        if text in _GOV_EXACT:
            return self._government(raw, text)
        if _COMPANY_END.search(text):
            return self._company_match(raw, _CONFIDENCE["company_legal"])
        prefixed = self._prefix_match(raw, text)
        if prefixed is not None:
            return prefixed
        if _GOV_END.search(text) or (_GOV_MINISTRY.search(text) and not _NOT_GOV_BU.search(text)):
            return self._government(raw, text)
        if _INSTITUTE_END.search(text):
            return self._institute(raw, text)
        if _SCHOOL_END.search(text):
            return self._school_fallback(raw, text)
        if _INFORMAL_FIRM_END.search(text):
            return self._company_match(raw, _CONFIDENCE["company_informal"])
        return self._unknown(raw, text)

    def _prefix_match(self, raw: str, text: str) -> OrgMatch | None:
        """A known organisation followed by a unit or campus (哈工大机器人技术与系统国家重点实验室)."""
        for size in range(min(self._prefix_max, len(text) - 1), 1, -1):
            head = self._lookup_exact(text[:size])
            if head is None:
                continue
            org, method, confidence = head
            rest = text[size:]
            is_short = method == "alias" and size <= 3
            if rest[0] in "、;；/|,，和与及":
                # A list of organisations: report the first one, flagged by a lower score.
                return self._org_match(raw, org, method, confidence * 0.8)
            campus = self._campus(org, rest)
            if campus is org:
                return self._org_match(raw, org, method, min(confidence, _CONFIDENCE["unit"]))
            if campus is not None:
                return self._org_match(raw, campus, method, _CONFIDENCE["campus_guess"])
            unit_kind = _unit_kind(rest)
            if len(rest) < 2 or rest.endswith(_NOT_A_UNIT) or rest.endswith(tuple(_LEGAL_FORMS)):
                continue
            if unit_kind is None and is_short:
                continue  # 北大荒 is not a unit of 北大
            if unit_kind is None:
                unit_kind, confidence = "college", min(confidence, _CONFIDENCE["unit_unsure"])
            else:
                confidence = min(confidence, _CONFIDENCE["unit"])
            if org.kind == "institute" and unit_kind != "lab":
                unit_kind = "institute"
            elif org.kind != "institute" and unit_kind == "institute":
                unit_kind = "lab"  # 哈工大XX研究院: a research unit of the university
            return self._unit_match(raw, org, rest, unit_kind, method, confidence)
        return None

    def _campus(self, org: _Org, rest: str) -> _Org | None:
        if org.kind != "university" or org.parent:
            return None
        label: str | None = None
        bracket = re.fullmatch(r"\((.+)\)", rest)
        if bracket and self._regions.lookup(bracket.group(1)):
            label = bracket.group(1)
        elif _CAMPUS_END.search(rest) and len(rest) <= 8:
            label = _CAMPUS_END.sub("", rest)
            if not self._regions.lookup(label):
                # 一校区, 南岗校区: a site of the university in its own city, not a campus
                # organisation of its own.
                return org
        if not label:
            return None
        region = self._regions.lookup(label)
        name = f"{org.name}（{label}）"
        known = self._orgs.get(_clean(name))
        if known is not None:
            return known
        return _Org(
            name,
            "university",
            org.code,
            region.province if region else org.province,
            region.city if region else None,
            org.name,
        )

    def _unit_match(
        self, raw: str, org: _Org, unit: str, kind: OrgKind, method: str, confidence: float
    ) -> OrgMatch:
        joiner = "" if _has_cjk(unit) else " "
        if kind == "institute":
            # An institute of an academy (中国科学院XX研究所) is an organisation of its own, not
            # a unit: keyed by full name (stable if it is later added to org_extra.csv), with
            # the academy as parent and no ``unit``.
            return OrgMatch(
                raw=raw,
                canonical_name=_display(org.name + joiner + unit),
                kind="institute",
                province=org.province,
                city=org.city,
                parent=org.name,
                key=f"inst:{_key_part(org.name + unit)}",
                confidence=confidence,
                method=method,  # type: ignore[arg-type]
            )
        return OrgMatch(
            raw=raw,
            canonical_name=_display(org.name + joiner + unit),
            kind=kind,
            code=org.code,
            province=org.province,
            city=org.city,
            parent=org.name,
            unit=_display(unit),
            key=f"{org.key}/{_key_part(unit)}",
            confidence=confidence,
            method=method,  # type: ignore[arg-type]
        )

    def _org_match(self, raw: str, org: _Org, method: str, confidence: float) -> OrgMatch:
        return OrgMatch(
            raw=raw,
            canonical_name=org.name,
            kind=org.kind,
            code=org.code,
            province=org.province,
            city=org.city,
            parent=org.parent,
            key=org.key,
            confidence=confidence,
            method=method,  # type: ignore[arg-type]
        )

    def _place(self, text: str) -> tuple[str | None, str | None]:
        regions, _ = self._regions.strip_leading(text)
        return self._regions.place(regions)

    def _government(self, raw: str, text: str) -> OrgMatch:
        province, city = self._place(text)
        return OrgMatch(
            raw=raw,
            canonical_name=_display(text),
            kind="government",
            province=province,
            city=city,
            key=f"gov:{_key_part(text)}",
            confidence=_CONFIDENCE["government"],
            method="suffix-rule",
        )

    def _institute(self, raw: str, text: str) -> OrgMatch:
        province, city = self._place(text)
        parent = None
        academy = re.match(
            r"^(.+?(?:科学院|研究院|工程院))(.+(?:研究所|研究中心|研究室|试验站))$", text
        )
        if academy:
            parent = _display(academy.group(1))
        return OrgMatch(
            raw=raw,
            canonical_name=_display(text),
            kind="institute",
            province=province,
            city=city,
            parent=parent,
            key=f"inst:{_key_part(text)}",
            confidence=_CONFIDENCE["institute"],
            method="suffix-rule",
        )

    def _school_fallback(self, raw: str, text: str) -> OrgMatch:
        fuzzy = self._fuzzy_school(text)
        if fuzzy is not None:
            org, score = fuzzy
            return self._org_match(raw, org, "fuzzy", round(0.8 * score / 100, 3))
        regions, _ = self._regions.strip_leading(text)
        province, city = self._regions.place(regions)
        if (
            text.endswith("学院")
            and not regions
            and not re.search(r"(职业|专科|师范|医学|理工|科技)", text)
        ):
            # 计算机科学与技术学院 on its own: a college whose university is not named.
            return OrgMatch(
                raw=raw,
                canonical_name=_display(text),
                kind="college",
                key=f"org:{_key_part(text)}",
                confidence=_CONFIDENCE["college_orphan"],
                method="suffix-rule",
            )
        return OrgMatch(
            raw=raw,
            canonical_name=_display(text),
            kind="university",
            province=province,
            city=city,
            key=f"edu:{_key_part(text)}",
            confidence=_CONFIDENCE["school_unlisted"],
            method="suffix-rule",
        )

    def _fuzzy_school(self, text: str) -> tuple[_Org, float] | None:
        suffix = _SCHOOL_END.search(text)
        if suffix is None or len(text) < 4:
            return None
        candidates = [f for f in self._school_forms if f.endswith(suffix.group(1))]
        best = process.extract(text, candidates, scorer=fuzz.ratio, limit=2, score_cutoff=80)
        if not best or best[0][1] < 88:
            return None
        if len(best) > 1 and best[0][1] - best[1][1] < 4:
            return None  # 哈尔滨工大学: equally close to 哈尔滨工业大学 and 哈尔滨工程大学
        return self._orgs[best[0][0]], best[0][1]

    def _company_match(self, raw: str, confidence: float) -> OrgMatch:
        company = self.normalize_company(raw)
        return OrgMatch(
            raw=raw,
            canonical_name=_display(_clean(raw)),
            kind="enterprise",
            province=company.province,
            city=company.city,
            key=f"ent:{company.key}",
            confidence=confidence,
            method="company-rule",
        )

    def _unknown(self, raw: str, text: str) -> OrgMatch:
        return OrgMatch(
            raw=raw,
            canonical_name=_display(text),
            kind="unknown",
            key=f"org:{_key_part(text)}",
            confidence=0.0,
            method="unknown",
        )

    # ---------------------------------------------------------------- English

    def _resolve_english(self, raw: str, text: str) -> OrgMatch:
        stripped = text.strip()
        if stripped in self._abbrev:
            return self._org_match(raw, self._abbrev[stripped], "english", _CONFIDENCE["english"])
        compact = _compact_en(stripped)
        if compact in self._english:
            return self._org_match(raw, self._english[compact], "english", _CONFIDENCE["english"])
        if _EN_LEGAL.search(stripped):
            return self._company_match(raw, _CONFIDENCE["company_legal"])
        lower = normalize_text(stripped).lower().replace("&", "and")
        hit = self._en_pattern.search(lower)
        if hit is not None:
            org = self._english_phrases[_phrase_of(hit.group(1), self._english_phrases)]
            rest = stripped[: hit.start()] + " , " + stripped[hit.end() :]
            unit = _english_unit(rest)
            if not unit:
                return self._org_match(raw, org, "english", _CONFIDENCE["english"])
            kind: OrgKind = "institute" if org.kind == "institute" else "college"
            if _EN_UNIT_LAB.search(unit):
                kind = "lab"
            elif _EN_UNIT_INSTITUTE.search(unit) and org.kind != "institute":
                kind = "lab"  # "Institute of X, Harbin Institute of Technology": a research unit
            return self._unit_match(raw, org, unit, kind, "english", _CONFIDENCE["unit"])
        if _EN_GOV.search(stripped):
            return OrgMatch(
                raw=raw,
                canonical_name=stripped,
                kind="government",
                key=f"gov:{compact}",
                confidence=_CONFIDENCE["government"],
                method="suffix-rule",
            )
        if _EN_INSTITUTE.search(stripped):
            return OrgMatch(
                raw=raw,
                canonical_name=stripped,
                kind="institute",
                key=f"inst:{compact}",
                confidence=_CONFIDENCE["institute"],
                method="suffix-rule",
            )
        if re.search(r"\b(university|college)\b", stripped, re.I):
            return OrgMatch(
                raw=raw,
                canonical_name=stripped,
                kind="university",
                key=f"edu:{compact}",
                confidence=_CONFIDENCE["school_unlisted"],
                method="suffix-rule",
            )
        return self._unknown(raw, stripped)

    # ---------------------------------------------------------------- companies

    def _company_chinese(self, raw: str, text: str) -> CompanyName:
        branch: str | None = None
        head = text
        m = _BRANCH.match(text)
        if m:
            head, branch = m.group("head"), m.group("branch")
        else:
            bare = _BRANCH_BARE.search(text)
            if bare and len(text) > len(bare.group(0)) + 1:
                # 中国移动哈尔滨分公司: the label is the region run before 分公司, if any.
                body = text[: bare.start()]
                label_start = len(body)
                for size in range(min(self._regions.max_len, len(body)), 1, -1):
                    if self._regions.lookup(body[-size:]):
                        label_start = len(body) - size
                        break
                head, branch = body[:label_start], body[label_start:] + bare.group(0)
                if not head:
                    head, branch = text, None
        core, legal = self._strip_legal(head)
        regions: list[_Region] = []

        # Bracketed regions anywhere: XX科技(哈尔滨)有限公司, XX(中国)有限公司.
        def bracket(m: re.Match[str]) -> str:
            inner = m.group(1)
            region = self._regions.lookup(inner)
            if region is not None:
                regions.append(region)
                return ""
            if inner in ("中国", "China", "china"):
                return ""
            return m.group(0)

        core = re.sub(r"\(([^()]*)\)", bracket, core)
        core, more_legal = self._strip_legal(core)
        legal = (more_legal + legal) if more_legal else legal
        leading, rest = self._regions.strip_leading(core)
        if leading and self._starts_with_institution(core):
            # 哈尔滨工业大学资产投资经营: the "region" belongs to a university's name.
            leading, rest = [], core
        if leading:
            if self._generic.covers(rest):
                # 哈尔滨电机厂, 大庆油田: the region is part of the name (and still recorded).
                rest = leading[-1].short + rest
            core = rest
            regions = leading + regions
        core = core.strip(_EDGE_PUNCT) or text
        province, city = self._regions.place(regions)
        key = _key_part(core)
        parent_key = None
        if branch:
            parent_key = key
            key = f"{key}/{_key_part(branch)}"
        return CompanyName(
            raw=raw,
            core=_display(core),
            region=regions[-1].name if regions else None,
            regions=tuple(r.name for r in regions),
            province=province,
            city=city,
            legal_form=_display(legal) if legal else None,
            branch=branch,
            key=key,
            parent_key=parent_key,
        )

    def _starts_with_institution(self, text: str) -> bool:
        for size in range(min(self._prefix_max, len(text)), 3, -1):
            if text[:size] in self._orgs:
                return True
        return False

    @staticmethod
    def _strip_legal(text: str) -> tuple[str, str]:
        legal = ""
        changed = True
        while changed:
            changed = False
            for form in _LEGAL_FORMS_SORTED:
                if text.endswith(form) and len(text) > len(form):
                    text = text[: -len(form)]
                    legal = form + legal
                    changed = True
                    break
        return text, legal

    def _company_english(self, raw: str, text: str) -> CompanyName:
        text = normalize_text(text)
        legal_parts: list[str] = []
        while True:
            m = _EN_LEGAL.search(text)
            if not m or m.start() == 0:
                break
            legal_parts.insert(0, m.group(1))
            text = text[: m.start()]
        regions: list[_Region] = []

        def bracket(m: re.Match[str]) -> str:
            region = self._regions.english.get(_compact_en(m.group(1)))
            if region is not None:
                regions.append(region)
                return " "
            if _compact_en(m.group(1)) == "china":
                return " "
            return m.group(0)

        text = re.sub(r"\(([^()]*)\)", bracket, text)
        words = _EN_WORD.findall(text)
        leading: list[_Region] = []
        while len(words) > 1:
            region = self._regions.english.get(_compact_en(words[0]))
            if region is None:
                break
            leading.append(region)
            words = words[1:]
        core_words = words or _EN_WORD.findall(text)
        core = " ".join(core_words)
        if self._generic_en(core_words) and leading:
            core = f"{self._regions.english_name.get(leading[-1].name, leading[-1].short)} {core}"
        regions = leading + regions
        province, city = self._regions.place(regions)
        return CompanyName(
            raw=raw,
            core=core,
            region=regions[-1].name if regions else None,
            regions=tuple(r.name for r in regions),
            province=province,
            city=city,
            legal_form=" ".join(legal_parts) or None,
            key=_compact_en(core),
        )

    @staticmethod
    def _generic_en(words: list[str]) -> bool:
        generic = {
            "technology",
            "technologies",
            "tech",
            "electric",
            "electrical",
            "machinery",
            "power",
            "pharmaceutical",
            "pharmaceuticals",
            "industry",
            "industrial",
            "engineering",
            "trading",
            "development",
            "investment",
            "science",
            "and",
        }
        return all(w.lower() in generic for w in words)


def _en_phrase_regex(phrase: str) -> str:
    words = re.findall(r"[a-z0-9']+", phrase.replace("&", "and"))
    return r"[\s,.\-]*".join(re.escape(w) for w in words)


def _phrase_of(matched: str, phrases: dict[str, _Org]) -> str:
    compact = re.sub(r"[^a-z0-9]", "", matched)
    for phrase in phrases:
        if re.sub(r"[^a-z0-9]", "", phrase.replace("&", "and")) == compact:
            return phrase
    raise KeyError(matched)  # unreachable: the pattern is built from these phrases


def _english_unit(rest: str) -> str | None:
    parts = []
    for part in re.split(r"[,;]", rest):
        part = part.strip(" .-()")
        if not part:
            continue
        words = re.findall(r"[a-z0-9']+", part.lower())
        if all(w.isdigit() or w in _EN_GEO_FILLER or w in _GEO_EN for w in words):
            continue  # "Harbin 150001", "P.R. China"
        parts.append(part)
    return ", ".join(parts) or None


_GEO_EN = frozenset(
    {
        "harbin",
        "heilongjiang",
        "daqing",
        "qiqihar",
        "mudanjiang",
        "jiamusi",
        "beijing",
        "shanghai",
        "tianjin",
        "shenzhen",
        "weihai",
        "hangzhou",
        "nanjing",
        "wuhan",
        "xian",
        "xi'an",
        "changchun",
        "shenyang",
        "dalian",
        "province",
        "city",
        "china",
    }
)


def _unit_kind(unit: str) -> OrgKind | None:
    """The kind of a unit from its last suffix; ``None`` if it has no known unit suffix."""
    if unit.endswith(_UNIT_LAB):
        return "lab"
    if unit.endswith(_UNIT_INSTITUTE):
        return "institute"
    if unit.endswith(_UNIT_COLLEGE):
        return "college"
    return None


_default: OrgNormalizer | None = None
_default_lock = threading.Lock()


def default_normalizer() -> OrgNormalizer:
    """The shared :class:`OrgNormalizer`, built on first use (thread-safe)."""
    global _default
    normalizer = _default
    if normalizer is None:
        with _default_lock:
            normalizer = _default
            if normalizer is None:
                normalizer = _default = OrgNormalizer()
    return normalizer


def resolve_org(raw: str) -> OrgMatch:
    """Resolve a raw organisation name to its canonical form, kind and key.

    Order of rules (first that applies wins): exact gazetteer name → curated alias →
    company legal form (enterprise) → known organisation followed by a unit or campus →
    government suffix → institute suffix → school-like suffix (fuzzy match against the
    gazetteer, else an unlisted school) → informal firm ending (XX科技) → unknown.
    English strings go through abbreviations (upper-case only: HIT, HEU), English names,
    names embedded with a unit (School of ..., Harbin Institute of Technology), then the
    same suffix rules. Complexity: O(L) dictionary look-ups for a name of length L, plus a
    rapidfuzz scan of ~2,700 names for unlisted school-like names only.

    Args:
        raw: one organisation name (split lists first with :func:`split_org_names`).

    Returns:
        The :class:`OrgMatch`; ``kind == "unknown"`` with confidence 0 when nothing applies.

    Raises:
        ValueError: if ``raw`` is empty or only punctuation.

    Example:
        >>> m = resolve_org("哈工大机器人技术与系统国家重点实验室")
        >>> (m.kind, m.parent, m.unit)
        ('lab', '哈尔滨工业大学', '机器人技术与系统国家重点实验室')
    """
    return default_normalizer().resolve(raw)


def normalize_company(name: str) -> CompanyName:
    """Reduce a firm name to the core that identifies it across filings.

    Rules, applied in order:

    1. Branch: ``<head office>公司<label>分公司`` (also 分厂, 办事处, 营业部, 分部, 分店) keeps the
       label in ``branch``; the key becomes ``<head key>/<label>`` and ``parent_key`` is the
       head office's key. A branch is *not* merged with its head office (it has its own
       address and contacts); link it with ``parent_key``.
    2. Legal form: trailing 股份有限公司, 有限责任公司, 有限公司, 集团, (集团), 控股, 股份, 合作社,
       (有限合伙) ... are stripped repeatedly (XX集团股份有限公司 → XX, legal form 集团股份有限公司).
       Consequence: a group and its listed arm (XX集团有限公司, XX股份有限公司) share a key.
    3. Regions: bracketed regions anywhere (XX科技(哈尔滨)有限公司, XX(中国)有限公司) and leading
       nested regions (黑龙江省哈尔滨市南岗区XX, 哈尔滨高新区XX) are stripped and recorded.
       Known: all provinces, cities that host an institution in the ministry list (~330), the
       districts and counties of 黑龙江 (those whose names are unique in the province).
    4. Guard: if stripping the region leaves only generic words (电机厂, 油田, 啤酒, 第一机床厂;
       ``data/company_generic_words.txt``), the most specific region is put back in short
       form (哈尔滨电机厂, 大庆油田, 齐齐哈尔第一机床厂).

    Limits: firms with the same core in different cities (哈尔滨XX科技 and 大庆XX科技) get the
    same key — use :func:`same_company`, which also compares regions, before merging;
    regions in the middle of a name (国网黑龙江省电力) are kept; Chinese and English names of
    one firm get different keys; 中国 as a prefix is kept (中国一重 is not 一重).

    Args:
        name: the firm name as filed (Chinese or English).

    Returns:
        The :class:`CompanyName`.

    Raises:
        ValueError: if ``name`` is empty or only punctuation.

    Example:
        >>> normalize_company("XX科技（哈尔滨）有限公司").key
        'xx科技'
    """
    return default_normalizer().normalize_company(name)


def same_company(a: str | CompanyName, b: str | CompanyName) -> bool:
    """True if two firm names plausibly denote the same firm.

    Keys must be equal, and the recorded regions must not conflict: two different cities
    (or provinces) mean two firms; a province and a city inside it are compatible
    (黑龙江XX科技 and 哈尔滨XX科技), as is a missing region.

    Args:
        a: a firm name or an already normalised :class:`CompanyName`.
        b: the same for the other firm.

    Returns:
        Whether the two may be merged.

    Example:
        >>> same_company("哈尔滨XX科技有限公司", "大庆XX科技有限公司")
        False
    """
    ca = a if isinstance(a, CompanyName) else normalize_company(a)
    cb = b if isinstance(b, CompanyName) else normalize_company(b)
    if ca.key != cb.key:
        return False
    if ca.province and cb.province and ca.province != cb.province:
        return False
    return not (ca.city and cb.city and ca.city != cb.city)
