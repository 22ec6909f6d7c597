"""Demand matching (供需对接): which researchers, teams, patents and results fit a demand,
and — the other way round — which demands fit a researcher or a team.

Every candidate gets five factors, each in 0..1, and a score that is their weighted sum
(weights normalised to sum 1, so the score is in 0..1 too):

==============  =========  ===================================================================
factor          中文        definition
==============  =========  ===================================================================
``text``        文本相关    BM25 of the demand's text (name, content, declared field) against the
                           candidate's text (:mod:`graph.queries.text`), divided by the best
                           BM25 score of that kind of candidate for this demand.
``field``       领域匹配    Σ_f w_d(f)·w_c(f) / Σ_f w_d(f) over the demand's fields f
                           (``IN_FIELD`` weights; a team counts its own and its members' fields,
                           strongest weight); 0 when the demand has no field.
``track``       成果基础    people and teams: 0.4·min(1, patents/5) + 0.3·min(1, results/2) +
                           0.3·min(1, transferred results/1); a patent: 0.4·in force (有效/授权) +
                           0.3·covered by a result + 0.3·covered by a transferred result; a
                           result: 0.4·min(1, covered patents/2) + 0.3·maturity (实验室 0.2 …
                           产业化 1.0) + 0.3·transferred.  Transferred = open licence or in
                           production (see :mod:`graph.queries.profiles`).
``proximity``   地域与关系  0.5·place + 0.5·min(1, ties/3).  place = 1 when a candidate
                           organisation is in the demand's city (the demand's ``city``, else
                           the firm's), 0.5 in the firm's province, else 0.  ties = the most
                           ties between the firm and one candidate organisation (co-applied
                           patents + people who worked at both + collaborating staff pairs) +
                           the personal ties of the candidate's people (the firm's staff they
                           collaborated with, having worked at the firm).
``load``        负荷        1 / (1 + load count): active appointments (``APPOINTED_AS``) plus
                           open demands the person is the contact for.  A team uses its
                           members' mean; a patent its first inventor; a result its first
                           completing person; none known → 1.
==============  =========  ===================================================================

Default weights: text 0.50, field 0.15, track 0.15, proximity 0.10, load 0.10 — fit to the
demand's content comes first, the rest says who can deliver it.  (On the generator's planted
demands, text 0.35 / field 0.20 / track 0.20 / proximity 0.15 lost a third of the planted
teams to well-connected, productive teams with a weaker topical fit; see
``bench/eval_matching.py``.)

The demand's text is its name, content and declared field, with the name counted twice: the
name is the crisp statement of the need, the content carries boilerplate (公司简介, 预期目标).

Candidates are the supply side: people whose affiliation is a research organisation
(university, college, lab, institute), teams of such organisations, patents with such an
applicant and results completed by such organisations (or their people).  The demand's own
firm is never a candidate (its staff, its patents, its results).  Candidate generation: for
each kind, the ``max(40, 4·limit)`` best BM25 matches of the demand's text (a candidate with no
word in common with the demand is not proposed); they are then scored on all five factors.

Ties are broken by id, and every graph fact comes from :mod:`graph.queries.profiles` — Cypher
on Neo4j, networkx on the embedded store — so both backends give identical answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import QueryError
from graph.model import NodeLabel
from graph.queries.profiles import (
    AchievementProfile,
    DemandProfile,
    OrgProfile,
    PatentProfile,
    PersonProfile,
    Profiles,
    check_limit,
    check_text_filter,
    maturity_level,
    norm_place,
    person_load,
    person_track,
    profiles,
    require_node,
    saturate,
)
from graph.queries.text import (
    TextHit,
    TextIndex,
    demand_pieces,
    person_pieces,
    team_pieces,
    text_index,
)
from graph.store.base import GraphStore

__all__ = [
    "FACTORS",
    "FACTOR_NAMES",
    "DEFAULT_WEIGHTS",
    "KINDS",
    "KIND_NAMES",
    "Match",
    "match_demand",
    "match_researcher",
    "resolve_weights",
    "track_of_people",
    "check_kinds",
    "check_batch",
    "match_demand_with",
    "field_overlap",
    "demand_query_pieces",
]

FACTORS: tuple[str, ...] = ("text", "field", "track", "proximity", "load")
FACTOR_NAMES: dict[str, str] = {
    "text": "文本相关", "field": "领域匹配", "track": "成果基础", "proximity": "地域与关系", "load": "负荷",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 0.50, "field": 0.15, "track": 0.15, "proximity": 0.10, "load": 0.10,
}
KINDS: tuple[str, ...] = ("person", "team", "patent", "achievement")
KIND_NAMES: dict[str, str] = {
    "person": "人员", "team": "团队", "patent": "专利", "achievement": "成果", "demand": "需求",
}
_KIND_LABELS = {
    "person": NodeLabel.PERSON, "team": NodeLabel.TEAM, "patent": NodeLabel.PATENT,
    "achievement": NodeLabel.ACHIEVEMENT,
}
POOL_MIN = 40
POOL_FACTOR = 4
TIES_FULL = 3  # ties at which the tie part of proximity is full


@dataclass(frozen=True)
class Match:
    """One ranked candidate for a demand (or one demand for a researcher).

    Attributes:
        query_id: the demand (``match_demand``) or the person/team (``match_researcher``).
        kind: ``person``, ``team``, ``patent``, ``achievement`` or ``demand``.
        id, name: the candidate.
        organizations: ``(id, name)`` of its organisations (for a demand: the posting firm).
        score: weighted sum of the factors, 0..1.
        factors: each factor, 0..1 (keys of :data:`FACTORS`).
        explanation: Chinese sentences for a matchmaker.
        evidence: the ids behind the explanation (matched terms, shared fields, co-applied
            patents, shared staff, collaborating people …).
    """

    query_id: str
    kind: str
    id: str
    name: str
    organizations: tuple[tuple[str, str], ...]
    score: float
    factors: Mapping[str, float]
    explanation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id, "kind": self.kind, "id": self.id, "name": self.name,
            "organizations": [list(o) for o in self.organizations], "score": self.score,
            "factors": dict(self.factors), "explanation": self.explanation,
            "evidence": dict(self.evidence),
        }


# --------------------------------------------------------------------------- arguments

def resolve_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Factor weights: the defaults overridden by ``weights``, normalised to sum 1.

    Raises:
        QueryError: an unknown factor, a negative or non-finite weight, or all weights zero.

    Example:
        >>> resolve_weights({"text": 1, "field": 1, "track": 0, "proximity": 0, "load": 0})["text"]
        0.5
    """
    merged = dict(DEFAULT_WEIGHTS)
    if weights is not None:
        if not isinstance(weights, Mapping):
            raise QueryError(f"weights 必须是 因子→权重 的映射，收到 {weights!r}")
        unknown = sorted(str(k) for k in weights if k not in DEFAULT_WEIGHTS)
        if unknown:
            raise QueryError(f"未知的因子 {unknown}；可用因子：{', '.join(FACTORS)}")
        for key, value in weights.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise QueryError(f"因子 {key} 的权重必须是非负有限数，收到 {value!r}")
            merged[key] = float(value)
    total = sum(merged.values())
    if total <= 0:
        raise QueryError("权重不能全为 0")
    return {k: merged[k] / total for k in FACTORS}


