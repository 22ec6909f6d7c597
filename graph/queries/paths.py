"""Collaboration paths (合作路径) and introducers (引荐人) between entities.

Matchmakers ask two questions before they pick up the phone: *how is this firm connected to
that professor?* and *who could introduce us?*  :func:`collaboration_paths` answers the first
with the k strongest short chains of ties; :func:`who_can_introduce` the second with the
people on those chains, ranked by how well they know both sides.

Candidate set (the same on both backends)
-----------------------------------------
Let ``L`` be the smallest hop count of a path from source to target within ``max_hops``, over
the allowed relationship types (direction ignored) and through intermediate nodes of the
allowed labels.  The candidates are

1. **every shortest path** (length ``L``), through any node, and
2. **every simple path of length L+1 … L+g−1** (at most ``max_hops``) whose intermediate nodes
   are not *hubs* — nodes with more than :data:`HUB_DEGREE` relationships of any type, i.e.
   large universities and leading firms,

where ``g`` = 2 for :func:`collaboration_paths` (the two shortest hop lengths) and 3 for
:func:`who_can_introduce` (one more, so that people two ties from both sides count too).
The hub rule is the work bound: a detour through a university of 20,000 people explains
nothing, and enumerating all of them is what makes an exact "second-shortest" search explode
(measured on the 0.1-scale graph: an unrestricted ``SHORTEST 2 GROUPS`` ran 10× slower and
returned thousands of trails).  The shortest group keeps hubs, so two colleagues still meet at
their university.  Parallel relationships make distinct candidates (a person who both works and
studied at a university reaches it twice).

The set is also capped at :data:`CANDIDATE_LIMIT`: candidates are put in a canonical order —
hop count, then hop by hop (next node id, relationship type, relationship key) — and only the
first ``CANDIDATE_LIMIT`` are scored.

How each backend finds it
-------------------------
Both run the same search (:class:`_Search`) over a *view* of the graph:

1. a bidirectional BFS (the frontier with fewer relationships to scan first) finds ``L``;
2. a DFS from the source, neighbours in canonical order, emits every shortest path, pruning
   with exact distances to the target (a BFS ball of radius ⌈L/2⌉ around it);
3. the same DFS, one length at a time and never entering a hub, emits the longer groups.

The candidates come out in canonical order, so the cap keeps the same prefix everywhere.

* Embedded: the view is the whole networkx snapshot (``store.graph()``).  Cost: the two BFS
  balls plus O(candidates × branching).  The sorted and filtered adjacency of large nodes
  (universities, leading firms: 5k–20k relationships each) and node degrees are kept per
  snapshot (a snapshot is replaced, never changed, after a write), so a hub is filtered once,
  not once per query (the 12 slowest of 120 province pairs, profiled: 18.8 s → 9.0 s).
* Neo4j: the view is the *corridor* — the relationships on candidate paths and their end
  nodes — fetched in one round trip by ``cypher/queries/paths/corridor.cypher``.  Where the
  database has the project's procedure :data:`CORRIDOR_PROCEDURE` (Java, in
  ``tools/neo4j-launcher``: the test launcher registers it, the deployment image has it in
  ``plugins/``) it finds the corridor: the same degree-aware bidirectional BFS as step 1, the
  relationships between BFS layers pruned back from the meeting layer (exactly those on shortest
  paths), and for the longer groups every relationship on a hub-free walk within the bound (a
  superset that holds no other candidate).  It keeps the allowed relationships of dense nodes
  across calls until the next write closes (keyed by the database's last closed transaction;
  a transaction with changes of its own reads afresh), like the embedded snapshot's shared
  adjacency: most slow pairs reach a university one hop out, and reading its 10k–20k
  relationship records was most of the procedure's time.  Elsewhere Cypher does (``search_cypher.cypher``):
  ``allShortestPaths`` (Neo4j's bidirectional BFS; the label test is universal over the path,
  so it runs inside the search) plus, for the longer groups, ``SHORTEST g GROUPS`` over a
  quantified path pattern whose inlined predicate refuses hubs (so they are never expanded),
  one UNION branch per possible ``L`` (``detour_branch.cypher``; quantifier bounds must be
  literals).  Relationship type expressions are rendered from the :class:`RelType` allow-list.
  The corridor is small (tens to a few hundred relationships) while the paths through it can
  number thousands; projecting paths one by one in Cypher cost 10–50× more than finding them.
  Every candidate lies in the corridor and every path the search finds in it is a candidate,
  so searching the corridor equals searching the graph.

  The interior label tests are left out of the query when the relationship schema already
  rules out a barred interior node (:func:`_barred_reachable`; with the default exclusions no
  allowed type leads into a Field or Topic).  Both stores refuse relationships outside
  :data:`~graph.model.RELATIONSHIP_SCHEMA` on write, so the answer is the same; the search
  touches ~2.5× fewer database hits (measured at province scale: 218k → 85k for a 3-hop pair,
  the bare ``shortestPath`` taking 75k), which was most of the p95 tail.  The first query is
  rendered for ends of any label but Field/Topic; a Field/Topic end that would need the tests
  re-runs it with them.  A corridor of at most :data:`INLINE_DETAILS` relationships (most
  queries) also brings the full properties of its relationships and the shown properties of
  its nodes and evidence nodes, so showing the chosen paths costs no second round trip.

Scoring, ranking and cutting to k is then shared Python code (:func:`edge_cost`), so the
answers agree by construction (tests check both backends against a brute-force enumeration).

Edge costs (lower = stronger tie); path cost = sum over hops
-------------------------------------------------------------
=====================  ==========================================================  ========
relationship           cost                                                        range
=====================  ==========================================================  ========
``COLLABORATED_WITH``  1 − 0.5·weight; −0.1 when co-invention or same team is      0.2–1.0
                       among its kinds; −0.1 when last_year ≥ as_of − 3
                       (weight absent counts as 0.5)
``LEADS``              0.5 (a team leader knows every member)                      0.5
``MEMBER_OF``          0.6                                                         0.6
``INVENTED``           0.6; −0.1 when the patent's year ≥ as_of − 5                0.5–0.6
``COVERS``             0.5 (a result and its patent are the same work)             0.5
``POSTED``             0.5 (the firm owns its demand)                              0.5
``CONTACT_FOR``        0.5                                                         0.5
``APPLICANT_OF``       0.7; −0.1 when the patent's year ≥ as_of − 5                0.6–0.7
``COMPLETED``          0.7                                                         0.7
``PART_OF``            0.6 (structure: college→university, team→college)            0.6
``WORKS_AT``           0.8 current, 1.0 former (``current`` false, or an ``end``    0.8–1.0
                       without ``current``)
``APPOINTED_AS``       0.8 active, 1.0 ended (an ``end`` or status ended/expired)   0.8–1.0
``STUDIED_AT``         1.1 (alumni of a big university barely know each other)     1.1
``IN_FIELD``           1.5 (only when Field nodes are allowed)                     1.5
``HAS_TOPIC``          1.5 (only when Topic nodes are allowed)                     1.5
=====================  ==========================================================  ========

So two co-inventors of a recent patent (0.5 + 0.5 = 1.0) are closer than two colleagues of one
university (0.8 + 0.8 = 1.6), and a strong recent collaboration (0.2–0.4) is the best tie.
Ranking key: (cost, hops, node-id sequence); candidates with the same node sequence (parallel
relationships) collapse to the cheapest one.  ``as_of`` (default: this year) is the year that
"recent" is counted from; tests pin it.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
from pydantic import BaseModel, ConfigDict

import cypher
from graph.errors import NotFound, QueryError, SchemaError
from graph.model import (
    PROVENANCE_KEYS,
    RELATIONSHIP_SCHEMA,
    NodeLabel,
    NodeRecord,
    RelRecord,
    RelType,
)
from graph.queries.backend import is_neo4j
from graph.queries.explain import explain_hops, path_summary
from graph.store.base import GraphStore

_log = logging.getLogger(__name__)

__all__ = [
    "PathNode",
    "PathHop",
    "Path",
    "Introducer",
    "collaboration_paths",
    "who_can_introduce",
    "edge_cost",
    "CANDIDATE_LIMIT",
    "HUB_DEGREE",
    "DEFAULT_EXCLUDED_LABELS",
    "COST_KEYS",
]

#: At most this many candidate paths (the first ones in canonical order) are scored.
CANDIDATE_LIMIT = 2000
#: Intermediate node kinds left out unless asked for: hubs that explain nothing.
DEFAULT_EXCLUDED_LABELS: tuple[NodeLabel, ...] = (NodeLabel.FIELD, NodeLabel.TOPIC)
#: Intermediate nodes with more relationships than this (any type) are hubs: allowed on the
#: shortest paths, never on the longer candidate groups.
HUB_DEGREE = 1000
#: The relationship properties :func:`edge_cost` reads (the candidate query returns only these).
COST_KEYS = ("weight", "kinds", "last_year", "current", "end", "status")

K_BOUNDS = (1, 10)
MAX_HOPS_BOUNDS = (1, 6)
INTRODUCER_LIMIT_BOUNDS = (1, 50)
INTRODUCER_HOPS_BOUNDS = (2, 6)
PATH_GROUPS = 2
INTRODUCER_GROUPS = 3
#: Introducer score bonus per extra distinct path through the person, and its cap.
PATH_BONUS, PATH_BONUS_CAP = 0.1, 5

_FIXED_COST: dict[RelType, float] = {
    RelType.LEADS: 0.5,
    RelType.MEMBER_OF: 0.6,
    RelType.COVERS: 0.5,
    RelType.POSTED: 0.5,
    RelType.CONTACT_FOR: 0.5,
    RelType.COMPLETED: 0.7,
    RelType.PART_OF: 0.6,
    RelType.STUDIED_AT: 1.1,
    RelType.IN_FIELD: 1.5,
    RelType.HAS_TOPIC: 1.5,
}
_FIXED_COST_BY_NAME = {t.value: cost for t, cost in _FIXED_COST.items()}
# Hops whose cost depends on the year of the patent at their far end.
_PATENT_HOPS = frozenset({RelType.INVENTED.value, RelType.APPLICANT_OF.value})
_STRONG_KINDS = frozenset({"co_invention", "same_team"})
_RECENT_COLLABORATION_YEARS = 3
_RECENT_PATENT_YEARS = 5


# --------------------------------------------------------------------------- results


class PathNode(BaseModel):
    """A node on a path, as much as a list shows of it."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: NodeLabel
    name: str


