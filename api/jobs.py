"""Ingest jobs for uploaded files: run one at a time in the background, status kept as documents."""

from __future__ import annotations

import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.config import Settings
from graph.store.base import Document, GraphStore

__all__ = ["JobRunner", "JOBS"]

JOBS = "jobs"


def _safe_name(name: str) -> str:
    base = Path(name or "upload").name
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", base)[:120]
    return base or "upload"


class JobRunner:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-ingest")
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
        doc = {"job_id": job_id, "status": "queued", "files": names, "submitted_by": who,
               "submitted_at": datetime.now(UTC).isoformat()}
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
            self._put(job_id, doc | {"status": "done", "report": summary,
                                     "finished_at": datetime.now(UTC).isoformat()})
        except Exception as exc:  # the job records the failure; the server stays up
            self._put(job_id, doc | {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                                     "finished_at": datetime.now(UTC).isoformat()})

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
