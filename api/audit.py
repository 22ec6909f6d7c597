"""Append-only audit log of reads of unmasked personal data (PIPL: who read what, when).

A SQLite file (``<data_dir>/audit.sqlite3``) whose triggers refuse UPDATE and DELETE; each entry
also carries the SHA-256 of the previous entry, so a gap or an edit made around the triggers
shows up in :func:`AuditLog.verify`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["AuditLog"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    who       TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    fields    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


class AuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def record(self, *, who: str, role: str, action: str, entity_id: str, fields: list[str]) -> None:
        """Append one entry: ``who`` (token holder and id) read ``fields`` of ``entity_id``."""
        at = datetime.now(UTC).isoformat()
        fields_json = json.dumps(sorted(fields), ensure_ascii=False)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                prev = row[0] if row else ""
                digest = hashlib.sha256(
                    "\x1f".join([prev, at, who, role, action, entity_id, fields_json]).encode()
                ).hexdigest()
                self._conn.execute(
                    "INSERT INTO audit(at, who, role, action, entity_id, fields, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (at, who, role, action, entity_id, fields_json, prev, digest),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def entries(self, limit: int = 100, entity_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT seq, at, who, role, action, entity_id, fields FROM audit"
        params: list[Any] = []
        if entity_id:
            sql += " WHERE entity_id = ?"
            params.append(entity_id)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [
            {"seq": s, "at": a, "who": w, "role": r, "action": ac, "entity_id": e, "fields": json.loads(f)}
            for s, a, w, r, ac, e, f in rows
        ]

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM audit").fetchone()[0])

    def verify(self) -> bool:
        """True when every entry's hash chains to the one before it."""
        prev = ""
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, who, role, action, entity_id, fields, prev_hash, hash FROM audit ORDER BY seq"
            ).fetchall()
        for at, who, role, action, entity_id, fields, prev_hash, digest in rows:
            expected = hashlib.sha256("\x1f".join([prev, at, who, role, action, entity_id, fields]).encode()).hexdigest()
            if prev_hash != prev or digest != expected:
                return False
            prev = digest
        return True

    def close(self) -> None:
        self._conn.close()