def check_kinds(kinds: object) -> tuple[str, ...]:
    """Candidate kinds, a non-empty subset of :data:`KINDS`, in :data:`KINDS` order.

    Raises:
        QueryError: a string instead of a list, an unknown kind, or nothing.
    """
    if isinstance(kinds, str) or not isinstance(kinds, Iterable):
        raise QueryError(f"kinds 必须是候选类型的列表（{', '.join(KINDS)}），收到 {kinds!r}")
    items = list(kinds)
    bad = sorted({str(k) for k in items if k not in KINDS})
    if bad or not items:
        raise QueryError(f"候选类型无效：{bad or '空'}；可用类型：{', '.join(KINDS)}")
    return tuple(k for k in KINDS if k in items)


def check_batch(batch: object) -> str:
    """A half-year batch such as ``2025H2``.

    Raises:
        QueryError: anything else.
    """
    if not isinstance(batch, str) or not re.fullmatch(r"\d{4}H[12]", batch):
        raise QueryError(f"批次必须形如 2025H2（年份 + H1/H2），收到 {batch!r}")
    return batch


def demand_query_pieces(props: Mapping[str, Any]) -> list[str]:
    """The text a demand is matched with: name (twice), content, declared field."""
    name = props.get("name")
    return ([name] if isinstance(name, str) and name.strip() else []) + demand_pieces(props)