class PathHop(BaseModel):
    """One relationship on a path; ``direction`` is ``out`` when it points along the walk."""

    model_config = ConfigDict(frozen=True)

    type: RelType
    src: str
    dst: str
    key: str = ""
    direction: Literal["out", "in"]
    props: dict[str, Any]
    cost: float


class Path(BaseModel):
    """A chain of ties from the source to the target, with one Chinese sentence per hop."""

    nodes: list[PathNode]
    hops: list[PathHop]
    cost: float
    explanation: list[str]
    summary: str

    @property
    def length(self) -> int:
        return len(self.hops)

    @property
    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]


class Introducer(BaseModel):
    """A person who can introduce an enterprise to a researcher.

    ``enterprise_cost``/``researcher_cost`` are the cheapest chains from the enterprise to the
    person and from the person to the researcher over the candidate paths; ``path_count`` the
    distinct candidate paths (node sequences) through the person.
    """

    person: PathNode
    score: float
    enterprise_cost: float
    researcher_cost: float
    path_count: int
    best_path: Path
    explanation: list[str]
    summary: str


# --------------------------------------------------------------------------- costs


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def edge_cost(
    rel_type: RelType | str,
    props: Mapping[str, Any],
    *,
    patent_year: int | None = None,
    as_of: int,
) -> float:
    """The cost of one hop (see the table in the module docstring); lower is a stronger tie.

    Args:
        rel_type: the relationship type.
        props: its properties (only :data:`COST_KEYS` are read).
        patent_year: the year of the patent at the far end of ``INVENTED``/``APPLICANT_OF``.
        as_of: the year "recent" counts from.

    >>> edge_cost("COLLABORATED_WITH", {"weight": 0.8, "kinds": ["co_invention"],
    ...           "last_year": 2023}, as_of=2025)
    0.4
    """
    t = RelType(rel_type)
    if t in _FIXED_COST:
        return _FIXED_COST[t]
    if t is RelType.COLLABORATED_WITH:
        weight = props.get("weight")
        w = float(weight) if isinstance(weight, (int, float)) and not isinstance(weight, bool) else 0.5
        cost = 1.0 - 0.5 * min(max(w, 0.0), 1.0)
        kinds = props.get("kinds")
        kinds = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, (list, tuple)) else set()
        if _STRONG_KINDS & kinds:
            cost -= 0.1
        last = _year(props.get("last_year"))
        if last is not None and last >= as_of - _RECENT_COLLABORATION_YEARS:
            cost -= 0.1
        return round(max(cost, 0.2), 6)
    if t in _PATENT_HOPS:
        base = 0.6 if t is RelType.INVENTED else 0.7
        recent = patent_year is not None and patent_year >= as_of - _RECENT_PATENT_YEARS
        return round(base - 0.1, 6) if recent else base
    if t is RelType.WORKS_AT:
        current = props.get("current")
        former = current is False or (current is not True and props.get("end") not in (None, ""))
        return 1.0 if former else 0.8
    if t is RelType.APPOINTED_AS:
        ended = props.get("end") not in (None, "") or props.get("status") in ("ended", "expired")
        return 1.0 if ended else 0.8
    raise AssertionError(f"no cost for {t}")  # pragma: no cover - every type has one


# --------------------------------------------------------------------------- arguments


@dataclass(frozen=True)
class _Spec:
    """Validated arguments of a path search (the ends are checked against the store later)."""

    source: str
    target: str
    labels: frozenset[NodeLabel]  # allowed for intermediate nodes
    allowed_types: frozenset[RelType]  # what the caller allows
    max_hops: int
    groups: int
    as_of: int
    want_source: NodeLabel | None = None  # the label an end must have, if any
    want_target: NodeLabel | None = None

    def rel_types(self, end_labels: Iterable[NodeLabel]) -> frozenset[RelType]:
        """The allowed types that can appear on a path: both ends of the relationship must be
        able to be on it — interior nodes need an allowed label, the two ends always may."""
        reachable = self.labels | set(end_labels)
        return frozenset(
            t for t in self.allowed_types
            if any(a in reachable and b in reachable for a, b in RELATIONSHIP_SCHEMA[t])
        )

    def check_ends(self, labels: Mapping[str, NodeLabel | None]) -> tuple[NodeLabel, NodeLabel]:
        """The labels of the two ends, given what the store found.

        Raises:
            NotFound: an end is not in the graph.
            QueryError: an end has another label than the query needs.
        """
        out = []
        for role, node_id, want in (("source", self.source, self.want_source),
                                    ("target", self.target, self.want_target)):
            label = labels.get(node_id)
            if label is None:
                raise NotFound(node_id)
            if want is not None and label is not want:
                raise QueryError(f"{role} {node_id} 是 {label.value}，这里需要 {want.value}")
            out.append(label)
        return out[0], out[1]


