"""The one interface both stores implement, and the logic they share.

A store holds :class:`~graph.model.NodeRecord` and :class:`~graph.model.RelRecord`.  Writes
are upserts keyed by node id and by relationship identity ``(src, type, dst, key)``; a batch
given to :meth:`GraphStore.write` is applied atomically (all of it or none of it), so a
process killed mid-ingest leaves every batch either fully there or absent.

Property updates merge: keys in the new record replace the stored ones, keys not mentioned
stay (several sources describe the same organisation).  A record whose values are all equal
to the stored ones — ignoring the ``run_id`` that wrote it — is *unchanged* and not written
again, so loading the same input twice changes nothing.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from graph.errors import DanglingRelationship, SchemaError
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType, check_endpoints, rel_identity

__all__ = [
    "GraphStore",
    "WriteSummary",
    "Counts",
    "Direction",
    "Document",
    "diff_nodes",
    "diff_relationships",
    "check_relationship_endpoints",
    "chunks",
]

Direction = Literal["out", "in", "both"]
_IGNORED_IN_DIFF = frozenset({"run_id"})


@dataclass
class WriteSummary:
    """How many records a write created, updated or left unchanged."""

    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    rels_created: int = 0
    rels_updated: int = 0
    rels_unchanged: int = 0

    def __iadd__(self, other: WriteSummary) -> WriteSummary:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def changed(self) -> int:
        return self.nodes_created + self.nodes_updated + self.rels_created + self.rels_updated

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Document:
    """A JSON document kept beside the graph (person mentions, corrections, ledger entries).

    ``tag`` is an indexed secondary key (e.g. the person name of a mention).
    """

    collection: str
    key: str
    doc: dict[str, Any]
    tag: str = ""


@dataclass
class Counts:
    """Number of nodes per label and relationships per type (zero counts omitted)."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


