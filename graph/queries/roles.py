"""People for the roles the plan creates: 产业教授, 技术导师, 高校联络员.

=====================================  ===================================================
query                                  who is eligible
=====================================  ===================================================
:func:`recommend_industry_professors`  enterprise experts: an affiliation is an enterprise
:func:`recommend_tech_mentors`         university/institute experts of seniority ≥ 3
                                       (副教授 / 副研究员 / 高级工程师 and up)
:func:`recommend_liaisons`             PhD students (``is_phd_student``) and young faculty
                                       (seniority ≤ 2) of a university or institute
=====================================  ===================================================

Factors (each 0..1; score = weighted sum, weights in :data:`ROLE_WEIGHTS`):

* ``field`` 领域匹配 — Σ w_t·w_p / Σ w_t over the target fields (the university's or the
  enterprise's, see each function);
* ``text`` 文本相关 — BM25 of the enterprise's demands and description against the person's
  text, relative to the best person (mentors, liaisons);
* ``seniority`` 资历 — seniority / 5 (unknown 0);
* ``track`` 成果基础 — as in :mod:`graph.queries.matching`;
* ``activity`` 科研活跃度 — min(1, patents / 3) (liaisons);
* ``proximity`` 地域 — 1 same city as the enterprise, 0.5 same province (liaisons);
* ``ties`` 既有联系 — min(1, n / 3), n = ties between the person's organisation and the
  target (co-applied patents, shared staff, collaborating staff pairs) + the person's own ties
  (the target's staff they collaborated with; having worked there; for industry professors,
  having studied there — 校友);
* ``load`` 负荷 — 1 / (1 + active appointments + open demands they are the contact for).

Conflict-of-interest exclusions (returned in ``excluded`` with the reason, never silently):

* ``same_employer`` — the person works at the target (a university's own staff cannot be its
  industry professor; an enterprise's own staff are not outside mentors or liaisons);
* ``already_appointed`` — an active appointment (``APPOINTED_AS``, status absent or active) to
  the target (or one of its colleges) in the same role;
* ``competing_ownership`` (mentors, liaisons) — the person invented a patent in one of the
  enterprise's fields that is co-owned by a *competitor*: another enterprise that is itself in
  that field (``IN_FIELD``).  Patents the enterprise co-owns are not conflicts.

``excluded`` lists the excluded people whose score is at least that of the last recommended
person (those who would otherwise have been on the list), best first, at most ``limit``.

How the ranking stays fast and exact: every factor but ``ties`` comes from the per-generation
:class:`~graph.queries.profiles.ProfileDirectory` as arrays; people are visited by an upper
bound of their score in batches until the next bound falls below the last kept score (by more
than rounding to 6 digits).  The bound takes each person's ``ties`` factor from
:func:`_ties_bound` — organisation ties exactly, personal ties exactly unless the target has
thousands of staff, one more for a possible alumnus — so most people, who have no tie at all,
are never visited (province scale: p95 of liaisons 53 → 24 ms, mentors 44 → 23 ms).
Ties and competing patents of the visited people are computed in memory from the generation's
:class:`~graph.queries.profiles.TieIndex` and directory — no round trip per batch on Neo4j;
conflict names are read once, for the exclusions shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import cypher
from graph.errors import QueryError
from graph.model import NodeLabel, OrgKind, RelType
from graph.queries.backend import is_neo4j
from graph.queries.explain import APPOINTMENT_ROLES
from graph.queries.matching import demand_query_pieces, field_overlap, track_of_people
from graph.queries.profiles import (
    GraphFacts,
    OrgProfile,
    PersonProfile,
    ProfileDirectory,
    Profiles,
    affiliation_arrays,
    check_limit,
    posted_demands,
    profiles,
    saturate,
)
from graph.queries.text import text_index
from graph.store.base import GraphStore

__all__ = [
    "ROLES",
    "ROLE_NAMES",
    "ROLE_WEIGHTS",
    "ROLE_FACTOR_NAMES",
    "RoleCandidate",
    "Exclusion",
    "RoleRecommendations",
    "recommend_industry_professors",
    "recommend_tech_mentors",
    "recommend_liaisons",
    "warm_up",
]

ROLES = ("industry_professor", "tech_mentor", "liaison")
#: 产业教授 / 技术导师 / 高校联络员 — the vocabulary of graph.queries.explain.
ROLE_NAMES: dict[str, str] = dict(APPOINTMENT_ROLES)
ROLE_WEIGHTS: dict[str, dict[str, float]] = {
    "industry_professor": {"field": 0.30, "seniority": 0.25, "track": 0.20, "ties": 0.15, "load": 0.10},
    "tech_mentor": {"text": 0.25, "field": 0.25, "seniority": 0.15, "track": 0.15, "ties": 0.10,
                    "load": 0.10},
    "liaison": {"text": 0.20, "field": 0.30, "proximity": 0.15, "ties": 0.15, "activity": 0.10,
                "load": 0.10},
}
ROLE_FACTOR_NAMES = {
    "text": "文本相关", "field": "领域匹配", "seniority": "资历", "track": "成果基础",
    "ties": "既有联系", "load": "负荷", "proximity": "地域", "activity": "科研活跃度",
}
TEXT_POOL = 200
BATCH = 50
TIES_FULL = 3
_EPS = 1e-9
#: How far below the limit-th score the ranking still evaluates people: exclusions are shown
#: with scores rounded to 6 digits.
_SHOWN_MARGIN = 2e-6
#: Above this many staff (a university), the target's personal ties are not counted ahead of
#: ranking: the bound of the ties factor then assumes full marks for them.
_PERSONAL_STAFF_CAP = 2000


@dataclass(frozen=True)
class RoleCandidate:
    """A recommended person for a role."""

    role: str
    target_id: str
    person_id: str
    name: str
    organizations: tuple[tuple[str, str], ...]
    title: str
    score: float
    factors: Mapping[str, float]
    explanation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exclusion:
    """A person left out for a conflict of interest, with the reason."""

    person_id: str
    name: str
    reason: str  # same_employer | already_appointed | competing_ownership
    detail: str  # Chinese sentence
    score: float


@dataclass(frozen=True)
class RoleRecommendations:
    """The answer of a role query: the ranked people and the excluded ones."""

    role: str
    target_id: str
    target_name: str
    fields: tuple[str, ...]
    candidates: tuple[RoleCandidate, ...]
    excluded: tuple[Exclusion, ...]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.candidates)

    def __len__(self) -> int:
        return len(self.candidates)


# --------------------------------------------------------------------------- facts

def _org_patent_fields(store: GraphStore, org_id: str) -> dict[str, int]:
    if is_neo4j(store):
        rows = store.read(cypher.load("queries/roles/org_patent_fields"), {"id": org_id})  # type: ignore[attr-defined]
        return {r["field"]: int(r["n"]) for r in rows}
    facts = GraphFacts(store)
    counts: dict[str, set[str]] = {}
    for p, _ in facts.out_edges(org_id, RelType.APPLICANT_OF, NodeLabel.PATENT):
        for f, _ in facts.out_edges(p, RelType.IN_FIELD, NodeLabel.FIELD):
            if facts.g.nodes[f].get("kind") == "industry":
                counts.setdefault(f, set()).add(p)
    return {f: len(ps) for f, ps in sorted(counts.items())}


def _potential_conflicts(prof: Profiles) -> Mapping[str, tuple[tuple[str, str, str], ...]]:
    """person → every (enterprise, patent, field) such that the person invented the patent, the
    enterprise applied for it and both the patent and the enterprise are in the field: the
    competing patents of any query, before its own filters (its fields, its enterprise).

    Built once per generation from the directory and the :class:`~graph.queries.profiles.TieIndex`
    (kept on the tie index): O(Σ patents with an enterprise applicant · inventors).
    """
    index = prof.tie_index()
    cached = getattr(index, "_potential_conflicts", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    d = prof.directory
    assert d is not None
    by_patent: dict[str, list[tuple[str, str]]] = {}
    for t, owners in index.applicants.items():
        pt = d.patents.get(t)
        if pt is None:
            continue
        for c in owners:
            op = d.orgs.get(c)  # a person can apply for a patent too: only organisations compete
            if op is None or op.kind != OrgKind.ENTERPRISE.value:
                continue
            by_patent.setdefault(t, []).extend((c, f) for f in pt.fields if f in op.fields)
    out: dict[str, tuple[tuple[str, str, str], ...]] = {}
    for pid, person in d.persons.items():
        found = tuple((c, t, f) for t in person.patents for c, f in by_patent.get(t, ()))
        if found:
            out[pid] = found
    index._potential_conflicts = out  # type: ignore[attr-defined]
    return out


def _competing(prof: Profiles, org_id: str, fields: Sequence[str],
               ids: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Competing patents per person (only people with one): (competitor, patent, field) for each
    patent the person invented in one of ``fields`` that ``org_id`` did not apply for and that an
    enterprise other than ``org_id`` co-owns while itself being in that field.

    In memory: the generation's :func:`_potential_conflicts` filtered by the query's fields and
    enterprise.  Complexity: O(Σ potential conflicts of the people).
    """
    if not ids or not fields:
        return {}
    target = frozenset(fields)
    applicants = prof.tie_index().applicants
    potential = _potential_conflicts(prof)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for pid in dict.fromkeys(ids):
        found = {(c, t, f) for c, t, f in potential.get(pid, ())
                 if f in target and c != org_id and org_id not in applicants[t]}
        if found:
            out[pid] = sorted(found)
    return out