# --------------------------------------------------------------------------- candidates

@dataclass
class _Candidate:
    kind: str
    id: str
    name: str
    orgs: tuple[str, ...]
    fields: Mapping[str, float]
    people: tuple[str, ...]  # whose personal ties to the firm count
    track: float
    track_note: str
    load: float
    load_note: str
    title: str = ""
    text: float = 0.0
    terms: tuple[str, ...] = ()
    pair: str = ""  # what it is paired with: its own id (match_demand) or the demand (reverse)

    def __post_init__(self) -> None:
        self.pair = self.pair or self.id


def track_of_people(people: Sequence[PersonProfile]) -> tuple[float, str, int, int, int]:
    """Track record of one person or a team's members: (value, note, patents, results, transferred)."""
    value, patents, results, transferred = person_track(people)
    note = f"作为发明人有专利 {patents} 项" if patents else "暂无专利记录"
    if results:
        note += f"，参与成果 {results} 项"
        if transferred:
            note += f"（其中 {transferred} 项已产业化或开放许可）"
    return value, note, patents, results, transferred


def _load_of(people: Sequence[PersonProfile]) -> tuple[float, str]:
    value, mean = person_load(people)
    if not people:
        return value, ""
    if mean == 0:
        return value, "目前无在任聘任或在办需求，精力有保障"
    appointments = sum(len(p.appointments) for p in people)
    contacts = sum(p.open_contacts for p in people)
    parts = []
    if appointments:
        parts.append(f"在任聘任 {appointments} 项")
    if contacts:
        parts.append(f"负责在办企业需求 {contacts} 项")
    who = "团队成员合计" if len(people) > 1 else "目前"
    return value, f"{who}{'、'.join(parts)}，负荷 {value:.2f}"


def _research(orgs: Iterable[str], org_profiles: Mapping[str, OrgProfile]) -> bool:
    return any(o in org_profiles and org_profiles[o].is_research for o in orgs)


def _person_candidates(prof: Profiles, ids: Sequence[str], *, supply_only: bool) -> list[_Candidate]:
    persons = prof.persons(ids)
    orgs = prof.orgs({o for p in persons.values() for o in p.orgs})
    out = []
    for pid in ids:
        p = persons.get(pid)
        if p is None or (supply_only and not _research(p.orgs, orgs)):
            continue
        track, note, *_ = track_of_people([p])
        load, load_note = _load_of([p])
        out.append(_Candidate("person", pid, p.name, p.orgs, p.fields, (pid,), track, note,
                              load, load_note, title=p.title))
    return out


def _team_candidates(prof: Profiles, ids: Sequence[str], *, supply_only: bool) -> list[_Candidate]:
    teams = prof.teams(ids)
    members = prof.persons({m for t in teams.values() for m in t.members})
    orgs = prof.orgs({o for t in teams.values() for o in t.orgs})
    out = []
    for tid in ids:
        t = teams.get(tid)
        if t is None or (supply_only and not _research(t.orgs, orgs)):
            continue
        people = [members[m] for m in t.members if m in members]
        track, note, *_ = track_of_people(people)
        note = note.replace("作为发明人有专利", f"团队 {len(people)} 名成员有专利", 1).replace(
            "暂无专利记录", f"团队 {len(people)} 名成员暂无专利记录", 1)
        load, load_note = _load_of(people)
        out.append(_Candidate("team", tid, t.name, t.orgs, t.fields, t.members, track, note,
                              load, load_note))
    return out


def _patent_track(p: PatentProfile) -> tuple[float, str]:
    transferred = sum(1 for t in p.results.values() if t)
    value = 0.4 * (1.0 if p.granted else 0.0) + 0.3 * saturate(len(p.results), 1) + 0.3 * saturate(transferred, 1)
    status = p.props.get("legal_status")
    note = f"法律状态：{status}" if isinstance(status, str) and status else "法律状态未知"
    if p.results:
        note += f"，已纳入成果 {len(p.results)} 项"
        if transferred:
            note += "（已产业化或开放许可）"
    return value, note