def _bounded(name: str, value: Any, bounds: tuple[int, int]) -> int:
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise QueryError(f"参数 {name} 必须是 {lo} 到 {hi} 之间的整数，收到 {value!r}")
    return value


def _kinds(name: str, values: Any, enum: type[NodeLabel] | type[RelType]) -> frozenset[Any]:
    if isinstance(values, str):
        values = [values]
    try:
        items = list(values)
    except TypeError:
        raise QueryError(f"参数 {name} 必须是列表，收到 {values!r}") from None
    out = set()
    allowed = "、".join(m.value for m in enum)
    what = "节点类型" if enum is NodeLabel else "关系类型"
    for v in items:
        try:
            out.add(enum(v))
        except ValueError:
            raise QueryError(f"参数 {name} 中的{what} {v!r} 不存在；可选值：{allowed}") from None
    return frozenset(out)


def _spec(
    source_id: str,
    target_id: str,
    *,
    max_hops: int,
    hop_bounds: tuple[int, int],
    groups: int,
    include_labels: Iterable[NodeLabel | str] | None,
    exclude_labels: Iterable[NodeLabel | str] | None,
    include_rel_types: Iterable[RelType | str] | None,
    exclude_rel_types: Iterable[RelType | str] | None,
    as_of: int | None,
    source_label: NodeLabel | None = None,
    target_label: NodeLabel | None = None,
) -> _Spec:
    max_hops = _bounded("max_hops", max_hops, hop_bounds)
    labels = set(NodeLabel) if include_labels is None else set(_kinds("include_labels", include_labels, NodeLabel))
    labels -= (
        set(DEFAULT_EXCLUDED_LABELS) if exclude_labels is None
        else _kinds("exclude_labels", exclude_labels, NodeLabel)
    )
    types = set(RelType) if include_rel_types is None else set(_kinds("include_rel_types", include_rel_types, RelType))
    if include_rel_types is not None and not types:
        raise QueryError("参数 include_rel_types 不能为空；可选值：" + "、".join(t.value for t in RelType))
    if exclude_rel_types is not None:
        types -= _kinds("exclude_rel_types", exclude_rel_types, RelType)
    if as_of is None:
        as_of = date.today().year
    elif isinstance(as_of, bool) or not isinstance(as_of, int) or not 1900 <= as_of <= 2200:
        raise QueryError(f"参数 as_of 必须是年份（1900 到 2200），收到 {as_of!r}")
    for name, value in (("source_id", source_id), ("target_id", target_id)):
        if not isinstance(value, str) or not value:
            raise QueryError(f"参数 {name} 必须是实体 id（如 person:…），收到 {value!r}")
    if source_id == target_id:
        raise QueryError(f"起点与终点相同（{source_id}），请给出两个不同的实体")
    return _Spec(
        source=source_id, target=target_id, labels=frozenset(labels),
        allowed_types=frozenset(types), max_hops=max_hops, groups=groups, as_of=as_of,
        want_source=source_label, want_target=target_label,
    )


# --------------------------------------------------------------------------- candidates


@dataclass(slots=True)  # not frozen: thousands are made per query; never changed after
class _Candidate:
    """A candidate path as the search reports it: its nodes, its relationships as the view gives
    them, and the cost of each hop.  That is all that scoring reads; the rest (types, keys,
    labels …) is read off on demand, for the few candidates that are shown or counted."""

    ids: tuple[str, ...]
    edges: tuple[_Edge, ...]  # edges[i] leads from ids[i] to ids[i + 1] (its neighbour, edges[i][0])
    costs: tuple[float, ...]  # edge_cost of each hop (as_of of the search)
    cost: float  # round(fsum(costs), 9): the path cost
    view: _View = field(compare=False, repr=False)

    @property
    def hops(self) -> int:
        return len(self.edges)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(e[2] for e in self.edges)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(e[3] for e in self.edges)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.view.label(n) for n in self.ids)

    def props(self, i: int) -> dict[str, Any]:
        """The cost properties of hop ``i`` (no None values)."""
        return _cost_props(self.edges[i][4])

    def ident(self, i: int) -> tuple[str, str, str, str]:
        """Hop ``i`` as (src, type, dst, key)."""
        nbr, src, rel_type, key, _ = self.edges[i]
        return src, rel_type, (nbr if src == self.ids[i] else self.ids[i]), key


#: A step is pruned when its cheapest completion exceeds the k-th best cost by more than this:
#: hop costs have at most 6 decimals, so costs that truly differ differ by at least 1e-6, and
#: float sums are off by far less than the slack.
_PRUNE_SLACK = 5e-7


class _Best:
    """The k best distinct node sequences a pruned search has found, and how many candidates
    the unpruned search would have listed so far (found ones and skipped ones), which is where
    CANDIDATE_LIMIT cuts it."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.top: dict[tuple[str, ...], float] = {}  # ids -> its best cost, the k cheapest
        self.bound = math.inf  # the k-th best cost once k are known
        self.listed = 0

    def add(self, c: _Candidate) -> bool:
        """Take a candidate; False once the limit is reached."""
        top = self.top
        if c.ids in top:
            top[c.ids] = min(top[c.ids], c.cost)
        elif len(top) < self.k:
            top[c.ids] = c.cost
        elif c.cost < self.bound:
            del top[max(top, key=top.__getitem__)]
            top[c.ids] = c.cost
        if len(top) == self.k:
            self.bound = max(top.values())
        return self.skip(1)

    def skip(self, count: int) -> bool:
        """Count candidates that cannot be among the k best; False once the limit is reached."""
        self.listed += count
        return self.listed < CANDIDATE_LIMIT


def _cost_props(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in COST_KEYS if props.get(k) is not None}


# An edge as the search sees it: (neighbour, relationship src, type, key, properties) — the
# properties may hold more than COST_KEYS; candidates keep only those.
_Edge = tuple[str, str, str, str, Mapping[str, Any]]


class _View(Protocol):
    """What the search reads of a graph: both stores' data, through one narrow interface."""

    def edges(self, node: str) -> list[_Edge]:
        """Every relationship at ``node`` in canonical order (neighbour id, type, key)."""
        ...

    def label(self, node: str) -> str: ...
    def year(self, node: str) -> int | None: ...
    def degree(self, node: str) -> int: ...

    def fanout(self, node: str) -> int:
        """A cheap estimate of the work of expanding ``node`` (it orders the BFS only)."""
        ...


# Sorted adjacency of large nodes, per networkx snapshot (a snapshot is replaced, not changed,
# after a write, so entries die with it): a university is re-sorted for no query twice.
_SORTED_ADJACENCY: weakref.WeakKeyDictionary[Any, dict[str, list[_Edge]]] = weakref.WeakKeyDictionary()
_CACHE_FROM_DEGREE = 200
# Also per snapshot: total degrees of the nodes asked about (the hub test), and the filtered
# adjacency and neighbour lists of large nodes per (types, labels) — the BFS balls of most
# queries pass the same universities and leading firms, whose 5k–20k relationships cost more
# to filter than the rest of the query.  At most _FILTER_KEYS filters are kept per snapshot.
_DEGREES: weakref.WeakKeyDictionary[Any, dict[str, int]] = weakref.WeakKeyDictionary()
_FILTERED: weakref.WeakKeyDictionary[Any, dict[Any, dict[str, tuple[list[_Edge], list[str]]]]] = (
    weakref.WeakKeyDictionary())
_FILTER_KEYS = 4


