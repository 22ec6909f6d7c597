"""`kg path` with its filters, on the hand-built graph of the path tests (embedded store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli_queries as cli_queries
from api.cli import app
from api.routes.queries import paths_answer
from graph.queries.paths import collaboration_paths
from graph.store.embedded import EmbeddedStore
from tests.integration.test_query_paths import NODES, RELS


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kg.sqlite3"
    with EmbeddedStore(path) as store:
        store.write(NODES, RELS)
    monkeypatch.setattr(cli_queries, "_store", lambda: EmbeddedStore(path))
    return path


def _path_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["path", "person:zs", "person:sq", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _interior(answer: dict) -> set[str]:
    return {n["label"] for p in answer["paths"] for n in p["nodes"][1:-1]}


def test_avoiding_a_kind_of_tie(db: Path) -> None:
    # 张三 works at 哈工大, where 孙七 studied: the best chain by default.  Refusing STUDIED_AT
    # leaves the chain through their patent and 精工 (张三–P1–精工–孙七).
    default = _path_json()
    assert [h["type"] for h in default["paths"][0]["hops"]] == ["WORKS_AT", "STUDIED_AT"]
    answer = _path_json("--avoid-rel", "STUDIED_AT")
    assert answer["paths"] and all(h["type"] != "STUDIED_AT" for p in answer["paths"] for h in p["hops"])
    with EmbeddedStore(db) as store:
        want = paths_answer(store, "person:zs", "person:sq",
                            collaboration_paths(store, "person:zs", "person:sq", exclude_rel_types=["STUDIED_AT"]))
    assert answer == json.loads(json.dumps(want, ensure_ascii=False, default=str))


def test_avoiding_kinds_of_node_keeps_fields_and_topics_out(db: Path) -> None:
    assert _path_json("--avoid-kind", "Organization")["paths"] == []  # 孙七's every tie is to an organisation
    answer = _path_json("--avoid-kind", "Person")
    assert answer["paths"] and not _interior(answer) & {"Person", "Field", "Topic"}