# --------------------------------------------------------------------------- ranking core

@dataclass
class _Plan:
    """What one role query ranks by: static factor arrays, the tie target, conflicts."""

    role: str
    target: OrgProfile
    unit: str | None  # the college given for an industry professor
    fields: dict[str, float]
    static: dict[str, np.ndarray]  # factor → value per directory position
    pool: np.ndarray  # directory positions
    text_terms: Any = None  # (index, query) for matched terms


def _text_vector(store: GraphStore, directory: ProfileDirectory, pieces: Sequence[str]) -> tuple[np.ndarray, Any]:
    idx = text_index(store, generation=directory.generation)
    pindex = idx.index(NodeLabel.PERSON)
    query = idx.query(pieces)
    out = np.zeros(len(directory.ids))
    scores = pindex.scores(query)
    if scores.size and scores.max() > 0:
        mapping = _text_map(directory, pindex)
        ok = mapping >= 0
        out[mapping[ok]] = scores[ok] / scores.max()
    return out, (pindex, query)


def _text_map(directory: ProfileDirectory, pindex: Any) -> np.ndarray:
    """Directory position of each document of the person BM25 index (-1: not a profiled person),
    kept on the directory for that index."""
    cache = getattr(directory, "_text_map", None)
    if cache is None or cache[0] is not pindex:
        mapping = np.array([directory.pos.get(i, -1) for i in pindex.ids], dtype=np.int64)
        cache = directory._text_map = (pindex, mapping)  # type: ignore[attr-defined]
    return cache[1]  # type: ignore[no-any-return]


