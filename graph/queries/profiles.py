"""Candidate profiles: the graph facts the recommendation queries score, on both backends.

A *fact source* answers a handful of batched questions — raw facts about people, teams,
patents, results, organisations, demands and the ties between organisations.  There are two:

* :class:`GraphFacts` walks the networkx snapshot of the store (:meth:`GraphStore.graph`,
  cached per write generation) — the embedded store;
* :class:`CypherFacts` runs the files under ``cypher/queries/matching/`` with the ids as
  parameters — Neo4j.

Both return the same raw facts (sorted, de-duplicated), and everything derived from them —
affiliations, track record, load, place, ties — is computed here once, in Python, so the two
backends cannot drift apart.

Caching: the profiles of every person, organisation, team, patent, result and demand are
materialised once per store *write generation* in a :class:`ProfileDirectory` (like the BM25
index), read through the same fact source; a query then only asks the store about what
depends on the question — ties between organisations and people, competing patents, the
field projection of alliances.  Ties between organisations and people are answered in memory
from the generation's :class:`TieIndex` (who works where, who applied for which patent, who
collaborated with whom — three bulk reads on Neo4j), so a recommendation query costs no round
trip per batch of candidates.  :func:`warm_caches` builds all three after an ingest.  What a
query derives that does not depend on the question — ties between two organisations, personal
ties, an organisation's posted demands, and the role and licensing memos — is kept in the
generation's :class:`SharedFacts`, shared by all queries until the next write.

Definitions a matchmaker may ask about:

* **affiliation** of a person: the organisations of their ``WORKS_AT`` ties marked
  ``current``; if none, those without an ``end``; if none (an inventor known only from
  patents), the organisation that applied for most of their patents (ties by id).  Colleges
  and labs are replaced by their university (the nearest ``PART_OF`` ancestor that is not a
  college or lab).
* **research organisation**: kind university, college, lab or institute (the supply side).
* **transferred result** (已转化): a result flagged ``open_licence`` or whose maturity says it
  is in production (产业化 / 批量生产 / 量产).
* **load count** of a person: active appointments (``APPOINTED_AS`` whose status is absent or
  active/在聘/current) plus the open demands they are the contact for (需求联系人 — engaged in
  their own firm's demand).  The load *factor* is ``1 / (1 + load count)``.
* **ties** between organisations a and b: patents both applied for, people who worked at both
  (any time), and pairs of collaborating people (``COLLABORATED_WITH``) one at a, one at b.
  **Personal ties** of a person to an organisation: its staff they collaborated with, plus
  having worked there.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import networkx as nx
import numpy as np

import cypher
from graph.errors import NotFound, QueryError
from graph.model import NodeLabel, NodeRecord, OrgKind, RelType
from graph.queries.backend import is_neo4j
from graph.queries.generation import GenerationCache, store_generation
from graph.store.base import GraphStore

__all__ = [
    "RESEARCH_KINDS",
    "INDUSTRIALISED_WORDS",
    "ACTIVE_STATUSES",
    "PersonProfile",
    "TeamProfile",
    "PatentProfile",
    "AchievementProfile",
    "OrgProfile",
    "DemandProfile",
    "Ties",
    "PersonalTies",
    "FactSource",
    "GraphFacts",
    "CypherFacts",
    "Profiles",
    "profiles",
    "org_role",
    "ROLE_NAMES",
    "same_place",
    "norm_place",
    "saturate",
    "maturity_level",
    "is_transferred",
    "is_granted",
    "check_limit",
    "check_text_filter",
    "require_node",
    "node_names",
    "person_track",
    "person_load",
    "ProfileDirectory",
    "profile_directory",
    "affiliation_arrays",
    "posted_demands",
    "store_generation",
    "SharedFacts",
    "shared_facts",
    "TieIndex",
    "tie_index",
    "TypedAdjacency",
    "typed_adjacency",
    "warm_caches",
]

RESEARCH_KINDS = frozenset({OrgKind.UNIVERSITY.value, OrgKind.COLLEGE.value, OrgKind.LAB.value,
                            OrgKind.INSTITUTE.value})
_UNIT_KINDS = frozenset({OrgKind.COLLEGE.value, OrgKind.LAB.value})
INDUSTRIALISED_WORDS = ("产业化", "批量生产", "量产")
ACTIVE_STATUSES = frozenset({"active", "在聘", "current"})
_MATURITY = (("产业化", 1.0), ("批量", 0.8), ("量产", 0.8), ("中试", 0.6), ("小试", 0.4),
             ("实验室", 0.2))

#: Chinese names of organisation roles (see :func:`org_role`).
ROLE_NAMES = {
    "university": "高校",
    "institute": "科研院所",
    "leading": "龙头企业",
    "sme": "中小企业",
    "enterprise": "企业",
    "government": "政府部门",
    "other": "其他单位",
}


# --------------------------------------------------------------------------- argument checks

MAX_LIMIT = 100
_LABEL_NAMES = {
    NodeLabel.PERSON: "人员", NodeLabel.TEAM: "团队", NodeLabel.ORGANIZATION: "机构",
    NodeLabel.PATENT: "专利", NodeLabel.ACHIEVEMENT: "成果", NodeLabel.DEMAND: "需求",
    NodeLabel.FIELD: "领域", NodeLabel.TOPIC: "主题",
}


def check_limit(limit: object, *, name: str = "limit", high: int = MAX_LIMIT) -> int:
    """A result count: an int in 1..high.

    Raises:
        QueryError: otherwise, saying the allowed range.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= high:
        raise QueryError(f"{name} 必须是 1 到 {high} 之间的整数，收到 {limit!r}")
    return limit


