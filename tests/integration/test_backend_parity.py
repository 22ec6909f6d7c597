"""The same input gives the same graph on the embedded store and on Neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store.base import GraphStore
from ingest.pipeline import ingest_paths
from tests.conftest import make_store

DEMO = Path(__file__).resolve().parents[2] / "ingest" / "demo"


def _snapshot(store: GraphStore) -> tuple[dict, dict]:
    nodes = {n.id: (n.label.value, {k: v for k, v in n.props.items() if k != "run_id"})
             for n in store.iter_nodes()}
    rels = {r.identity: {k: v for k, v in r.props.items() if k != "run_id"}
            for r in store.iter_relationships()}
    return nodes, rels


@pytest.mark.neo4j
@pytest.mark.slow
def test_demo_data_gives_the_same_graph_on_both_backends(tmp_path: Path) -> None:
    # A slice of the bundled demo set: CVs of several kinds, both patent files, demands, firms.
    cvs = sorted((DEMO / "cvs").iterdir())[:40]
    inputs = [*cvs, DEMO / "patents.csv", DEMO / "patents.xlsx", DEMO / "demands.xlsx",
              DEMO / "enterprises.csv", DEMO / "achievements.csv"]
    embedded = make_store("embedded", tmp_path)
    neo4j = make_store("neo4j", tmp_path)
    for store in (embedded, neo4j):
        ingest_paths(inputs, store, workers=1, data_dir=tmp_path / store.backend, run_id="parity")
    e_nodes, e_rels = _snapshot(embedded)
    n_nodes, n_rels = _snapshot(neo4j)
    assert len(e_nodes) > 1000 and len(e_rels) > 5000
    assert e_nodes.keys() == n_nodes.keys()
    assert e_rels.keys() == n_rels.keys()
    diff_nodes = [i for i in e_nodes if e_nodes[i] != n_nodes[i]]
    diff_rels = [i for i in e_rels if e_rels[i] != n_rels[i]]
    assert diff_nodes == [] and diff_rels == []
    # And loading it again changes nothing on either backend.
    for store in (embedded, neo4j):
        before = store.counts()
        again = ingest_paths(inputs, store, workers=1, data_dir=tmp_path / store.backend)
        assert again.loaded == again.updated == 0
        assert store.counts() == before
    embedded.close()