def _rank(
    store: GraphStore, prof: Profiles, directory: ProfileDirectory, plan: _Plan, limit: int,
    competition_fields: Sequence[str] = (),
) -> RoleRecommendations:
    weights = ROLE_WEIGHTS[plan.role]
    pool = plan.pool
    static = np.zeros(pool.size)
    for f, w in weights.items():
        if f != "ties":
            static += w * plan.static[f][pool]
    bound = static + weights["ties"] * _ties_bound(prof, directory, plan)
    order = np.lexsort((pool, -bound))  # pool positions are in id order, so ties break by id
    target = plan.target
    tie_counts = prof.tie_counts()
    valid: list[tuple[float, str, dict[str, float], dict[str, Any]]] = []
    excluded: list[tuple[Exclusion, tuple[str, str, str] | None]] = []
    i = 0
    while i < order.size:
        # Everyone left scores below the limit-th valid person by more than rounding to 6 digits
        # can close, so no one left is kept or shown as excluded.
        if len(valid) >= limit and bound[order[i]] + _SHOWN_MARGIN < valid[limit - 1][0]:
            break
        batch = [directory.ids[pool[j]] for j in order[i:i + BATCH]]
        i += BATCH
        people = prof.persons(batch)
        personal = prof.personal_ties([(target.id, pid) for pid in batch])
        conflicts = _competing(prof, target.id, competition_fields, batch)
        for pid in batch:
            p = people[pid]
            factors = {f: float(plan.static[f][directory.pos[pid]]) for f in weights if f != "ties"}
            factors.update(_exact_static(plan, p))
            org_n, tie_org = 0, None
            for o in p.orgs:
                if o == target.id:
                    continue
                n_o = tie_counts.get((o, target.id) if plan.role == "industry_professor" else (target.id, o), 0)
                if n_o > org_n:
                    org_n, tie_org = n_o, o
            pt = personal[(target.id, pid)]
            alumni = plan.role == "industry_professor" and target.id in p.studied
            n = org_n + pt.count + (1 if alumni else 0)
            factors["ties"] = saturate(n, TIES_FULL)
            score = sum(weights[f] * factors[f] for f in weights)
            evidence = {"tie_org": tie_org, "org_ties": org_n, "colleagues": list(pt.colleagues),
                        "worked_there": pt.worked_there, "alumni": alumni}
            reason = _conflict(plan, p, conflicts.get(pid, []), prof)
            if reason is not None:
                code, detail, competing = reason
                excluded.append((Exclusion(pid, p.name, code, detail, round(score, 6)), competing))
            else:
                valid.append((score, pid, factors, evidence))
        valid.sort(key=lambda v: (-round(v[0], 9), v[1]))
    kept = valid[:limit]
    floor = kept[-1][0] if len(kept) >= limit else -1.0
    shown = sorted((e for e in excluded if e[0].score + _EPS >= round(floor, 6)),
                   key=lambda e: (-e[0].score, e[0].person_id))[:limit]
    names = prof.names(store, {x for _, c in shown if c is not None for x in c})
    out_excluded = tuple(e if c is None else _competing_exclusion(plan, e, c, names) for e, c in shown)
    candidates = _explain(store, prof, plan, kept)
    return RoleRecommendations(plan.role, target.id, target.name, tuple(sorted(plan.fields)),
                               tuple(candidates), out_excluded)