def _patent_candidates(prof: Profiles, ids: Sequence[str], *, firm: str | None) -> list[_Candidate]:
    patents = prof.patents(ids)
    orgs = prof.orgs({o for p in patents.values() for o in p.applicants})
    firsts = prof.persons({p.inventors[0] for p in patents.values() if p.inventors})
    out = []
    for pid in ids:
        p = patents.get(pid)
        if p is None or not _research(p.applicants, orgs) or (firm is not None and firm in p.applicants):
            continue
        track, note = _patent_track(p)
        first = firsts.get(p.inventors[0]) if p.inventors else None
        load, load_note = _load_of([first]) if first else (1.0, "")
        if load_note and first is not None:
            load_note = f"第一发明人{first.name}" + load_note.removeprefix("目前")
        out.append(_Candidate("patent", pid, p.name, p.applicants, p.fields, p.inventors, track,
                              note, load, load_note))
    return out


def _achievement_track(a: AchievementProfile) -> tuple[float, str]:
    level = maturity_level(a.props.get("maturity"))
    value = 0.4 * saturate(len(a.patents), 2) + 0.3 * level + 0.3 * (1.0 if a.transferred else 0.0)
    maturity = a.props.get("maturity")
    note = f"成熟度：{maturity}" if isinstance(maturity, str) and maturity else "成熟度未标注"
    note += f"，覆盖专利 {len(a.patents)} 项"
    if a.open_licence:
        note += "，已声明开放许可"
    return value, note


def _achievement_candidates(prof: Profiles, ids: Sequence[str], *, firm: str | None) -> list[_Candidate]:
    results = prof.achievements(ids)
    people = prof.persons({p for a in results.values() for p in a.persons})
    out = []
    for aid in ids:
        a = results.get(aid)
        if a is None:
            continue
        orgs = a.orgs or tuple(sorted({o for p in a.persons if p in people for o in people[p].orgs}))
        org_profiles = prof.orgs(orgs)
        if not _research(orgs, org_profiles) or (firm is not None and firm in orgs):
            continue
        track, note = _achievement_track(a)
        first = people.get(a.persons[0]) if a.persons else None
        load, load_note = _load_of([first]) if first else (1.0, "")
        if load_note and first is not None:
            load_note = f"第一完成人{first.name}" + load_note.removeprefix("目前")
        out.append(_Candidate("achievement", aid, a.name, orgs, a.fields, a.persons, track, note,
                              load, load_note))
    return out


# --------------------------------------------------------------------------- scoring

@dataclass(frozen=True)
class _Place:
    city: str
    province: str


def _demand_place(demand: DemandProfile, firm: OrgProfile | None) -> _Place:
    city = norm_place(demand.props.get("city")) or (firm.city if firm else "")
    return _Place(city=city, province=firm.province if firm else "")


def field_overlap(target: Mapping[str, float], have: Mapping[str, float]) -> tuple[float, list[str]]:
    """Σ w_t·w_h / Σ w_t over the target's fields, and the shared fields (strongest first)."""
    total = sum(target.values())
    if total <= 0:
        return 0.0, []
    shared = [(target[f] * have[f], f) for f in target if have.get(f, 0.0) > 0]
    value = sum(v for v, _ in shared) / total
    return min(1.0, value), [f for _, f in sorted(shared, key=lambda x: (-x[0], x[1]))]


def _place_score(orgs: Iterable[OrgProfile], place: _Place) -> tuple[float, OrgProfile | None, str]:
    best, best_org, how = 0.0, None, ""
    for o in orgs:
        if place.city and o.city == place.city:
            if best < 1.0:
                best, best_org, how = 1.0, o, "city"
        elif place.province and o.province == place.province and best < 0.5:
            best, best_org, how = 0.5, o, "province"
    return best, best_org, how


@dataclass
class _Scored:
    cand: _Candidate
    factors: dict[str, float]
    score: float
    place_org: OrgProfile | None
    place_how: str
    ties_org: str | None
    ties_count: int
    personal_count: int
    shared_fields: list[str]