def _same(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    for key, value in new.items():
        if key in _IGNORED_IN_DIFF:
            continue
        current = old.get(key)
        if isinstance(value, float) or isinstance(current, float):
            if current is None or value is None or abs(float(current) - float(value)) > 1e-12:
                return False
        elif current != value:
            return False
    return True


def _merged(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    merged.update(new)
    return merged


def diff_nodes(
    records: Sequence[NodeRecord], existing: Mapping[str, NodeRecord]
) -> tuple[list[NodeRecord], WriteSummary]:
    """Split records into those to write (with merged properties) and a summary.

    Records with the same id inside one batch are folded together in order.

    Raises:
        SchemaError: a record's label differs from the stored node's label.
    """
    summary = WriteSummary()
    folded: dict[str, NodeRecord] = {}
    for rec in records:
        prev = folded.get(rec.id)
        if prev is not None:
            if prev.label != rec.label:
                raise SchemaError(f"{rec.id} 同批次出现两种类型 {prev.label}/{rec.label}")
            rec = NodeRecord(id=rec.id, label=rec.label, props=_merged(prev.props, rec.props))
        folded[rec.id] = rec
    out: list[NodeRecord] = []
    for node_id in sorted(folded):
        rec = folded[node_id]
        old = existing.get(node_id)
        if old is None:
            summary.nodes_created += 1
            out.append(rec)
        elif old.label != rec.label:
            raise SchemaError(f"{node_id} 已是 {old.label}，不能再写成 {rec.label}")
        elif _same(old.props, rec.props):
            summary.nodes_unchanged += 1
        else:
            summary.nodes_updated += 1
            out.append(NodeRecord(id=node_id, label=rec.label, props=_merged(old.props, rec.props)))
    return out, summary


def diff_relationships(
    records: Sequence[RelRecord], existing: Mapping[tuple[str, str, str, str], RelRecord]
) -> tuple[list[RelRecord], WriteSummary]:
    """Like :func:`diff_nodes` for relationships, keyed by ``(src, type, dst, key)``."""
    summary = WriteSummary()
    folded: dict[tuple[str, str, str, str], RelRecord] = {}
    for rec in records:
        ident = rel_identity(rec)  # = rec.identity, without the enum's descriptor
        prev = folded.get(ident)
        if prev is not None:
            rec = rec.model_copy(update={"props": _merged(prev.props, rec.props)})
        folded[ident] = rec
    out: list[RelRecord] = []
    for ident in sorted(folded):
        rec = folded[ident]
        old = existing.get(ident)
        if old is None:
            summary.rels_created += 1
            out.append(rec)
        elif _same(old.props, rec.props):
            summary.rels_unchanged += 1
        else:
            summary.rels_updated += 1
            out.append(rec.model_copy(update={"props": _merged(old.props, rec.props)}))
    return out, summary


def check_relationship_endpoints(
    rels: Sequence[RelRecord], labels: Mapping[str, NodeLabel], *, ends: AbstractSet[str] | None = None
) -> None:
    """Refuse relationships to unknown nodes or between kinds the schema does not allow (each
    (type, kind, kind) checked once: a batch holds thousands of the same few).

    ``ends``, when the caller has it, is the set of the relationships' endpoint ids (saves
    collecting it again)."""
    if ends is None:
        ends = {i for r in rels for i in (r.src, r.dst)}
    missing = sorted({i for i in ends if i not in labels})
    if missing:
        raise DanglingRelationship(missing)
    label = labels.__getitem__
    for kind in dict.fromkeys((r.type, label(r.src), label(r.dst)) for r in rels):  # in order met
        check_endpoints(*kind)


class GraphStore(abc.ABC):
    """A property graph of XiaoQi entities.  Two implementations: embedded and Neo4j.

    Use as a context manager or call :meth:`close`.
    """

    backend: str = "abstract"

    # ------------------------------------------------------------------ lifecycle
    @abc.abstractmethod
    def apply_schema(self) -> list[str]:
        """Apply pending versioned schema migrations; return the names applied now."""

    @abc.abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A block that writes many batches in a row (an ingest run): a store may tune itself
        for it meanwhile; what is written is the same. Nothing to tune by default."""
        yield

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete every node, relationship, document and run log entry; the schema stays."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writes
    @abc.abstractmethod
    def write(
        self,
        nodes: Iterable[NodeRecord] = (),
        relationships: Iterable[RelRecord] = (),
        *,
        documents: Iterable[Document] = (),
        delete_node_ids: Iterable[str] = (),
        delete_documents: Iterable[tuple[str, str]] = (),
    ) -> WriteSummary:
        """Apply one batch atomically (one transaction), in this order: delete the nodes in
        ``delete_node_ids`` (with their relationships) and the ``(collection, key)`` documents
        in ``delete_documents``; upsert ``nodes``; upsert ``relationships``; put ``documents``.

        Raises:
            DanglingRelationship: a relationship endpoint is neither stored nor in ``nodes``.
            SchemaError: an endpoint pair is not allowed for the relationship type.
        """

    def upsert_nodes(self, nodes: Iterable[NodeRecord]) -> WriteSummary:
        return self.write(nodes, ())

    def upsert_relationships(self, relationships: Iterable[RelRecord]) -> WriteSummary:
        return self.write((), relationships)

    @abc.abstractmethod
    def delete_nodes(self, ids: Iterable[str]) -> int:
        """Delete nodes and every relationship touching them; return nodes deleted."""

    @abc.abstractmethod
    def delete_relationships(self, identities: Iterable[tuple[str, str, str, str]]) -> int:
        """Delete relationships by ``(src, type, dst, key)``; return how many were deleted."""

    # ------------------------------------------------------------------ reads
    @abc.abstractmethod
    def get_nodes(self, ids: Iterable[str]) -> dict[str, NodeRecord]:
        """The stored nodes among ``ids`` (missing ids are absent from the result)."""

    def get_node(self, node_id: str) -> NodeRecord | None:
        return self.get_nodes([node_id]).get(node_id)

    @abc.abstractmethod
    def find_nodes(
        self,
        label: NodeLabel | None = None,
        *,
        name_contains: str | None = None,
        where: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[NodeRecord]:
        """Nodes of a label whose name contains a text and whose properties equal ``where``.

        Ordered by name then id (code-point order on both backends).
        """

    @abc.abstractmethod
    def relationships(
        self,
        node_id: str,
        *,
        types: Iterable[RelType] | None = None,
        direction: Direction = "both",
        limit: int | None = None,
    ) -> list[RelRecord]:
        """Relationships at a node, ordered by (type, src, dst, key); the first ``limit`` of
        them when given (a university or a field has tens of thousands)."""

    @abc.abstractmethod
    def iter_nodes(self, label: NodeLabel | None = None) -> Iterator[NodeRecord]:
        """Every node (of a label), ordered by id."""

    @abc.abstractmethod
    def iter_relationships(self, rel_type: RelType | None = None) -> Iterator[RelRecord]:
        """Every relationship (of a type), ordered by (src, type, dst, key)."""

    def iter_edges(self, rel_type: RelType) -> Iterator[tuple[str, str]]:
        """``(src, dst)`` of every relationship of a type, in :meth:`iter_relationships`
        order: for callers that need only the ends (a store may skip reading properties)."""
        for r in self.iter_relationships(rel_type):
            yield r.src, r.dst

    @abc.abstractmethod
    def counts(self) -> Counts: ...

    def graph(self) -> nx.MultiDiGraph:
        """A networkx snapshot of the whole graph for algorithms.

        Nodes carry ``label`` and their properties; edges are keyed ``"TYPE|key"`` and carry
        ``type`` and their properties.  Builds it from :meth:`iter_nodes` and
        :meth:`iter_relationships`; the embedded store caches it between writes.
        """
        g = nx.MultiDiGraph()
        for n in self.iter_nodes():
            g.add_node(n.id, label=n.label.value, **n.props)
        for r in self.iter_relationships():
            g.add_edge(r.src, r.dst, key=f"{r.type.value}|{r.key}", type=r.type.value, **r.props)
        return g

    # ------------------------------------------------------------------ documents
    @abc.abstractmethod
    def get_documents(
        self,
        collection: str,
        *,
        keys: Iterable[str] | None = None,
        tag: str | Iterable[str] | None = None,
    ) -> dict[str, Document]:
        """Documents of a collection, all or by keys or by tag, keyed by document key."""

    def put_documents(self, documents: Iterable[Document]) -> None:
        self.write(documents=documents)

    # ------------------------------------------------------------------ ingest runs
    @abc.abstractmethod
    def record_run(self, run_id: str, info: Mapping[str, Any]) -> None:
        """Store (or update) the log entry of an ingest run: status, times, counts."""

    @abc.abstractmethod
    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest ingest runs, newest first."""


def chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of ``seq`` of at most ``size`` items."""
    for start in range(0, len(seq), size):
        yield seq[start : start + size]
