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
:class:`~graph.queries.profiles.ProfileDirectory` as arrays; people are visited by the upper
bound (score with ties = 1) in batches until the next bound falls below the last kept score.
Ties and conflicts (Cypher on Neo4j, networkx on the embedded store) are fetched for the first
batch, then at once for everyone whose bound still reaches the last kept score — a few reads
per query, not a few per batch; conflict names are read once, for the exclusions shown.  Ties,
circles and competing patents do not depend on the question and are kept per store generation
(:class:`~graph.queries.profiles.SharedFacts`); people who cannot have a competing patent (no
invented patent in the fields co-owned by an enterprise of that field, by the directory) are
not asked about.
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
    check_limit,
    person_load,
    profiles,
    saturate,
    shared_facts,
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
#: At most this many people's ties and conflicts are fetched in one read.
MAX_FETCH = 2000
TIES_FULL = 3
_EPS = 1e-9


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


def _competing(store: GraphStore, org_id: str, fields: Sequence[str], ids: Sequence[str],
               prof: Profiles | None = None) -> dict[str, list[tuple[str, str, str]]]:
    """Competing patents per person (only people with one), memoised per store generation."""
    if not ids or not fields:
        return {}
    shared = shared_facts(store, prof.generation) if prof is not None else None
    memo = shared.memo("roles.competing") if shared is not None else {}
    key = (org_id, tuple(sorted(set(fields))))
    want = [pid for pid in dict.fromkeys(ids) if (key, pid) not in memo]
    d = prof.directory if prof is not None else None
    if d is not None:
        # Only an inventor of a patent in one of the fields with an applicant other than the
        # target that is an enterprise in that field can have a conflict (a necessary
        # condition, from the directory): the others are settled without asking the store.
        target = set(key[1])

        def possible(pid: str) -> bool:
            person = d.persons.get(pid)
            if person is None:
                return True
            for t in person.patents:
                pt = d.patents.get(t)
                if pt is None:
                    return True
                shared = target.intersection(pt.fields)
                if shared and any(
                        c != org_id and (c not in d.orgs or (d.orgs[c].kind == OrgKind.ENTERPRISE.value
                                                             and not shared.isdisjoint(d.orgs[c].fields)))
                        for c in pt.applicants):
                    return True
            return False

        for pid in [pid for pid in want if not possible(pid)]:
            memo[(key, pid)] = ()
        want = [pid for pid in want if (key, pid) not in memo]
    if want:
        found = _competing_fetch(store, org_id, key[1], want)
        for pid in want:
            memo[(key, pid)] = tuple(found.get(pid, ()))
    return {pid: list(memo[(key, pid)]) for pid in ids if memo[(key, pid)]}