def _score(
    cands: Sequence[_Candidate],
    *,
    prof: Profiles,
    firm_of: Mapping[str, str | None],  # pairing → firm id
    place_of: Mapping[str, _Place],
    fields_of: Mapping[str, Mapping[str, float]],  # pairing → the demand's fields
    weights: Mapping[str, float],
) -> list[_Scored]:
    """Score candidates against the demand each is paired with (``cand.pair``)."""

    def key(c: _Candidate) -> str:
        return c.pair

    tie_counts = prof.tie_counts()  # the Ties themselves only for the matches shown
    personal_pairs = sorted({(firm_of[key(c)], p) for c in cands for p in c.people
                             if firm_of[key(c)] is not None})
    personal = prof.personal_ties(personal_pairs)  # type: ignore[arg-type]
    orgs = prof.orgs({o for c in cands for o in c.orgs})
    out = []
    for c in cands:
        k = key(c)
        firm = firm_of[k]
        fval, shared = field_overlap(fields_of[k], c.fields)
        place, place_org, how = _place_score([orgs[o] for o in c.orgs if o in orgs], place_of[k])
        ties_org, ties_n = None, 0
        if firm is not None:
            for o in c.orgs:
                n_o = tie_counts.get((firm, o), 0) if o != firm else 0
                if n_o > ties_n:
                    ties_org, ties_n = o, n_o
        personal_n = sum(personal[(firm, p)].count for p in c.people if (firm, p) in personal) if firm else 0
        proximity = 0.5 * place + 0.5 * saturate(ties_n + personal_n, TIES_FULL)
        factors = {"text": c.text, "field": fval, "track": c.track, "proximity": proximity, "load": c.load}
        score = sum(weights[f] * factors[f] for f in FACTORS)
        out.append(_Scored(c, factors, score, place_org, how, ties_org, ties_n, personal_n, shared))
    return out


def _rank(scored: list[_Scored]) -> list[_Scored]:
    return sorted(scored, key=lambda s: (-round(s.score, 9), s.cand.pair))


# --------------------------------------------------------------------------- explanations

def _quote_list(names: Sequence[str], n: int = 2) -> str:
    shown = "、".join(f"《{x}》" for x in names[:n])
    return shown + ("等" if len(names) > n else "")


def _ties_sentence(
    store_names: Mapping[str, str], firm_name: str, org_name: str, ties: Any, personal: Sequence[Any],
) -> list[str]:
    parts: list[str] = []
    if ties is not None and ties.count:
        bits = []
        if ties.co_patents:
            titles = [store_names.get(p, p) for p in ties.co_patents]
            bits.append(f"共同申请专利 {len(ties.co_patents)} 项（{_quote_list(titles)}）")
        if ties.shared_staff:
            names = "、".join(store_names.get(p, p) for p in ties.shared_staff[:3])
            bits.append(f"{names}曾在两家单位任职")
        if ties.collab_pairs:
            x, y = ties.collab_pairs[0]
            bits.append(f"双方人员有 {len(ties.collab_pairs)} 对合作关系（如{store_names.get(x, x)}与"
                        f"{store_names.get(y, y)}）")
        parts.append(f"{firm_name}与{org_name}已有往来：" + "，".join(bits))
    for pt in personal:
        if pt.worked_there:
            parts.append(f"{store_names.get(pt.person, pt.person)}曾在{firm_name}任职")
        if pt.colleagues:
            names = "、".join(store_names.get(x, x) for x in pt.colleagues[:3])
            parts.append(f"{store_names.get(pt.person, pt.person)}与{firm_name}的{names}有合作")
    return parts