class _NetworkxView:
    """The embedded store's networkx snapshot (the whole graph)."""

    def __init__(self, g: Any) -> None:
        self.g = g
        self._sorted = _SORTED_ADJACENCY.setdefault(g, {})
        self._degrees = _DEGREES.setdefault(g, {})
        self._node = g._node  # the node attribute dicts (g.nodes[n] goes through a view)

    def shared_filter(self, key: Any) -> dict[str, tuple[list[_Edge], list[str]]]:
        """The per-snapshot store of filtered adjacency of large nodes for one filter ``key``
        (the search decides when a filter does not depend on the query's ends)."""
        filters = _FILTERED.setdefault(self.g, {})
        got = filters.get(key)
        if got is None:
            while len(filters) >= _FILTER_KEYS:
                del filters[next(iter(filters))]
            got = filters[key] = {}
        return got

    def edges(self, node: str) -> list[_Edge]:
        cached = self._sorted.get(node)
        if cached is not None:
            return cached
        out: list[_Edge] = []
        for nbrs, outgoing in ((self.g._succ[node], True), (self.g._pred[node], False)):
            for nbr, keyed in nbrs.items():
                for edge_key, data in keyed.items():
                    key = edge_key.split("|", 1)[1] if "|" in edge_key else ""
                    out.append((nbr, node if outgoing else nbr, data["type"], key, data))
        out.sort(key=lambda e: (e[0], e[2], e[3]))
        if len(out) >= _CACHE_FROM_DEGREE:
            self._sorted[node] = out
        return out

    def label(self, node: str) -> str:
        return str(self._node[node].get("label"))

    def year(self, node: str) -> int | None:
        data = self._node[node]
        return _year(data.get("year")) if data.get("label") == NodeLabel.PATENT.value else None

    def degree(self, node: str) -> int:
        got = self._degrees.get(node)
        if got is None:
            got = self._degrees[node] = int(self.g.degree(node))
        return got

    def fanout(self, node: str) -> int:
        return len(self.g._succ[node]) + len(self.g._pred[node])  # neighbours, O(1)


class _CorridorView:
    """The part of a Neo4j graph that candidate paths can use, as the corridor queries return
    it: every relationship on a shortest or hub-free detour path, with its end nodes' label,
    patent year and total degree.  Every candidate path lies inside it, and every path the
    search finds inside it is a candidate, so searching it equals searching the whole graph."""

    def __init__(self) -> None:
        self._edges: dict[str, list[_Edge]] = {}
        self._nodes: dict[str, tuple[str, int | None, int]] = {}
        self._seen: set[tuple[str, str, str, str]] = set()
        self._sorted_nodes: set[str] = set()

    def add(self, row: Mapping[str, Any]) -> None:
        for node_id, label, year, degree, _shown in row["nodes"]:
            self._nodes[node_id] = (label, _year(year), int(degree))
            self._edges.setdefault(node_id, [])
        for src, rel_type, dst, key, *values in row["rels"]:
            ident = (src, rel_type, dst, key)
            if ident in self._seen:
                continue
            self._seen.add(ident)
            cost = {k: v for k, v in zip(COST_KEYS, values, strict=True) if v is not None}
            self._edges[src].append((dst, src, rel_type, key, cost))
            if dst != src:
                self._edges[dst].append((src, src, rel_type, key, cost))

    def __contains__(self, node: str) -> bool:
        return node in self._nodes

    def edges(self, node: str) -> list[_Edge]:
        edges = self._edges.get(node, [])
        if node not in self._sorted_nodes:
            edges.sort(key=lambda e: (e[0], e[2], e[3]))
            self._sorted_nodes.add(node)
        return edges

    def label(self, node: str) -> str:
        return self._nodes[node][0]

    def year(self, node: str) -> int | None:
        return self._nodes[node][1]

    def degree(self, node: str) -> int:
        return self._nodes[node][2]

    def fanout(self, node: str) -> int:
        return len(self._edges.get(node, ()))


