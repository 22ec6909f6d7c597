"""A writer killed (SIGKILL) in the middle of its writes leaves a consistent store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.model import NodeLabel, RelType
from graph.store.base import GraphStore
from tests.conftest import NEO4J_URI, REPO

BATCH = 200

_WRITER = textwrap.dedent(
    """
    import itertools, sys
    from graph.config import Settings
    from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
    from graph.store import open_store

    store = open_store(Settings())
    org = NodeRecord(id="org:crash", label=NodeLabel.ORGANIZATION, props={"name": "崩溃测试大学"})
    for b in itertools.count():
        people = [
            NodeRecord(id=f"person:b{b:05d}-{i:04d}", label=NodeLabel.PERSON,
                       props={"name": f"测试{i}", "batch": b, "bio": "研究方向" * 50})
            for i in range(BATCH)
        ]
        rels = [RelRecord(src=p.id, type=RelType.WORKS_AT, dst=org.id, props={"start": b}) for p in people]
        store.write([org, *people], rels)
        print(b, flush=True)
    """
).replace("BATCH", str(BATCH))


def _kill_mid_write(env: dict[str, str]) -> int:
    """Run the writer, SIGKILL it after a few committed batches; return batches it reported."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen = 0
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while seen < 5 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"writer died early: {proc.stderr.read() if proc.stderr else ''}")
        seen += 1
    time.sleep(0.05)  # land somewhere inside the next transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return seen


def _assert_consistent(store: GraphStore, reported: int) -> None:
    people = list(store.iter_nodes(NodeLabel.PERSON))
    rels = list(store.iter_relationships(RelType.WORKS_AT))
    # Every batch is all-or-nothing: whole batches only, each person with its relationship.
    assert len(people) % BATCH == 0
    assert len(people) // BATCH >= reported
    assert {r.src for r in rels} == {p.id for p in people}
    batches = {p.props["batch"] for p in people}
    assert batches == set(range(len(batches)))  # no gap: batches commit in order


def test_embedded_store_survives_sigkill(tmp_path: Path) -> None:
    from graph.store.embedded import EmbeddedStore

    db = tmp_path / "crash.sqlite3"
    env = {**os.environ, "KG_BACKEND": "embedded", "KG_DB_PATH": str(db)}
    reported = _kill_mid_write(env)
    store = EmbeddedStore(db)
    try:
        assert store.integrity_problems() == []
        _assert_consistent(store, reported)
    finally:
        store.close()


@pytest.mark.neo4j
def test_neo4j_store_survives_sigkill(neo4j_store: GraphStore) -> None:
    env = {**os.environ, "KG_BACKEND": "neo4j", "KG_NEO4J_URI": NEO4J_URI}
    reported = _kill_mid_write(env)
    time.sleep(1.0)  # the server notices the dropped connection and rolls back
    _assert_consistent(neo4j_store, reported)


@pytest.mark.slow
def test_killed_ingest_leaves_a_consistent_store_and_a_rerun_completes(tmp_path: Path) -> None:
    """SIGKILL a real `kg ingest` while it writes; the store stays sound, and ingesting the
    same files again gives exactly the graph a clean run gives."""
    from graph.store.embedded import EmbeddedStore

    demo = REPO / "ingest" / "demo"
    inputs = [str(demo / "patents.csv"), str(demo / "demands.xlsx"), str(demo / "enterprises.csv")]
    killed_db = tmp_path / "killed.sqlite3"
    env = {**os.environ, "KG_BACKEND": "embedded", "KG_DB_PATH": str(killed_db),
           "KG_DATA_DIR": str(tmp_path / "var")}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "ingest", "--workers", "1", "--json", *inputs],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    nodes = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if killed_db.exists():
            probe = EmbeddedStore(killed_db)
            nodes = probe.counts().total_nodes
            probe.close()
            if nodes > 200:
                break
    assert proc.poll() is None, "ingest finished before it could be killed; use a larger input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    store = EmbeddedStore(killed_db)
    assert store.integrity_problems() == []
    assert store.counts().total_nodes > 0
    run = store.runs(1)[0]
    assert run["status"] == "running"  # the log shows the run never finished
    env_clean = {**env, "KG_DB_PATH": str(tmp_path / "clean.sqlite3")}
    for e in (env, env_clean):
        subprocess.run([sys.executable, "-m", "api.cli", "ingest", "--workers", "1", "--json", *inputs],
                       cwd=REPO, env=e, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clean = EmbeddedStore(tmp_path / "clean.sqlite3")
    store = EmbeddedStore(killed_db)
    assert store.counts() == clean.counts()
    store.close()
    clean.close()
