"""Field taxonomy: the province's key industries, IPC sections/classes, and text/IPC classifiers.

The taxonomy is what demands, researchers, results and patents are grouped by when a
matchmaker asks "who works on 新材料?" or an alliance organiser builds a consortium per field.

Industry fields (``kind == "industry"``, ``data/fields.csv``):

* the ten key fields named in the 千校万企 plan for the province's "4567" industrial system:
  数字经济, 生物经济, 冰雪经济, 创意设计, 电子信息, 高端智能装备, 农机装备, 新材料, 生物医药,
  食品精深加工;
* seven broader engineering fields, added because real enterprise demands need them to land
  somewhere meaningful (on the 371 CCF demands, a quarter would otherwise be forced into a
  poor fit): 能源与环保 (batteries, power, energy saving, pollution control), 石油化工
  (oil and gas — 大庆 — and chemical processes), 现代农业 (breeding, crops, livestock;
  distinct from 农机装备 machines and 食品精深加工 processing), 矿业冶金 (coal mining and
  mine safety, smelting, steel, casting/forging/rolling, heat treatment), 汽车与交通装备
  (vehicles, intelligent driving, rail, logistics), 建筑与土木工程 (structures, concrete,
  bridges, municipal works, cold-region building) and 航空航天 (aircraft, spacecraft);
* ``general`` (其他): the honest fallback, score 0, evidence empty.

IPC fields: the eight sections (``ipc:A`` ... ``ipc:H``, kind ``ipc_section``) and the classes the
IPC map uses (``ipc:G06`` ..., kind ``ipc_class``, parent = its section), from
``data/ipc_classes.csv`` (titles shortened from the WIPO/CNIPA texts).

Two classifiers map onto the industry fields:

* :func:`classify_text` — a weighted keyword lexicon (``data/field_lexicon.txt``, about
  1,500 hand-curated terms) matched by global longest match; scoring is documented there;
* :func:`fields_for_ipc` — a prefix map from IPC class / subclass / main group to fields
  (``data/ipc_field_map.csv``).
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from nlp.segment import DATA_DIR, normalize_text

__all__ = [
    "FIELDS",
    "GENERAL_FIELD_ID",
    "INDUSTRY_FIELD_IDS",
    "Field",
    "FieldKind",
    "FieldScore",
    "IpcCode",
    "IpcCodeError",
    "classify_text",
    "field_by_id",
    "fields_for_ipc",
    "find_ipc_codes",
    "ipc_parts",
    "lexicon_terms",
    "warm_up",
]

FieldKind = Literal["industry", "ipc_section", "ipc_class"]
ScoreSource = Literal["lexicon", "cue", "ipc", "fallback"]

GENERAL_FIELD_ID = "general"
"""The fallback field (其他): assigned with score 0 when no evidence points anywhere."""


class Field(BaseModel):
    """One node of the field taxonomy.

    Attributes:
        id: stable identifier (``new_materials``, ``ipc:G``, ``ipc:G06``).
        name_zh: Chinese name shown to users (新材料).
        name_en: English name.
        kind: ``industry``, ``ipc_section`` or ``ipc_class``.
        parent: the parent field id (an IPC class's section), else ``None``.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name_zh: str
    name_en: str
    kind: FieldKind
    parent: str | None = None


class FieldScore(BaseModel):
    """A field assigned to a text or a patent, with the evidence for it.

    Attributes:
        field_id: an industry field id (see :data:`INDUSTRY_FIELD_IDS`).
        score: 0–1; comparable across texts for the same classifier (see
            :func:`classify_text` and :func:`fields_for_ipc` for the formulas).
        evidence_terms: the lexicon terms or IPC codes that produced the score, strongest
            first; empty for the ``general`` fallback.
        source: ``lexicon`` (main lexicon), ``cue`` (weak cue words only, score ≤ 0.1),
            ``ipc`` (IPC map) or ``fallback`` (the ``general`` field).
    """

    model_config = ConfigDict(frozen=True)

    field_id: str
    score: float = PydanticField(ge=0.0, le=1.0)
    evidence_terms: tuple[str, ...] = ()
    source: ScoreSource = "lexicon"


# --------------------------------------------------------------------------------------
# taxonomy


def _load_fields() -> list[Field]:
    fields: list[Field] = []
    with (DATA_DIR / "fields.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            fields.append(
                Field(
                    id=row["id"],
                    name_zh=row["name_zh"],
                    name_en=row["name_en"],
                    kind=row["kind"],
                    parent=row["parent"] or None,
                )
            )  # type: ignore[arg-type]
    with (DATA_DIR / "ipc_classes.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            if len(code) == 1:
                fields.append(
                    Field(
                        id=f"ipc:{code}",
                        name_zh=row["name_zh"],
                        name_en=row["name_en"],
                        kind="ipc_section",
                    )
                )
            else:
                fields.append(
                    Field(
                        id=f"ipc:{code}",
                        name_zh=row["name_zh"],
                        name_en=row["name_en"],
                        kind="ipc_class",
                        parent=f"ipc:{code[0]}",
                    )
                )
    return fields


FIELDS: list[Field] = _load_fields()
"""Every field: the 18 industry fields first (in display order), then IPC sections and classes."""

_FIELD_INDEX: dict[str, Field] = {f.id: f for f in FIELDS}
_ORDER: dict[str, int] = {f.id: i for i, f in enumerate(FIELDS)}

INDUSTRY_FIELD_IDS: tuple[str, ...] = tuple(f.id for f in FIELDS if f.kind == "industry")
"""Ids of the industry fields, ``general`` last."""


def field_by_id(field_id: str) -> Field:
    """Return the :class:`Field` with this id.

    Raises:
        KeyError: with the list of known industry ids, if ``field_id`` is unknown.

    Example:
        >>> field_by_id("new_materials").name_zh
        '新材料'
    """
    try:
        return _FIELD_INDEX[field_id]
    except KeyError:
        raise KeyError(
            f"No field {field_id!r}. Industry fields: {', '.join(INDUSTRY_FIELD_IDS)}; "
            "IPC fields are 'ipc:<section>' or 'ipc:<class>', e.g. 'ipc:G06'."
        ) from None


# --------------------------------------------------------------------------------------
# lexicon


@dataclass(frozen=True)
class _Lexicon:
    weights: dict[str, dict[str, float]]  # term -> field -> weight
    terms_by_len: tuple[str, ...]  # longest first
    # Every prefix of every term -> is it a term itself (a prefix trie flattened to a dict,
    # as jieba does): _scan walks it from each position instead of looping over all terms.
    prefixes: dict[str, bool]
    latin: frozenset[str]  # the terms that only count at word boundaries


def _prefix_table(terms: Iterable[str]) -> dict[str, bool]:
    table: dict[str, bool] = {}
    for term in terms:
        for i in range(1, len(term)):
            table.setdefault(term[:i], False)
        table[term] = True
    return table


def _parse_weighted(name: str, *, min_len: int) -> _Lexicon:
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    field: str | None = None
    for lineno, line in enumerate((DATA_DIR / name).read_text("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            field = line.strip("[]")
            if field not in _FIELD_INDEX or _FIELD_INDEX[field].kind != "industry":
                raise ValueError(f"{name}:{lineno}: unknown industry field {field!r}")
            continue
        if field is None or ":" not in line:
            raise ValueError(f"{name}:{lineno}: expected '<weight>: terms' under a [field] header")
        weight_text, terms = line.split(":", 1)
        weight = float(weight_text)
        for term in terms.split():
            term = normalize_text(term).lower()
            if len(term) < min_len:
                raise ValueError(
                    f"{name}:{lineno}: term {term!r} is shorter than {min_len} characters"
                )
            # A term listed twice under one field keeps its highest weight.
            weights[term][field] = max(weight, weights[term].get(field, 0.0))
    terms_by_len = tuple(sorted(weights, key=lambda t: (-len(t), t)))
    latin = frozenset(t for t in weights if _LATIN.match(t))
    return _Lexicon(dict(weights), terms_by_len, _prefix_table(weights), latin)


@cache
def _lexicon() -> _Lexicon:
    return _parse_weighted("field_lexicon.txt", min_len=2)


@cache
def _cues() -> _Lexicon:
    return _parse_weighted("field_cues.txt", min_len=1)


@cache
def lexicon_terms() -> frozenset[str]:
    """All terms of the field lexicon (normalised, lower-case), e.g. for keyword filters."""
    return frozenset(_lexicon().weights)


def warm_up() -> None:
    """Load the lexicon and the cue words now instead of on the first classification."""
    _lexicon()
    _cues()


_LATIN = re.compile(r"^[0-9a-z][0-9a-z.+\-]*$")


def _scan(text: str, lexicon: _Lexicon) -> dict[str, int]:
    """Count lexicon terms in ``text`` by global longest match (non-overlapping).

    Every occurrence of every term is found; longer occurrences claim their characters
    first, so 故障诊断 hides 诊断 and 锂离子电池 hides 电池. Latin terms only count at word
    boundaries (``led`` is not found in ``controlled``). The occurrences come from walking the
    prefix table from each position: O(n·L) for text length n and longest term L.
    """
    if not text:
        return {}
    prefixes = lexicon.prefixes
    latin = lexicon.latin
    n = len(text)
    spans: list[tuple[int, int, str]] = []
    for start in range(n):
        frag = text[start]
        end = start + 1
        while True:
            is_term = prefixes.get(frag)
            if is_term is None:
                break
            if is_term and (
                frag not in latin
                or (
                    (start == 0 or not text[start - 1].isascii() or not text[start - 1].isalnum())
                    and (end == n or not text[end].isascii() or not text[end].isalnum())
                )
            ):
                spans.append((start, end, frag))
            if end == n:
                break
            end += 1
            frag = text[start:end]
    # Longest first, then leftmost: (start, length) identifies a span, so the order is total.
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    taken = bytearray(n)
    counts: dict[str, int] = defaultdict(int)
    for start, end, term in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        counts[term] += 1
    return counts


# Scoring constants, see classify_text.
_TITLE_FACTOR = 2.0
_SATURATION = 4.0
_MIN_RAW = 1.0
_RELATIVE_CUT = 0.3
_CUE_MAX_SCORE = 0.1
_MAX_EVIDENCE = 8


def _damp(count: int) -> float:
    return 1.0 + math.log(count) if count >= 1 else 0.0


def _strengths(body: str, head: str, lexicon: _Lexicon) -> dict[str, float]:
    """Per matched term: ``(1 + ln c_body) + 2 × (1 + ln c_title)`` (0 for an absent part)."""
    body_counts = _scan(body, lexicon)
    head_counts = _scan(head, lexicon)
    return {
        term: _damp(body_counts.get(term, 0)) + _TITLE_FACTOR * _damp(head_counts.get(term, 0))
        for term in body_counts.keys() | head_counts.keys()
    }


def _raw_scores(
    strengths: dict[str, float], lexicon: _Lexicon
) -> dict[str, tuple[float, list[tuple[str, float]]]]:
    raw: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for term, strength in strengths.items():
        for field, weight in lexicon.weights[term].items():
            contribution = weight * strength
            raw[field] += contribution
            evidence[field].append((term, contribution))
    return {f: (raw[f], evidence[f]) for f in raw}


def _ranked(
    scores: dict[str, tuple[float, list[tuple[str, float]]]],
) -> list[tuple[str, float, list[str]]]:
    out = []
    strongest: dict[str, float] = {}
    for field, (raw, ev) in scores.items():
        ev.sort(key=lambda e: (-e[1], e[0]))
        strongest[field] = ev[0][1] if ev else 0.0
        out.append((field, raw, [t for t, _ in ev[:_MAX_EVIDENCE]]))
    # Ties go to the field with the single strongest piece of evidence, then taxonomy order.
    out.sort(key=lambda r: (-r[1], -strongest[r[0]], _ORDER[r[0]]))
    return out


def classify_text(text: str, top_k: int = 3, *, title: str | None = None) -> list[FieldScore]:
    """Assign industry fields to a text (a demand, a research direction, a result's abstract).

    Scoring:

    1. The text (and the optional title) is normalised (NFKC, traditional→simplified,
       Latin lower-cased) and scanned for lexicon terms by global longest match.
    2. A term seen ``c`` times contributes ``w × (1 + ln c)`` to each field that lists it
       with weight ``w`` (3 specific, 2 typical, 1 weak, 0.5 hint), so repetition helps
       with diminishing returns. In ``title`` the same term counts with twice the weight
       (a title names the subject; a body also describes the company):
       ``w × ((1 + ln c_body) + 2 × (1 + ln c_title))``.
    3. A field's raw sum ``r`` is mapped to ``score = r / (r + 4)``: one specific term gives
       0.43, two give 0.6, ten weight units 0.71 — saturating, comparable across texts.
    4. Fields are kept when ``r ≥ 1`` and ``r ≥ 0.3 × r_best`` (drops passing mentions),
       best first, at most ``top_k``.
    5. If no field reaches ``r ≥ 1``, weak cue words (``data/field_cues.txt``: 装置, 材料, 工艺,
       单字 cues such as 医, 农, 矿) are tried; the best such field is returned with source
       ``cue`` and a score of at most 0.1.
    6. Otherwise the ``general`` field (其他) with score 0 and no evidence.

    Every non-blank text therefore gets at least one field. Complexity: O(n·L) for a text
    of n characters and lexicon terms of at most L characters (a prefix-table walk from each
    position; well under 1 ms for a 1,000-character demand).

    Args:
        text: the body text; may be empty if ``title`` is given.
        top_k: maximum number of fields returned (≥ 1).
        title: an optional title whose matches weigh double.

    Returns:
        Field scores, best first; an empty list only when text and title are both blank.

    Raises:
        ValueError: if ``top_k < 1``.

    Example:
        >>> [s.field_id for s in classify_text("高能量密度锂离子电池负极材料的研发")]
        ['energy_environment', 'new_materials']
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    body = normalize_text(text or "").lower()
    head = normalize_text(title or "").lower()
    if not body and not head:
        return []
    lexicon = _lexicon()
    strengths = _strengths(body, head, lexicon)
    ranked = _ranked(_raw_scores(strengths, lexicon))
    if ranked and ranked[0][1] >= _MIN_RAW:
        best = ranked[0][1]
        keep = [r for r in ranked if r[1] >= _MIN_RAW and r[1] >= _RELATIVE_CUT * best]
        return [
            FieldScore(
                field_id=f, score=round(raw / (raw + _SATURATION), 4), evidence_terms=tuple(ev)
            )
            for f, raw, ev in keep[:top_k]
        ]
    cues = _cues()
    # Weak main-lexicon hints (weight 0.5 terms) still count at this tier.
    cue_scores = _raw_scores(_strengths(body, head, cues), cues)
    for field, (raw, ev) in _raw_scores(strengths, lexicon).items():
        prev_raw, prev_ev = cue_scores.get(field, (0.0, []))
        cue_scores[field] = (prev_raw + raw, prev_ev + ev)
    cue_ranked = _ranked(cue_scores)
    if cue_ranked:
        field, raw, ev = cue_ranked[0]
        score = round(min(_CUE_MAX_SCORE, raw / (raw + _SATURATION) / 5), 4)
        return [FieldScore(field_id=field, score=score, evidence_terms=tuple(ev), source="cue")]
    return [FieldScore(field_id=GENERAL_FIELD_ID, score=0.0, source="fallback")]


# --------------------------------------------------------------------------------------
# IPC


class IpcCodeError(ValueError):
    """Raised by :func:`ipc_parts` for a string that is not an IPC symbol."""


class IpcCode(BaseModel):
    """The parts of an IPC symbol.

    Attributes:
        section: ``G``.
        ipc_class: ``G06``.
        subclass: ``G06F``, or ``None`` if only a section or class was given.
        main_group: ``16`` (leading zeros removed), or ``None``.
        subgroup: ``35`` (at least two digits, trailing zeros of the 6-digit form removed),
            or ``None`` when only a main group was given.
    """

    model_config = ConfigDict(frozen=True)

    section: str
    ipc_class: str | None = None
    subclass: str | None = None
    main_group: str | None = None
    subgroup: str | None = None

    @property
    def group(self) -> str | None:
        """``16/35`` (``16/00`` for a main group given alone), or ``None``."""
        if self.main_group is None:
            return None
        return f"{self.main_group}/{self.subgroup or '00'}"

    @property
    def code(self) -> str:
        """The canonical printed form: ``G06F 16/35``, ``G06F``, ``G06`` or ``G``."""
        if self.subclass and self.group:
            return f"{self.subclass} {self.group}"
        return self.subclass or self.ipc_class or self.section

    def __str__(self) -> str:
        return self.code


_IPC_VERSION = re.compile(r"\s*[(\[]\s*\d{4}\.\d{2}\s*[)\]]\s*$")
_IPC_FULL = re.compile(
    r"^(?P<section>[A-H])\s*(?P<cls>\d{2})\s*(?P<sub>[A-Z])"
    r"(?:[\s\-]*(?P<main>\d{1,4})(?:\s*/\s*(?P<subgroup>\d{1,6}))?)?$"
)
_IPC_DOCDB = re.compile(
    r"^(?P<section>[A-H])(?P<cls>\d{2})(?P<sub>[A-Z])(?P<main>\d{4})(?P<subgroup>\d{6})$"
)
_IPC_SHORT = re.compile(r"^(?P<section>[A-H])(?P<cls>\d{2})?$")
_IPC_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9])[A-Ha-h]\d{2}[A-Za-z](?:\s*\d{1,4}\s*/\s*\d{1,6}|\d{10})?(?![A-Za-z0-9/])"
)


def ipc_parts(code: str) -> IpcCode:
    """Parse an IPC symbol in any of the usual spellings.

    Accepted: ``G06F 16/35``, ``G06F16/35``, ``g06f 16 / 35``, the 14-character DOCDB form
    ``G06F0016350000``, a version suffix (``G06F 16/35 (2019.01)``), and partial symbols
    ``G06F 16`` (main group), ``G06F``, ``G06``, ``G``. Full-width characters are accepted.

    Args:
        code: the symbol.

    Returns:
        The :class:`IpcCode`.

    Raises:
        IpcCodeError: if ``code`` is not an IPC symbol (the message shows the accepted forms).

    Example:
        >>> ipc_parts("G06F0016350000").code
        'G06F 16/35'
    """
    return _ipc_parts(code)


# Patents of one run share a few thousand IPC symbols, and the parsed codes are immutable.
@lru_cache(maxsize=1 << 14)
def _ipc_parts(code: str) -> IpcCode:
    text = _IPC_VERSION.sub("", normalize_text(code).upper()).strip()
    m = _IPC_DOCDB.match(text) or _IPC_FULL.match(text)
    if m:
        section, cls, sub = m.group("section"), m.group("cls"), m.group("sub")
        main = m.group("main")
        subgroup = m.group("subgroup")
        if subgroup is not None and m.re is _IPC_DOCDB:
            subgroup = subgroup.rstrip("0").ljust(2, "0")
        return IpcCode(
            section=section,
            ipc_class=section + cls,
            subclass=section + cls + sub,
            main_group=str(int(main)) if main is not None else None,
            subgroup=subgroup,
        )
    m = _IPC_SHORT.match(text)
    if m:
        cls = m.group("cls")
        return IpcCode(
            section=m.group("section"), ipc_class=m.group("section") + cls if cls else None
        )
    raise IpcCodeError(
        f"{code!r} is not an IPC symbol. Expected e.g. 'G06F 16/35', 'G06F16/35', "
        "'G06F0016350000', 'G06F' or 'G06'."
    )


def find_ipc_codes(text: str) -> list[IpcCode]:
    """Find the IPC symbols in a free-text field (``G06F16/35;G06N3/08``, 分类号 lists).

    Only subclass-level or finer symbols are recognised in running text (a bare ``G06``
    would match too much). Duplicates are kept once, in order of appearance.

    Example:
        >>> [c.code for c in find_ipc_codes("主分类号 G06F16/35；分类号 G06N 3/08, H04L29/06")]
        ['G06F 16/35', 'G06N 3/08', 'H04L 29/06']
    """
    seen: dict[str, IpcCode] = {}
    for m in _IPC_IN_TEXT.finditer(normalize_text(text)):
        try:
            parsed = ipc_parts(m.group(0))
        except IpcCodeError:
            continue
        seen.setdefault(parsed.code, parsed)
    return list(seen.values())


@cache
def _ipc_map() -> dict[str, dict[str, float]]:
    mapping: dict[str, dict[str, float]] = defaultdict(dict)
    with (DATA_DIR / "ipc_field_map.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["field_id"]:
                continue
            if row["field_id"] not in _FIELD_INDEX:
                raise ValueError(
                    f"ipc_field_map.csv: unknown field {row['field_id']!r} for {row['prefix']}"
                )
            mapping[row["prefix"]][row["field_id"]] = float(row["weight"])
    return dict(mapping)


def _ipc_weights(code: IpcCode) -> dict[str, float]:
    """Field weights for one code: the most specific map entry per field wins."""
    mapping = _ipc_map()
    levels = []
    if code.subclass and code.main_group:
        levels.append(code.subclass + code.main_group)
    if code.subclass:
        levels.append(code.subclass)
    if code.ipc_class:
        levels.append(code.ipc_class)
    weights: dict[str, float] = {}
    for prefix in levels:  # most specific first
        for field, weight in mapping.get(prefix, {}).items():
            weights.setdefault(field, weight)
    if not weights:
        weights = dict(mapping.get(code.section, {}))
    return {f: w for f, w in weights.items() if w > 0}


def fields_for_ipc(codes: Iterable[str | IpcCode], top_k: int | None = None) -> list[FieldScore]:
    """Map a patent's IPC codes to industry fields.

    Each code is looked up in ``data/ipc_field_map.csv`` at main-group (``G01N33``),
    subclass (``G06F``) and class (``G06``) level; for every field the most specific entry
    that mentions it wins (so ``H01M`` batteries override ``H01``'s electronic_information
    with energy_environment). A code that matches nothing at class level or finer falls back
    to its section's low-weight default (0.3), section A having none. A field's score is
    its summed weight divided by the number of valid codes, so it lies in 0–1 and a field
    carried by every code of the patent scores up to 1. Unparseable codes are skipped.

    Examples of the map: G06F/G06N/H04L → digital_economy + electronic_information;
    A61K/A61P/C12N → biomedicine; A01B/A01C/A01D → agricultural_machinery; C08/C22C/C04B →
    new_materials; A23/A21/C12G → food_processing; B25J/B23/G05B → intelligent_equipment;
    A63C (skates, skis) → ice_snow_economy; H01M → energy_environment.

    Args:
        codes: IPC symbols in any form :func:`ipc_parts` accepts, or parsed codes.
        top_k: keep at most this many fields (default: all with a positive score).

    Returns:
        Field scores (source ``ipc``), best first, evidence = the contributing codes; the
        ``general`` field with score 0 if valid codes map nowhere; ``[]`` if no code is valid.

    Example:
        >>> [(s.field_id, s.score) for s in fields_for_ipc(["G06F 16/35", "G06N3/08"])]
        [('digital_economy', 1.0), ('electronic_information', 0.6)]
    """
    codes = tuple(codes)
    if all(isinstance(code, str) for code in codes):
        return list(_fields_for_symbols(codes, top_k))
    return _fields_for_ipc(codes, top_k)


# Many patents list the same symbols (and the scores are immutable): remember the last few
# thousand lists.
@lru_cache(maxsize=1 << 12)
def _fields_for_symbols(codes: tuple[str, ...], top_k: int | None) -> tuple[FieldScore, ...]:
    return tuple(_fields_for_ipc(codes, top_k))


def _fields_for_ipc(codes: Iterable[str | IpcCode], top_k: int | None) -> list[FieldScore]:
    parsed: list[IpcCode] = []
    for code in codes:
        if isinstance(code, IpcCode):
            parsed.append(code)
            continue
        try:
            parsed.append(ipc_parts(code))
        except IpcCodeError:
            continue
    if not parsed:
        return []
    totals: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[str]] = defaultdict(list)
    for code in parsed:
        for field, weight in _ipc_weights(code).items():
            totals[field] += weight
            if code.code not in evidence[field]:
                evidence[field].append(code.code)
    if not totals:
        return [FieldScore(field_id=GENERAL_FIELD_ID, score=0.0, source="fallback")]
    ranked = sorted(totals, key=lambda f: (-totals[f], _ORDER[f]))
    if top_k is not None:
        ranked = ranked[:top_k]
    n = len(parsed)
    return [
        FieldScore(
            field_id=f,
            score=round(min(1.0, totals[f] / n), 4),
            evidence_terms=tuple(evidence[f]),
            source="ipc",
        )
        for f in ranked
    ]