def _explain(
    s: _Scored,
    *,
    prof: Profiles,
    names: Mapping[str, str],
    firm: OrgProfile | None,
    demand: DemandProfile,
    place: _Place,
    reverse: bool,
) -> tuple[str, dict[str, Any]]:
    c = s.cand
    orgs = prof.orgs(c.orgs)
    org_names = "、".join(orgs[o].name for o in c.orgs if o in orgs)
    subject = c.name
    if c.kind == "person":
        subject = f"{c.name}（{org_names}{'，' + c.title if c.title else ''}）"
    elif c.kind == "team":
        subject = f"{c.name}（{org_names}）"
    elif c.kind == "patent":
        subject = f"专利《{c.name}》（申请人：{org_names}）"
    elif c.kind == "achievement":
        subject = f"成果「{c.name}」（完成单位：{org_names}）"
    firm_name = firm.name if firm else "发布企业"
    sentences: list[str] = []
    if reverse:
        batch = "、".join(demand.batches)
        sentences.append(f"需求「{demand.name}」（{firm_name}{'，' + batch + ' 批次' if batch else ''}）"
                         f"与{subject}匹配，综合得分 {s.score:.2f}")
    else:
        sentences.append(f"{subject}与需求「{demand.name}」匹配，综合得分 {s.score:.2f}")
    if c.terms:
        sentences.append(f"文本相关 {s.factors['text']:.2f}，共同关键词：{'、'.join(c.terms)}")
    if s.shared_fields:
        fnames = "、".join(names.get(f, f) for f in s.shared_fields[:3])
        sentences.append(f"同属{fnames}领域（领域匹配 {s.factors['field']:.2f}）")
    else:
        sentences.append("与需求没有共同的技术领域标注")
    sentences.append(c.track_note)
    if s.place_org is not None:
        where = place.city if s.place_how == "city" else place.province
        sentences.append(f"{s.place_org.name}与{firm_name}同在{where}")
    ties = None
    if s.ties_org is not None and firm is not None:
        ties = prof.ties([(firm.id, s.ties_org)]).get((firm.id, s.ties_org))
    personal = []
    if firm is not None:
        pts = prof.personal_ties([(firm.id, p) for p in c.people])
        personal = [pt for pt in pts.values() if pt.count]
    tie_org_name = orgs[s.ties_org].name if s.ties_org in orgs else ""
    tie_parts = _ties_sentence(names, firm_name, tie_org_name, ties, personal)
    if tie_parts:
        sentences += tie_parts
    elif firm is not None:
        sentences.append(f"与{firm_name}尚无合作记录")
    if c.load_note:
        sentences.append(c.load_note)
    evidence: dict[str, Any] = {
        "terms": list(c.terms),
        "shared_fields": list(s.shared_fields),
        "co_patents": list(ties.co_patents) if ties else [],
        "shared_staff": list(ties.shared_staff) if ties else [],
        "collab_pairs": [list(p) for p in ties.collab_pairs] if ties else [],
        "personal_ties": {pt.person: {"colleagues": list(pt.colleagues), "worked_there": pt.worked_there}
                          for pt in personal},
        "place": s.place_how or None,
    }
    return "；".join(x for x in sentences if x) + "。", evidence


def _names_needed(scored: Sequence[_Scored], prof: Profiles, firm_ids: Iterable[str | None]) -> set[str]:
    ids: set[str] = set()
    for s in scored:
        ids |= set(s.shared_fields[:3])
        ids |= set(s.cand.people)
    for firm in {f for f in firm_ids if f}:
        for s in scored:
            if s.ties_org is None:
                continue
            t = prof.ties([(firm, s.ties_org)]).get((firm, s.ties_org))
            if t is None:
                continue
            ids |= set(t.co_patents[:2]) | set(t.shared_staff[:3])
            if t.collab_pairs:
                ids |= set(t.collab_pairs[0])
            for pt in prof.personal_ties([(firm, p) for p in s.cand.people]).values():
                ids |= set(pt.colleagues[:3])
    return ids


# --------------------------------------------------------------------------- queries

def _pool(limit: int) -> int:
    return max(POOL_MIN, POOL_FACTOR * limit)