def _ties_bound(prof: Profiles, directory: ProfileDirectory, plan: _Plan) -> np.ndarray:
    """For each pool person, an upper bound of the ties factor that :func:`_rank` computes one by
    one, so that ranking can stop long before the pool ends (most people have no tie at all).

    * organisation ties: exact — the target's tie count with each organisation (the pair in
      the order the role reads it), the best over each person's organisations but the target;
    * personal ties: exact when the target has at most :data:`_PERSONAL_STAFF_CAP` staff — one
      per staff member the person collaborated with, plus one for working there — else
      :data:`TIES_FULL`;
    * alumni (industry professors): one for everybody.

    Cost: O(people) array work plus O(the target's tied organisations + its staff's
    collaborators).
    """
    target = plan.target.id
    index = prof.tie_index()
    org_ids, starts, members = affiliation_arrays(directory)
    per_org = np.zeros(len(org_ids) + 1)  # the last slot: no organisation
    position = _org_positions(directory, org_ids)
    reverse = plan.role == "industry_professor"  # its ties read (person's organisation, target)
    for other, n in _tied_organisations(index, reverse).get(target, {}).items():
        k = position.get(other)
        if k is not None and other != target:
            per_org[k] = n
    pool = plan.pool
    counts = np.maximum.reduceat(per_org[members], starts[:-1])[pool]
    staff = index.staff.get(target, frozenset())
    if len(staff) <= _PERSONAL_STAFF_CAP:
        personal = np.zeros(len(directory.ids))
        pos = directory.pos
        empty: frozenset[str] = frozenset()
        for x in staff:
            for who in (x, *index.collaborators.get(x, empty)):
                i = pos.get(who)
                if i is not None:
                    personal[i] += 1
        counts += personal[pool]
    else:
        counts += TIES_FULL
    if reverse:
        counts += 1
    return np.minimum(1.0, counts / TIES_FULL)