def _competing_fetch(store: GraphStore, org_id: str, fields: Sequence[str], ids: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
    if is_neo4j(store):
        rows = store.read(cypher.load("queries/roles/competing_patents"),  # type: ignore[attr-defined]
                          {"org": org_id, "fields": list(fields), "ids": list(ids)})
        return {r["id"]: sorted({(c, t, f) for c, t, f in r["conflicts"]}) for r in rows if r["conflicts"]}
    facts = GraphFacts(store)
    target = set(fields)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for pid in ids:
        if pid not in facts.g:
            continue
        found = set()
        for t, _ in facts.out_edges(pid, RelType.INVENTED, NodeLabel.PATENT):
            applicants = {o for o, _ in facts.in_edges(t, RelType.APPLICANT_OF, NodeLabel.ORGANIZATION)}
            if org_id in applicants:
                continue
            for f in {f for f, _ in facts.out_edges(t, RelType.IN_FIELD, NodeLabel.FIELD)} & target:
                for c in applicants:
                    if c == org_id or facts.g.nodes[c].get("kind") != OrgKind.ENTERPRISE.value:
                        continue
                    if any(x == f for x, _ in facts.out_edges(c, RelType.IN_FIELD, NodeLabel.FIELD)):
                        found.add((c, t, f))
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
        cache = getattr(directory, "_text_map", None)
        if cache is None or cache[0] is not pindex:
            mapping = np.array([directory.pos.get(i, -1) for i in pindex.ids], dtype=np.int64)
            directory._text_map = (pindex, mapping)  # type: ignore[attr-defined]
        mapping = directory._text_map[1]  # type: ignore[attr-defined]
        ok = mapping >= 0
        out[mapping[ok]] = scores[ok] / scores.max()
    return out, (pindex, query)


def _fetch_end(i: int, fetched: int, valid_kth: float | None, first: float, ordered_bound: np.ndarray) -> int:
    """Where the next fetch of ties and conflicts should end (an index into the visiting order):
    every person whose bound still reaches the last kept score (or, before ``limit`` people are
    kept, the first estimate ``first``) — they are the only ones the loop can still visit — at
    least the batch at ``i``, at most :data:`MAX_FETCH` people, on a batch boundary."""
    size = ordered_bound.size
    if valid_kth is not None:
        thr = valid_kth
    elif fetched == 0:
        thr = first  # +inf: the first batch alone, then every person who can still make it
    else:
        thr = None  # the estimate was too high (exclusions): widen geometrically
    if thr is not None:
        end = int(np.searchsorted(-ordered_bound, -(thr - _EPS), side="right"))
    else:
        end = fetched + max(BATCH, fetched)
    end = max(end, i + BATCH)
    end = -(-end // BATCH) * BATCH
    return min(end, i + MAX_FETCH, size)


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
    bound = static + weights["ties"]
    order = np.lexsort((pool, -bound))  # pool positions are in id order, so ties break by id
    ordered_bound = bound[order]
    # No estimate of the last kept score before the first batch is scored (a static estimate
    # reaches too far down: fetching ties is what costs, on Neo4j in the server).
    first = float("inf")
    target = plan.target
    valid: list[tuple[float, str, dict[str, float], dict[str, Any]]] = []
    excluded: list[tuple[Exclusion, tuple[str, str, str] | None]] = []
    conflicts: dict[str, list[tuple[str, str, str]]] = {}
    fetched = 0
    i = 0
    while i < order.size:
        if len(valid) >= limit and bound[order[i]] + _EPS < valid[limit - 1][0]:
            break
        if min(i + BATCH, order.size) > fetched:
            end = _fetch_end(i, fetched, valid[limit - 1][0] if len(valid) >= limit else None, first,
                             ordered_bound)
            ids = [directory.ids[pool[j]] for j in order[fetched:end]]
            _prefetch(store, prof, plan, ids, competition_fields, conflicts)
            fetched = end
        batch = [directory.ids[pool[j]] for j in order[i:i + BATCH]]
        i += BATCH
        people = prof.persons(batch)
        if plan.role == "industry_professor":
            pairs = [(o, target.id) for p in people.values() for o in p.orgs if o != target.id]
        else:
            pairs = [(target.id, o) for p in people.values() for o in p.orgs if o != target.id]
        ties = prof.ties(pairs)
        personal = prof.personal_ties([(target.id, pid) for pid in batch])
        for pid in batch:
            p = people[pid]
            factors = {f: float(plan.static[f][directory.pos[pid]]) for f in weights if f != "ties"}
            factors.update(_exact_static(plan, p))
            org_n, tie_org = 0, None
            for o in p.orgs:
                key = (o, target.id) if plan.role == "industry_professor" else (target.id, o)
                t = ties.get(key)
                if t is not None and t.count > org_n:
                    org_n, tie_org = t.count, o
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


def _prefetch(store: GraphStore, prof: Profiles, plan: _Plan, ids: Sequence[str],
              competition_fields: Sequence[str], conflicts: dict[str, list[tuple[str, str, str]]]) -> None:
    """Ties, personal ties and competing patents of many people in one read each (they land
    in the query's memo — and the generation's :class:`~graph.queries.profiles.SharedFacts`)."""
    if not ids:
        return
    target = plan.target
    people = prof.persons(ids)
    if plan.role == "industry_professor":
        prof.ties([(o, target.id) for p in people.values() for o in p.orgs if o != target.id])
    else:
        prof.ties([(target.id, o) for p in people.values() for o in p.orgs if o != target.id])
        prof.circle(target.id)  # an enterprise: small circle, many people asked about
    prof.personal_ties([(target.id, pid) for pid in ids])
    if competition_fields:
        conflicts.update(_competing(store, target.id, competition_fields, ids, prof))


def _exact_static(plan: _Plan, p: PersonProfile) -> dict[str, float]:
    """The static factors recomputed from the profile with the scalar formulas (the arrays
    only order the search), so the reported values do not depend on array arithmetic."""
    out: dict[str, float] = {}
    weights = ROLE_WEIGHTS[plan.role]
    if "field" in weights:
        out["field"] = field_overlap(plan.fields, p.fields)[0]
    if "seniority" in weights:
        out["seniority"] = p.seniority / 5 if p.seniority is not None else 0.0
    if "track" in weights:
        out["track"] = track_of_people([p])[0]
    if "activity" in weights:
        out["activity"] = saturate(len(p.patents), 3)
    if "load" in weights:
        out["load"] = person_load([p])[0]
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
    candidates = set(directory.in_fields(fields).tolist())
    if text.size:
        best = np.flatnonzero(text > 0)
        best = best[np.lexsort((best, -text[best]))][:TEXT_POOL]
        candidates |= set(best.tolist())
    pool = np.array(sorted(candidates), dtype=np.int64)
    if role == "tech_mentor":
        pool = pool[directory.research[pool] & (directory.seniority[pool] >= 3)]
    else:
        young = directory.phd[pool] | ((directory.seniority[pool] >= 0) & (directory.seniority[pool] <= 2))
        pool = pool[directory.research[pool] & young]
    if role == "liaison" and pool.size:
        prox = np.zeros(len(directory.ids))
        orgs = prof.orgs({o for i in pool for o in directory.persons[directory.ids[i]].orgs})
        for i in pool:
            p = directory.persons[directory.ids[i]]
            best_place = 0.0
            for o in p.orgs:
                op = orgs.get(o)
                if op is None:
                    continue
                if org.city and op.city == org.city:
                    best_place = 1.0
                elif org.province and op.province == org.province:
                    best_place = max(best_place, 0.5)
            prox[i] = best_place
        static["proximity"] = prox
    plan = _Plan(role, org, None, fields, static, pool, text_terms=terms)
    return prof, directory, plan, sorted(fields)


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
