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

   Colleges and labs are folded into their university.  On Neo4j (Community, no GDS) the
   projection is fetched with ``cypher/queries/alliances/*.cypher``; on the embedded store it
   is read from the networkx snapshot.  Both give the same edge list, and the graph is built
   from it in sorted order.
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

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

import cypher
from graph.errors import QueryError
from graph.model import NodeLabel, RelType
from graph.queries.backend import is_neo4j
from graph.queries.profiles import (
    ROLE_NAMES,
    GraphFacts,
    OrgProfile,
    Profiles,
    check_limit,
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

    def graph(self) -> nx.Graph:
        g = nx.Graph()
        pairs = sorted(set(self.co_patents) | set(self.collab))
        g.add_nodes_from(sorted({o for p in pairs for o in p}))
        for a, b in pairs:
            g.add_edge(a, b, weight=self.weight(a, b))
        return g


def _raw_projection_embedded(store: GraphStore, fields: Sequence[str]) -> tuple[list[list[Any]], list[list[Any]]]:
    facts = GraphFacts(store)
    g = facts.g
    patents: set[str] = set()
    people: set[str] = set()
    for f in fields:
        if f not in g:
            continue
        for src, keyed in g.pred[f].items():
            if any(d.get("type") == RelType.IN_FIELD.value for d in keyed.values()):
                label = g.nodes[src].get("label")
                if label == NodeLabel.PATENT.value:
                    patents.add(src)
                elif label == NodeLabel.PERSON.value:
                    people.add(src)
    co_rows = []
    for p in sorted(patents):
        orgs = sorted({o for o, _ in facts.in_edges(p, RelType.APPLICANT_OF, NodeLabel.ORGANIZATION)})
        if len(orgs) >= 2:
            co_rows.append([p, orgs])

    def employers(x: str) -> list[str]:
        jobs = facts.out_edges(x, RelType.WORKS_AT, NodeLabel.ORGANIZATION)
        current = [o for o, d in jobs if d.get("current") is True]
        return current if current else [o for o, d in jobs if d.get("end") is None]

    pairs: set[tuple[str, str]] = set()
    for x in people:
        for y in facts.collaborators(x):
            if y != x:
                pairs.add((x, y) if x < y else (y, x))
    collab_rows = [[a, b, employers(a), employers(b)] for a, b in sorted(pairs)]
    return co_rows, collab_rows


def _raw_projection_neo4j(store: GraphStore, fields: Sequence[str]) -> tuple[list[list[Any]], list[list[Any]]]:
    params = {"fields": list(fields)}
    co = store.read(cypher.load("queries/alliances/co_patents"), params)  # type: ignore[attr-defined]
    collab = store.read(cypher.load("queries/alliances/collaborations"), params)  # type: ignore[attr-defined]
    return ([[r["patent"], r["orgs"]] for r in co],
            [[r["a"], r["b"], r["a_orgs"], r["b_orgs"]] for r in collab])


_PROJECTIONS = "alliance_projections"  # SharedFacts memo: field-id tuple → _Projection
_MEMBER_FACTS = "alliance_member_facts"  # SharedFacts memo: (field-id tuple, org id) → facts or None
_MAX_CACHED_FIELD_SETS = 64  # projections are large; at most this many field sets per generation


def _memo(store: GraphStore, name: str) -> dict[Any, Any] | None:
    """A memo of the store generation's :class:`SharedFacts` (the projection reads every patent
    and collaborating person of a field — tens of thousands of rows at province scale — and only
    changes when the store does); None for a store without a generation counter."""
    shared = shared_facts(store, store_generation(store))
    return shared.memo(name) if shared is not None else None


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
    """The organisation collaboration graph of some fields (see the module docstring)."""
    fields = sorted(set(fields))
    memo = _memo(store, _PROJECTIONS)
    cache_key = tuple(fields)
    if memo is not None and (hit := memo.get(cache_key)) is not None:
        return hit
    prof = prof or profiles(store)
    raw = _raw_projection_neo4j if is_neo4j(store) else _raw_projection_embedded
    co_rows, collab_rows = raw(store, fields)
    tops = prof.tops({o for _, orgs in co_rows for o in orgs}
                     | {o for r in collab_rows for o in (*r[2], *r[3])})
    proj = _Projection()
    co: Counter[tuple[str, str]] = Counter()
    for _, orgs in co_rows:
        top = sorted({tops.get(o, o) for o in orgs})
        for i, a in enumerate(top):
            for b in top[i + 1:]:
                co[(a, b)] += 1
    cl: Counter[tuple[str, str]] = Counter()
    for _, _, a_orgs, b_orgs in collab_rows:
        ta = {tops.get(o, o) for o in a_orgs}
        tb = {tops.get(o, o) for o in b_orgs}
        seen: set[tuple[str, str]] = set()
        for a in ta:
            for b in tb:
                if a != b:
                    seen.add((a, b) if a < b else (b, a))
        for key in seen:
            cl[key] += 1
    proj.co_patents = dict(sorted(co.items()))
    proj.collab = dict(sorted(cl.items()))
    if memo is not None and len(memo) < _MAX_CACHED_FIELD_SETS:
        memo[cache_key] = proj
    return proj


# --------------------------------------------------------------------------- member facts

def _member_facts(store: GraphStore, orgs: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    """What each organisation brings to the fields; cached per store generation and field set."""
    memo = _memo(store, _MEMBER_FACTS)
    if memo is None:
        return _fetch_member_facts(store, orgs, fields)
    key = tuple(sorted(set(fields)))
    missing = [o for o in orgs if (key, o) not in memo]
    if missing:
        fetched = _fetch_member_facts(store, missing, fields)
        memo.update({(key, o): fetched.get(o) for o in missing})  # None: not in the graph
    return {o: f for o in orgs if (f := memo.get((key, o))) is not None}


def _fetch_member_facts(store: GraphStore, orgs: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not orgs:
        return {}
    if is_neo4j(store):
        rows = store.read(cypher.load("queries/alliances/member_facts"),  # type: ignore[attr-defined]
                          {"orgs": list(orgs), "fields": list(fields)})
        return {r["id"]: {"patents": sorted(set(r["patents"])),
                          "subfields": {f: int(n) for f, n in r["subfields"]},
                          "teams": {t: int(n) for t, n in r["teams"]}} for r in rows}
    facts = GraphFacts(store)
    g = facts.g
    target = set(fields)
    out: dict[str, dict[str, Any]] = {}
    for o in orgs:
        if o not in g:
            continue
        patents = sorted({p for p, _ in facts.out_edges(o, RelType.APPLICANT_OF, NodeLabel.PATENT)
                          if any(f in target for f, _ in facts.out_edges(p, RelType.IN_FIELD, NodeLabel.FIELD))})
        sub: Counter[str] = Counter()
        teams: dict[str, set[str]] = defaultdict(set)
        for p in patents:
            for f in {f for f, _ in facts.out_edges(p, RelType.IN_FIELD, NodeLabel.FIELD)} - target:
                sub[f] += 1
            for person in {x for x, _ in facts.in_edges(p, RelType.INVENTED, NodeLabel.PERSON)}:
                for rel in (RelType.MEMBER_OF, RelType.LEADS):
                    for t, _ in facts.out_edges(person, rel, NodeLabel.TEAM):
                        parents = {u for u, _ in facts.out_edges(t, RelType.PART_OF, NodeLabel.ORGANIZATION)}
                        grand = {u for q in parents for u, _ in facts.out_edges(q, RelType.PART_OF, NodeLabel.ORGANIZATION)}
                        if o in parents or o in grand:
                            teams[t].add(p)
        out[o] = {"patents": patents, "subfields": dict(sub),
                  "teams": {t: len(ps) for t, ps in teams.items()}}
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


def _pull(candidates: Sequence[str], core: Sequence[str], proj: _Projection,
          strength: Mapping[str, float], *, growing: bool) -> str | None:
    """The candidate tied to the most core members, then by tie weight to the core, then by
    strength; ties keep the smallest id.  When ``growing``, only candidates tied to at least
    half of the core with a weight of at least MIN_LINK qualify."""
    best: tuple[int, float, float, str] | None = None
    for o in sorted(candidates):  # id order: the first of equals is kept
        ws = [proj.weight(o, c) for c in core]
        links, w = sum(1 for x in ws if x > 0), sum(ws)
        if not links or (growing and (links * 2 < len(core) or w < MIN_LINK)):
            continue
        if best is None or (links, w, strength[o]) > best[:3]:
            best = (links, w, strength[o], o)
    return best[3] if best else None


_SEED_ROLES = ("university", "research", "institute", "leading", "sme", "enterprise")


def _cores(
    community: Sequence[str], orgs: Mapping[str, OrgProfile], proj: _Projection, g: nx.Graph,
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
    community.
    """
    members = set(community)
    strength = {o: sum(d["weight"] for x, d in g[o].items() if x in members) for o in community}

    def near(core: Sequence[str]) -> set[str]:
        """Community members tied to the core (only they can join it)."""
        return {x for c in core for x in g[c] if x in members} - set(core)

    roles = [r for r in _SEED_ROLES if rule.get(r, 0) > 0]
    first = sorted((o for o in community if not roles or _has_role(orgs[o], roles[0])),
                   key=lambda o: (-strength[o], o))[:MAX_SEEDS]
    seeds: list[list[str]] = []
    for a in first:
        partners = sorted((o for o in near([a]) if len(roles) > 1 and _has_role(orgs[o], roles[1])),
                          key=lambda o: (-proj.weight(a, o), o))[:MAX_SEEDS]
        seeds += [[a, b] for b in partners] or [[a]]
    cores: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for seed in seeds:
        core = list(seed) + ([must] if must in members and must not in seed else [])

        for role, n in sorted(rule.items()):
            while sum(1 for o in core if _has_role(orgs[o], role)) < n:
                found = _pull([o for o in near(core) if _has_role(orgs[o], role)],
                              core, proj, strength, growing=False)
                if found is None:
                    break
                core.append(found)
        while len(core) < max_members:
            found = _pull(list(near(core)), core, proj, strength, growing=True)
            if found is None:
                break
            core.append(found)
        key = frozenset(core)
        if key not in seen and _meets([orgs[o] for o in core], rule):
            seen.add(key)
            cores.append(sorted(core, key=lambda o: (-strength[o], o)))
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
    communities = nx.community.louvain_communities(g, weight="weight", resolution=1.0, seed=seed)
    orgs = prof.orgs(sorted(g.nodes))
    candidates = []
    for comm in communities:
        members = sorted(o for o in comm if o in orgs)
        if not _meets([orgs[o] for o in members], rule):
            continue
        for core in _cores(members, orgs, proj, g, rule, firm, max_members):
            candidates.append((members, core))
    facts = _member_facts(store, sorted({o for _, core in candidates for o in core}), fields)
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