def _org_positions(directory: ProfileDirectory, org_ids: Sequence[str]) -> dict[str, int]:
    """Organisation id → its index in the affiliation arrays, kept on the directory."""
    cached = getattr(directory, "_org_positions", None)
    if cached is None or cached[0] is not org_ids:
        cached = directory._org_positions = (org_ids, {o: k for k, o in enumerate(org_ids)})  # type: ignore[attr-defined]
    return cached[1]  # type: ignore[no-any-return]


def _tied_organisations(index: Any, reverse: bool) -> dict[str, dict[str, int]]:
    """The tie index's counts by organisation: a → {b: n} for every tied pair (a, b), or with
    ``reverse`` b → {a: n}; kept on the tie index."""
    name = "_tied_by_second" if reverse else "_tied_by_first"
    cached = getattr(index, name, None)
    if cached is None:
        cached = {}
        for (a, b), n in index.counts.items():
            first, second = (b, a) if reverse else (a, b)
            cached.setdefault(first, {})[second] = n
        setattr(index, name, cached)
    return cached  # type: ignore[no-any-return]


def _exact_static(plan: _Plan, p: PersonProfile) -> dict[str, float]:
    """The static factors that the arrays compute with arithmetic of their own (field overlap,
    seniority), recomputed from the profile with the scalar formulas, so the reported values do
    not depend on array arithmetic.  Track, load and activity need no recomputation: the
    directory's arrays hold the values of those very formulas (:func:`person_track`,
    :func:`person_load`, ``min(1, patents / 3)``)."""
    out: dict[str, float] = {}
    weights = ROLE_WEIGHTS[plan.role]
    if "field" in weights:
        out["field"] = field_overlap(plan.fields, p.fields)[0]
    if "seniority" in weights:
        out["seniority"] = p.seniority / 5 if p.seniority is not None else 0.0
    return out


def _conflict(plan: _Plan, p: PersonProfile, competing: list[tuple[str, str, str]],
              prof: Profiles) -> tuple[str, str, tuple[str, str, str] | None] | None:
    """(reason, detail, competing patent) of a conflict of interest, or None.  The detail of
    ``competing_ownership`` is written by :func:`_competing_exclusion` once the names of the
    shown exclusions are known (one read for all)."""
    target = plan.target
    role_name = ROLE_NAMES[plan.role]
    if target.id in p.orgs:
        if plan.role == "industry_professor":
            return "same_employer", f"{p.name}是{target.name}在职人员，不能担任本校{role_name}", None
        return "same_employer", f"{p.name}在{target.name}任职，属于企业内部人员，不能担任该企业{role_name}", None
    units = {target.id} | ({plan.unit} if plan.unit else set())
    tops = prof.tops([o for o, _ in p.appointments])
    for o, role in p.appointments:
        if role == plan.role and (o in units or tops.get(o, o) == target.id):
            return "already_appointed", f"{p.name}已是{target.name}在任{role_name}，无需重复推荐", None
    if competing:
        return "competing_ownership", "", competing[0]
    return None


def _competing_exclusion(plan: _Plan, e: Exclusion, competing: tuple[str, str, str],
                         names: Mapping[str, str]) -> Exclusion:
    c, t, f = competing
    detail = (f"{e.name}是专利《{names.get(t, t)}》的发明人，该专利由{names.get(c, c)}共同持有，"
              f"而{names.get(c, c)}与{plan.target.name}同属{names.get(f, f)}领域，存在竞争性知识产权冲突")
    return Exclusion(e.person_id, e.name, e.reason, detail, e.score)


