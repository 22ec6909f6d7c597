"""Alliance candidates (创新联合体): clusters of organisations that already work together in a
field, with the mix the plan asks for — 高校 + 龙头企业 + 中小企业.

Method:

1. **Projection.**  For the target fields (``field_id``, or the fields of ``demand_id``), an
   undirected weighted graph of top-level organisations:

   * every patent in a target field (``IN_FIELD``) adds 1 to each pair of its applicant
     organisations (co-applied patents);
   * every ``COLLABORATED_WITH`` pair of people, at least one of them in a target field, adds
     0.5 to each pair of their employers (current ``WORKS_AT``, or those without an end when
     none is current), when the employers differ.

   Colleges and labs are folded into their university.  The projection is derived in memory
   (:func:`project_collaboration`) from facts read once per store write generation — the
   people's ``COLLABORATED_WITH`` pairs and employers, ``PART_OF`` between organisations, the
   applicants as written of patents a college or lab applied for
   (``cypher/queries/alliances/*.cypher`` on Neo4j, the networkx snapshot on the embedded store)
   — and from the generation's :class:`~graph.queries.profiles.ProfileDirectory` (patents, their
   fields, applicants and inventors; people's fields and teams).  Both backends give the same
   edge list, and the graph is built from it in sorted order.
2. **Communities.**  Louvain (networkx ``louvain_communities``, ``seed`` fixed, resolution 1)
   on that graph — the same graph in the same order on both backends, hence the same
   communities.  O(m) per pass, m the number of projected ties.
3. **Composition rule.**  A community is kept when it holds at least the required number of
   each role (default ``{"university": 1, "leading": 1, "sme": 1}``; roles: ``university`` 高校
   (colleges and labs included), ``institute`` 科研院所, ``research`` (either), ``leading`` 龙头企业,
   ``sme`` 中小企业 (专精特新 and 小巨人 count), ``enterprise`` (any firm)).
4. **Cores.**  A community can be large (a big university co-files with dozens of firms); the
   alliances proposed are tight cores grown inside it: from each of up to nine seeds (the three
   strongest members of the first required role — usually universities — each with its three
   most tied partners of the second — usually leading firms), add for every
   required role the member of that role most tied to the core so far, then the member most
   tied to the core while it is tied to at least half of the core members with a total weight
   ≥ 2 and the core has fewer than ``max_members`` (default 8).  "Most tied" = tied to the
   most core members, then the largest tie weight to them: a consortium is a dense group, not
   a hub with spokes.  With a demand, its firm joins every core of its community.
5. **Score** = 0.6·ties + 0.4·complementarity.  ties = density · min(1, W / (3·(n − 1))):
   density = the share of member pairs already tied, W the tie weight among the n members
   (three co-applied patents per link of a spanning tree is full strength) — a consortium
   whose members all work with each other beats a hub with spokes.  complementarity =
   (|∪ Sᵢ| − mean |Sᵢ|) / |∪ Sᵢ| over the members with a non-empty Sᵢ, Sᵢ the sub-fields (fields
   other than the target ones, IPC classes included) of member i's patents in the target
   fields — 0 when everybody does the same thing, towards 1 when each member brings its own
   speciality.  (On the generator's planted alliances, ties without density and an even
   0.5/0.5 split ranked only two of eight plants in the top five, against five of eight now;
   see ``bench/eval_matching.py``.)
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

import cypher
from graph.errors import QueryError
from graph.model import NodeLabel, OrgKind, RelType
from graph.queries.backend import is_neo4j
from graph.queries.profiles import (
    ROLE_NAMES,
    GraphFacts,
    OrgProfile,
    ProfileDirectory,
    Profiles,
    check_limit,
    profile_directory,
    profiles,
    require_node,
    shared_facts,
    store_generation,
)
from graph.store.base import GraphStore

__all__ = [
    "DEFAULT_RULE",
    "RULE_ROLES",
    "Alliance",
    "AllianceMember",
    "AllianceTie",
    "alliance_candidates",
    "cached_projection",
    "project_collaboration",
    "warm_up",
]

DEFAULT_RULE: dict[str, int] = {"university": 1, "leading": 1, "sme": 1}
RULE_ROLES: dict[str, str] = {
    "university": "高校", "institute": "科研院所", "research": "高校或科研院所",
    "leading": "龙头企业", "sme": "中小企业", "enterprise": "企业",
}
COLLAB_WEIGHT = 0.5
MAX_MEMBERS = 8
MAX_SEEDS = 3
MIN_LINK = 2.0  # tie weight to the core below which growth stops (two co-applied patents)
TIES_FULL_PER_LINK = 3.0
TIES_WEIGHT = 0.6  # score = 0.6·ties + 0.4·complementarity


@dataclass(frozen=True)
class AllianceMember:
    """One organisation of a proposed alliance and what it brings."""

    id: str
    name: str
    role: str  # university, institute, leading, sme, enterprise, …
    role_name: str
    strength: float  # tie weight to the other core members
    field_patents: int  # its patents in the target fields
    directions: tuple[str, ...]  # names of its strongest sub-fields
    team: tuple[str, str] | None  # (id, name) of its strongest team in the field
    explanation: str


@dataclass(frozen=True)
class AllianceTie:
    a: str
    b: str
    weight: float
    co_patents: int
    collab_pairs: int


@dataclass(frozen=True)
class Alliance:
    """A proposed innovation consortium (创新联合体)."""

    members: tuple[AllianceMember, ...]
    score: float
    factors: Mapping[str, float]  # ties, complementarity
    fields: tuple[str, ...]  # target field ids
    community_size: int
    includes_demand_firm: bool
    ties: tuple[AllianceTie, ...]
    explanation: str

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": [m.__dict__ | {"team": list(m.team) if m.team else None,
                                      "directions": list(m.directions)} for m in self.members],
            "score": self.score, "factors": dict(self.factors), "fields": list(self.fields),
            "community_size": self.community_size, "includes_demand_firm": self.includes_demand_firm,
            "ties": [t.__dict__ for t in self.ties], "explanation": self.explanation,
        }


# --------------------------------------------------------------------------- projection

@dataclass
class _Projection:
    co_patents: dict[tuple[str, str], int] = field(default_factory=dict)
    collab: dict[tuple[str, str], int] = field(default_factory=dict)

    def weight(self, a: str, b: str) -> float:
        key = (a, b) if a < b else (b, a)
        return self.co_patents.get(key, 0) + COLLAB_WEIGHT * self.collab.get(key, 0)

    def edges(self) -> list[tuple[str, str, float]]:
        """Every tied pair (a < b) with its weight, in sorted order."""
        return [(a, b, self.weight(a, b)) for a, b in sorted(set(self.co_patents) | set(self.collab))]

    def graph(self) -> nx.Graph:
        """The projection as a networkx graph: nodes sorted, then the edges of :meth:`edges`."""
        g = nx.Graph()
        edges = self.edges()
        g.add_nodes_from(sorted({o for a, b, _ in edges for o in (a, b)}))
        g.add_weighted_edges_from(edges)
        return g


@dataclass(frozen=True)
class _Base:
    """The field-independent facts of one store generation that every field's projection and
    member facts are derived from, in memory: the people's collaborations and employers, plus
    the patents, people and teams of the generation's :class:`ProfileDirectory`.

    Reading a field's collaborations and member facts from the store took seconds per field at
    province scale (tens of thousands of pairs, each person's jobs expanded once per pair, and
    every inventor's teams of every member patent); read once per generation (one query per
    kind of fact), a field costs milliseconds.  Memory: two int32 per collaborating pair, one
    entry per patent and field.
    """

    directory: ProfileDirectory
    pair_u: np.ndarray  # collaborating people, directory positions, pair_u < pair_v, each pair once
    pair_v: np.ndarray
    employer_code: np.ndarray  # person position → index into employer_sets (0: no employer)
    employer_sets: tuple[tuple[str, ...], ...]  # distinct top-level employer sets, () first
    field_patents: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]  # field → its patents
    #   (IN_FIELD) by id, each with the organisations that applied for it themselves (colleges
    #   and labs not folded: member facts count a member's own patents)
    co_patents: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]  # field → its patents with
    #   two or more top-level applicants, with those (sorted)
    team_reach: Mapping[str, frozenset[str]]  # team → organisations it is PART_OF in one or two steps
    patent_teams: dict[str, tuple[str, ...]] = field(default_factory=dict)  # patent → its
    #   inventors' teams (sorted), every patent of the directory (filled on use for others)

    def inventor_teams(self, patent: str) -> tuple[str, ...]:
        """The teams of the patent's inventors (MEMBER_OF or LEADS)."""
        teams = self.patent_teams.get(patent)
        if teams is None:
            persons = self.directory.persons
            teams = tuple(sorted({t for x in self.directory.patents[patent].inventors
                                  for t in (persons[x].teams if x in persons else ())}))
            self.patent_teams[patent] = teams
        return teams