def check_text_filter(value: object, *, name: str) -> str | None:
    """An optional place filter (省份 / 城市): None or a non-empty string of ≤ 50 characters."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 50:
        raise QueryError(f"{name} 必须是不超过 50 个字符的非空文本，收到 {value!r}")
    return value.strip()


def require_node(store: GraphStore, node_id: object, labels: NodeLabel | Iterable[NodeLabel],
                 *, name: str = "id") -> NodeRecord:
    """The node with this id, which must carry one of ``labels``.

    Raises:
        QueryError: the id is not a string, or names a node of another kind.
        NotFound: no node has this id.
    """
    allowed = (labels,) if isinstance(labels, NodeLabel) else tuple(labels)
    wanted = "或".join(_LABEL_NAMES[lb] for lb in allowed)
    if not isinstance(node_id, str) or not node_id or len(node_id) > 300:
        raise QueryError(f"{name} 必须是{wanted}的 id（非空文本），收到 {node_id!r}")
    node = store.get_node(node_id)
    if node is None:
        raise NotFound(node_id)
    if node.label not in allowed:
        raise QueryError(f"{node_id} 是{_LABEL_NAMES[node.label]}，这里需要{wanted}的 id")
    return node


def node_names(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """Display names of nodes (their ``name``, else the id)."""
    nodes = store.get_nodes(sorted(set(ids)))
    return {i: str(n.props.get("name", i)) for i, n in nodes.items()}


# --------------------------------------------------------------------------- small helpers

def saturate(n: float, full: float) -> float:
    """``min(1, n / full)``: a count mapped to 0..1, full marks from ``full`` on."""
    return min(1.0, n / full) if full > 0 else 0.0


def maturity_level(maturity: object) -> float:
    """实验室 0.2 · 小试 0.4 · 中试 0.6 · 小批量/量产 0.8 · 产业化 1.0 · unknown 0."""
    if not isinstance(maturity, str):
        return 0.0
    for word, level in _MATURITY:
        if word in maturity:
            return level
    return 0.0


def is_transferred(open_licence: object, maturity: object) -> bool:
    """A result already on its way to industry: open licence or in production."""
    return open_licence is True or (
        isinstance(maturity, str) and any(w in maturity for w in INDUSTRIALISED_WORDS)
    )


def is_granted(legal_status: object) -> bool:
    """A patent in force (法律状态 有效 / 授权)."""
    return isinstance(legal_status, str) and ("有效" in legal_status or "授权" in legal_status)


def person_track(people: Sequence[PersonProfile]) -> tuple[float, int, int, int]:
    """Track record (成果基础) of a person or of a team's members together.

    ``0.4·min(1, patents/5) + 0.3·min(1, results/2) + 0.3·min(1, transferred/1)`` over the
    distinct patents and results; returns (value, patents, results, transferred).
    """
    patents: set[str] = set()
    results: dict[str, bool] = {}
    for p in people:
        patents.update(p.patents)
        for aid, t in p.results.items():
            results[aid] = results.get(aid, False) or t
    transferred = sum(1 for t in results.values() if t)
    value = (0.4 * saturate(len(patents), 5) + 0.3 * saturate(len(results), 2)
             + 0.3 * saturate(transferred, 1))
    return value, len(patents), len(results), transferred


def person_load(people: Sequence[PersonProfile]) -> tuple[float, float]:
    """Load factor ``1 / (1 + mean load count)`` of people (1 when there is nobody); and the mean."""
    if not people:
        return 1.0, 0.0
    mean = sum(p.load_count for p in people) / len(people)
    return 1.0 / (1.0 + mean), mean


_PLACE_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市|地区|自治州|盟)$")


def norm_place(value: object) -> str:
    """A province or city name without its administrative suffix (黑龙江省 → 黑龙江)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return _PLACE_SUFFIX.sub("", text) if len(text) > 2 else text


def same_place(a: object, b: object) -> bool:
    na, nb = norm_place(a), norm_place(b)
    return bool(na) and na == nb


def org_role(props: Mapping[str, Any]) -> str:
    """The role of an organisation in a consortium: university (高校, colleges and labs
    included), institute, leading (龙头企业), sme (中小企业 — also any 专精特新 or 小巨人 firm
    that is not leading), enterprise (other firms), government, other."""
    kind = props.get("kind")
    if kind in (OrgKind.UNIVERSITY.value, OrgKind.COLLEGE.value, OrgKind.LAB.value):
        return "university"
    if kind == OrgKind.INSTITUTE.value:
        return "institute"
    if kind == OrgKind.ENTERPRISE.value:
        if props.get("is_leading") is True:
            return "leading"
        if any(props.get(k) is True for k in ("is_sme", "is_specialised", "is_little_giant")):
            return "sme"
        return "enterprise"
    if kind == OrgKind.GOVERNMENT.value:
        return "government"
    return "other"