def _explain(store: GraphStore, prof: Profiles, plan: _Plan,
             kept: Sequence[tuple[float, str, dict[str, float], dict[str, Any]]]) -> list[RoleCandidate]:
    target = plan.target
    people = prof.persons([pid for _, pid, _, _ in kept])
    need: set[str] = set(plan.fields)
    for _, _pid, _, ev in kept:
        need |= set(ev["colleagues"][:3])
        if ev["tie_org"]:
            key = (ev["tie_org"], target.id) if plan.role == "industry_professor" else (target.id, ev["tie_org"])
            t = prof.ties([key])[key]
            need |= set(t.co_patents[:2])
    names = prof.names(store, need)
    out = []
    for score, pid, factors, ev in kept:
        p = people[pid]
        orgs = prof.orgs(p.orgs)
        org_names = "、".join(orgs[o].name for o in p.orgs if o in orgs)
        head = f"{p.name}（{org_names}{'，' + p.title if p.title else ''}）"
        parts = [f"推荐为{target.name}的{ROLE_NAMES[plan.role]}，综合得分 {score:.2f}"]
        terms: list[str] = []
        if "text" in factors and factors["text"] > 0 and plan.text_terms is not None:
            pindex, query = plan.text_terms
            terms = pindex.matched_terms(query, pid, 5)
            if terms:
                parts.append(f"研究方向与企业需求相关（文本相关 {factors['text']:.2f}，共同关键词：{'、'.join(terms)}）")
        shared = field_overlap(plan.fields, p.fields)[1]
        if shared:
            parts.append(f"同属{'、'.join(names.get(f, f) for f in shared[:3])}领域（领域匹配 {factors['field']:.2f}）")
        if "seniority" in factors:
            parts.append(f"资历 {factors['seniority']:.2f}" + (f"（{p.title}）" if p.title else ""))
        if plan.role == "liaison":
            who = "博士研究生" if p.props.get("is_phd_student") is True else "青年教师"
            parts.append(f"身份为{who}，" + (f"作为发明人有专利 {len(p.patents)} 项" if p.patents else "暂无专利记录"))
        else:
            parts.append(track_of_people([p])[1])
        if "proximity" in factors and factors["proximity"] > 0:
            where = target.city if factors["proximity"] >= 1.0 else target.province
            parts.append(f"与{target.name}同在{where}")
        ties = []
        if ev["tie_org"]:
            key = (ev["tie_org"], target.id) if plan.role == "industry_professor" else (target.id, ev["tie_org"])
            t = prof.ties([key])[key]
            bits = []
            if t.co_patents:
                titles = "、".join(f"《{names.get(x, x)}》" for x in t.co_patents[:2])
                bits.append(f"共同申请专利 {len(t.co_patents)} 项（{titles}{'等' if len(t.co_patents) > 2 else ''}）")
            if t.shared_staff:
                bits.append(f"{len(t.shared_staff)} 人曾在两家单位任职")
            if t.collab_pairs:
                bits.append(f"人员合作 {len(t.collab_pairs)} 对")
            ties.append(f"{orgs[ev['tie_org']].name}与{target.name}已有往来：{'，'.join(bits)}")
        if ev["colleagues"]:
            ties.append(f"本人与{target.name}的{'、'.join(names.get(x, x) for x in ev['colleagues'][:3])}有合作")
        if ev["worked_there"]:
            ties.append(f"本人曾在{target.name}任职")
        if ev["alumni"]:
            ties.append(f"系{target.name}校友")
        parts += ties or [f"与{target.name}尚无合作记录"]
        if p.load_count:
            parts.append(f"目前在任聘任 {len(p.appointments)} 项、在办需求 {p.open_contacts} 项（负荷 {factors['load']:.2f}）")
        else:
            parts.append("目前无在任聘任")
        out.append(RoleCandidate(
            role=plan.role, target_id=target.id, person_id=pid, name=p.name,
            organizations=tuple((o, orgs[o].name) for o in p.orgs if o in orgs), title=p.title,
            score=round(score, 6), factors={f: round(v, 6) for f, v in factors.items()},
            explanation=head + "：" + "；".join(parts) + "。",
            evidence={**ev, "terms": terms, "shared_fields": shared},
        ))
    return out


# --------------------------------------------------------------------------- queries

def _target_org(store: GraphStore, prof: Profiles, org_id: str, kinds: Sequence[str], what: str,
                name: str) -> OrgProfile:
    prof.require(store, org_id, NodeLabel.ORGANIZATION, name=name)
    org = prof.org(org_id)
    assert org is not None
    if org.kind not in kinds:
        raise QueryError(f"{org.name}（{org_id}）的类型是 {org.kind or '未知'}，这里需要{what}")
    return org


