"""Background jobs: ingest of uploaded files, and matching-list exports of a half-year batch.

Each kind runs one at a time on its own worker thread (an export does not wait behind a long
ingest); a job's status is a document in the store, so it survives a restart and is the same on
both backends.  Export files are kept under ``<data_dir>/exports/<job_id>/`` and removed after
:data:`EXPORT_KEEP_DAYS` days.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.config import Settings
from graph.store.base import Document, GraphStore

__all__ = ["JobRunner", "JOBS", "EXPORT_KEEP_DAYS"]

JOBS = "jobs"
#: Days an export file stays on disk after its job finished.
EXPORT_KEEP_DAYS = 7


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _safe_name(name: str) -> str:
    base = Path(name or "upload").name
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", base)[:120]
    return base or "upload"


class JobRunner:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-ingest")
        self._exports = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-export")
        self._lock = threading.Lock()

    def _put(self, job_id: str, doc: dict[str, Any]) -> None:
        with self._lock:
            self.store.put_documents([Document(JOBS, job_id, doc)])

    def get(self, job_id: str) -> dict[str, Any] | None:
        doc = self.store.get_documents(JOBS, keys=[job_id]).get(job_id)
        return doc.doc if doc else None

    def submit(self, files: list[tuple[str, bytes]], *, who: str) -> dict[str, Any]:
        job_id = "job-" + uuid.uuid4().hex[:12]
        folder = self.settings.data_dir / "uploads" / job_id
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for i, (name, content) in enumerate(files):
            safe = f"{i:03d}_{_safe_name(name)}"
            (folder / safe).write_bytes(content)
            names.append(safe)
        doc = {"job_id": job_id, "kind": "ingest", "status": "queued", "files": names, "submitted_by": who,
               "submitted_at": _now()}
        self._put(job_id, doc)
        self._pool.submit(self._run, job_id, folder, doc)
        return doc

    def _run(self, job_id: str, folder: Path, doc: dict[str, Any]) -> None:
        from ingest.pipeline import ingest_paths

        self._put(job_id, doc | {"status": "running"})
        try:
            report = ingest_paths([folder], self.store, workers=1, data_dir=self.settings.data_dir)
            summary = report.as_dict()
            summary["quarantine"] = summary["quarantine"][:100]
            self._put(job_id, doc | {"status": "done", "report": summary, "finished_at": _now()})
        except Exception as exc:  # the job records the failure; the server stays up
            self._put(job_id, doc | {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                                     "finished_at": _now()})

    # ------------------------------------------------------------------ matching-list exports

    def submit_export(self, batch: str, fmt: str, per_demand: int, *, who: str) -> dict[str, Any]:
        """Queue the 揭榜挂帅 matching list of ``batch``; returns the job document (status ``queued``)."""
        self._remove_old_exports()
        job_id = "job-" + uuid.uuid4().hex[:12]
        doc = {"job_id": job_id, "kind": "export", "status": "queued", "batch": batch, "format": fmt,
               "per_demand": per_demand, "submitted_by": who, "submitted_at": _now()}
        self._put(job_id, doc)
        self._exports.submit(self._run_export, job_id, doc)
        return doc

    def export_file(self, job_id: str) -> Path | None:
        """The finished export's file, or None while it is not there (unknown, running, failed, expired)."""
        doc = self.get(job_id)
        if not doc or doc.get("kind") != "export" or doc.get("status") != "done":
            return None
        path = self._export_dir(job_id) / doc["file"]
        return path if path.is_file() else None

    def _export_dir(self, job_id: str) -> Path:
        return self.settings.data_dir / "exports" / job_id

    def _run_export(self, job_id: str, doc: dict[str, Any]) -> None:
        from graph.queries.export import export_matching_list

        self._put(job_id, doc | {"status": "running"})
        folder = self._export_dir(job_id)
        try:
            target = folder / f"matching-list-{doc['batch']}.{doc['format']}"
            summary = export_matching_list(self.store, doc["batch"], target, doc["format"],
                                           per_demand=doc["per_demand"])
            self._put(job_id, doc | {"status": "done", "file": target.name, "demands": summary.demands,
                                     "rows": summary.rows, "finished_at": _now()})
        except Exception as exc:  # the job records the failure; the server stays up
            shutil.rmtree(folder, ignore_errors=True)
            self._put(job_id, doc | {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                                     "finished_at": _now()})

    def _remove_old_exports(self) -> None:
        root = self.settings.data_dir / "exports"
        if not root.is_dir():
            return
        cutoff = time.time() - EXPORT_KEEP_DAYS * 86400
        for folder in root.iterdir():
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
        self._exports.shutdown(wait=True, cancel_futures=False)