def _fields(pairs: Iterable[Sequence[Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for fid, weight in pairs:
        w = 1.0 if weight is None else float(weight)
        w = max(0.0, min(1.0, w))
        if fid not in out or w > out[fid]:
            out[fid] = w
    return dict(sorted(out.items()))


def _positioned(pairs: Iterable[Sequence[Any]]) -> tuple[str, ...]:
    """Ids ordered by their position (missing positions last), then id; each id once."""
    best: dict[str, float] = {}
    for pid, pos in pairs:
        p = float(pos) if isinstance(pos, (int, float)) and not isinstance(pos, bool) else math.inf
        if pid not in best or p < best[pid]:
            best[pid] = p
    return tuple(sorted(best, key=lambda i: (best[i], i)))


def _results(rows: Iterable[Sequence[Any]]) -> dict[str, bool]:
    """achievement id → transferred."""
    out: dict[str, bool] = {}
    for aid, open_licence, maturity in rows:
        out[aid] = out.get(aid, False) or is_transferred(open_licence, maturity)
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- profiles

@dataclass(frozen=True)
class OrgProfile:
    id: str
    name: str
    kind: str
    role: str
    city: str
    province: str
    props: Mapping[str, Any]
    fields: Mapping[str, float]

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def is_research(self) -> bool:
        return self.kind in RESEARCH_KINDS


@dataclass(frozen=True)
class PersonProfile:
    id: str
    name: str
    props: Mapping[str, Any]
    orgs: tuple[str, ...]  # affiliation, top-level organisations
    all_orgs: tuple[str, ...]  # every WORKS_AT organisation (top-level), past ones included
    fields: Mapping[str, float]
    patents: tuple[str, ...]
    results: Mapping[str, bool]  # achievement id → transferred
    appointments: tuple[tuple[str, str], ...]  # active (org id, role)
    open_contacts: int
    teams: tuple[str, ...]
    studied: tuple[str, ...] = ()  # STUDIED_AT organisations (top-level)

    @property
    def load_count(self) -> int:
        return len(self.appointments) + self.open_contacts

    @property
    def seniority(self) -> int | None:
        s = self.props.get("seniority")
        return int(s) if isinstance(s, (int, float)) and not isinstance(s, bool) else None

    @property
    def title(self) -> str:
        titles = self.props.get("titles")
        if isinstance(titles, list) and titles:
            return str(titles[0])
        return ""

    @property
    def transferred(self) -> int:
        return sum(1 for t in self.results.values() if t)


@dataclass(frozen=True)
class TeamProfile:
    id: str
    name: str
    props: Mapping[str, Any]
    orgs: tuple[str, ...]  # top-level organisations
    units: tuple[str, ...]  # PART_OF targets as written (college, lab or university)
    members: tuple[str, ...]
    leaders: tuple[str, ...]
    fields: Mapping[str, float]  # own fields and the members', max weight


@dataclass(frozen=True)
class PatentProfile:
    id: str
    name: str
    props: Mapping[str, Any]
    applicants: tuple[str, ...]  # top-level organisations
    inventors: tuple[str, ...]  # by position
    fields: Mapping[str, float]
    results: Mapping[str, bool]

    @property
    def granted(self) -> bool:
        return is_granted(self.props.get("legal_status"))


@dataclass(frozen=True)
class AchievementProfile:
    id: str
    name: str
    props: Mapping[str, Any]
    orgs: tuple[str, ...]  # top-level organisations that completed it
    persons: tuple[str, ...]  # by position
    patents: tuple[str, ...]
    fields: Mapping[str, float]

    @property
    def transferred(self) -> bool:
        return is_transferred(self.props.get("open_licence"), self.props.get("maturity"))

    @property
    def open_licence(self) -> bool:
        return self.props.get("open_licence") is True


@dataclass(frozen=True)
class DemandProfile:
    id: str
    name: str
    props: Mapping[str, Any]
    posters: tuple[str, ...]
    fields: Mapping[str, float]

    @property
    def firm(self) -> str | None:
        return self.posters[0] if self.posters else None

    @property
    def batches(self) -> tuple[str, ...]:
        out = set(b for b in (self.props.get("batches") or []) if isinstance(b, str))
        if isinstance(self.props.get("batch"), str):
            out.add(self.props["batch"])
        return tuple(sorted(out))


@dataclass(frozen=True)
class Ties:
    """Ties between organisations ``a`` and ``b``."""

    a: str
    b: str
    co_patents: tuple[str, ...] = ()
    shared_staff: tuple[str, ...] = ()
    collab_pairs: tuple[tuple[str, str], ...] = ()

    @property
    def count(self) -> int:
        return len(self.co_patents) + len(self.shared_staff) + len(self.collab_pairs)


@dataclass(frozen=True)
class PersonalTies:
    person: str
    org: str
    colleagues: tuple[str, ...] = ()
    worked_there: bool = False

    @property
    def count(self) -> int:
        return len(self.colleagues) + (1 if self.worked_there else 0)


# --------------------------------------------------------------------------- fact sources

Row = dict[str, Any]


class FactSource(Protocol):
    """Raw facts, one row per existing id, with the keys of the Cypher files."""

    def persons(self, ids: Sequence[str]) -> list[Row]: ...
    def teams(self, ids: Sequence[str]) -> list[Row]: ...
    def patents(self, ids: Sequence[str]) -> list[Row]: ...
    def achievements(self, ids: Sequence[str]) -> list[Row]: ...
    def orgs(self, ids: Sequence[str]) -> list[Row]: ...
    def org_tops(self, ids: Sequence[str]) -> dict[str, str]: ...
    def demands(self, ids: Sequence[str]) -> list[Row]: ...
    def posted(self, ids: Sequence[str]) -> list[Row]: ...
    def tie_index(self) -> TieIndex: ...


class TypedAdjacency:
    """The networkx snapshot's edges indexed by node, type and direction.

    networkx views are slow to filter by edge type one neighbour at a time; this index is built
    once per snapshot (O(edges)) and makes "the INVENTED edges of this person" a dict lookup.
    """

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self.g = g
        self.labels: dict[str, str] = {n: d.get("label", "") for n, d in g.nodes(data=True)}
        out: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
        inn: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
        for u, v, data in g.edges(data=True):
            t = data.get("type", "")
            out.setdefault(u, {}).setdefault(t, []).append((v, data))
            inn.setdefault(v, {}).setdefault(t, []).append((u, data))
        self.out = out
        self.inn = inn


_adjacencies: weakref.WeakKeyDictionary[GraphStore, TypedAdjacency] = weakref.WeakKeyDictionary()
_adjacency_lock = threading.Lock()


def typed_adjacency(store: GraphStore) -> TypedAdjacency:
    """The :class:`TypedAdjacency` of the store's current networkx snapshot (cached with it)."""
    g = store.graph()
    cached = _adjacencies.get(store)
    if cached is not None and cached.g is g:
        return cached
    with _adjacency_lock:
        cached = _adjacencies.get(store)
        if cached is None or cached.g is not g:
            cached = TypedAdjacency(g)
            _adjacencies[store] = cached
        return cached


def _props(g: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    return {k: v for k, v in g.nodes[node].items() if k != "label"}


class GraphFacts:
    """Raw facts from the networkx snapshot (embedded store)."""

    def __init__(self, store: GraphStore) -> None:
        self.adj = typed_adjacency(store)
        self.g = self.adj.g

    def _has(self, node: str, label: NodeLabel) -> bool:
        return self.adj.labels.get(node) == label.value

    def out_edges(self, node: str, rel: RelType, label: NodeLabel | None = None) -> list[tuple[str, dict[str, Any]]]:
        edges = self.adj.out.get(node, {}).get(rel.value, ())
        if label is None:
            return list(edges)
        labels, want = self.adj.labels, label.value
        return [(o, d) for o, d in edges if labels.get(o) == want]

    def in_edges(self, node: str, rel: RelType, label: NodeLabel | None = None) -> list[tuple[str, dict[str, Any]]]:
        edges = self.adj.inn.get(node, {}).get(rel.value, ())
        if label is None:
            return list(edges)
        labels, want = self.adj.labels, label.value
        return [(o, d) for o, d in edges if labels.get(o) == want]

    def _fields_of(self, node: str) -> list[list[Any]]:
        return [[o, d.get("weight")] for o, d in self.out_edges(node, RelType.IN_FIELD, NodeLabel.FIELD)]

    def _result_row(self, aid: str) -> list[Any]:
        p = self.g.nodes[aid]
        return [aid, p.get("open_licence"), p.get("maturity")]

    def persons(self, ids: Sequence[str]) -> list[Row]:
        g, L = self.g, NodeLabel
        rows = []
        for pid in ids:
            if not self._has(pid, L.PERSON):
                continue
            patents = sorted({t for t, _ in self.out_edges(pid, RelType.INVENTED, L.PATENT)})
            counts: dict[str, int] = defaultdict(int)
            results = []
            for t in patents:
                for o in {o for o, _ in self.in_edges(t, RelType.APPLICANT_OF, L.ORGANIZATION)}:
                    counts[o] += 1
                results += [self._result_row(a) for a, _ in self.in_edges(t, RelType.COVERS, L.ACHIEVEMENT)]
            results += [self._result_row(a) for a, _ in self.out_edges(pid, RelType.COMPLETED, L.ACHIEVEMENT)]
            rows.append({
                "id": pid,
                "props": _props(g, pid),
                "jobs": [[o, d.get("current") is True, d.get("end") is not None]
                         for o, d in self.out_edges(pid, RelType.WORKS_AT, L.ORGANIZATION)],
                "fields": self._fields_of(pid),
                "patents": patents,
                "applicant_counts": sorted([o, n] for o, n in counts.items()),
                "results": results,
                "appointments": [[o, d.get("role"), d.get("status")]
                                 for o, d in self.out_edges(pid, RelType.APPOINTED_AS, L.ORGANIZATION)],
                "contacts": sorted({(d, g.nodes[d].get("status"))
                                    for d, _ in self.out_edges(pid, RelType.CONTACT_FOR, L.DEMAND)},
                                   key=lambda x: x[0]),
                "teams": sorted({t for rel in (RelType.MEMBER_OF, RelType.LEADS)
                                 for t, _ in self.out_edges(pid, rel, L.TEAM)}),
                "studied": sorted({o for o, _ in self.out_edges(pid, RelType.STUDIED_AT, L.ORGANIZATION)}),
            })
        return rows

    def teams(self, ids: Sequence[str]) -> list[Row]:
        L = NodeLabel
        rows = []
        for tid in ids:
            if not self._has(tid, L.TEAM):
                continue
            rows.append({
                "id": tid,
                "props": _props(self.g, tid),
                "parents": sorted({o for o, _ in self.out_edges(tid, RelType.PART_OF, L.ORGANIZATION)}),
                "members": sorted({p for rel in (RelType.MEMBER_OF, RelType.LEADS)
                                   for p, _ in self.in_edges(tid, rel, L.PERSON)}),
                "leaders": sorted({p for p, _ in self.in_edges(tid, RelType.LEADS, L.PERSON)}),
                "fields": self._fields_of(tid),
            })
        return rows

    def patents(self, ids: Sequence[str]) -> list[Row]:
        L = NodeLabel
        rows = []
        for tid in ids:
            if not self._has(tid, L.PATENT):
                continue
            rows.append({
                "id": tid,
                "props": _props(self.g, tid),
                "applicants": sorted({o for o, _ in self.in_edges(tid, RelType.APPLICANT_OF, L.ORGANIZATION)}),
                "inventors": [[p, d.get("position")] for p, d in self.in_edges(tid, RelType.INVENTED, L.PERSON)],
                "fields": self._fields_of(tid),
                "results": [self._result_row(a) for a, _ in self.in_edges(tid, RelType.COVERS, L.ACHIEVEMENT)],
            })
        return rows

    def achievements(self, ids: Sequence[str]) -> list[Row]:
        L = NodeLabel
        rows = []
        for aid in ids:
            if not self._has(aid, L.ACHIEVEMENT):
                continue
            rows.append({
                "id": aid,
                "props": _props(self.g, aid),
                "orgs": sorted({o for o, _ in self.in_edges(aid, RelType.COMPLETED, L.ORGANIZATION)}),
                "persons": [[p, d.get("position")] for p, d in self.in_edges(aid, RelType.COMPLETED, L.PERSON)],
                "patents": sorted({t for t, _ in self.out_edges(aid, RelType.COVERS, L.PATENT)}),
                "fields": self._fields_of(aid),
            })
        return rows

    def orgs(self, ids: Sequence[str]) -> list[Row]:
        return [{"id": o, "props": _props(self.g, o), "fields": self._fields_of(o)}
                for o in ids if self._has(o, NodeLabel.ORGANIZATION)]

    def org_tops(self, ids: Sequence[str]) -> dict[str, str]:
        g = self.g
        out: dict[str, str] = {}
        for oid in ids:
            if oid not in g:
                continue
            top = oid
            if g.nodes[oid].get("kind") in _UNIT_KINDS:
                level = {oid}
                for _ in range(3):
                    nxt = {o for n in level for o, _ in self.out_edges(n, RelType.PART_OF, NodeLabel.ORGANIZATION)}
                    found = sorted(o for o in nxt if g.nodes[o].get("kind") not in _UNIT_KINDS)
                    if found:
                        top = found[0]
                        break
                    level = nxt
            out[oid] = top
        return out

    def demands(self, ids: Sequence[str]) -> list[Row]:
        return [{
            "id": did,
            "props": _props(self.g, did),
            "posters": sorted({o for o, _ in self.in_edges(did, RelType.POSTED, NodeLabel.ORGANIZATION)}),
            "fields": self._fields_of(did),
        } for did in ids if self._has(did, NodeLabel.DEMAND)]

    def posted(self, ids: Sequence[str]) -> list[Row]:
        return [{"id": o, "demands": sorted({d for d, _ in self.out_edges(o, RelType.POSTED, NodeLabel.DEMAND)})}
                for o in ids if o in self.g]

    def tie_index(self) -> TieIndex:
        """The :class:`TieIndex` of the snapshot (the same edges the Cypher files read)."""
        L = NodeLabel
        labels = self.adj.labels
        works: dict[str, set[str]] = defaultdict(set)
        applicants: dict[str, set[str]] = defaultdict(set)
        collaborators: dict[str, set[str]] = defaultdict(set)
        for u, by_type in self.adj.out.items():
            for v, _ in by_type.get(RelType.WORKS_AT.value, ()):
                if labels.get(u) == L.PERSON.value and labels.get(v) == L.ORGANIZATION.value:
                    works[u].add(v)
            for v, _ in by_type.get(RelType.APPLICANT_OF.value, ()):
                if labels.get(v) == L.PATENT.value:
                    applicants[v].add(u)
            for v, _ in by_type.get(RelType.COLLABORATED_WITH.value, ()):
                if u != v and labels.get(u) == L.PERSON.value and labels.get(v) == L.PERSON.value:
                    collaborators[u].add(v)
                    collaborators[v].add(u)
        return TieIndex.build(None, works, applicants, collaborators)


class CypherFacts:
    """Raw facts from Neo4j through ``cypher/queries/matching/*.cypher``."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def _read(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        return self.store.read(cypher.load(f"queries/matching/{name}"), params)  # type: ignore[attr-defined]

    def persons(self, ids: Sequence[str]) -> list[Row]:
        return self._read("person_facts", {"ids": list(ids)}) if ids else []

    def teams(self, ids: Sequence[str]) -> list[Row]:
        return self._read("team_facts", {"ids": list(ids)}) if ids else []

    def patents(self, ids: Sequence[str]) -> list[Row]:
        return self._read("patent_facts", {"ids": list(ids)}) if ids else []

    def achievements(self, ids: Sequence[str]) -> list[Row]:
        return self._read("achievement_facts", {"ids": list(ids)}) if ids else []

    def orgs(self, ids: Sequence[str]) -> list[Row]:
        return self._read("org_facts", {"ids": list(ids)}) if ids else []

    def org_tops(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        return {r["id"]: r["top"] for r in self._read("org_tops", {"ids": list(ids)})}

    def demands(self, ids: Sequence[str]) -> list[Row]:
        return self._read("demand_facts", {"ids": list(ids)}) if ids else []

    def posted(self, ids: Sequence[str]) -> list[Row]:
        return self._read("org_demands", {"ids": list(ids)}) if ids else []

    def tie_index(self) -> TieIndex:
        """The :class:`TieIndex` in three bulk reads (one row per person or patent)."""
        works = {r["id"]: r["orgs"] for r in self._read("tie_works", {})}
        applicants = {r["id"]: r["applicants"] for r in self._read("tie_applicants", {})}
        collaborators = {r["id"]: r["collaborators"] for r in self._read("tie_collaborators", {})}
        return TieIndex.build(None, works, applicants, collaborators)


# --------------------------------------------------------------------------- derivation

def _sorted_unique(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))


@dataclass
class Profiles:
    """Derived profiles over one fact source, memoised for the life of one query.

    Example:
        >>> prof = profiles(store)                       # doctest: +SKIP
        >>> prof.persons(["person:zhang"])["person:zhang"].orgs   # doctest: +SKIP
    """

    source: FactSource
    directory: ProfileDirectory | None = None
    generation: int | None = None
    _orgs: dict[str, OrgProfile] = field(default_factory=dict)
    _tops: dict[str, str] = field(default_factory=dict)
    _persons: dict[str, PersonProfile] = field(default_factory=dict)
    _teams: dict[str, TeamProfile] = field(default_factory=dict)
    _patents: dict[str, PatentProfile] = field(default_factory=dict)
    _achievements: dict[str, AchievementProfile] = field(default_factory=dict)
    _demands: dict[str, DemandProfile] = field(default_factory=dict)
    _posted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _ties: dict[tuple[str, str], Ties] = field(default_factory=dict)
    _personal: dict[tuple[str, str], PersonalTies] = field(default_factory=dict)
    _missing: set[str] = field(default_factory=set)
    #: Returns the generation's :class:`TieIndex` (set by :func:`profiles`); without it the
    #: index is built from the fact source on first use.
    tie_source: Any = None
    _tie_index: TieIndex | None = None

    # organisations -----------------------------------------------------------
    def _from_directory(self, ids: list[str], memo: dict[str, Any], attr: str) -> None:
        if self.directory is not None:
            known = getattr(self.directory, attr)
            for i in ids:
                if i not in memo and i in known:
                    memo[i] = known[i]

    def tops(self, ids: Iterable[str]) -> dict[str, str]:
        ids = list(ids)
        self._from_directory(ids, self._tops, "tops")
        want = [i for i in _sorted_unique(ids) if i not in self._tops]
        if want:
            self._tops.update(self.source.org_tops(want))
        return {i: self._tops[i] for i in ids if i in self._tops}

    def orgs(self, ids: Iterable[str]) -> dict[str, OrgProfile]:
        ids = list(ids)
        self._from_directory(ids, self._orgs, "orgs")
        want = [i for i in _sorted_unique(ids) if i not in self._orgs and i not in self._missing]
        if want:
            rows = self.source.orgs(want)
            for r in rows:
                props = dict(r["props"])
                props.pop("id", None)
                self._orgs[r["id"]] = OrgProfile(
                    id=r["id"], name=str(props.get("name", r["id"])), kind=str(props.get("kind", "")),
                    role=org_role(props), city=norm_place(props.get("city")),
                    province=norm_place(props.get("province")), props=props,
                    fields=_fields(r["fields"]),
                )
            self._missing |= set(want) - {r["id"] for r in rows}
        return {i: self._orgs[i] for i in ids if i in self._orgs}

    def org(self, oid: str) -> OrgProfile | None:
        return self.orgs([oid]).get(oid)

    def _top_list(self, ids: Iterable[str]) -> tuple[str, ...]:
        ids = list(ids)
        tops = self.tops(ids)
        return tuple(sorted({tops.get(i, i) for i in ids}))

    # people --------------------------------------------------------------------
    def persons(self, ids: Iterable[str]) -> dict[str, PersonProfile]:
        ids = list(ids)
        self._from_directory(ids, self._persons, "persons")
        want = [i for i in _sorted_unique(ids) if i not in self._persons and i not in self._missing]
        if want:
            rows = self.source.persons(want)
            self.tops({j[0] for r in rows for j in r["jobs"]}
                      | {o for r in rows for o, _ in r["applicant_counts"]}
                      | {o for r in rows for o in r["studied"]})
            for r in rows:
                self._persons[r["id"]] = self._person(r)
            self._missing |= set(want) - {r["id"] for r in rows}
        return {i: self._persons[i] for i in ids if i in self._persons}

    def _person(self, r: Row) -> PersonProfile:
        props = dict(r["props"])
        props.pop("id", None)
        jobs = r["jobs"]
        current = [o for o, cur, _ in jobs if cur]
        open_ended = [o for o, _, ended in jobs if not ended]
        if current:
            aff = self._top_list(current)
        elif open_ended:
            aff = self._top_list(open_ended)
        elif r["applicant_counts"]:
            tops: dict[str, int] = defaultdict(int)
            for o, n in r["applicant_counts"]:
                tops[self._tops.get(o, o)] += int(n)
            aff = (min(tops, key=lambda o: (-tops[o], o)),)
        else:
            aff = ()
        appointments = tuple(sorted({
            (o, str(role)) for o, role, status in r["appointments"]
            if status is None or str(status) in ACTIVE_STATUSES
        }))
        open_contacts = len({d for d, status in r["contacts"] if status in (None, "open")})
        return PersonProfile(
            id=r["id"], name=str(props.get("name", r["id"])), props=props, orgs=aff,
            all_orgs=self._top_list(o for o, _, _ in jobs), fields=_fields(r["fields"]),
            patents=tuple(sorted(set(r["patents"]))), results=_results(r["results"]),
            appointments=appointments, open_contacts=open_contacts,
            teams=tuple(sorted(set(r["teams"]))), studied=self._top_list(r["studied"]),
        )

    # teams ---------------------------------------------------------------------
    def teams(self, ids: Iterable[str]) -> dict[str, TeamProfile]:
        ids = list(ids)
        self._from_directory(ids, self._teams, "teams")
        want = [i for i in _sorted_unique(ids) if i not in self._teams and i not in self._missing]
        if want:
            rows = self.source.teams(want)
            self.tops(o for r in rows for o in r["parents"])
            members = self.persons({m for r in rows for m in r["members"]})
            for r in rows:
                props = dict(r["props"])
                props.pop("id", None)
                fields = dict(_fields(r["fields"]))
                for m in r["members"]:
                    for fid, w in members[m].fields.items() if m in members else ():
                        if w > fields.get(fid, -1.0):
                            fields[fid] = w
                self._teams[r["id"]] = TeamProfile(
                    id=r["id"], name=str(props.get("name", r["id"])), props=props,
                    orgs=self._top_list(r["parents"]), units=tuple(sorted(set(r["parents"]))),
                    members=tuple(sorted(set(r["members"]))), leaders=tuple(sorted(set(r["leaders"]))),
                    fields=dict(sorted(fields.items())),
                )
            self._missing |= set(want) - {r["id"] for r in rows}
        return {i: self._teams[i] for i in ids if i in self._teams}

    # patents and results ---------------------------------------------------------
    def patents(self, ids: Iterable[str]) -> dict[str, PatentProfile]:
        ids = list(ids)
        self._from_directory(ids, self._patents, "patents")
        want = [i for i in _sorted_unique(ids) if i not in self._patents and i not in self._missing]
        if want:
            rows = self.source.patents(want)
            self.tops(o for r in rows for o in r["applicants"])
            for r in rows:
                props = dict(r["props"])
                props.pop("id", None)
                self._patents[r["id"]] = PatentProfile(
                    id=r["id"], name=str(props.get("name", r["id"])), props=props,
                    applicants=self._top_list(r["applicants"]), inventors=_positioned(r["inventors"]),
                    fields=_fields(r["fields"]), results=_results(r["results"]),
                )
            self._missing |= set(want) - {r["id"] for r in rows}
        return {i: self._patents[i] for i in ids if i in self._patents}

    def achievements(self, ids: Iterable[str]) -> dict[str, AchievementProfile]:
        ids = list(ids)
        self._from_directory(ids, self._achievements, "achievements")
        want = [i for i in _sorted_unique(ids) if i not in self._achievements and i not in self._missing]
        if want:
            rows = self.source.achievements(want)
            self.tops(o for r in rows for o in r["orgs"])
            for r in rows:
                props = dict(r["props"])
                props.pop("id", None)
                self._achievements[r["id"]] = AchievementProfile(
                    id=r["id"], name=str(props.get("name", r["id"])), props=props,
                    orgs=self._top_list(r["orgs"]), persons=_positioned(r["persons"]),
                    patents=tuple(sorted(set(r["patents"]))), fields=_fields(r["fields"]),
                )
            self._missing |= set(want) - {r["id"] for r in rows}
        return {i: self._achievements[i] for i in ids if i in self._achievements}

    def demands(self, ids: Iterable[str]) -> dict[str, DemandProfile]:
        ids = list(ids)
        self._from_directory(ids, self._demands, "demands")
        want = [i for i in _sorted_unique(ids) if i not in self._demands and i not in self._missing]
        if want:
            rows = self.source.demands(want)
            for r in rows:
                props = dict(r["props"])
                props.pop("id", None)
                self._demands[r["id"]] = DemandProfile(
                    id=r["id"], name=str(props.get("name", r["id"])), props=props,
                    posters=tuple(sorted(set(r["posters"]))), fields=_fields(r["fields"]))
            self._missing |= set(want) - {r["id"] for r in rows}
        return {i: self._demands[i] for i in ids if i in self._demands}

    def demand(self, demand_id: str) -> DemandProfile | None:
        return self.demands([demand_id]).get(demand_id)

    def posted(self, org_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The demands each organisation posted (sorted ids)."""
        ids = _sorted_unique(org_ids)
        want = [i for i in ids if i not in self._posted]
        if want and self.directory is not None:
            # POSTED links organisations to demands only: the directory's demands say it all.
            by_org = posted_demands(self.directory)
            for i in want:
                self._posted[i] = by_org.get(i, ())
            want = []
        if want:
            rows = {r["id"]: r["demands"] for r in self.source.posted(want)}
            for i in want:
                self._posted[i] = tuple(sorted(set(rows.get(i, ()))))
        return {i: self._posted[i] for i in ids}

    # ties ------------------------------------------------------------------------
    def ties(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Ties]:
        """Ties per (a, b) pair; ``a`` should be the smaller organisation (it is expanded)."""
        pairs = list(dict.fromkeys(p for p in pairs if p[0] != p[1]))
        want = [p for p in pairs if p not in self._ties]
        if want:
            self._ties.update(self.tie_index().org_ties(want))
        return {p: self._ties[p] for p in pairs}

    def tie_counts(self) -> Mapping[tuple[str, str], int]:
        """(a, b) → ``ties([(a, b)])[(a, b)].count`` for every tied pair (absent: 0), without
        building the :class:`Ties` — for ranking many candidates."""
        return self.tie_index().counts

    def tie_index(self) -> TieIndex:
        """The :class:`TieIndex` ties and personal ties are computed from."""
        if self._tie_index is None:
            self._tie_index = self.tie_source() if self.tie_source is not None else self.source.tie_index()
        return self._tie_index

    def require(self, store: GraphStore, node_id: object, labels: NodeLabel | Iterable[NodeLabel],
                *, name: str = "id") -> NodeLabel:
        """The label of ``node_id`` if it is one of ``labels``; known profiles answer without a
        query, otherwise :func:`require_node` asks the store (and raises NotFound/QueryError)."""
        allowed = (labels,) if isinstance(labels, NodeLabel) else tuple(labels)
        if isinstance(node_id, str) and self.directory is not None:
            d = self.directory
            known = ((NodeLabel.PERSON, d.persons), (NodeLabel.ORGANIZATION, d.orgs),
                     (NodeLabel.TEAM, d.teams), (NodeLabel.ACHIEVEMENT, d.achievements),
                     (NodeLabel.PATENT, d.patents), (NodeLabel.DEMAND, d.demands),
                     (NodeLabel.FIELD, d.field_names))
            for label, table in known:
                if label in allowed and node_id in table:
                    return label
        return require_node(store, node_id, allowed, name=name).label

    def names(self, store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
        """Display names, from the profiles already known (and the directory) where possible,
        from the store for the rest (patents, demands)."""
        out: dict[str, str] = {}
        rest = []
        d = self.directory
        for i in sorted(set(ids)):
            for memo in (self._persons, self._orgs, self._teams, self._achievements, self._patents,
                         self._demands):
                if i in memo:
                    out[i] = memo[i].name
                    break
            else:
                if d is not None and i in d.field_names:
                    out[i] = d.field_names[i]
                    continue
                for table in ((d.persons, d.orgs, d.patents, d.teams, d.achievements, d.demands)
                              if d is not None else ()):
                    if i in table:
                        out[i] = table[i].name
                        break
                else:
                    rest.append(i)
        if rest:
            out.update(node_names(store, rest))
        return out

    def personal_ties(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PersonalTies]:
        """Personal ties per (organisation, person) pair."""
        pairs = list(dict.fromkeys(pairs))
        want = [p for p in pairs if p not in self._personal]
        if want:
            index = self.tie_index()
            for p in want:
                self._personal[p] = index.personal(p[0], p[1])
        return {p: self._personal[p] for p in pairs}


def fact_source(store: GraphStore) -> FactSource:
    """The fact source for the store's backend: Cypher on Neo4j, networkx otherwise."""
    return CypherFacts(store) if is_neo4j(store) else GraphFacts(store)


def profiles(store: GraphStore) -> Profiles:
    """A :class:`Profiles` over the right fact source for the store's backend, with the store's
    :class:`ProfileDirectory` (built on first use per write generation) serving people,
    organisations, teams and results — the same facts derived the same way, without a query.
    """
    gen = store_generation(store)
    prof = Profiles(fact_source(store), directory=profile_directory(store, generation=gen), generation=gen,
                    tie_source=lambda: tie_index(store, generation=gen))
    shared = shared_facts(store, gen)
    if shared is not None:
        # Ties and personal ties do not depend on the question: the memo of every query of this
        # generation is one and the same.
        prof._ties, prof._personal = shared.ties, shared.personal
        prof._posted = shared.posted
    return prof


# --------------------------------------------------------------------------- shared facts

#: Entries kept per memo of :class:`SharedFacts` before it is emptied (bounds the memory).
SHARED_CAP = 300_000


@dataclass
class SharedFacts:
    """Facts of one store write generation that do not depend on the question — ties between
    two organisations, personal ties of a person to an organisation, an organisation's posted
    demands, and per-module memos (``memo(name)``, e.g. the role queries' competing patents) — shared by
    every query of that generation and dropped as soon as the generation moves (like the
    :class:`ProfileDirectory`)."""

    generation: int
    ties: dict[tuple[str, str], Ties] = field(default_factory=dict)
    personal: dict[tuple[str, str], PersonalTies] = field(default_factory=dict)
    posted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    memos: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def memo(self, name: str) -> dict[Any, Any]:
        """A named memo of this generation (a fresh one once it grows past :data:`SHARED_CAP`;
        queries under way keep the one they hold)."""
        m = self.memos.get(name)
        if m is None or len(m) > SHARED_CAP:
            m = self.memos[name] = {}
        return m

    def too_big(self) -> bool:
        return max(len(self.ties), len(self.personal), len(self.posted)) > SHARED_CAP


_shared: weakref.WeakKeyDictionary[GraphStore, SharedFacts] = weakref.WeakKeyDictionary()
_shared_lock = threading.Lock()


def shared_facts(store: GraphStore, generation: int | None) -> SharedFacts | None:
    """The :class:`SharedFacts` of the store's generation ``generation`` (a fresh one when the
    generation moved); None for a store without a generation counter (nothing is shared)."""
    if generation is None:
        return None
    with _shared_lock:
        cached = _shared.get(store)
        if cached is None or cached.generation != generation or cached.too_big():
            if cached is not None and cached.generation > generation:
                return SharedFacts(generation)  # a query that read an older generation: unshared
            # Replaced, never emptied in place: queries under way keep the dicts they hold.
            cached = SharedFacts(generation)
            _shared[store] = cached
        return cached


# --------------------------------------------------------------------------- tie index

@dataclass
class TieIndex:
    """Who works where, who applied for which patent and who collaborated with whom, for one
    store generation: enough to answer every tie question of the recommendation queries in
    memory (the same sets the former per-pair Cypher patterns matched).

    * ``works``: person → organisations of their ``WORKS_AT`` ties (past ones included, as
      written — colleges are not replaced by their university);
    * ``staff``: organisation → those people;
    * ``applicants``: patent → every ``APPLICANT_OF`` source (organisations and people);
      ``applied``: the reverse;
    * ``collaborators``: person → the people of their ``COLLABORATED_WITH`` ties, either
      direction, never themselves;
    * ``counts``: (a, b) → :attr:`Ties.count` of every pair of distinct organisations with a
      tie, so ranking many candidates needs no :class:`Ties` at all (the evidence is computed
      for the ones shown).

    Memory: linear in those relationships (about 0.5 M at province scale, some 100 MB) plus the
    tied pairs.
    """

    generation: int | None
    works: dict[str, frozenset[str]]
    staff: dict[str, frozenset[str]]
    applicants: dict[str, frozenset[str]]
    applied: dict[str, frozenset[str]]
    collaborators: dict[str, frozenset[str]]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def build(cls, generation: int | None, works: Mapping[str, Iterable[str]],
              applicants: Mapping[str, Iterable[str]], collaborators: Mapping[str, Iterable[str]]) -> TieIndex:
        staff: dict[str, set[str]] = defaultdict(set)
        for person, orgs in works.items():
            for o in orgs:
                staff[o].add(person)
        applied: dict[str, set[str]] = defaultdict(set)
        for patent, who in applicants.items():
            for a in who:
                applied[a].add(patent)
        out = cls(
            generation,
            {k: frozenset(v) for k, v in works.items()},
            {k: frozenset(v) for k, v in staff.items()},
            {k: frozenset(v) for k, v in applicants.items()},
            {k: frozenset(v) for k, v in applied.items()},
            {k: frozenset(x for x in v if x != k) for k, v in collaborators.items()},
        )
        out.counts = out._count_ties()
        return out

    def _count_ties(self) -> dict[tuple[str, str], int]:
        """:attr:`Ties.count` of every tied pair, by going over each tie once: a patent with
        several applicants, a person with several employers, a collaborating pair (each
        direction: x at a, y at b).  Symmetric.  O(Σ applicants² + Σ employers² + Σ over
        collaborations of employers(x)·employers(y))."""
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for group in (*self.applicants.values(), *self.works.values()):
            if len(group) > 1:
                for a in group:
                    for b in group:
                        if a != b:
                            counts[(a, b)] += 1
        empty: frozenset[str] = frozenset()
        for x, ys in self.collaborators.items():
            at_x = self.works.get(x, empty)
            if not at_x:
                continue
            for y in ys:
                for b in self.works.get(y, empty):
                    for a in at_x:
                        if a != b:
                            counts[(a, b)] += 1
        return dict(counts)

    def org_ties(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Ties]:
        """:class:`Ties` per (a, b) pair (a ≠ b), each pattern expanded from ``a`` once for all
        its ``b``: co-applied patents, people who worked at both, collaborating staff pairs.

        Complexity: O(patents of a · their applicants + staff of a · their collaborators)
        per distinct ``a``.
        """
        by_a: dict[str, set[str]] = defaultdict(set)
        for a, b in pairs:
            by_a[a].add(b)
        out: dict[tuple[str, str], Ties] = {}
        empty: frozenset[str] = frozenset()
        for a, bs in by_a.items():
            co: dict[str, list[str]] = defaultdict(list)
            shared: dict[str, list[str]] = defaultdict(list)
            collab: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for t in self.applied.get(a, empty):
                for b in self.applicants[t] & bs:
                    co[b].append(t)
            for x in self.staff.get(a, empty):
                for b in self.works[x] & bs:
                    shared[b].append(x)
                for y in self.collaborators.get(x, empty):
                    for b in self.works.get(y, empty) & bs:
                        collab[b].append((x, y))
            for b in bs:
                out[(a, b)] = Ties(a=a, b=b, co_patents=tuple(sorted(set(co[b]))) if b in co else (),
                                   shared_staff=tuple(sorted(set(shared[b]))) if b in shared else (),
                                   collab_pairs=tuple(sorted(set(collab[b]))) if b in collab else ())
        return out

    def personal(self, org_id: str, person_id: str) -> PersonalTies:
        """A person's ties to an organisation: its (past or present) staff they collaborated
        with, and whether they worked there themselves."""
        empty: frozenset[str] = frozenset()
        colleagues = sorted(x for x in self.collaborators.get(person_id, empty)
                            if org_id in self.works.get(x, empty))
        return PersonalTies(person=person_id, org=org_id, colleagues=tuple(colleagues),
                            worked_there=org_id in self.works.get(person_id, empty))


_tie_indexes: GenerationCache[TieIndex] = GenerationCache()


def tie_index(store: GraphStore, *, generation: int | None = None) -> TieIndex:
    """The :class:`TieIndex` of a store, rebuilt when its write generation moves (a store without
    a generation counter gets a fresh one on every call).  Building reads the ``WORKS_AT``,
    ``APPLICANT_OF`` and ``COLLABORATED_WITH`` relationships once (three reads on Neo4j, the
    snapshot on the embedded store): O(those relationships)."""
    gen = store_generation(store) if generation is None else generation

    def build() -> TieIndex:
        built = fact_source(store).tie_index()
        built.generation = gen
        return built

    return _tie_indexes.get(store, gen, build)


# --------------------------------------------------------------------------- directory

@dataclass
class ProfileDirectory:
    """Profiles of every person, organisation, team and result of one store generation, the
    names of the fields, plus arrays over people for ranking many at once (role queries).

    Built from the same facts (Cypher on Neo4j, networkx on the embedded store) and the same
    derivation as :class:`Profiles`, so a value read here equals the one a per-query fetch
    would give; queries then only ask the store about ties between organisations and people
    (and, for alliances, the field projection).  Person arrays are indexed by position in
    ``ids`` (sorted).  Memory is linear in the graph (about 1 KB per patent).
    """

    generation: int | None
    ids: list[str]
    pos: dict[str, int]
    persons: dict[str, PersonProfile]
    orgs: dict[str, OrgProfile]
    tops: dict[str, str]
    teams: dict[str, TeamProfile]
    achievements: dict[str, AchievementProfile]
    patents: dict[str, PatentProfile]
    demands: dict[str, DemandProfile]
    field_names: dict[str, str]
    seniority: np.ndarray  # -1 when unknown
    phd: np.ndarray  # bool
    track: np.ndarray  # person_track value
    load: np.ndarray  # person_load value
    patent_counts: np.ndarray  # number of patents invented
    research: np.ndarray  # an affiliation is a research organisation
    enterprise: np.ndarray  # an affiliation is an enterprise
    by_field: dict[str, tuple[np.ndarray, np.ndarray]]  # field → (positions, weights)

    def field_vector(self, target: Mapping[str, float]) -> np.ndarray:
        """:func:`field_overlap`-style Σ w_t·w_p / Σ w_t for every person."""
        out = np.zeros(len(self.ids), dtype=np.float64)
        total = sum(target.values())
        if total <= 0:
            return out
        for fid in sorted(target):
            posting = self.by_field.get(fid)
            if posting is not None:
                idx, w = posting
                out[idx] += target[fid] * w
        return np.minimum(1.0, out / total)

    def in_fields(self, fields: Iterable[str]) -> np.ndarray:
        """Positions of people with any of the fields."""
        parts = [self.by_field[f][0] for f in sorted(set(fields)) if f in self.by_field]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def affiliation_arrays(directory: ProfileDirectory) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every person's affiliation as arrays, for computing per-organisation values for many
    people at once: (organisation ids sorted, ``starts``, ``members``) where the organisations
    of the person at position i are ``members[starts[i]:starts[i + 1]]`` (indexes into the ids;
    a person without one gets the single index ``len(ids)``, a slot for "none").

    Built once per directory (O(people)) and kept on it.
    """
    cached = getattr(directory, "_affiliations", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    org_ids = sorted({o for p in directory.persons.values() for o in p.orgs})
    index = {o: k for k, o in enumerate(org_ids)}
    none = len(org_ids)
    starts = [0]
    members: list[int] = []
    for pid in directory.ids:
        members += [index[o] for o in directory.persons[pid].orgs] or [none]
        starts.append(len(members))
    cached = (org_ids, np.array(starts, dtype=np.int64), np.array(members, dtype=np.int64))
    directory._affiliations = cached  # type: ignore[attr-defined]
    return cached


def posted_demands(directory: ProfileDirectory) -> dict[str, tuple[str, ...]]:
    """organisation → the demands it posted (sorted ids), from the directory's demands (their
    ``posters``), built once per directory: O(demands)."""
    cached = getattr(directory, "_posted", None)
    if cached is None:
        by_org: dict[str, set[str]] = defaultdict(set)
        for did, d in directory.demands.items():
            for o in d.posters:
                by_org[o].add(did)
        cached = {o: tuple(sorted(ds)) for o, ds in by_org.items()}
        directory._posted = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


_DIRECTORY_CHUNK = 2000
_directories: GenerationCache[ProfileDirectory] = GenerationCache()


def _chunked(prof_call: Any, ids: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for start in range(0, len(ids), _DIRECTORY_CHUNK):
        out.update(prof_call(ids[start:start + _DIRECTORY_CHUNK]))
    return out


def _build_directory(store: GraphStore, generation: int | None) -> ProfileDirectory:
    prof = Profiles(fact_source(store))
    org_ids = [n.id for n in store.iter_nodes(NodeLabel.ORGANIZATION)]
    orgs = _chunked(prof.orgs, org_ids)
    tops = _chunked(prof.tops, org_ids)
    persons = _chunked(prof.persons, [n.id for n in store.iter_nodes(NodeLabel.PERSON)])
    teams = _chunked(prof.teams, [n.id for n in store.iter_nodes(NodeLabel.TEAM)])
    achievements = _chunked(prof.achievements, [n.id for n in store.iter_nodes(NodeLabel.ACHIEVEMENT)])
    patents = _chunked(prof.patents, [n.id for n in store.iter_nodes(NodeLabel.PATENT)])
    demands = _chunked(prof.demands, [n.id for n in store.iter_nodes(NodeLabel.DEMAND)])
    field_names = {n.id: str(n.props.get("name", n.id)) for n in store.iter_nodes(NodeLabel.FIELD)}
    ids = sorted(persons)
    n = len(ids)
    seniority = np.full(n, -1.0)
    phd = np.zeros(n, dtype=bool)
    track = np.zeros(n)
    load = np.ones(n)
    patent_counts = np.zeros(n)
    research = np.zeros(n, dtype=bool)
    enterprise = np.zeros(n, dtype=bool)
    rows: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, pid in enumerate(ids):
        p = persons[pid]
        if p.seniority is not None:
            seniority[i] = p.seniority
        phd[i] = p.props.get("is_phd_student") is True
        track[i] = person_track([p])[0]
        load[i] = person_load([p])[0]
        patent_counts[i] = len(p.patents)
        research[i] = any(o in orgs and orgs[o].is_research for o in p.orgs)
        enterprise[i] = any(o in orgs and orgs[o].role in ("leading", "sme", "enterprise") for o in p.orgs)
        for fid, w in p.fields.items():
            rows[fid].append((i, w))
    by_field = {
        fid: (np.array([i for i, _ in r], dtype=np.int64), np.array([w for _, w in r], dtype=np.float64))
        for fid, r in rows.items()
    }
    return ProfileDirectory(generation, ids, {pid: i for i, pid in enumerate(ids)}, persons, orgs,
                            tops, teams, achievements, patents, demands, field_names, seniority, phd,
                            track, load, patent_counts, research, enterprise, by_field)


def profile_directory(store: GraphStore, *, generation: int | None = None) -> ProfileDirectory:
    """The :class:`ProfileDirectory` of a store, rebuilt when its write generation moves.

    Building reads the facts of every person, organisation, team and result (O(those nodes and
    their ties)); later queries reuse it.  A store without a generation counter gets a fresh
    directory on every call.  ``generation``: the store's generation when the caller has just
    read it (saves a round trip).
    """
    gen = store_generation(store) if generation is None else generation
    return _directories.get(store, gen, lambda: _build_directory(store, gen))


def warm_caches(store: GraphStore) -> None:
    """Build the per-generation caches the recommendation queries use — the
    :class:`ProfileDirectory`, the :class:`TieIndex` and the BM25 index
    (:func:`graph.queries.text.text_index`) — so that the first query after an ingest is not the
    one that pays for them."""
    from graph.queries.text import text_index

    gen = store_generation(store)
    directory = profile_directory(store, generation=gen)
    affiliation_arrays(directory)
    posted_demands(directory)
    tie_index(store, generation=gen)
    text_index(store, generation=gen)