def _enterprise_context(store: GraphStore, prof: Profiles, org: OrgProfile) -> tuple[dict[str, float], list[str]]:
    """An enterprise's fields (its own and its demands', strongest weight) and its text pieces."""
    fields = dict(org.fields)
    demand_ids = prof.posted([org.id])[org.id]
    demands = prof.demands(demand_ids)
    pieces: list[str] = []
    for did in demand_ids:
        d = demands.get(did)
        if d is None or d.props.get("status") not in (None, "open"):
            continue
        for f, w in d.fields.items():
            if w > fields.get(f, -1.0):
                fields[f] = w
        pieces += demand_query_pieces(d.props)
    for key in ("main_field", "description"):
        value = org.props.get(key)
        if isinstance(value, str) and value.strip():
            pieces.append(value)
    return dict(sorted(fields.items())), pieces


def _start(store: GraphStore) -> tuple[Profiles, ProfileDirectory]:
    prof = profiles(store)
    assert prof.directory is not None
    return prof, prof.directory


def recommend_industry_professors(
    store: GraphStore,
    university_or_college_id: str,
    *,
    field_id: str | None = None,
    limit: int = 10,
) -> RoleRecommendations:
    """Enterprise experts to appoint as industry professors (产业教授) of a university.

    Target fields: ``field_id`` when given; else the university's (or college's) own
    ``IN_FIELD`` fields; else the three industry fields most of the university's patents are
    in (weight = count / largest count).

    Args:
        university_or_college_id: an organisation of kind university, college or lab.
        field_id: restrict to this field.
        limit: 1..100.

    Returns:
        :class:`RoleRecommendations` — candidates best first, and the excluded people with
        their reasons (``same_employer``, ``already_appointed``).

    Raises:
        NotFound: unknown id.  QueryError: not a university/college, bad field or limit.

    Example:
        >>> recs = recommend_industry_professors(store, "org:hit", field_id="field:ime")  # doctest: +SKIP
        >>> recs.candidates[0].explanation                                               # doctest: +SKIP
    """
    limit = check_limit(limit)
    prof, directory = _start(store)
    org = _target_org(store, prof, university_or_college_id,
                      (OrgKind.UNIVERSITY.value, OrgKind.COLLEGE.value, OrgKind.LAB.value),
                      "高校、学院或实验室", "university_or_college_id")
    top_id = prof.tops([org.id]).get(org.id, org.id)
    target = prof.org(top_id) or org
    unit = org.id if org.id != top_id else None
    if field_id is not None:
        prof.require(store, field_id, NodeLabel.FIELD, name="field_id")
        fields = {field_id: 1.0}
    else:
        fields = dict(org.fields) or dict(target.fields)
        if not fields:
            counts = _org_patent_fields(store, target.id)
            best = sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:3]
            fields = {f: n / best[0][1] for f, n in best} if best else {}
    static = {
        "field": directory.field_vector(fields),
        "seniority": np.where(directory.seniority >= 0, directory.seniority / 5.0, 0.0),
        "track": directory.track,
        "load": directory.load,
    }
    pool = directory.in_fields(fields)
    pool = pool[directory.enterprise[pool]]
    plan = _Plan("industry_professor", target, unit, fields, static, pool)
    return _rank(store, prof, directory, plan, limit)


