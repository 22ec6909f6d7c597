"""The production store: Neo4j 5 through the official ``neo4j`` driver (6.x).

* Schema: versioned files ``cypher/schema/V*.cypher`` applied once each, recorded as
  ``(:SchemaMigration {version})``.
* Writes: one managed transaction per :meth:`Neo4jStore.write` call (``execute_write``, so
  transient errors such as deadlocks are retried: every write must be idempotent), rows
  batched as ``UNWIND`` sorted by key, one query per label or relationship type.  Each batch
  reads back the stored values of its existing records (one record back), so unchanged
  records are not written again; relationships are always found from both bound endpoints
  (Expand(Into)), never by expanding every relationship of a dense node.
* Relationship batches (``write/put_relationships``): ONE query takes the write lock of every
  endpoint, reads back the stored rows and creates the absent ones with a plain ``CREATE`` (no
  concurrent writer can add them before this transaction commits); only changed rows go
  through ``MERGE`` afterwards.  The batches are pipelined: the next one's parameters are built
  while the server runs this one.
* Values travel only as parameters; labels and types come from the enums via
  :func:`cypher.render`.
* Works with ``bolt://`` and ``neo4j://`` (routing) URIs; reads are routed to readers.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter, eq, le, lt
from typing import Any

import neo4j
import networkx as nx
from neo4j import GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.exceptions import AuthError, ServiceUnavailable

import cypher
from graph.errors import DanglingRelationship, StoreError, StoreUnavailable
from graph.model import (
    ID_PREFIXES,
    RELATIONSHIP_SCHEMA,
    NodeLabel,
    NodeRecord,
    RelRecord,
    RelType,
    label_of_id,
)
from graph.store.base import (
    _IGNORED_IN_DIFF,
    Counts,
    Direction,
    Document,
    GraphStore,
    WriteSummary,
    check_relationship_endpoints,
    diff_nodes,
    diff_relationships,
)
from graph.store.base import (
    chunks as _chunks,
)

__all__ = ["Neo4jStore"]

_PAGE = 5000


@dataclass
class _Batch:
    nodes: list[NodeRecord]
    rels: list[RelRecord]
    docs: list[Document]
    doomed: list[str]
    doomed_docs: list[tuple[str, str]]


def _doc_id(collection: str, key: str) -> str:
    return f"{collection}\x1f{key}"


def _node(row: Mapping[str, Any]) -> NodeRecord:
    props = dict(row["props"])
    props.pop("id", None)
    return NodeRecord.model_construct(id=row["id"], label=NodeLabel(row["label"]), props=props)


def _rel(row: Mapping[str, Any], rel_type: str | None = None) -> RelRecord:
    props = dict(row["props"])
    props.pop("key", None)
    return RelRecord.model_construct(
        src=row["src"], type=RelType(rel_type or row["type"]), dst=row["dst"],
        key=row["key"] or "", props=props,
    )


class Neo4jStore(GraphStore):
    """A :class:`GraphStore` in a Neo4j 5 database.

    Args:
        uri: ``bolt://host:7687`` or ``neo4j://host:7687``.
        auth: ``(user, password)`` or ``None`` for a server with auth disabled.
        database: the database name.
        batch_size: rows per ``UNWIND`` statement.
    """

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None = None,
        *,
        database: str = "neo4j",
        batch_size: int = 10000,
        apply_schema: bool = True,
    ) -> None:
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        # Notifications (e.g. "relationship type does not exist" on an empty database) are
        # planner hints, not errors; they would flood the log.
        self._driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
        try:
            self._driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError) as exc:
            self._driver.close()
            raise StoreUnavailable(
                f"无法连接 Neo4j (cannot reach Neo4j) at {uri}: {exc}. "
                "Start the local one with `scripts/neo4j.sh start` or check KG_NEO4J_URI."
            ) from exc
        self._graph: nx.MultiDiGraph | None = None
        self._graph_generation = -1
        if apply_schema:
            self.apply_schema()

    @property
    def driver(self) -> neo4j.Driver:
        """The driver, for the query services that run Cypher of their own."""
        return self._driver

    # ------------------------------------------------------------------ plumbing
    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a read query (routed to a reader) and return its records as dicts."""
        records, _, _ = self._driver.execute_query(
            query, dict(params or {}), database_=self.database, routing_=RoutingControl.READ
        )
        return [r.data() for r in records]

    def _write_query(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        self._driver.execute_query(
            query, dict(params or {}), database_=self.database, routing_=RoutingControl.WRITE
        )

    # ------------------------------------------------------------------ lifecycle
    def apply_schema(self) -> list[str]:
        done = {r["v"] for r in self.read("MATCH (m:SchemaMigration) RETURN m.version AS v")}
        applied = []
        for version, name, text in cypher.migrations():
            if version in done:
                continue
            for statement in _statements(text):
                self._write_query(statement)
            self._write_query(cypher.load("write/apply_migration"), {"version": version, "name": name})
            applied.append(f"V{version:04d}__{name}")
        if applied:
            self._driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        return applied

    def close(self) -> None:
        self._driver.close()

    # ------------------------------------------------------------------ writes
    def write(
        self,
        nodes: Iterable[NodeRecord] = (),
        relationships: Iterable[RelRecord] = (),
        *,
        documents: Iterable[Document] = (),
        delete_node_ids: Iterable[str] = (),
        delete_documents: Iterable[tuple[str, str]] = (),
    ) -> WriteSummary:
        batch = _Batch(
            nodes=list(nodes), rels=list(relationships), docs=list(documents),
            doomed=sorted(set(delete_node_ids)), doomed_docs=sorted(set(delete_documents)),
        )
        if not (batch.nodes or batch.rels or batch.docs or batch.doomed or batch.doomed_docs):
            return WriteSummary()
        with self._driver.session(database=self.database) as session:
            return session.execute_write(self._write_tx, batch)

    def _write_tx(self, tx: ManagedTransaction, batch: _Batch) -> WriteSummary:
        summary = WriteSummary()
        nodes, rels = batch.nodes, batch.rels
        deleted = 0
        for chunk in _chunks(batch.doomed, self.batch_size):
            deleted += tx.run(cypher.load("write/delete_nodes"), ids=list(chunk)).single()["deleted"]
        if batch.doomed_docs:
            rows = [{"doc_id": _doc_id(c, k)} for c, k in batch.doomed_docs]
            tx.run(cypher.load("write/delete_documents"), rows=rows).consume()
        summary += self._write_nodes(tx, nodes)
        if rels:
            summary += self._write_rels(tx, rels)
        if batch.docs:
            rows = [
                {"doc_id": _doc_id(d.collection, d.key), "collection": d.collection, "key": d.key,
                 "tag": d.tag, "doc": json.dumps(d.doc, ensure_ascii=False, sort_keys=True)}
                for d in sorted(batch.docs, key=lambda d: (d.collection, d.key))
            ]
            for chunk in _chunks(rows, self.batch_size):
                tx.run(cypher.load("write/upsert_documents"), rows=list(chunk)).consume()
        if summary.changed or deleted:
            tx.run(cypher.load("write/bump_generation")).consume()
        return summary

    def get_documents(
        self,
        collection: str,
        *,
        keys: Iterable[str] | None = None,
        tag: str | Iterable[str] | None = None,
    ) -> dict[str, Document]:
        tags = [tag] if isinstance(tag, str) else sorted(set(tag)) if tag is not None else None
        rows = self.read(
            cypher.load("read/documents"),
            {"collection": collection, "keys": sorted(set(keys)) if keys is not None else None,
             "tags": tags},
        )
        return {r["key"]: Document(collection, r["key"], json.loads(r["doc"]), r["tag"]) for r in rows}

    def _fetch_nodes(self, tx: ManagedTransaction, ids: Sequence[str]) -> dict[str, NodeRecord]:
        out: dict[str, NodeRecord] = {}
        query = cypher.load("read/nodes_by_id")
        for chunk in _chunks(sorted(set(ids)), _PAGE):
            for row in tx.run(query, ids=list(chunk)):
                out[row["id"]] = _node(row)
        return out

    # A write reads before it writes: the batch is compared with what is stored so that
    # unchanged records are not written again (and counted as such).  For nodes the read step
    # (write/stored_nodes) sends only ids and answers with ONE record holding the stored values
    # of the rows that exist, so a new record's values travel once, to the query that writes
    # it; for relationships write/put_relationships reads back and creates the absent rows in
    # one go (their values travel with the batch; a re-write sends them needlessly, but a new
    # batch — the case that counts — is written in one query).  Rows equal as given are
    # unchanged; the others
    # are judged here by diff_nodes/diff_relationships themselves — the same tolerance, the same
    # merged properties, the same counts as the embedded store.  (One Bolt record per stored
    # row, decoded in Python, was what made reading back slow before.)

    def _write_nodes(self, tx: ManagedTransaction, nodes: Sequence[NodeRecord]) -> WriteSummary:
        summary = WriteSummary()
        folded = _folded_nodes(nodes)
        by_label: dict[NodeLabel, list[dict[str, Any]]] = defaultdict(list)
        query = cypher.load("write/stored_nodes")
        for chunk in _chunks(folded, self.batch_size):
            found = tx.run(query, ids=[n.id for n in chunk]).single()
            present: set[int] = set()
            changed: dict[int, NodeRecord] = {}
            for i, label, props in found["stored"]:
                present.add(i)
                given = chunk[i]
                # As for relationships: equal as given is unchanged; diff_nodes judges the rest
                # (and refuses a label change).
                if label == given.label.value and _same_as_given(props, given.props):
                    summary.nodes_unchanged += 1
                else:
                    changed[i] = _node({"id": given.id, "label": label, "props": props})
            updated: dict[str, NodeRecord] = {}
            if changed:
                out, s = diff_nodes([chunk[i] for i in sorted(changed)],
                                    {n.id: n for n in changed.values()})
                summary += s
                updated = {n.id: n for n in out}
            for i, n in enumerate(chunk):
                if i in present:
                    if n.id not in updated:
                        continue
                    n = updated[n.id]
                else:
                    summary.nodes_created += 1
                by_label[n.label].append({"id": n.id, "props": n.props})
        for label in sorted(by_label):
            query = cypher.render("write/upsert_nodes", label=label)
            for chunk in _chunks(by_label[label], self.batch_size):
                tx.run(query, rows=chunk).consume()
        return summary

    def _write_rels(self, tx: ManagedTransaction, rels: Sequence[RelRecord]) -> WriteSummary:
        summary = WriteSummary()
        typed = _type_runs(rels)
        runs = [_rel_columns(*typed[0])]
        # Pipelined: the next batch's parameters are built while the server runs this one, and
        # this one's answer is read while the server runs the next (the driver buffers a
        # result before it sends the next query of the transaction).
        pending: tuple[Any, _RelBatch] | None = None
        changed: list[tuple[RelType, list[RelRecord], dict[tuple[str, str, str, str], RelRecord]]] = []
        for k in range(len(typed)):
            run = runs[k]
            query = cypher.render("write/put_relationships", rel_type=run.rel_type)
            for lo in range(0, len(run.srcs), self.batch_size):
                batch = run.part(lo, lo + self.batch_size)
                pos = dict(zip(batch.ids, range(len(batch.ids)), strict=True))
                result = tx.run(
                    query, ids=batch.ids, src=list(map(pos.__getitem__, batch.srcs)),
                    dst=list(map(pos.__getitem__, batch.dsts)), key=batch.keys, props=batch.props,
                )
                if pending is None:
                    # While the server runs the first batch: the other types' columns, and the
                    # endpoint kinds checked — before any answer is read, so a refused batch
                    # raises here, as it did before anything was sent, and is rolled back.
                    runs += [_rel_columns(*t) for t in typed[1:]]
                    self._check_endpoints(tx, rels, runs)
                else:
                    summary += self._put_answer(tx, *pending, changed)
                pending = (result, batch)
        if pending is not None:
            summary += self._put_answer(tx, *pending, changed)
        for rel_type, recs, stored in changed:
            out, s = diff_relationships(recs, stored)
            summary += s
            if out:
                rows = [{"src": r.src, "dst": r.dst, "key": r.key, "props": r.props} for r in out]
                tx.run(cypher.render("write/upsert_relationships", rel_type=rel_type), rows=rows).consume()
        return summary

    def _check_endpoints(
        self, tx: ManagedTransaction, rels: Sequence[RelRecord], runs: Sequence[_RelBatch]
    ) -> None:
        """Refuse relationships between kinds the schema does not allow, or to unknown ids.

        Endpoint kinds come from the id prefixes (NodeRecord enforces them); existence is
        checked by the write itself.  When every pair of kinds seen at the two ends of a type is
        allowed (the usual case: a type's batch joins one kind to one kind), the batch passes
        without a look at each relationship; otherwise :func:`check_relationship_endpoints`
        judges it, with ids of unknown prefix looked up — the same errors either way."""
        for run in runs:
            allowed = RELATIONSHIP_SCHEMA[run.rel_type]
            srcs = {ID_PREFIXES.get(i.split(":", 1)[0]) for i in set(run.srcs)}
            dsts = {ID_PREFIXES.get(i.split(":", 1)[0]) for i in set(run.dsts)}
            if any((s, d) not in allowed for s in srcs for d in dsts):
                break
        else:
            return
        endpoint_ids = {r.src for r in rels}
        endpoint_ids.update([r.dst for r in rels])
        labels = {i: lb for i in endpoint_ids if (lb := label_of_id(i)) is not None}
        unknown = sorted(i for i in endpoint_ids if i not in labels)
        if unknown:
            labels.update({n.id: n.label for n in self._fetch_nodes(tx, unknown).values()})
        check_relationship_endpoints(rels, labels)

    def _put_answer(
        self, tx: ManagedTransaction, result: Any, batch: _RelBatch, changed: list[Any],
    ) -> WriteSummary:
        """Read the answer of write/put_relationships for one batch: count the created and the
        unchanged rows, and keep the changed ones (with their stored values) for the diff."""
        summary = WriteSummary()
        found = result.single()
        if found["found"] != len(batch.ids):
            known = set(self._fetch_nodes(tx, batch.ids))
            raise DanglingRelationship([i for i in batch.ids if i not in known])
        if found["created"] + len(found["stored"]) != len(batch.srcs):  # cannot happen
            raise StoreError(f"{batch.rel_type} 关系只处理了 {found['created']}+{len(found['stored'])}"
                             f"/{len(batch.srcs)} 条 (created + found of {len(batch.srcs)})")
        summary.rels_created += found["created"]
        recs: list[RelRecord] = []
        stored: dict[tuple[str, str, str, str], RelRecord] = {}
        rel_type = batch.rel_type
        for i, props in found["stored"]:
            given = batch.props[i]
            # Values equal as given are unchanged for diff_relationships too; only the others
            # (few, when re-writing) are judged by it, with its float tolerance and merging.
            if _same_as_given(props, given):
                summary.rels_unchanged += 1
                continue
            src, dst, key = batch.srcs[i], batch.dsts[i], batch.keys[i]
            rec = RelRecord.model_construct(src=src, type=rel_type, dst=dst, key=key, props=given)
            recs.append(rec)
            stored[rec.identity] = _rel({"src": src, "dst": dst, "key": key, "props": props},
                                        rel_type.value)
        if recs:
            changed.append((rel_type, recs, stored))
        return summary

    def delete_nodes(self, ids: Iterable[str]) -> int:
        ids = sorted(set(ids))
        if not ids:
            return 0

        def work(tx: ManagedTransaction) -> int:
            deleted = 0
            for chunk in _chunks(ids, self.batch_size):
                deleted += tx.run(cypher.load("write/delete_nodes"), ids=list(chunk)).single()["deleted"]
            if deleted:
                tx.run(cypher.load("write/bump_generation")).consume()
            return deleted

        with self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    def delete_relationships(self, identities: Iterable[tuple[str, str, str, str]]) -> int:
        by_type: dict[RelType, list[dict[str, str]]] = defaultdict(list)
        for src, rel_type, dst, key in sorted(set(identities)):
            by_type[RelType(rel_type)].append({"src": src, "dst": dst, "key": key})
        if not by_type:
            return 0

        def work(tx: ManagedTransaction) -> int:
            deleted = 0
            for rel_type in sorted(by_type):
                query = cypher.render("write/delete_relationships", rel_type=rel_type)
                deleted += tx.run(query, rows=by_type[rel_type]).single()["deleted"]
            if deleted:
                tx.run(cypher.load("write/bump_generation")).consume()
            return deleted

        with self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    # ------------------------------------------------------------------ reads
    def get_nodes(self, ids: Iterable[str]) -> dict[str, NodeRecord]:
        out: dict[str, NodeRecord] = {}
        for chunk in _chunks(sorted(set(ids)), _PAGE):
            for row in self.read(cypher.load("read/nodes_by_id"), {"ids": list(chunk)}):
                out[row["id"]] = _node(row)
        return out

    def find_nodes(
        self,
        label: NodeLabel | None = None,
        *,
        name_contains: str | None = None,
        where: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[NodeRecord]:
        for key in where or {}:
            if not key.isidentifier():
                raise StoreError(f"bad property name {key!r}")
        params = {
            "name_contains": name_contains or None,
            "where": dict(where or {}),
            "limit": int(limit),
            "offset": int(offset),
        }
        # Separate texts with and without the name filter, so the filtered one can use the text index.
        suffix = "_named" if name_contains else ""
        if label is None:
            query = cypher.load(f"read/find_nodes{suffix}")
        else:
            query = cypher.render(f"read/find_nodes_labeled{suffix}", label=NodeLabel(label))
        return [_node(r) for r in self.read(query, params)]

    def relationships(
        self,
        node_id: str,
        *,
        types: Iterable[RelType] | None = None,
        direction: Direction = "both",
        limit: int | None = None,
    ) -> list[RelRecord]:
        if limit is not None and limit <= 0:
            return []
        params = {
            "id": node_id,
            "types": [RelType(t).value for t in types] if types is not None else None,
            "out": direction in ("out", "both"),
            "in": direction in ("in", "both"),
            "limit": int(limit) if limit is not None else 2**62,
        }
        return [_rel(r) for r in self.read(cypher.load("read/relationships_at"), params)]

    def iter_nodes(self, label: NodeLabel | None = None) -> Iterator[NodeRecord]:
        after = ""
        while True:
            rows = self.read(
                cypher.load("read/iter_nodes"),
                {"label": NodeLabel(label).value if label else None, "after": after, "limit": _PAGE},
            )
            for row in rows:
                yield _node(row)
            if len(rows) < _PAGE:
                return
            after = rows[-1]["id"]

    def iter_relationships(self, rel_type: RelType | None = None) -> Iterator[RelRecord]:
        after = ""
        while True:
            rows = self.read(
                "MATCH (a:Entity) WHERE a.id > $after RETURN a.id AS id ORDER BY a.id LIMIT $limit",
                {"after": after, "limit": _PAGE},
            )
            if not rows:
                return
            last = rows[-1]["id"]
            page = self.read(
                cypher.load("read/iter_relationships"),
                {"type": RelType(rel_type).value if rel_type else None, "after": after, "limit": _PAGE},
            )
            for row in page:
                yield _rel(row)
            if len(rows) < _PAGE:
                return
            after = last

    def counts(self) -> Counts:
        nodes = {r["label"]: r["n"] for r in self.read(cypher.load("read/counts_nodes"))}
        rels = {r["type"]: r["n"] for r in self.read(cypher.load("read/counts_relationships"))}
        return Counts(nodes=nodes, relationships=rels)

    def generation(self) -> int:
        return int(self.read(cypher.load("read/generation"))[0]["generation"])

    def graph(self) -> nx.MultiDiGraph:
        gen = self.generation()
        if self._graph is None or gen != self._graph_generation:
            self._graph = super().graph()
            self._graph_generation = gen
        return self._graph

    def clear(self) -> None:
        with self._driver.session(database=self.database) as session:
            # CALL … IN TRANSACTIONS needs an auto-commit transaction (session.run).
            session.run(
                "MATCH (n) WHERE n:Entity OR n:Document OR n:IngestRun "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
            ).consume()
        self._write_query(cypher.load("write/bump_generation"))

    # ------------------------------------------------------------------ ingest runs
    def record_run(self, run_id: str, info: Mapping[str, Any]) -> None:
        started = str(info.get("started_at") or datetime.now(UTC).isoformat())
        self._write_query(
            cypher.load("write/record_run"),
            {"run_id": run_id, "started_at": started,
             "info": json.dumps(dict(info), ensure_ascii=False, default=str)},
        )

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.read(cypher.load("read/runs"), {"limit": limit})
        return [
            {"run_id": r["run_id"], "started_at": r["started_at"], **json.loads(r["info"])}
            for r in rows
        ]


def _same_as_given(stored: dict[str, Any], given: dict[str, Any]) -> bool:
    """Every given property stored exactly so (provenance aside): the record is unchanged, the
    cheap case of diff_nodes/diff_relationships, which judge all the others."""
    return all(stored.get(k) == v for k, v in given.items() if k not in _IGNORED_IN_DIFF)


def _folded_nodes(nodes: Sequence[NodeRecord]) -> list[NodeRecord]:
    """The batch with repeated ids folded together, sorted by id (as :func:`diff_nodes` does)."""
    ids = [n.id for n in nodes]
    if len(set(ids)) == len(ids):
        return sorted(nodes, key=lambda n: n.id)
    return diff_nodes(nodes, {})[0]


_TYPE, _SRC, _DST, _KEY, _PROPS = map(attrgetter, ("type", "src", "dst", "key", "props"))


@dataclass
class _RelBatch:
    """Relationships of one type as columns, folded and sorted by identity; ``ids``: the
    distinct endpoint ids, sorted (filled by :meth:`part`)."""

    rel_type: RelType
    srcs: list[str]
    dsts: list[str]
    keys: list[str]
    props: list[dict[str, Any]]
    ids: list[str] = field(default_factory=list)

    def part(self, lo: int, hi: int) -> _RelBatch:
        srcs, dsts = self.srcs[lo:hi], self.dsts[lo:hi]
        return _RelBatch(self.rel_type, srcs, dsts, self.keys[lo:hi], self.props[lo:hi],
                         sorted(set(srcs).union(dsts)))


def _rel_runs(rels: Sequence[RelRecord]) -> list[_RelBatch]:
    """The batch as one column set per type, in type order (see :func:`_rel_columns`)."""
    return [_rel_columns(*t) for t in _type_runs(rels)]


def _type_runs(rels: Sequence[RelRecord]) -> list[tuple[RelType, Sequence[RelRecord]]]:
    """The records grouped by type, in type order, each group in input order."""
    types = list(map(_TYPE, rels))
    if not all(map(le, types, types[1:])):
        order = sorted(range(len(types)), key=types.__getitem__)  # stable
        rels = [rels[i] for i in order]
        types = [types[i] for i in order]
    runs: list[tuple[RelType, Sequence[RelRecord]]] = []
    lo = 0
    while lo < len(types):
        hi = bisect_right(types, types[lo], lo)
        runs.append((types[lo], rels[lo:hi]))
        lo = hi
    return runs


def _rel_columns(rel_type: RelType, rels: Sequence[RelRecord]) -> _RelBatch:
    """Relationships of one type as columns, sorted by identity, repeated identities folded
    together (later values win, as :func:`diff_relationships` folds).

    Written for speed at 10,000s of records: no object is kept per record (each would count
    toward the collector's next full pass over the whole heap, which in a loaded process costs
    more than all the rest), and only input that is out of order is sorted."""
    srcs = list(map(_SRC, rels))
    dsts = list(map(_DST, rels))
    keys = list(map(_KEY, rels))
    props = list(map(_PROPS, rels))

    def pairs() -> tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
        """Each link (src, dst, key) beside the next one, made on the fly."""
        return zip(srcs, dsts, keys, strict=True), zip(srcs[1:], dsts[1:], keys[1:], strict=True)

    if not all(map(lt, *pairs())):  # not already sorted without repeats
        if not all(map(le, *pairs())):
            order = sorted(range(len(srcs)), key=lambda i: (srcs[i], dsts[i], keys[i]))  # stable
            srcs, dsts, keys, props = ([col[i] for i in order] for col in (srcs, dsts, keys, props))
        # Sorted, repeats in input order: fold each repeat into the one before.
        repeats = [i + 1 for i, same in enumerate(map(eq, *pairs())) if same]
        for i in repeats:
            props[i] = {**props[i - 1], **props[i]}
        drop = set(repeats)
        last = [i for i in range(len(srcs)) if i + 1 not in drop]  # the last of each repeat
        srcs, dsts, keys, props = ([col[i] for i in last] for col in (srcs, dsts, keys, props))
    return _RelBatch(rel_type, srcs, dsts, keys, props)


def _statements(text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