_UNIT_KINDS = (OrgKind.COLLEGE.value, OrgKind.LAB.value)  # folded into their university


def _raw_base_embedded(store: GraphStore, directory: ProfileDirectory) -> dict[str, Any]:
    facts = GraphFacts(store)
    collab_a, collab_b, people, employers = [], [], [], []
    for x in directory.ids:
        for y, _ in facts.out_edges(x, RelType.COLLABORATED_WITH, NodeLabel.PERSON):
            collab_a.append(x)
            collab_b.append(y)
        jobs = facts.out_edges(x, RelType.WORKS_AT, NodeLabel.ORGANIZATION)
        current = [o for o, d in jobs if d.get("current") is True]
        orgs = current if current else [o for o, d in jobs if d.get("end") is None]
        if orgs:
            people.append(x)
            employers.append(orgs)
    parents = [[o, q] for o in sorted(directory.orgs)
               for q, _ in facts.out_edges(o, RelType.PART_OF, NodeLabel.ORGANIZATION)]
    unit_patents = sorted({p for o in directory.orgs if directory.orgs[o].kind in _UNIT_KINDS
                           for p, _ in facts.out_edges(o, RelType.APPLICANT_OF, NodeLabel.PATENT)})
    unit_applied = [[p, [o for o, _ in facts.in_edges(p, RelType.APPLICANT_OF, NodeLabel.ORGANIZATION)]]
                    for p in unit_patents]
    return {"collab": (collab_a, collab_b), "employers": (people, employers), "parents": parents,
            "unit_applied": unit_applied}