def _enterprise_plan(store: GraphStore, role: str, enterprise_id: str) -> tuple[Profiles, ProfileDirectory, _Plan, list[str]]:
    prof, directory = _start(store)
    org = _target_org(store, prof, enterprise_id, (OrgKind.ENTERPRISE.value,), "企业", "enterprise_id")
    fields, pieces = _enterprise_context(store, prof, org)
    text, terms = _text_vector(store, directory, pieces)
    static: dict[str, np.ndarray] = {
        "text": text,
        "field": directory.field_vector(fields),
        "seniority": np.where(directory.seniority >= 0, directory.seniority / 5.0, 0.0),
        "track": directory.track,
        "load": directory.load,
        "activity": np.zeros(len(directory.ids)),
        "proximity": np.zeros(len(directory.ids)),
    }
    if role == "liaison":
        static["activity"] = np.minimum(1.0, directory.patent_counts / 3.0)
    pool = directory.in_fields(fields).astype(np.int64)
    if text.size:
        best = np.flatnonzero(text > 0)
        best = best[np.lexsort((best, -text[best]))][:TEXT_POOL]
        pool = np.union1d(pool, best).astype(np.int64)
    if role == "tech_mentor":
        pool = pool[directory.research[pool] & (directory.seniority[pool] >= 3)]
    else:
        young = directory.phd[pool] | ((directory.seniority[pool] >= 0) & (directory.seniority[pool] <= 2))
        pool = pool[directory.research[pool] & young]
    if role == "liaison" and pool.size:
        # Same city 1, same province 0.5, best over the person's organisations: the place of
        # each organisation once, then the best per person over the affiliation arrays.
        org_ids, starts, members = affiliation_arrays(directory)
        cities, provinces = _org_places(prof, directory, org_ids)
        place = np.zeros(len(org_ids) + 1)  # the last slot: no organisation (0)
        if org.province:
            place[:-1][provinces == org.province] = 0.5
        if org.city:
            place[:-1][cities == org.city] = 1.0
        prox = np.zeros(len(directory.ids))
        prox[pool] = np.maximum.reduceat(place[members], starts[:-1])[pool]
        static["proximity"] = prox
    plan = _Plan(role, org, None, fields, static, pool, text_terms=terms)
    return prof, directory, plan, sorted(fields)


def _org_places(prof: Profiles, directory: ProfileDirectory, org_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(city, province) of each affiliation organisation as object arrays (None for an unknown
    organisation, which matches no place), kept on the directory."""
    cached = getattr(directory, "_org_places", None)
    if cached is None:
        orgs = prof.orgs(org_ids)
        cached = (np.array([orgs[o].city if o in orgs else None for o in org_ids], dtype=object),
                  np.array([orgs[o].province if o in orgs else None for o in org_ids], dtype=object))
        directory._org_places = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def recommend_tech_mentors(store: GraphStore, enterprise_id: str, *, limit: int = 10) -> RoleRecommendations:
    """University experts to serve as technology mentors (技术导师) of an enterprise, typically a
    专精特新 SME.

    Target fields: the enterprise's own fields and those of its open demands (strongest
    weight); text: its open demands and description.  Candidates: people in those fields
    plus the 200 best text matches, restricted to research organisations and seniority ≥ 3.

    Raises:
        NotFound: unknown id.  QueryError: not an enterprise, bad limit.

    Example:
        >>> recommend_tech_mentors(store, "org:firm").candidates[0].name  # doctest: +SKIP
    """
    limit = check_limit(limit)
    prof, directory, plan, competition = _enterprise_plan(store, "tech_mentor", enterprise_id)
    return _rank(store, prof, directory, plan, limit, competition_fields=competition)


def recommend_liaisons(store: GraphStore, enterprise_id: str, *, limit: int = 10) -> RoleRecommendations:
    """PhD students and young faculty to act as university liaisons (高校联络员) for an enterprise.

    Eligible: ``is_phd_student`` or seniority ≤ 2, at a research organisation.  Same target
    fields, text and exclusions as :func:`recommend_tech_mentors`; adds proximity (same city /
    province as the enterprise) and research activity (patents).

    Raises:
        NotFound: unknown id.  QueryError: not an enterprise, bad limit.
    """
    limit = check_limit(limit)
    prof, directory, plan, competition = _enterprise_plan(store, "liaison", enterprise_id)
    return _rank(store, prof, directory, plan, limit, competition_fields=competition)


def warm_up(store: GraphStore) -> None:
    """Build what the role queries keep per store generation besides the shared caches — the
    organisations' posted demands, the affiliation arrays, the organisations' places and
    positions, the tie counts by organisation, the potential competing patents and the map
    from the person text index to the directory — so the first role query after an ingest (or
    a server start, :class:`api.app.WarmUp`) does not pay for them."""
    prof, directory = _start(store)
    posted_demands(directory)
    org_ids, _, _ = affiliation_arrays(directory)
    _org_places(prof, directory, org_ids)
    _org_positions(directory, org_ids)
    for reverse in (False, True):
        _tied_organisations(prof.tie_index(), reverse)
    _potential_conflicts(prof)
    _text_map(directory, text_index(store, generation=directory.generation).index(NodeLabel.PERSON))
