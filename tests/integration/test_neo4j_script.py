"""scripts/neo4j.sh, the launcher the tests and benchmarks start Neo4j with.

A relative ``KG_NEO4J_HOME`` once started Neo4j on a new, empty store nested inside the
named directory (the script changes into it before starting Java), so a benchmark found its
graph "gone". The script now makes the path absolute; this test starts a real instance from a
relative path and checks where its store is.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, REQUIRE_NEO4J

pytestmark = pytest.mark.neo4j


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_relative_home_keeps_the_store_where_it_names(tmp_path: Path) -> None:
    if not (shutil.which("java") and shutil.which("mvn")):
        message = "java and mvn are needed to start Neo4j from Maven"
        if REQUIRE_NEO4J:
            pytest.fail(f"KG_REQUIRE_NEO4J=1 but {message}", pytrace=False)
        pytest.skip(message)
    script = REPO / "scripts" / "neo4j.sh"
    env = {**os.environ, "KG_NEO4J_HOME": "rel/home", "KG_NEO4J_PORT": str(_free_port()),
           "KG_NEO4J_HEAP": "512m", "KG_NEO4J_PAGECACHE": "64m"}
    started = subprocess.run([str(script), "start", "--fresh"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=600)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        assert started.stdout.strip() == f"bolt://127.0.0.1:{env['KG_NEO4J_PORT']}"
        home = tmp_path / "rel" / "home"
        assert (home / "data" / "databases").is_dir(), sorted(p.name for p in home.iterdir())
        assert not (home / "rel").exists(), "a second store was nested inside KG_NEO4J_HOME"
        assert str(home) in started.stderr  # the log line names the absolute directory
    finally:
        stopped = subprocess.run([str(script), "stop"], cwd=tmp_path, env=env,
                                 capture_output=True, text=True, timeout=300)
    assert stopped.returncode == 0, stopped.stderr[-2000:]