def _raw_base_neo4j(store: GraphStore, directory: ProfileDirectory) -> dict[str, Any]:
    def read(name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return store.read(cypher.load(f"queries/alliances/{name}"), params)  # type: ignore[attr-defined,no-any-return]

    # Whole columns in one record each: the driver spends far more per record than per value.
    collab = read("collaborations")[0]
    employers = read("employers")[0]
    parents = read("org_parents")[0]
    unit_applied = read("unit_applicants", {"kinds": list(_UNIT_KINDS)})[0]
    return {"collab": (collab["a"], collab["b"]), "employers": (employers["people"], employers["orgs"]),
            "parents": parents["pairs"], "unit_applied": unit_applied["patents"]}


def _build_base(store: GraphStore, prof: Profiles) -> _Base:
    directory = prof.directory if prof.directory is not None else profile_directory(store)
    raw = (_raw_base_neo4j if is_neo4j(store) else _raw_base_embedded)(store, directory)
    pos, n = directory.pos, len(directory.ids)
    a_ids, b_ids = raw["collab"]
    a = np.fromiter((pos.get(x, -1) for x in a_ids), dtype=np.int64, count=len(a_ids))
    b = np.fromiter((pos.get(y, -1) for y in b_ids), dtype=np.int64, count=len(b_ids))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys = np.unique((lo * n + hi)[(lo >= 0) & (lo != hi)])  # each unordered pair once, no self-ties
    people, employers = raw["employers"]
    tops = prof.tops({o for orgs in employers for o in orgs})
    sets: dict[tuple[str, ...], int] = {(): 0}
    code = np.zeros(n, dtype=np.int64)
    for pid, orgs in zip(people, employers, strict=True):
        if pid in pos:
            top = tuple(sorted({tops.get(o, o) for o in orgs}))
            code[pos[pid]] = sets.setdefault(top, len(sets))
    unit_applied = {p: tuple(sorted(set(orgs))) for p, orgs in raw["unit_applied"]}
    field_patents: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    co_patents: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for pid in sorted(directory.patents):
        patent = directory.patents[pid]
        applicants = unit_applied.get(pid, patent.applicants)  # no college or lab: as written
        for f in patent.fields:
            field_patents[f].append((pid, applicants))
            if len(patent.applicants) >= 2:
                co_patents[f].append((pid, patent.applicants))
    parents: dict[str, set[str]] = defaultdict(set)
    for o, q in raw["parents"]:
        parents[o].add(q)
    reach = {t: frozenset(team.units) | {q for u in team.units for q in parents.get(u, ())}
             for t, team in directory.teams.items()}
    # Every patent's inventor teams, once per generation (a field's member facts need those of
    # all its members' patents: thousands per field, a tenth of the whole).
    persons = directory.persons
    patent_teams: dict[str, tuple[str, ...]] = {}
    for pid, patent in directory.patents.items():
        teams = {t for x in patent.inventors if x in persons for t in persons[x].teams}
        patent_teams[pid] = tuple(sorted(teams)) if teams else ()
    return _Base(
        directory=directory, pair_u=(keys // n).astype(np.int32), pair_v=(keys % n).astype(np.int32),
        employer_code=code, employer_sets=tuple(sets),
        field_patents={f: tuple(ps) for f, ps in field_patents.items()},
        co_patents={f: tuple(ps) for f, ps in co_patents.items()}, team_reach=reach,
        patent_teams=patent_teams,
    )


_BASE = "alliance_base"  # SharedFacts memo: None → _Base
_PROJECTIONS = "alliance_projections"  # SharedFacts memo: field-id tuple → _Projection
_MEMBER_FACTS = "alliance_member_facts"  # SharedFacts memo: (field-id tuple, org id) → facts or None
_MAX_CACHED_FIELD_SETS = 64  # projections are large; at most this many field sets per generation
_base_lock = threading.Lock()


def _memo(store: GraphStore, name: str, generation: int | None = None) -> dict[Any, Any] | None:
    """A memo of the store generation's :class:`SharedFacts` (projections, member facts and the
    facts they are derived from only change when the store does); None for a store without a
    generation counter."""
    shared = shared_facts(store, store_generation(store) if generation is None else generation)
    return shared.memo(name) if shared is not None else None


def _base(store: GraphStore, prof: Profiles) -> _Base:
    """The generation's :class:`_Base`, built on first use (once, however many ask at once)."""
    memo = _memo(store, _BASE, prof.generation)
    if memo is None:
        return _build_base(store, prof)
    with _base_lock:
        base = memo.get(None)
        if base is None:
            base = memo[None] = _build_base(store, prof)
        return base  # type: ignore[no-any-return]


def cached_projection(store: GraphStore, fields: Sequence[str]) -> _Projection | None:
    """The projection of these fields already computed in this store generation, if any."""
    memo = _memo(store, _PROJECTIONS)
    return memo.get(tuple(sorted(set(fields)))) if memo is not None else None


def warm_up(store: GraphStore, *, kinds: Sequence[str] = ("industry",)) -> int:
    """Compute and cache the alliance candidates of every field of the given kinds (the key
    industries by default), so the first request for one is answered from the cache.  Returns
    how many fields were done."""
    fields = sorted(n.id for n in store.find_nodes(NodeLabel.FIELD, limit=10_000)
                    if n.props.get("kind") in kinds)
    for fid in fields:
        alliance_candidates(store, field_id=fid)
    return len(fields)


def project_collaboration(store: GraphStore, fields: Sequence[str], prof: Profiles | None = None) -> _Projection:
    """The organisation collaboration graph of some fields (see the module docstring).

    O(p + c) for the p patents of the fields and the c collaborating pairs of the generation
    (a vectorised pass), once the generation's :class:`_Base` is built.
    """
    fields = sorted(set(fields))
    prof = prof or profiles(store)
    memo = _memo(store, _PROJECTIONS, prof.generation)
    cache_key = tuple(fields)
    if memo is not None and (hit := memo.get(cache_key)) is not None:
        return hit  # type: ignore[no-any-return]
    base = _base(store, prof)
    co: dict[tuple[str, str], int] = {}
    # A patent in two of the fields counts once.
    co_patents = dict(pair for f in fields for pair in base.co_patents.get(f, ()))
    for top in co_patents.values():  # top-level applicants, sorted, each once
        if len(top) == 2:  # most co-applied patents
            co[top] = co.get(top, 0) + 1  # type: ignore[index]
            continue
        for i, a in enumerate(top):
            for b in top[i + 1:]:
                co[(a, b)] = co.get((a, b), 0) + 1
    # Staff collaborations: pairs with at least one person in the fields, both employed; the
    # pairs are counted per (employer set, employer set) and each such group adds its count to
    # every distinct pair of employers it spans — as if each pair of people were walked.
    in_fields = np.zeros(len(base.directory.ids), dtype=bool)
    in_fields[base.directory.in_fields(fields)] = True
    pick = in_fields[base.pair_u] | in_fields[base.pair_v]
    cu, cv = base.employer_code[base.pair_u[pick]], base.employer_code[base.pair_v[pick]]
    both = (cu > 0) & (cv > 0)
    k = len(base.employer_sets)
    groups, counts = np.unique(cu[both] * k + cv[both], return_counts=True)
    cl: Counter[tuple[str, str]] = Counter()
    sets = base.employer_sets
    for group, count in zip(groups.tolist(), counts.tolist(), strict=True):
        ta, tb = sets[group // k], sets[group % k]
        if len(ta) == 1 and len(tb) == 1:  # one employer each (most people)
            a, b = ta[0], tb[0]
            if a != b:
                cl[(a, b) if a < b else (b, a)] += count
            continue
        for key in {(a, b) if a < b else (b, a) for a in ta for b in tb if a != b}:
            cl[key] += count
    proj = _Projection(co_patents=dict(sorted(co.items())), collab=dict(sorted(cl.items())))
    if memo is not None and len(memo) < _MAX_CACHED_FIELD_SETS:
        memo[cache_key] = proj
    return proj


# --------------------------------------------------------------------------- member facts

def _member_facts(store: GraphStore, prof: Profiles, orgs: Sequence[str],
                  fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    """What each organisation brings to the fields; cached per store generation and field set."""
    memo = _memo(store, _MEMBER_FACTS, prof.generation)
    if memo is None:
        return _derive_member_facts(_base(store, prof), orgs, fields)
    key = tuple(sorted(set(fields)))
    missing = [o for o in orgs if (key, o) not in memo]
    if missing:
        derived = _derive_member_facts(_base(store, prof), missing, fields)
        memo.update({(key, o): derived.get(o) for o in missing})  # None: not in the graph
    return {o: f for o in orgs if (f := memo.get((key, o))) is not None}


def _derive_member_facts(base: _Base, orgs: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per organisation: its patents in the fields (as an applicant itself), the other fields of
    those patents with counts, and its teams (``PART_OF`` it directly or through a college or
    lab) by the number of those patents their members invented.  O(patents of the fields +
    the members' patents' inventors)."""
    d = base.directory
    wanted = {o for o in orgs if o in d.orgs}
    target = set(fields)
    patents: dict[str, list[str]] = {o: [] for o in wanted}
    if len(target) == 1:  # one field: its patents come by id, each once — already sorted
        for pid, applicants in base.field_patents.get(fields[0], ()):
            for o in applicants:
                if o in wanted:
                    got = patents[o]
                    if not got or got[-1] != pid:
                        got.append(pid)
    else:
        found: dict[str, set[str]] = {o: set() for o in wanted}
        for f in fields:
            for pid, applicants in base.field_patents.get(f, ()):
                for o in applicants:
                    if o in wanted:
                        found[o].add(pid)
        patents = {o: sorted(pids) for o, pids in found.items()}
    out: dict[str, dict[str, Any]] = {}
    reach = base.team_reach
    for o in sorted(wanted):
        pids = patents[o]
        sub: dict[str, int] = {}  # counted as Counter.update would, in the same order
        teams: dict[str, int] = {}
        for pid in pids:
            for f in d.patents[pid].fields:
                if f not in target:
                    sub[f] = sub.get(f, 0) + 1
            for t in base.inventor_teams(pid):
                if o in reach.get(t, ()):
                    teams[t] = teams.get(t, 0) + 1
        out[o] = {"patents": pids, "subfields": sub, "teams": teams}
    return out


# --------------------------------------------------------------------------- rule and core

def _check_rule(rule: Mapping[str, int] | None) -> dict[str, int]:
    if rule is None:
        return dict(DEFAULT_RULE)
    if not isinstance(rule, Mapping) or not rule:
        raise QueryError(f"rule 必须是 角色→最少数量 的映射，如 {DEFAULT_RULE}，收到 {rule!r}")
    out: dict[str, int] = {}
    for role, n in rule.items():
        if role not in RULE_ROLES:
            raise QueryError(f"组成规则中的角色 {role!r} 无效；可用角色：{', '.join(RULE_ROLES)}")
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 20:
            raise QueryError(f"角色 {role} 的最少数量必须是 0 到 20 的整数，收到 {n!r}")
        out[role] = n
    if not any(out.values()):
        raise QueryError("组成规则至少要求一个角色的数量大于 0")
    return out


def _has_role(org: OrgProfile, rule_role: str) -> bool:
    if rule_role == "research":
        return org.role in ("university", "institute")
    if rule_role == "enterprise":
        return org.role in ("leading", "sme", "enterprise")
    return org.role == rule_role


def _meets(members: Sequence[OrgProfile], rule: Mapping[str, int]) -> bool:
    return all(sum(1 for m in members if _has_role(m, r)) >= n for r, n in rule.items())


class _Core:
    """A core being grown inside one community: its members, and for every community member
    tied to it (the only ones that can join) how many core members it is tied to and the total
    weight of those ties.  The totals are added up as members join, in core order — the same
    floats a recount over the core would give — so picking the next member costs one pass over
    the candidates instead of one per candidate and core member."""

    def __init__(self, start: Sequence[str], adj: Mapping[str, Mapping[str, float]]) -> None:
        self.adj = adj
        self.members: list[str] = []
        self.inside: set[str] = set()
        self.ties: dict[str, list[float]] = {}  # candidate → [core members tied, tie weight]
        for o in start:
            self.add(o)

    def add(self, o: str) -> None:
        self.members.append(o)
        self.inside.add(o)
        self.ties.pop(o, None)
        for x, w in self.adj[o].items():
            if x not in self.inside:
                t = self.ties.setdefault(x, [0, 0.0])
                t[0] += 1
                t[1] += w

    def pull(self, candidates: Iterable[str], strength: Mapping[str, float], *, growing: bool) -> str | None:
        """The candidate tied to the most core members, then by tie weight to the core, then by
        strength; ties keep the smallest id.  When ``growing``, only candidates tied to at least
        half of the core with a weight of at least MIN_LINK qualify."""
        size = len(self.members)
        best: tuple[float, float, float, str] | None = None
        for o in candidates:
            links, w = self.ties[o]
            if growing and (links * 2 < size or w < MIN_LINK):
                continue
            key = (-links, -w, -strength[o], o)
            if best is None or key < best:
                best = key
        return best[3] if best else None


_SEED_ROLES = ("university", "research", "institute", "leading", "sme", "enterprise")


def _cores(
    community: Sequence[str], orgs: Mapping[str, OrgProfile], proj: _Projection,
    graph_adj: Mapping[str, Mapping[str, float]],
    rule: Mapping[str, int], must: str | None, max_members: int,
) -> list[list[str]]:
    """Candidate consortia inside one community, grown greedily around seeds.

    Seeds: the (up to three) strongest members of the first role the rule asks for, in the
    order 高校, 高校或院所, 院所, 龙头, 中小, 企业, each paired with its (up to three) most tied
    partners of the second role asked for (a university and a leading firm, by default) — the
    strongest partner is not always the one a consortium forms around.  From a seed (plus the
    demand's firm, when it is in the community): first, for each required role still missing,
    the member of that role most tied to the core so far; then the member most tied to the core
    while it is tied to at least half of the core with a weight of at least ``MIN_LINK`` and the
    core is below ``max_members``.  "Most tied": most core members linked, then tie weight, then strength in
    the community, then id.  Each core is listed once, members ordered by strength in the
    community.  O(seeds · max_members · (candidates + ties of a member)).
    """
    members = set(community)
    adj = {o: {x: w for x, w in graph_adj[o].items() if x in members} for o in community}
    strength = {o: sum(adj[o].values()) for o in community}  # the same weights, in the same order

    roles = [r for r in _SEED_ROLES if rule.get(r, 0) > 0]
    first = sorted((o for o in community if not roles or _has_role(orgs[o], roles[0])),
                   key=lambda o: (-strength[o], o))[:MAX_SEEDS]
    seeds: list[list[str]] = []
    for a in first:
        partners = sorted((o for o in adj[a] if o != a and len(roles) > 1 and _has_role(orgs[o], roles[1])),
                          key=lambda o: (-proj.weight(a, o), o))[:MAX_SEEDS]
        seeds += [[a, b] for b in partners] or [[a]]
    cores: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for seed in seeds:
        core = _Core(list(seed) + ([must] if must in members and must not in seed else []), adj)
        for role, n in sorted(rule.items()):
            while sum(1 for o in core.members if _has_role(orgs[o], role)) < n:
                found = core.pull([o for o in core.ties if _has_role(orgs[o], role)], strength, growing=False)
                if found is None:
                    break
                core.add(found)
        while len(core.members) < max_members:
            found = core.pull(core.ties, strength, growing=True)
            if found is None:
                break
            core.add(found)
        key = frozenset(core.members)
        if key not in seen and _meets([orgs[o] for o in core.members], rule):
            seen.add(key)
            cores.append(sorted(core.members, key=lambda o: (-strength[o], o)))
    return cores


# --------------------------------------------------------------------------- query

def alliance_candidates(
    store: GraphStore,
    *,
    field_id: str | None = None,
    demand_id: str | None = None,
    limit: int = 5,
    rule: Mapping[str, int] | None = None,
    seed: int = 42,
    max_members: int = MAX_MEMBERS,
) -> list[Alliance]:
    """Candidate innovation consortia for a field or a demand, best first.

    Args:
        field_id: a ``Field`` id; the projection uses this field.
        demand_id: a ``Demand`` id; the projection uses the demand's fields (or ``field_id``
            when both are given), and alliances holding the demand's firm come first.
        limit: how many alliances, 1..50.
        rule: minimum members per role (see the module docstring); default 高校 + 龙头企业 +
            中小企业, one each.
        seed: Louvain's random seed (same seed, same graph → same communities).
        max_members: core size cap, 2..30.

    Returns:
        Alliances satisfying the rule: those holding the demand's firm first, then by score
        (desc), then by their first member id.

    Raises:
        QueryError: neither ``field_id`` nor ``demand_id``, a demand without fields, bad rule,
            limit, seed or size.  NotFound: an unknown id.

    Example:
        >>> a = alliance_candidates(store, field_id="field:new_materials")[0]  # doctest: +SKIP
        >>> print(a.members[0].explanation)                                      # doctest: +SKIP
        哈尔滨工业大学：高校，提供焊接机器人方向的研发团队（张三团队）…
    """
    limit = check_limit(limit, high=50)
    rule = _check_rule(rule)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise QueryError(f"seed 必须是 0 到 2^32-1 的整数，收到 {seed!r}")
    max_members = check_limit(max_members, name="max_members", high=30)
    if max_members < 2:
        raise QueryError("max_members 至少为 2")
    if field_id is None and demand_id is None:
        raise QueryError("请指定 field_id（领域）或 demand_id（需求）")
    prof = profiles(store)
    firm: str | None = None
    fields: list[str] = []
    if field_id is not None:
        prof.require(store, field_id, NodeLabel.FIELD, name="field_id")
        fields = [field_id]
    if demand_id is not None:
        require_node(store, demand_id, NodeLabel.DEMAND, name="demand_id")
        demand = prof.demand(demand_id)
        assert demand is not None
        firm = demand.firm
        if not fields:
            fields = [f for f, w in demand.fields.items() if w > 0]
            if not fields:
                raise QueryError(f"需求 {demand_id} 没有领域标注，请改用 field_id 指定领域")

    proj = project_collaboration(store, fields, prof)
    g = proj.graph()
    if g.number_of_edges() == 0:
        return []
    adj = {o: {x: d["weight"] for x, d in nbrs.items()} for o, nbrs in g.adjacency()}
    communities = nx.community.louvain_communities(g, weight="weight", resolution=1.0, seed=seed)
    orgs = prof.orgs(adj)
    candidates = []
    for comm in communities:
        members = sorted(o for o in comm if o in orgs)
        if not _meets([orgs[o] for o in members], rule):
            continue
        for core in _cores(members, orgs, proj, adj, rule, firm, max_members):
            candidates.append((members, core))
    facts = _member_facts(store, prof, sorted({o for _, core in candidates for o in core}), fields)
    scored = []
    for members, core in candidates:
        scored.append(_assemble(core, len(members), orgs, proj, facts, fields, firm))
    scored.sort(key=lambda a: (not a[0].includes_demand_firm, -round(a[0].score, 9), a[0].members[0].id))
    top = scored[:limit]
    names = prof.names(store, {f for _, need in top for f in need} | set(fields))
    teams = prof.teams({m.team[0] for a, _ in top for m in a.members if m.team})
    leaders = prof.persons({lid for t in teams.values() for lid in t.leaders[:1]})
    return [_explained(a, names, teams, leaders, orgs, proj, fields) for a, _ in top]


def _assemble(
    core: Sequence[str], community_size: int, orgs: Mapping[str, OrgProfile], proj: _Projection,
    facts: Mapping[str, Mapping[str, Any]], fields: Sequence[str], firm: str | None,
) -> tuple[Alliance, set[str]]:
    n = len(core)
    ties = []
    w_total = 0.0
    for i, a in enumerate(sorted(core)):
        for b in sorted(core)[i + 1:]:
            w = proj.weight(a, b)
            if w > 0:
                key = (a, b)
                ties.append(AllianceTie(a, b, w, proj.co_patents.get(key, 0), proj.collab.get(key, 0)))
                w_total += w
    pairs = n * (n - 1) / 2
    density = len(ties) / pairs if pairs else 0.0
    tie_score = density * min(1.0, w_total / (TIES_FULL_PER_LINK * (n - 1))) if n > 1 else 0.0
    subs = [set(facts.get(o, {}).get("subfields", {})) for o in core]
    nonempty = [s for s in subs if s]
    union = set().union(*nonempty) if nonempty else set()
    if len(nonempty) >= 2 and union:
        mean = sum(len(s) for s in nonempty) / len(nonempty)
        comp = (len(union) - mean) / len(union)
    else:
        comp = 0.0
    score = TIES_WEIGHT * tie_score + (1 - TIES_WEIGHT) * comp
    need: set[str] = set()
    members = []
    for o in core:
        f = facts.get(o, {"patents": [], "subfields": {}, "teams": {}})
        dirs = sorted(f["subfields"].items(), key=lambda x: (-x[1], x[0]))[:2]
        need |= {d for d, _ in dirs}
        team = min(f["teams"].items(), key=lambda x: (-x[1], x[0]))[0] if f["teams"] else None
        strength = sum(proj.weight(o, x) for x in core if x != o)
        members.append(AllianceMember(
            id=o, name=orgs[o].name, role=orgs[o].role, role_name=ROLE_NAMES[orgs[o].role],
            strength=strength, field_patents=len(f["patents"]), directions=tuple(d for d, _ in dirs),
            team=(team, "") if team else None, explanation="",
        ))
    ties.sort(key=lambda t: (-t.weight, t.a, t.b))
    return Alliance(
        members=tuple(members), score=round(score, 6),
        factors={"ties": round(tie_score, 6), "complementarity": round(comp, 6)},
        fields=tuple(fields), community_size=community_size,
        includes_demand_firm=firm is not None and firm in core, ties=tuple(ties), explanation="",
    ), need


def _explained(
    a: Alliance, names: Mapping[str, str], teams: Mapping[str, Any], leaders: Mapping[str, Any],
    orgs: Mapping[str, OrgProfile], proj: _Projection, fields: Sequence[str],
) -> Alliance:
    field_names = "、".join(names.get(f, f) for f in fields)
    members = []
    for m in a.members:
        org = orgs[m.id]
        direction = "、".join(names.get(d, d) for d in m.directions) or field_names
        partners = sorted(((proj.co_patents.get((min(m.id, x.id), max(m.id, x.id)), 0), x.name)
                           for x in a.members if x.id != m.id), key=lambda p: (-p[0], p[1]))
        partner_text = ""
        if partners and partners[0][0] > 0:
            partner_text = f"，与{partners[0][1]}共同申请本领域专利 {partners[0][0]} 项"
        team_ref = None
        if m.role in ("university", "institute"):
            team_text = ""
            if m.team and m.team[0] in teams:
                t = teams[m.team[0]]
                lead = leaders.get(t.leaders[0]).name if t.leaders and t.leaders[0] in leaders else ""
                team_text = f"（{t.name}{'，负责人' + lead if lead and lead not in t.name else ''}）"
                team_ref = (t.id, t.name)
            text = (f"{m.name}：{m.role_name}，提供{direction}方向的研发团队{team_text}，"
                    f"本领域专利 {m.field_patents} 项{partner_text}")
        elif m.role == "leading":
            text = (f"{m.name}：龙头企业，牵头需求凝练与产业化应用（{direction}），本领域专利 "
                    f"{m.field_patents} 项{partner_text}")
        elif m.role == "sme":
            marks = [w for k, w in (("is_little_giant", "小巨人"), ("is_specialised", "专精特新"),
                                    ("is_high_tech", "高新技术企业")) if org.props.get(k) is True]
            tag = f"（{'、'.join(marks)}）" if marks else ""
            text = (f"{m.name}：中小企业{tag}，参与{direction}方向的配套研发与中试验证，本领域专利 "
                    f"{m.field_patents} 项{partner_text}")
        else:
            text = f"{m.name}：{m.role_name}，本领域专利 {m.field_patents} 项{partner_text}"
        members.append(AllianceMember(**{**m.__dict__, "team": team_ref, "explanation": text + "。"}))
    roles = Counter(m.role_name for m in a.members)
    mix = "、".join(f"{r} {n} 家" for r, n in sorted(roles.items()))
    strongest = a.ties[0] if a.ties else None
    tie_text = ""
    if strongest is not None:
        na, nb = orgs[strongest.a].name, orgs[strongest.b].name
        tie_text = (f"；最紧密的合作是{na}与{nb}（共同申请专利 {strongest.co_patents} 项，"
                    f"人员合作 {strongest.collab_pairs} 对）")
    text = (f"{field_names}领域创新联合体候选：{mix}（所在合作社区共 {a.community_size} 家单位）；"
            f"既有合作强度 {a.factors['ties']:.2f}，领域互补度 {a.factors['complementarity']:.2f}{tie_text}。"
            + ("包含发布需求的企业。" if a.includes_demand_firm else ""))
    return Alliance(**{**a.__dict__, "members": tuple(members), "explanation": text})