def match_demand(
    store: GraphStore,
    demand_id: str,
    *,
    kinds: Iterable[str] = KINDS,
    limit: int = 10,
    weights: Mapping[str, float] | None = None,
    province: str | None = None,
    city: str | None = None,
) -> list[Match]:
    """Researchers, teams, patents and results that fit a demand, best first (供需对接).

    Args:
        store: the graph.
        demand_id: a ``Demand`` id.
        kinds: candidate kinds among ``person``, ``team``, ``patent``, ``achievement``.
        limit: how many matches, 1..100 (over all kinds together).
        weights: factor weights overriding :data:`DEFAULT_WEIGHTS` (normalised to sum 1).
        province, city: keep candidates with an organisation in this province / city
            (suffixes such as 省/市 ignored).

    Returns:
        Matches ordered by score (desc), then id.

    Raises:
        NotFound: no node has this id.
        QueryError: the id is not a demand, or an argument is out of bounds.

    Complexity: BM25 over each kind's postings, then O(pool) graph look-ups, pool =
    ``max(40, 4·limit)`` per kind.

    Example:
        >>> match_demand(store, "demand:…", kinds=["person"], limit=5)[0].explanation  # doctest: +SKIP
        '张三（哈尔滨工业大学，教授）与需求「焊接机器人视觉定位技术攻关」匹配，综合得分 0.81；…'
    """
    kinds_t = check_kinds(kinds)
    limit = check_limit(limit)
    w = resolve_weights(weights)
    province = check_text_filter(province, name="province")
    city = check_text_filter(city, name="city")
    prof = profiles(store)
    if not isinstance(demand_id, str) or prof.demand(demand_id) is None:
        require_node(store, demand_id, NodeLabel.DEMAND, name="demand_id")  # raises the right error
    return match_demand_with(store, prof, text_index(store, generation=prof.generation), demand_id,
                             kinds_t, limit, w, province, city)


def match_demand_with(
    store: GraphStore,
    prof: Profiles,
    idx: TextIndex,
    demand_id: str,
    kinds: Sequence[str],
    limit: int,
    weights: Mapping[str, float],
    province: str | None,
    city: str | None,
) -> list[Match]:
    """:func:`match_demand` on arguments already checked, reusing a :class:`Profiles` memo and a
    text index (the export runs it for every demand of a batch)."""
    demand = prof.demand(demand_id)
    assert demand is not None
    firm_id = demand.firm
    firm = prof.org(firm_id) if firm_id else None
    place = _demand_place(demand, firm)
    query = idx.query(demand_query_pieces(demand.props))
    pool = _pool(limit)
    cands: list[_Candidate] = []
    for kind in kinds:
        hits: list[TextHit] = idx.search(_KIND_LABELS[kind], query, pool)
        ids = [h.id for h in hits]
        if kind == "person":
            found = _person_candidates(prof, ids, supply_only=True)
        elif kind == "team":
            found = _team_candidates(prof, ids, supply_only=True)
        elif kind == "patent":
            found = _patent_candidates(prof, ids, firm=firm_id)
        else:
            found = _achievement_candidates(prof, ids, firm=firm_id)
        rel = {h.id: h.relevance for h in hits}
        for c in found:
            if firm_id is not None and firm_id in c.orgs:
                continue  # the firm's own staff, team, patent or result
            c.text = rel[c.id]
            cands.append(c)
    if province or city:
        orgs = prof.orgs({o for c in cands for o in c.orgs})
        want_p, want_c = norm_place(province), norm_place(city)
        cands = [c for c in cands if any(
            o in orgs and (not want_p or orgs[o].province == want_p) and (not want_c or orgs[o].city == want_c)
            for o in c.orgs)]
    scored = _score(cands, prof=prof, firm_of={c.id: firm_id for c in cands},
                    place_of={c.id: place for c in cands},
                    fields_of={c.id: demand.fields for c in cands}, weights=weights)
    top = _rank(scored)[:limit]
    for s in top:
        index = idx.index(_KIND_LABELS[s.cand.kind])
        s.cand.terms = tuple(index.matched_terms(query, s.cand.id, 5))
    names = prof.names(store, _names_needed(top, prof, [firm_id]))
    out = []
    for s in top:
        text, evidence = _explain(s, prof=prof, names=names, firm=firm, demand=demand, place=place,
                                  reverse=False)
        orgs = prof.orgs(s.cand.orgs)
        out.append(Match(
            query_id=demand_id, kind=s.cand.kind, id=s.cand.id, name=s.cand.name,
            organizations=tuple((o, orgs[o].name) for o in s.cand.orgs if o in orgs),
            score=round(s.score, 6), factors={f: round(v, 6) for f, v in s.factors.items()},
            explanation=text, evidence=evidence,
        ))
    return out