class _Search:
    """The candidate enumeration of the module docstring, on either view."""

    def __init__(self, view: _View, spec: _Spec, rel_types: Iterable[RelType]) -> None:
        self.view = view
        self.spec = spec
        self.s, self.t = spec.source, spec.target
        self.types = frozenset(RelType(t).value for t in rel_types)
        self.labels = frozenset(lb.value for lb in spec.labels)
        self._adj: dict[str, list[_Edge]] = {}
        self._nbrs: dict[str, list[str]] = {}
        self._hub: dict[str, bool] = {}
        # Filtered adjacency of large nodes shared across queries (embedded snapshot only): the
        # filter depends on the ends only when an end's label is barred in between.
        shared = getattr(view, "shared_filter", None)
        self._shared = (
            shared((self.types, self.labels))
            if shared is not None and view.label(self.s) in self.labels and view.label(self.t) in self.labels
            else None
        )
        self._node_year: dict[str, int | None] = {}
        # keyed by id() of edge tuples, which the adjacency lists in self._adj keep alive
        self._edge_cost: dict[int, float] = {}

    def is_hub(self, node: str) -> bool:
        """More than HUB_DEGREE relationships of any type (what ``COUNT { (x)--() }`` counts)."""
        hub = self._hub.get(node)
        if hub is None:
            hub = self._hub[node] = self.view.degree(node) > HUB_DEGREE
        return hub

    def adj(self, node: str) -> list[_Edge]:
        """Allowed relationships at ``node`` in canonical order (self-loops left out)."""
        cached = self._adj.get(node)
        if cached is None:
            shared = self._shared.get(node) if self._shared is not None else None
            if shared is not None:
                self._adj[node], self._nbrs[node] = shared
                return shared[0]
            ends, labels, types, view = (self.s, self.t), self.labels, self.types, self.view
            edges = view.edges(node)  # already in canonical order
            cached = self._adj[node] = [
                e for e in edges
                if e[2] in types and e[0] != node and (e[0] in ends or view.label(e[0]) in labels)
            ]
            if self._shared is not None and len(edges) >= _CACHE_FROM_DEGREE:
                self._shared[node] = (cached, self.nbrs(node))
        return cached

    def nbrs(self, node: str) -> list[str]:
        cached = self._nbrs.get(node)
        if cached is None:
            cached = self._nbrs[node] = list(dict.fromkeys(e[0] for e in self.adj(node)))
        return cached

    def run(self, best: int | None = None) -> list[_Candidate]:
        """The candidates in canonical order (at most CANDIDATE_LIMIT).

        With ``best`` = k (and at most two groups), only the candidates that can still be among
        the k best of the full list are returned: ``_score(run(k), k) == _score(run(), k)``,
        the rest are skipped whole subtrees at a time (:meth:`_dfs`)."""
        s, t, max_hops = self.s, self.t, self.spec.max_hops
        # 1. Bidirectional BFS (layer by layer, the frontier with fewer relationships to scan
        #    first: one university outweighs a thousand people) for L.  An end node is
        #    recorded by the other side's search but never expanded: paths do not pass it.
        dist = {s: {s: 0}, t: {t: 0}}
        front = {s: [s], t: [t]}
        radius = {s: 0, t: 0}
        shortest: int | None = None
        fanout = self.view.fanout
        while radius[s] + radius[t] < max_hops and front[s] and front[t]:
            work_s = sum(fanout(v) for v in front[s] if v != t)
            work_t = sum(fanout(v) for v in front[t] if v != s)
            side = s if work_s <= work_t else t
            other = t if side == s else s
            new = self._expand(dist[side], front[side], radius[side], stop=other, hub_free=False)
            radius[side] += 1
            front[side] = new
            meet = [v for v in new if v in dist[other]]
            if meet:
                shortest = min(dist[s][v] + dist[t][v] for v in meet)
                break
        if shortest is None:
            return []
        # 2. Every shortest path: a DFS from s that only steps where t stays in reach, with
        #    exact distances to t up to ⌈L/2⌉.
        while radius[t] < -(-shortest // 2) and front[t]:
            front[t] = self._expand(dist[t], front[t], radius[t], stop=s, hub_free=False)
            radius[t] += 1
        out: list[_Candidate] = []
        # Pruning is exact while every walk the DFS follows is a simple path, which holds for
        # lengths L and L + 1 (a repeated node would leave a walk shorter than L).
        tally = _Best(best) if best is not None and self.spec.groups <= 2 else None
        going = self._dfs(shortest, dist[t], radius[t], out, hub_free=False, tally=tally)
        # 3. The longer groups, through non-hubs only, one length at a time.
        longest = min(shortest + self.spec.groups - 1, max_hops)
        if longest > shortest and going:
            ball, front_h, r = {t: 0}, [t], 0
            while r < -(-longest // 2) and front_h:
                front_h = self._expand(ball, front_h, r, stop=s, hub_free=True)
                r += 1
            for length in range(shortest + 1, longest + 1):
                if not self._dfs(length, ball, r, out, hub_free=True, tally=tally):
                    break
        return out[:CANDIDATE_LIMIT]

    def _expand(
        self, dist: dict[str, int], front: list[str], r: int, *, stop: str, hub_free: bool
    ) -> list[str]:
        new = []
        for v in front:
            if v == stop:
                continue
            for w in self.nbrs(v):
                if w not in dist and not (hub_free and w != stop and self.is_hub(w)):
                    dist[w] = r + 1
                    new.append(w)
        return new

    def _dfs(
        self, length: int, dist_t: Mapping[str, int], radius_t: int, out: list[_Candidate],
        *, hub_free: bool, tally: _Best | None = None,
    ) -> bool:
        """Append the simple paths of exactly ``length`` hops in canonical order; False once
        the candidate limit is reached.

        With a ``tally`` (the k best so far), a step whose cheapest completion already costs
        more than the k-th best is not taken: its candidates are counted instead (they would
        have taken places under the limit) — cheapest completions and counts come from one
        memoised pass over (node, depth), the walks being simple paths (see :meth:`run`)."""
        s, t, view, as_of = self.s, self.t, self.view, self.spec.as_of
        unknown = radius_t + 1  # a lower bound for nodes outside the ball around t
        node_year, edge_cost_of = self._node_year, self._edge_cost

        # The cost of an edge, computed once per search (a relationship lies on many candidates).
        def cost_of(v: str, e: _Edge) -> float:
            got = edge_cost_of.get(id(e))  # e belongs to v's adjacency list, so v is implied
            if got is None:
                got = _FIXED_COST_BY_NAME.get(e[2])
                if got is None:
                    year = None
                    if e[2] in _PATENT_HOPS:
                        dst = e[0] if e[1] == v else v
                        year = node_year.get(dst, False)
                        if year is False:
                            year = node_year[dst] = view.year(dst)
                    got = edge_cost(e[2], e[4], patent_year=year, as_of=as_of)  # reads COST_KEYS only
                edge_cost_of[id(e)] = got
            return got

        # The walk keeps the nodes, edges and costs of the current prefix; emitting copies them.
        nodes: list[str] = [s]
        edges: list[_Edge] = []
        costs: list[float] = []
        on_path = {s}

        # The edges from v that can still reach t with `budget` hops left after them, per
        # (v, budget): a hub is visited from many prefixes, its edges are filtered once.
        feasible: dict[tuple[str, int], list[_Edge]] = {}

        def edges_within(v: str, budget: int) -> list[_Edge]:
            got = feasible.get((v, budget))
            if got is None:
                got = feasible[(v, budget)] = [
                    e for e in self.adj(v)
                    if e[0] == t or (dist_t.get(e[0], unknown) <= budget
                                     and not (hub_free and self.is_hub(e[0])))
                ]
            return got

        # (cheapest completion, number of completions) from v at depth, for the pruning.
        ahead: dict[tuple[str, int], tuple[float, int]] = {}

        def completions(v: str, depth: int) -> tuple[float, int]:
            got = ahead.get((v, depth))
            if got is None:
                cheapest, count, step = math.inf, 0, depth + 1
                for e in edges_within(v, length - step):
                    w = e[0]
                    if w == t:
                        rest = (0.0, 1) if step == length else (math.inf, 0)
                    else:
                        rest = completions(w, step)
                    if rest[1]:
                        cheapest = min(cheapest, cost_of(v, e) + rest[0])
                        count += rest[1]
                got = ahead[(v, depth)] = (cheapest, count)
            return got

        def walk(v: str, depth: int) -> bool:
            step = depth + 1
            for edge in edges_within(v, length - step):
                w = edge[0]
                if w in on_path:
                    continue
                cost = edge_cost_of.get(id(edge))
                if cost is None:
                    cost = cost_of(v, edge)
                if w == t:
                    if step == length:
                        hop_costs = (*costs, cost)
                        found = _Candidate((*nodes, w), (*edges, edge), hop_costs,
                                           round(math.fsum(hop_costs), 9), view)
                        out.append(found)
                        if tally is None:
                            if len(out) >= CANDIDATE_LIMIT:
                                return False
                        elif not tally.add(found):
                            return False
                    continue
                if tally is not None:
                    cheapest, count = completions(w, step)
                    if not count:
                        continue
                    if sum(costs) + cost + cheapest > tally.bound + _PRUNE_SLACK:
                        if not tally.skip(count):
                            return False
                        continue
                nodes.append(w)
                edges.append(edge)
                costs.append(cost)
                on_path.add(w)
                go_on = walk(w, step)
                on_path.discard(w)
                nodes.pop()
                edges.pop()
                costs.pop()
                if not go_on:
                    return False
            return True

        return walk(s, 0)


def _candidates(
    store: GraphStore, spec: _Spec, shown: dict[str, Any] | None = None, best: int | None = None,
) -> list[_Candidate]:
    """The candidate paths of the module docstring, in canonical order, on either backend.

    ``shown``, when given, receives under ``"details"`` what :func:`_details` would read for any
    of the candidates, when the Neo4j corridor query brought it along (small corridors).

    Raises:
        NotFound, QueryError: from :meth:`_Spec.check_ends`.
    """
    if is_neo4j(store):
        return _neo4j_candidates(store, spec, shown, best)
    found = store.get_nodes([spec.source, spec.target])
    types = spec.rel_types(spec.check_ends({i: n.label for i, n in found.items()}))
    if not types:
        return []
    return _Search(_NetworkxView(store.graph()), spec, types).run(best)


# --------------------------------------------------------------------------- Neo4j


_SLOT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def _render(name: str, rel_types: Iterable[RelType], **values: int | str) -> str:
    """Load ``cypher/<name>`` and fill its slots: ``{{rel_types}}`` with a type expression built
    from the :class:`RelType` allow-list (backtick-escaped), the other slots with the given
    small integers or with Cypher text this module rendered itself.  Nothing from the caller's
    input reaches the query text.

    Raises:
        SchemaError: a slot has no value, or a value is not an allowed type / small integer.
    """
    try:
        types = sorted(RelType(t).value for t in rel_types)
    except ValueError as exc:
        raise SchemaError(f"query {name!r}: {exc}") from None
    if not types:
        raise SchemaError(f"query {name!r} needs at least one relationship type")
    filled = {"rel_types": "|".join(cypher.escape_identifier(t) for t in types)}
    for slot, value in values.items():
        if isinstance(value, str) and slot in ("detours", "path_filter", "x_allowed", "search"):
            filled[slot] = value  # Cypher this module rendered or loaded (_detour_branches, _label_test, …)
        elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
            filled[slot] = str(value)
        else:
            raise SchemaError(f"slot {slot} of {name!r} takes an integer 1..12, got {value!r}")

    def fill(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot not in filled:
            raise SchemaError(f"query {name!r} needs {slot}")
        return filled[slot]

    # Comment lines are left alone: a slot named in prose must not pull code into a comment.
    return "\n".join(
        line if line.lstrip().startswith("//") else _SLOT.sub(fill, line)
        for line in cypher.load(name).splitlines()
    )


def _label_test(var: str, labels: Iterable[NodeLabel]) -> str:
    """A Cypher test that node ``var`` carries one of ``labels``, from the enum only: the
    shorter of ``var:`A`|`B`…`` and ``NOT var:`X` AND NOT var:`Y`…`` (every entity has exactly
    one kind label; a negative test on the two default exclusions is the cheapest)."""
    if var not in ("n", "x"):
        raise SchemaError(f"bad variable {var!r}")
    allowed = sorted(NodeLabel(lb).value for lb in labels)
    barred = sorted(lb.value for lb in NodeLabel if lb.value not in allowed)
    if not allowed:
        return "false"
    if not barred:
        return "true"
    if len(barred) < len(allowed):
        return " AND ".join(f"NOT {var}:{cypher.escape_identifier(lb)}" for lb in barred)
    return f"{var}:" + "|".join(cypher.escape_identifier(lb) for lb in allowed)


def _barred_reachable(
    rel_types: Iterable[RelType], labels: Iterable[NodeLabel], end_labels: Iterable[NodeLabel]
) -> bool:
    """Whether a path over ``rel_types`` between ends with labels in ``end_labels`` can have an
    interior node whose label is not in ``labels``, given that every relationship obeys
    :data:`RELATIONSHIP_SCHEMA` (both stores refuse others on write).

    The first barred interior node along such a path is entered from the source or from an
    allowed interior node, by a relationship whose schema pair joins a label in
    ``labels ∪ end_labels`` to a barred label; when no allowed type has such a pair, the label
    test on interior nodes is always true and the corridor query leaves it out.  With the
    default exclusions (Field, Topic) and their types (IN_FIELD, HAS_TOPIC) gone, it is: only
    ``PART_OF`` touches Field, from another Field.
    """
    allowed = set(labels)
    ok = allowed | set(end_labels)
    return any(
        (a in ok and b not in allowed) or (b in ok and a not in allowed)
        for t in rel_types
        for a, b in RELATIONSHIP_SCHEMA[RelType(t)]
    )


def _detour_branches(
    rel_types: Iterable[RelType], labels: Iterable[NodeLabel], groups: int, max_hops: int,
    *, filtered: bool = True,
) -> str:
    """The ``{{detours}}`` of queries/paths/corridor: one branch per shortest length that
    leaves room for a longer group, joined by UNION ALL (comment lines dropped).  Without
    ``filtered`` the interior label test is left out (:func:`_barred_reachable` is false)."""
    types = list(rel_types)
    x_allowed = _label_test("x", labels) + " AND " if filtered else ""
    branches = []
    for shortest in range(1, max_hops):
        text = _render("queries/paths/detour_branch", types, shortest=shortest, groups=groups,
                       max_len=min(shortest + groups - 1, max_hops), x_allowed=x_allowed)
        branches.append("\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("//")))
    return "\nUNION ALL\n".join(branches) if branches else "RETURN null AS p"


def _read(store: GraphStore, query: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A read on the Neo4j store in one round trip (an auto-commit transaction, retried once on
    a transient failure), without the server's "unknown type/property" notices: the type
    expression names every allowed type, and a young database need not hold them all."""
    driver = store.driver  # type: ignore[attr-defined]
    for attempt in (1, 2):
        try:
            with driver.session(
                database=store.database,  # type: ignore[attr-defined]
                default_access_mode="READ",
                notifications_disabled_classifications=["UNRECOGNIZED"],
            ) as session:
                result = session.run(query, dict(params))
                keys = result.keys()
                # plain values: Record.data() would walk every nested list to hydrate graph types
                return [dict(zip(keys, record, strict=True)) for record in result]
        except (TransientError, SessionExpired, ServiceUnavailable):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


_ASSUMED_ENDS = frozenset(NodeLabel) - set(DEFAULT_EXCLUDED_LABELS)


#: Corridors of at most this many relationships come with the details of every path in them
#: (full relationship properties, shown node properties, evidence nodes), which saves the
#: details round trip for most queries; larger ones (up to thousands of relationships around
#: hubs) fetch the details of the k chosen paths only.
INLINE_DETAILS = 64


def _neo4j_candidates(
    store: GraphStore, spec: _Spec, shown: dict[str, Any] | None = None, best: int | None = None,
) -> list[_Candidate]:
    """Fetch the corridor (one query) and search it.

    The first query also returns the labels of the ends.  It is rendered with the types that fit
    any end label but Field/Topic (and without label tests when, for such ends, the schema
    makes them redundant); when an end turns out to need another type or a label test (a Field
    or Topic end with those labels excluded between), it runs once more with the right ones.
    When ``shown`` is given and the corridor is small, the details of its paths are put there
    (:func:`_inline_details`).
    """
    params: dict[str, Any] = {"source": spec.source, "target": spec.target, "hub_degree": HUB_DEGREE,
                              "inline_details": INLINE_DETAILS if shown is not None else -1}
    guess = spec.rel_types(_ASSUMED_ENDS)
    if not guess:  # nothing to search with: only check the ends
        rows = _read(store, cypher.load("queries/paths/endpoints"), {"ids": [spec.source, spec.target]})
        spec.check_ends({r["id"]: NodeLabel(r["label"]) for r in rows})
        return []
    query, extra = _corridor_query(store, guess, spec, _ASSUMED_ENDS)
    row = _read(store, query, params | extra)[0]
    ends = spec.check_ends({
        spec.source: NodeLabel(row["source_label"]) if row["source_label"] else None,
        spec.target: NodeLabel(row["target_label"]) if row["target_label"] else None,
    })
    types = spec.rel_types(ends)
    if not types:
        return []
    if not types <= guess or (
        not set(ends) <= _ASSUMED_ENDS  # the guess may have left out a label test these ends need
        and _barred_reachable(guess, spec.labels, ends)
        and not _barred_reachable(guess, spec.labels, _ASSUMED_ENDS)
    ):
        query, extra = _corridor_query(store, types, spec, frozenset(ends))
        row = _read(store, query, params | extra)[0]
    if row["shortest"] is None:
        return []
    if shown is not None and row["inline"]:
        shown["details"] = _inline_details(row)
    view = _CorridorView()
    view.add(row)
    return _Search(view, spec, types).run(best)


def _inline_details(row: Mapping[str, Any]) -> _DetailMaps:
    """The details a small corridor brought along, in the shape :func:`_details` returns (a
    superset: every relationship and node of the corridor)."""
    rels: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    nodes: dict[str, NodeRecord] = {}
    for r in row["detail_rels"]:
        props = dict(r["props"])
        props.pop("key", None)
        rels[(r["src"], r["type"], r["dst"], r["key"])] = props
    for node_id, label, _, _, props in row["nodes"]:
        nodes[node_id] = NodeRecord.model_construct(
            id=node_id, label=NodeLabel(label), props={k: v for k, v in (props or {}).items() if v is not None})
    for n in row["evidence"]:
        nodes[n["id"]] = NodeRecord.model_construct(
            id=n["id"], label=NodeLabel(n["label"]), props={k: v for k, v in n["props"].items() if v is not None})
    return rels, nodes


@functools.lru_cache(maxsize=256)
def _corridor_text(
    rel_types: frozenset[RelType], labels: frozenset[NodeLabel], groups: int, max_hops: int,
    end_labels: frozenset[NodeLabel] | None = None,
) -> str:
    """The corridor query searching in Cypher (queries/paths/search_cypher); the interior label
    tests are left out when ``end_labels`` is given and the schema rules out a barred interior
    node (:func:`_barred_reachable`)."""
    filtered = end_labels is None or _barred_reachable(rel_types, labels, end_labels)
    path_filter = (
        f"WHERE all(n IN nodes(p) WHERE n = a OR n = b OR {_label_test('n', labels)})" if filtered else ""
    )
    search = _render("queries/paths/search_cypher", rel_types, max_hops=max_hops, path_filter=path_filter,
                     detours=_detour_branches(rel_types, labels, groups, max_hops, filtered=filtered))
    return _render("queries/paths/corridor", rel_types, search=search)


#: The procedure (tools/neo4j-launcher, Corridor.java) that finds the corridor inside Neo4j.
CORRIDOR_PROCEDURE = "xiaoqi.paths.corridor"
#: Whether the procedure may use the dense nodes' relationships it keeps across calls (until the
#: next write); False makes every call read them afresh (the benchmark's A/B).
SHARED_ADJACENCY = True
# Whether a driver's DBMS has it, asked once per driver (a server gains a plugin only by a restart,
# which a long-lived driver outlives only in tests; they set the answer themselves).
_HAS_PROCEDURE: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
_SHARED_ARGUMENT = re.compile(r"[(,]\s*shared\b")  # in the signature SHOW PROCEDURES gives


def _has_procedure(store: GraphStore) -> bool:
    """Whether the server has :data:`CORRIDOR_PROCEDURE` in the version this module calls (a
    plugin jar older than the app, without the ``shared`` argument, counts as missing: the
    Cypher search gives the same answers)."""
    driver = store.driver  # type: ignore[attr-defined]
    known = _HAS_PROCEDURE.get(driver)
    if known is None:
        rows = _read(store, "SHOW PROCEDURES YIELD name, signature WHERE name = $name RETURN signature",
                     {"name": CORRIDOR_PROCEDURE})
        known = _HAS_PROCEDURE[driver] = any(_SHARED_ARGUMENT.search(r["signature"]) for r in rows)
        if rows and not known:
            _log.warning("Neo4j has %s but an older version (%s); path queries use the Cypher search "
                         "until the plugin jar is updated", CORRIDOR_PROCEDURE, rows[0]["signature"])
    return known


@functools.cache
def _procedure_corridor_text() -> str:
    """The corridor query searching with :data:`CORRIDOR_PROCEDURE` (types, labels and bounds
    are parameters, so one text serves every query)."""
    return _render("queries/paths/corridor", RelType, search=cypher.load("queries/paths/search_procedure"))


def _corridor_query(
    store: GraphStore, rel_types: frozenset[RelType], spec: _Spec, end_labels: frozenset[NodeLabel],
) -> tuple[str, dict[str, Any]]:
    """The corridor query for ``spec`` and the parameters it needs besides the ends'."""
    if not _has_procedure(store):
        return _corridor_text(rel_types, spec.labels, spec.groups, spec.max_hops, end_labels), {}
    filtered = _barred_reachable(rel_types, spec.labels, end_labels)
    return _procedure_corridor_text(), {
        "types": sorted(t.value for t in rel_types),
        "labels": sorted(lb.value for lb in spec.labels) if filtered else None,
        "max_hops": spec.max_hops, "groups": spec.groups, "shared": SHARED_ADJACENCY,
    }


# --------------------------------------------------------------------------- scoring


def _score(candidates: Sequence[_Candidate], limit: int | None = None) -> list[_Candidate]:
    """Keep the cheapest candidate per node sequence (costed by the search), rank by (cost, hops, ids).

    Among parallel candidates (same nodes) of equal cost the first by (types, keys) is kept; the
    kept ones have distinct node sequences, so the ranking is a total order.  ``limit``: only
    the first so many are returned."""
    best: dict[tuple[str, ...], _Candidate] = {}
    for c in candidates:  # the search costed each hop with edge_cost (as_of = the spec's)
        prev = best.get(c.ids)
        if prev is None or c.cost < prev.cost or (
            c.cost == prev.cost and (c.types, c.keys) < (prev.types, prev.keys)
        ):
            best[c.ids] = c
    return sorted(best.values(), key=lambda c: (c.cost, len(c.edges), c.ids))[:limit]


# --------------------------------------------------------------------------- showing paths

#: Node properties an explanation reads (both backends show exactly these).
_SHOWN_KEYS = ("name", "title", "application_number", "year", "application_date", "batch")


_DetailMaps = tuple[dict[tuple[str, str, str, str], dict[str, Any]], dict[str, NodeRecord]]


def _details(
    store: GraphStore, idents: Sequence[tuple[str, str, str, str]], node_ids: Iterable[str]
) -> _DetailMaps:
    """Full properties of the shown relationships, and the shown nodes — the path nodes plus
    the ids the relationships name as evidence — with the properties explanations read."""
    idents = sorted(set(idents))
    rels: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    nodes: dict[str, NodeRecord] = {}
    if is_neo4j(store):
        rows = _read(store, cypher.load("queries/paths/details"), {
            "rels": [{"src": s, "type": t, "dst": d, "key": k} for s, t, d, k in idents],
            "ids": sorted(set(node_ids)),
        })
        for r in rows[0]["rels"] if rows else []:
            props = dict(r["props"])
            props.pop("key", None)
            rels[(r["src"], r["type"], r["dst"], r["key"])] = props
        for n in rows[0]["nodes"] if rows else []:
            nodes[n["id"]] = NodeRecord.model_construct(
                id=n["id"], label=NodeLabel(n["label"]), props={k: v for k, v in n["props"].items() if v is not None})
        return rels, nodes
    g = store.graph()
    wanted = set(node_ids)
    for s, t, d, k in idents:
        data = g.get_edge_data(s, d, key=f"{t}|{k}") or {}
        rels[(s, t, d, k)] = {name: v for name, v in data.items() if name != "type"}
        evidence = rels[(s, t, d, k)].get("evidence")
        if isinstance(evidence, list):
            wanted.update(str(e) for e in evidence)
    for node_id, rec in store.get_nodes(sorted(wanted)).items():
        nodes[node_id] = NodeRecord.model_construct(
            id=node_id, label=rec.label, props={k: rec.props[k] for k in _SHOWN_KEYS if rec.props.get(k) is not None})
    return rels, nodes


class _Shower:
    """Turns scored candidates into :class:`Path` results with one batch of reads."""

    def __init__(self, store: GraphStore, chosen: Sequence[_Candidate], shown: Mapping[str, Any] | None = None) -> None:
        if shown and "details" in shown:  # brought along by the corridor query
            self.rels, self.nodes = shown["details"]
            return
        idents = [c.ident(i) for c in chosen for i in range(c.hops)]
        self.rels, self.nodes = _details(store, idents, {n for c in chosen for n in c.ids})

    def node(self, node_id: str, label: str) -> NodeRecord:
        rec = self.nodes.get(node_id)
        if rec is None:  # deleted between the two reads: show the id
            rec = NodeRecord.model_construct(id=node_id, label=NodeLabel(label), props={})
        return rec

    def path(self, c: _Candidate) -> Path:
        nodes = [self.node(n, lb) for n, lb in zip(c.ids, c.labels, strict=True)]
        rels, hops = [], []
        for i in range(c.hops):
            ident = c.ident(i)
            props = self.rels.get(ident)
            if props is None:  # deleted between the two reads: show what the search read
                props = c.props(i)
            rels.append(RelRecord.model_construct(
                src=ident[0], type=RelType(ident[1]), dst=ident[2], key=ident[3], props=props))
            shown = {k: v for k, v in props.items() if k not in PROVENANCE_KEYS}
            hops.append(PathHop(
                type=RelType(ident[1]), src=ident[0], dst=ident[2], key=ident[3],
                direction="out" if ident[0] == c.ids[i] else "in", props=shown,
                cost=c.costs[i],
            ))
        return Path(
            nodes=[PathNode(id=n.id, label=n.label, name=n.name) for n in nodes],
            hops=hops,
            cost=c.cost,
            explanation=explain_hops(nodes, rels, lookup=self.nodes),
            summary=path_summary(nodes, cost=c.cost),
        )



# --------------------------------------------------------------------------- the queries


def collaboration_paths(
    store: GraphStore,
    source_id: str,
    target_id: str,
    *,
    k: int = 3,
    max_hops: int = 4,
    include_labels: Iterable[NodeLabel | str] | None = None,
    exclude_labels: Iterable[NodeLabel | str] | None = None,
    include_rel_types: Iterable[RelType | str] | None = None,
    exclude_rel_types: Iterable[RelType | str] | None = None,
    as_of: int | None = None,
) -> list[Path]:
    """The k strongest short chains of ties between two entities (合作路径).

    Any two entities: people, teams, organisations, patents, demands, results.  Direction is
    ignored.  Candidates are every shortest path plus the hub-free paths one hop longer, within
    ``max_hops`` (module docstring); they are ranked by (cost, hops, node ids).

    Args:
        store: either backend; both give the same answer.
        source_id, target_id: entity ids.
        k: how many paths, 1..10.
        max_hops: longest path, 1..6.
        include_labels: kinds of node allowed *between* the ends (default: all).
        exclude_labels: kinds of node not allowed between the ends (default: Field, Topic;
            pass ``()`` to allow them).
        include_rel_types: relationship types allowed (default: all).
        exclude_rel_types: relationship types not allowed.
        as_of: the year recency counts from (default: this year).

    Returns:
        Up to k :class:`Path`, best first; empty when no path is within reach.

    Raises:
        NotFound: an id is not in the graph.
        QueryError: bounds out of range, unknown kinds, or source = target.

    Example::

        for p in collaboration_paths(store, "person:zs", "org:firm", k=3):
            print(p.summary, *p.explanation, sep="\\n  ")

    Cost: Neo4j — one round trip (the corridor query) when the corridor has at most
    INLINE_DETAILS relationships, else a second one for the shown hops' properties; embedded —
    two BFS balls and a pruned DFS on the snapshot (module docstring).  Scoring is
    O(candidates × hops), candidates ≤ CANDIDATE_LIMIT; each relationship is costed once.
    """
    k = _bounded("k", k, K_BOUNDS)
    spec = _spec(
        source_id, target_id, max_hops=max_hops, hop_bounds=MAX_HOPS_BOUNDS,
        groups=PATH_GROUPS, include_labels=include_labels, exclude_labels=exclude_labels,
        include_rel_types=include_rel_types, exclude_rel_types=exclude_rel_types, as_of=as_of,
    )
    shown: dict[str, Any] = {}
    chosen = _score(_candidates(store, spec, shown, best=k), k)
    if not chosen:
        return []
    shower = _Shower(store, chosen, shown)
    return [shower.path(s) for s in chosen]


@dataclass
class _Tally:
    enterprise_cost: float
    researcher_cost: float
    paths: int
    best: _Candidate


def who_can_introduce(
    store: GraphStore,
    enterprise_id: str,
    researcher_id: str,
    *,
    limit: int = 10,
    max_hops: int = 4,
    as_of: int | None = None,
) -> list[Introducer]:
    """People who could introduce an enterprise to a researcher (谁能引荐), best first.

    An introducer is a person inside a candidate path from the enterprise to the researcher
    (every shortest path plus the hub-free paths up to two hops longer, within ``max_hops``;
    Field and Topic nodes left out): an engineer of the firm who co-invented with the
    researcher, a professor who mentors the firm and works with the researcher, an alumnus of
    the researcher's university now at the firm …  For each person, over the paths through them:

    * ``enterprise_cost`` c_E = cheapest chain enterprise → person,
    * ``researcher_cost`` c_R = cheapest chain person → researcher,
    * n = distinct paths through the person;

    ``score = 1/(1+c_E) · 1/(1+c_R) · (1 + 0.1·min(n−1, 5))`` — strong ties on both sides
    first, several independent routes a little better than one.  Ties break by c_E + c_R, then
    person id.

    Args:
        store: either backend.
        enterprise_id: an Organization id.
        researcher_id: a Person id.
        limit: how many introducers, 1..50.
        max_hops: longest path enterprise → researcher, 2..6.
        as_of: the year recency counts from (default: this year).

    Returns:
        Up to ``limit`` :class:`Introducer`, each with its best path explained hop by hop.

    Raises:
        NotFound: an id is not in the graph.
        QueryError: bad bounds, or the ids are not an organisation and a person.
    """
    limit = _bounded("limit", limit, INTRODUCER_LIMIT_BOUNDS)
    spec = _spec(
        enterprise_id, researcher_id, max_hops=max_hops, hop_bounds=INTRODUCER_HOPS_BOUNDS,
        groups=INTRODUCER_GROUPS, include_labels=None, exclude_labels=None,
        include_rel_types=None, exclude_rel_types=None, as_of=as_of,
        source_label=NodeLabel.ORGANIZATION, target_label=NodeLabel.PERSON,
    )
    tallies: dict[str, _Tally] = {}
    shown: dict[str, Any] = {}
    person = NodeLabel.PERSON.value
    for c in _score(_candidates(store, spec, shown)):
        ids, costs, label = c.ids, c.costs, c.view.label
        # Hop costs have at most 6 decimals (edge_cost rounds them), so plain running sums
        # rounded to 9 digits equal the rounded exact sums (math.fsum of the slices).
        run = 0.0
        for i in range(1, c.hops):
            run += costs[i - 1]
            if label(ids[i]) != person:
                continue
            before = round(run, 9)
            after = round(c.cost - run, 9)
            tally = tallies.get(ids[i])
            if tally is None:
                tallies[ids[i]] = _Tally(before, after, 1, c)
            else:
                tally.enterprise_cost = min(tally.enterprise_cost, before)
                tally.researcher_cost = min(tally.researcher_cost, after)
                tally.paths += 1  # candidates come ranked: the first one seen is the best
    ranked = []
    for person_id, tally in tallies.items():
        bonus = 1 + PATH_BONUS * min(tally.paths - 1, PATH_BONUS_CAP)
        score = round(bonus / ((1 + tally.enterprise_cost) * (1 + tally.researcher_cost)), 6)
        ranked.append((-score, round(tally.enterprise_cost + tally.researcher_cost, 9), person_id, score, tally))
    ranked.sort(key=lambda r: r[:3])
    ranked = ranked[:limit]
    if not ranked:
        return []
    shower = _Shower(store, [r[4].best for r in ranked], shown)
    out = []
    for _, _, person_id, score, tally in ranked:
        path = shower.path(tally.best)
        person = next(n for n in path.nodes if n.id == person_id)
        enterprise, researcher = path.nodes[0], path.nodes[-1]
        routes = f"，共{tally.paths}条路径" if tally.paths > 1 else ""
        summary = (
            f"{person.name}可引荐：与{enterprise.name}联系代价{tally.enterprise_cost:.2f}，"
            f"与{researcher.name}联系代价{tally.researcher_cost:.2f}{routes}（评分{score:.3f}）"
        )
        out.append(Introducer(
            person=person, score=score, enterprise_cost=tally.enterprise_cost,
            researcher_cost=tally.researcher_cost, path_count=tally.paths, best_path=path,
            explanation=path.explanation, summary=summary,
        ))
    return out
