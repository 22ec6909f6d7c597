"""The embedded store: SQLite for durability, networkx for algorithms.

SQLite runs in WAL mode with ``synchronous=NORMAL`` inside explicit ``BEGIN IMMEDIATE``
transactions, so a batch is committed whole or not at all even when the process is killed,
and readers never block the writer.  Foreign keys tie relationships to their endpoints, so
the file can never hold a dangling relationship.

A ``generation`` counter in the ``meta`` table grows with every committed write; the networkx
snapshot returned by :meth:`EmbeddedStore.graph` is rebuilt only when it has moved (also when
another process wrote).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import StoreError
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType, rel_identity
from graph.store.base import (
    Counts,
    Direction,
    Document,
    GraphStore,
    WriteSummary,
    check_relationship_endpoints,
    diff_nodes,
    diff_relationships,
)
from graph.store.base import chunks as _chunks

__all__ = ["EmbeddedStore"]

# Versioned schema, applied once each, in order (recorded in schema_migrations).
_MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "init",
        """
        CREATE TABLE nodes (
            id    TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            props TEXT NOT NULL,
            name  TEXT GENERATED ALWAYS AS (json_extract(props, '$.name')) VIRTUAL
        );
        CREATE INDEX nodes_label_name ON nodes(label, name, id);
        CREATE TABLE rels (
            src   TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
            type  TEXT NOT NULL,
            dst   TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
            key   TEXT NOT NULL DEFAULT '',
            props TEXT NOT NULL,
            PRIMARY KEY (src, type, dst, key)
        ) WITHOUT ROWID;
        CREATE INDEX rels_dst ON rels(dst, type);
        CREATE INDEX rels_type ON rels(type);
        CREATE TABLE ingest_runs (
            run_id     TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            info       TEXT NOT NULL
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO meta VALUES ('generation', 0);
        CREATE TABLE documents (
            collection TEXT NOT NULL,
            key        TEXT NOT NULL,
            tag        TEXT NOT NULL DEFAULT '',
            doc        TEXT NOT NULL,
            PRIMARY KEY (collection, key)
        ) WITHOUT ROWID;
        CREATE INDEX documents_tag ON documents(collection, tag);
        """,
    ),
    (
        2,
        "name_index",
        # The search box (find_nodes name_contains, any kind) scans names in order: with the
        # generated column indexed, the scan reads stored names instead of decoding every
        # node's JSON (province scale: a miss went from ~330 ms to ~70 ms).
        """
        CREATE INDEX IF NOT EXISTS nodes_name ON nodes(name, id);
        """,
    ),
]


#: ``json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` without
#: building a new encoder for each call (what json.dumps does with non-default options): a
#: run encodes a property map per node, relationship and document, hundreds of thousands.
#: No circular-reference check: property maps and documents are trees of plain values (a
#: cycle would still fail, with RecursionError instead of ValueError), and the check's
#: bookkeeping is about a tenth of encoding a small map.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False)


#: SQLite page cache (KiB, as a negative cache_size) and WAL pages between automatic
#: checkpoints while a :meth:`EmbeddedStore.bulk_load` block runs (defaults: 2 MB, 1000).
BULK_CACHE_SIZE = -32768
BULK_WAL_AUTOCHECKPOINT = 10_000


def _dumps(props: Mapping[str, Any]) -> str:
    return _ENCODER.encode(props)


#: Each relationship type's stored text (``RelType.X.value`` looked up, not read through the
#: enum's descriptor once per written relationship).
_TYPE_TEXT: dict[RelType, str] = {t: t.value for t in RelType}

#: Each node label by its stored text (``NodeLabel(text)`` is an enum call per row).
_LABELS: dict[str, NodeLabel] = {lb.value: lb for lb in NodeLabel}

#: Each node label's stored text (``label.value`` through the enum's descriptor per row).
_LABEL_TEXT: dict[NodeLabel, str] = {lb: lb.value for lb in NodeLabel}


class EmbeddedStore(GraphStore):
    """A :class:`GraphStore` in one SQLite file (``":memory:"`` for a throw-away store).

    Args:
        path: the database file; its folder is created if needed.
        batch_size: rows per ``executemany`` chunk inside a transaction.
    """

    backend = "embedded"

    def __init__(self, path: str | Path, *, batch_size: int = 2000) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._graph: nx.MultiDiGraph | None = None
        self._graph_generation = -1
        self._bulk_depth = 0  # open bulk_load blocks
        self._bulk_saved: tuple[int, int] | None = None
        self.apply_schema()

    # ------------------------------------------------------------------ lifecycle
    def apply_schema(self) -> list[str]:
        applied: list[str] = []
        with self._lock, self._tx() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in cur.execute("SELECT version FROM schema_migrations")}
            for version, name, sql in _MIGRATIONS:
                if version in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    cur.execute(statement)
                cur.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (version, name, datetime.now(UTC).isoformat()),
                )
                applied.append(f"V{version:04d}__{name}")
        return applied

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A larger page cache and rarer WAL checkpoints for the block, both back to what they
        were (and the WAL checkpointed) when the last overlapping block ends.

        An ingest run commits a hundred batches into indexes keyed in other orders (by
        destination, by name): with SQLite's default 2 MB cache it reads the same index pages
        back again and again, and a checkpoint every 1000 WAL pages copies the pages a run
        keeps changing into the database many times over (together a third of the writes'
        time at 5 % of province scale). Only how the connection works changes, not the data.
        """
        with self._lock:
            if self._bulk_depth == 0:
                self._bulk_saved = (
                    self._conn.execute("PRAGMA cache_size").fetchone()[0],
                    self._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0],
                )
                self._conn.execute(f"PRAGMA cache_size={BULK_CACHE_SIZE}")
                self._conn.execute(f"PRAGMA wal_autocheckpoint={BULK_WAL_AUTOCHECKPOINT}")
            self._bulk_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._bulk_depth -= 1
                if self._bulk_depth == 0 and self._bulk_saved is not None:
                    cache, checkpoint = self._bulk_saved
                    self._conn.execute(f"PRAGMA cache_size={int(cache)}")
                    self._conn.execute(f"PRAGMA wal_autocheckpoint={int(checkpoint)}")
                    self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

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
        nodes = list(nodes)
        rels = list(relationships)
        docs = list(documents)
        doomed = sorted(set(delete_node_ids))
        doomed_docs = sorted(set(delete_documents))
        summary = WriteSummary()
        if not (nodes or rels or docs or doomed or doomed_docs):
            return summary
        with self._lock, self._tx() as cur:
            deleted = 0
            for chunk in _chunks(doomed, 500):
                marks = ",".join("?" * len(chunk))
                deleted += cur.execute(f"DELETE FROM nodes WHERE id IN ({marks})", chunk).rowcount
            if doomed_docs:
                cur.executemany("DELETE FROM documents WHERE collection = ? AND key = ?", doomed_docs)
            existing = self._fetch_nodes(cur, [n.id for n in nodes])
            to_write, s = diff_nodes(nodes, existing)
            summary += s
            for chunk in _chunks(to_write, self.batch_size):
                cur.executemany(
                    "INSERT INTO nodes(id, label, props) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET props = excluded.props",
                    [(n.id, _LABEL_TEXT[n.label], _dumps(n.props)) for n in chunk],
                )
            if rels:
                ends = {i for r in rels for i in (r.src, r.dst)}
                labels = self._fetch_labels(cur, ends)
                check_relationship_endpoints(rels, labels, ends=ends)
                old_rels = self._fetch_rels(cur, rels)
                rels_to_write, s = diff_relationships(rels, old_rels)
                summary += s
                for chunk in _chunks(rels_to_write, self.batch_size):
                    cur.executemany(
                        "INSERT INTO rels(src, type, dst, key, props) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(src, type, dst, key) DO UPDATE SET props = excluded.props",
                        [(r.src, _TYPE_TEXT[r.type], r.dst, r.key, _dumps(r.props)) for r in chunk],
                    )
            if docs:
                cur.executemany(
                    "INSERT INTO documents(collection, key, tag, doc) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(collection, key) DO UPDATE SET tag = excluded.tag, doc = excluded.doc",
                    [(d.collection, d.key, d.tag, _dumps(d.doc)) for d in docs],
                )
            if summary.changed or deleted:
                cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        return summary

    def get_documents(
        self,
        collection: str,
        *,
        keys: Iterable[str] | None = None,
        tag: str | Iterable[str] | None = None,
    ) -> dict[str, Document]:
        sql = "SELECT key, tag, doc FROM documents WHERE collection = ?"
        rows: list[tuple[Any, ...]] = []
        if keys is None and tag is None:
            rows = self._read(sql, [collection])
        else:
            column, values = ("key", keys) if keys is not None else ("tag", [tag] if isinstance(tag, str) else tag)
            for chunk in _chunks(sorted(set(values)), 500):
                marks = ",".join("?" * len(chunk))
                rows += self._read(sql + f" AND {column} IN ({marks})", [collection, *chunk])
        if keys is not None and tag is not None:
            tags = {tag} if isinstance(tag, str) else set(tag)
            rows = [r for r in rows if r[1] in tags]
        rows.sort(key=lambda r: r[0])
        return {k: Document(collection, k, json.loads(d), t) for k, t, d in rows}

    def _fetch_nodes(self, cur: sqlite3.Cursor, ids: Sequence[str]) -> dict[str, NodeRecord]:
        out: dict[str, NodeRecord] = {}
        unique = sorted(set(ids))
        for chunk in _chunks(unique, 500):
            marks = ",".join("?" * len(chunk))
            for node_id, label, props in cur.execute(
                f"SELECT id, label, props FROM nodes WHERE id IN ({marks})", chunk
            ):
                out[node_id] = NodeRecord.model_construct(
                    id=node_id, label=NodeLabel(label), props=json.loads(props)
                )
        return out

    def _fetch_labels(self, cur: sqlite3.Cursor, ids: Iterable[str]) -> dict[str, NodeLabel]:
        """The label of each stored node among ``ids`` (without decoding their properties:
        checking a batch's endpoints read thousands of property maps only for their labels)."""
        out: dict[str, NodeLabel] = {}
        known = _LABELS
        for chunk in _chunks(sorted(set(ids)), 500):
            marks = ",".join("?" * len(chunk))
            rows = cur.execute(f"SELECT id, label FROM nodes WHERE id IN ({marks})", chunk).fetchall()
            out.update((node_id, known.get(label) or NodeLabel(label)) for node_id, label in rows)
        return out

    def _fetch_rels(
        self, cur: sqlite3.Cursor, rels: Sequence[RelRecord]
    ) -> dict[tuple[str, str, str, str], RelRecord]:
        wanted = set(map(rel_identity, rels))  # = r.identity each
        out: dict[tuple[str, str, str, str], RelRecord] = {}
        for chunk in _chunks(sorted({r.src for r in rels}), 500):
            marks = ",".join("?" * len(chunk))
            for s, t, d, k, p in cur.execute(
                f"SELECT src, type, dst, key, props FROM rels WHERE src IN ({marks})", chunk
            ):
                if (s, t, d, k) in wanted:
                    out[(s, t, d, k)] = RelRecord.model_construct(
                        src=s, type=RelType(t), dst=d, key=k, props=json.loads(p)
                    )
        return out

    def delete_nodes(self, ids: Iterable[str]) -> int:
        ids = sorted(set(ids))
        deleted = 0
        with self._lock, self._tx() as cur:
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                deleted += cur.execute(f"DELETE FROM nodes WHERE id IN ({marks})", chunk).rowcount
            if deleted:
                cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        return deleted

    def delete_relationships(self, identities: Iterable[tuple[str, str, str, str]]) -> int:
        deleted = 0
        with self._lock, self._tx() as cur:
            for ident in sorted(set(identities)):
                deleted += cur.execute(
                    "DELETE FROM rels WHERE src=? AND type=? AND dst=? AND key=?", ident
                ).rowcount
            if deleted:
                cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        return deleted

    # ------------------------------------------------------------------ reads
    def get_nodes(self, ids: Iterable[str]) -> dict[str, NodeRecord]:
        with self._lock:
            cur = self._conn.cursor()
            try:
                return self._fetch_nodes(cur, list(ids))
            finally:
                cur.close()

    def find_nodes(
        self,
        label: NodeLabel | None = None,
        *,
        name_contains: str | None = None,
        where: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[NodeRecord]:
        clauses: list[str] = []
        params: list[Any] = []
        if label is not None:
            clauses.append("label = ?")
            params.append(NodeLabel(label).value)
        if name_contains:
            clauses.append("instr(name, ?) > 0")
            params.append(name_contains)
        for key, value in (where or {}).items():
            if not key.isidentifier():
                raise StoreError(f"bad property name {key!r}")
            clauses.append(f"json_extract(props, '$.{key}') = ?")
            params.append(value if not isinstance(value, bool) else int(value))
        sql = "SELECT id, label, props FROM nodes"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY name, id LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
        return [
            NodeRecord.model_construct(id=i, label=NodeLabel(lb), props=json.loads(p))
            for i, lb, p in self._read(sql, params)
        ]

    def relationships(
        self,
        node_id: str,
        *,
        types: Iterable[RelType] | None = None,
        direction: Direction = "both",
        limit: int | None = None,
    ) -> list[RelRecord]:
        type_list = [RelType(t).value for t in types] if types is not None else None
        if limit is not None and limit <= 0:
            return []
        parts: list[tuple[str, list[Any]]] = []
        if direction in ("out", "both"):
            parts.append(("src = ?", [node_id]))
        if direction in ("in", "both"):
            parts.append(("dst = ?", [node_id]))
        out: dict[tuple[str, str, str, str], RelRecord] = {}
        for clause, params in parts:
            sql = f"SELECT src, type, dst, key, props FROM rels WHERE {clause}"
            if type_list is not None:
                if not type_list:
                    return []
                sql += f" AND type IN ({','.join('?' * len(type_list))})"
                params = params + type_list
            if limit is not None:
                # Each direction's first ``limit`` in the final order holds the merged first ``limit``.
                sql += " ORDER BY type, src, dst, key LIMIT ?"
                params = params + [int(limit)]
            for s, t, d, k, p in self._read(sql, params):
                out[(s, t, d, k)] = RelRecord.model_construct(
                    src=s, type=RelType(t), dst=d, key=k, props=json.loads(p)
                )
        ordered = [out[k] for k in sorted(out, key=lambda i: (i[1], i[0], i[2], i[3]))]
        return ordered if limit is None else ordered[:limit]

    def iter_nodes(self, label: NodeLabel | None = None) -> Iterator[NodeRecord]:
        sql = "SELECT id, label, props FROM nodes"
        params: list[Any] = []
        if label is not None:
            sql += " WHERE label = ?"
            params.append(NodeLabel(label).value)
        sql += " ORDER BY id"
        for i, lb, p in self._read(sql, params):
            yield NodeRecord.model_construct(id=i, label=NodeLabel(lb), props=json.loads(p))

    def iter_relationships(self, rel_type: RelType | None = None) -> Iterator[RelRecord]:
        sql = "SELECT src, type, dst, key, props FROM rels"
        params: list[Any] = []
        if rel_type is not None:
            sql += " WHERE type = ?"
            params.append(RelType(rel_type).value)
        sql += " ORDER BY src, type, dst, key"
        for s, t, d, k, p in self._read(sql, params):
            yield RelRecord.model_construct(src=s, type=RelType(t), dst=d, key=k, props=json.loads(p))

    def iter_edges(self, rel_type: RelType) -> Iterator[tuple[str, str]]:
        """The ends of each relationship of a type, its properties not read or decoded."""
        sql = "SELECT src, dst FROM rels WHERE type = ? ORDER BY src, type, dst, key"
        yield from self._read(sql, [RelType(rel_type).value])

    def counts(self) -> Counts:
        nodes = dict(self._read("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY label"))
        rels = dict(self._read("SELECT type, count(*) FROM rels GROUP BY type ORDER BY type"))
        return Counts(nodes=nodes, relationships=rels)

    def generation(self) -> int:
        """How many committed writes changed the store (across processes)."""
        return int(self._read("SELECT value FROM meta WHERE key = 'generation'")[0][0])

    def graph(self) -> nx.MultiDiGraph:
        with self._lock:
            gen = self.generation()
            if self._graph is None or gen != self._graph_generation:
                self._graph = super().graph()
                self._graph_generation = gen
            return self._graph

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks; empty when the file is sound."""
        problems = [r[0] for r in self._read("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in self._read("PRAGMA foreign_key_check")]
        return problems

    def clear(self) -> None:
        with self._lock, self._tx() as cur:
            cur.execute("DELETE FROM rels")
            cur.execute("DELETE FROM nodes")
            cur.execute("DELETE FROM documents")
            cur.execute("DELETE FROM ingest_runs")
            cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")

    # ------------------------------------------------------------------ ingest runs
    def record_run(self, run_id: str, info: Mapping[str, Any]) -> None:
        started = str(info.get("started_at") or datetime.now(UTC).isoformat())
        with self._lock, self._tx() as cur:
            cur.execute(
                "INSERT INTO ingest_runs VALUES (?, ?, ?) "
                "ON CONFLICT(run_id) DO UPDATE SET info = excluded.info",
                (run_id, started, json.dumps(dict(info), ensure_ascii=False, default=str)),
            )

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT run_id, started_at, info FROM ingest_runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
            [limit],
        )
        return [{"run_id": r, "started_at": s, **json.loads(i)} for r, s, i in rows]