def match_researcher(
    store: GraphStore,
    person_or_team_id: str,
    *,
    batch: str | None = None,
    limit: int = 10,
    weights: Mapping[str, float] | None = None,
) -> list[Match]:
    """Open demands that fit a researcher or a team, best first (the reverse of :func:`match_demand`).

    The same five factors are computed for each (demand, candidate) pair; text relevance is
    BM25 of the candidate's text against the demands, relative to the best demand.  Track
    record and load belong to the candidate, so they shift every score alike.  Demands posted
    by the candidate's own organisation are left out, as are demands whose status is not
    ``open``.

    Args:
        person_or_team_id: a ``Person`` or ``Team`` id.
        batch: keep demands of this half-year batch (``2025H2``), including re-posted ones.
        limit: 1..100.

    Raises:
        NotFound: unknown id.  QueryError: not a person or team, or a bad batch / limit.

    Example:
        >>> [m.name for m in match_researcher(store, "person:…", batch="2025H2")]  # doctest: +SKIP
    """
    limit = check_limit(limit)
    w = resolve_weights(weights)
    if batch is not None:
        batch = check_batch(batch)
    prof = profiles(store)
    label = prof.require(store, person_or_team_id, (NodeLabel.PERSON, NodeLabel.TEAM), name="person_or_team_id")
    node_id = str(person_or_team_id)
    idx = text_index(store, generation=prof.generation)
    if label == NodeLabel.PERSON:
        cands = _person_candidates(prof, [node_id], supply_only=False)
        person = prof.persons([node_id])[node_id]
        titles = prof.names(store, person.patents)
        query = idx.query(person_pieces(person.props, [titles.get(p, "") for p in person.patents]))
    else:
        cands = _team_candidates(prof, [node_id], supply_only=False)
        team = prof.teams([node_id])[node_id]
        members = prof.persons(team.members)
        pats = sorted(set().union(*(m.patents for m in members.values()))) if members else []
        titles = prof.names(store, pats)
        query = idx.query(team_pieces(team.props, [members[m].props for m in team.members if m in members],
                                      [titles.get(p, "") for p in pats]))
    if not cands:
        return []
    cand = cands[0]

    def allowed(did: str) -> bool:
        batches, status = idx.demand_meta.get(did, ((), None))
        return status in (None, "open") and (batch is None or batch in batches)

    hits = idx.search(NodeLabel.DEMAND, query, _pool(limit), allowed=allowed)
    demands = prof.demands([h.id for h in hits])
    firms = prof.orgs({d.firm for d in demands.values() if d.firm})
    paired: dict[str, DemandProfile] = {}
    cands_for: list[_Candidate] = []
    for h in hits:
        d = demands.get(h.id)
        if d is None or (d.firm is not None and d.firm in cand.orgs):
            continue
        paired[d.id] = d
        cands_for.append(_Candidate(**{**cand.__dict__, "text": h.relevance, "terms": (), "pair": d.id}))
    scored = _score(
        cands_for, prof=prof,
        firm_of={d.id: d.firm for d in paired.values()},
        place_of={d.id: _demand_place(d, firms.get(d.firm) if d.firm else None) for d in paired.values()},
        fields_of={d.id: d.fields for d in paired.values()}, weights=w,
    )
    top = _rank(scored)[:limit]
    dindex = idx.index(NodeLabel.DEMAND)
    needed: set[str] = set()
    for s in top:
        s.cand.terms = tuple(dindex.matched_terms(query, s.cand.pair, 5))
        needed |= _names_needed([s], prof, [paired[s.cand.pair].firm])
    names = prof.names(store, needed)
    out = []
    for s in top:
        d = paired[s.cand.pair]
        firm = firms.get(d.firm) if d.firm else None
        text, evidence = _explain(s, prof=prof, names=names, firm=firm, demand=d,
                                  place=_demand_place(d, firm), reverse=True)
        out.append(Match(
            query_id=node_id, kind="demand", id=d.id, name=d.name,
            organizations=((firm.id, firm.name),) if firm else (),
            score=round(s.score, 6), factors={f: round(v, 6) for f, v in s.factors.items()},
            explanation=text, evidence={**evidence, "batches": list(d.batches)},
        ))
    return out
