"""Neo4j write stage: ``Neo4jStore.write`` throughput against a bare ``UNWIND … CREATE``.

Prints, from one run on one machine (figures to read, not assertions):

* the graph: ``bench.queries_reco.build_province(scale, seed)`` — universities, faculty,
  firms, patents, demands… with the province's shape, so a few Field and university nodes
  carry thousands of relationships each (the dense nodes that used to make writes crawl);
* **ours**: into a cleared database, every node then every relationship written through
  :meth:`Neo4jStore.write` in batches of ``--batch`` records (one transaction each), in
  nodes/s and relationships/s;
* **re-write**: the same batches written again — all unchanged, the re-ingest case — with
  the summary checked to say so;
* **baseline**: into a cleared database, the same nodes by ``UNWIND $rows CREATE`` and the
  same relationships by ``UNWIND $rows MATCH (a:Entity {id}) MATCH (b:Entity {id}) CREATE
  (a)-[:T]->(b)`` through the bare driver, one transaction per batch of the same size —
  no properties on relationships, no idempotence, no diff, no counts: a floor, not a rival;
* the ratio ours / baseline, and whether the target of 30,000 relationships/s is met.

Rates count distinct records stored (the generated graph repeats a few relationship
identities; both sides store each once).  ``--rounds`` repeats everything; the JVM warms up
during the first round, so the last round is the one to read; the load average printed with
each round says how much to trust its absolute figures (the ratio is steadier).  The target
database is CLEARED: point it at a scratch instance.

    python -m bench.neo4j_write --uri bolt://127.0.0.1:7692                 # scale 0.05
    python -m bench.neo4j_write --uri bolt://127.0.0.1:7692 --scale 0.2 --rounds 1
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

TARGET_RELS_PER_S = 30_000


def _distinct_rels(rels: Sequence[Any]) -> dict[tuple[str, str, str, str], Any]:
    out: dict[tuple[str, str, str, str], Any] = {}
    for r in rels:
        out.setdefault(r.identity, r)
    return out


def _ours(store: Any, nodes: Sequence[Any], rels: Sequence[Any], batch: int) -> dict[str, Any]:
    """Clear, write nodes then relationships through the store; then write everything again."""
    from graph.store.base import WriteSummary

    store.clear()
    t0 = time.perf_counter()
    first = WriteSummary()
    for i in range(0, len(nodes), batch):
        first += store.write(nodes[i:i + batch], ())
    t1 = time.perf_counter()
    for i in range(0, len(rels), batch):
        first += store.write((), rels[i:i + batch])
    t2 = time.perf_counter()
    again = WriteSummary()
    for i in range(0, len(nodes), batch):
        again += store.write(nodes[i:i + batch], ())
    for i in range(0, len(rels), batch):
        again += store.write((), rels[i:i + batch])
    t3 = time.perf_counter()
    return {"nodes_s": t1 - t0, "rels_s": t2 - t1, "rewrite_s": t3 - t2, "first": first,
            "again": again, "counts": store.counts()}


def _baseline(store: Any, nodes: Sequence[Any], rels: Sequence[Any], batch: int) -> dict[str, float]:
    """Clear, then bare CREATE of the same nodes and relationships, one transaction per batch."""
    import cypher
    from graph.model import NodeLabel, RelType

    store.clear()
    driver, db = store.driver, store.database
    by_label: dict[NodeLabel, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        by_label[n.label].append({"id": n.id, "props": n.props})
    by_type: dict[RelType, list[dict[str, str]]] = defaultdict(list)
    for r in rels:
        by_type[r.type].append({"src": r.src, "dst": r.dst})

    def run(query: str, rows: list[dict[str, Any]]) -> None:
        with driver.session(database=db) as session:
            session.execute_write(lambda tx: tx.run(query, rows=rows).consume())

    t0 = time.perf_counter()
    for label in sorted(by_label):
        query = (f"UNWIND $rows AS row CREATE (n:Entity:{cypher.escape_identifier(label.value)}) "
                 "SET n = row.props, n.id = row.id")
        rows = by_label[label]
        for i in range(0, len(rows), batch):
            run(query, rows[i:i + batch])
    t1 = time.perf_counter()
    for rel_type in sorted(by_type):
        query = ("UNWIND $rows AS row MATCH (a:Entity {id: row.src}) MATCH (b:Entity {id: row.dst}) "
                 f"CREATE (a)-[:{cypher.escape_identifier(rel_type.value)}]->(b)")
        rows = by_type[rel_type]
        for i in range(0, len(rows), batch):
            run(query, rows[i:i + batch])
    t2 = time.perf_counter()
    return {"nodes_s": t1 - t0, "rels_s": t2 - t1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", default=os.environ.get("KG_NEO4J_URI", "bolt://127.0.0.1:7687"),
                    help="bolt URI of a SCRATCH Neo4j (it is cleared)")
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--batch", type=int, default=10_000, help="records per write() call")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)

    from bench.queries_reco import build_province
    from graph.store.neo4j import Neo4jStore

    t0 = time.perf_counter()
    nodes, rels = build_province(args.scale, args.seed)
    rels = sorted(rels, key=lambda r: (r.type.value, r.src, r.dst, r.key))
    distinct = _distinct_rels(rels)
    n_nodes, n_rels = len({n.id for n in nodes}), len(distinct)
    print(f"graph: scale {args.scale}, {n_nodes:,} nodes, {n_rels:,} relationships "
          f"({len(rels):,} records), built in {time.perf_counter() - t0:.1f} s; batch {args.batch:,}")

    store = Neo4jStore(args.uri, None, batch_size=args.batch)
    met = False
    try:
        for rnd in range(1, args.rounds + 1):
            base = _baseline(store, nodes, list(distinct.values()), args.batch)
            ours = _ours(store, nodes, rels, args.batch)
            first, again, counts = ours["first"], ours["again"], ours["counts"]
            ok_first = (first.nodes_created == n_nodes and first.rels_created == n_rels
                        and counts.total_nodes == n_nodes and counts.total_relationships == n_rels)
            ok_again = again.changed == 0 and again.nodes_unchanged == n_nodes and again.rels_unchanged == n_rels
            node_rate, rel_rate = n_nodes / ours["nodes_s"], n_rels / ours["rels_s"]
            base_node_rate, base_rel_rate = n_nodes / base["nodes_s"], n_rels / base["rels_s"]
            met = rel_rate >= TARGET_RELS_PER_S
            # Figures from a shared machine swing with its load; print it beside them.
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"round {rnd}/{args.rounds}   (load average {load} on {os.cpu_count()} CPUs)")
            print(f"  ours      nodes {node_rate:>9,.0f}/s ({ours['nodes_s']:.1f} s)   "
                  f"rels {rel_rate:>9,.0f}/s ({ours['rels_s']:.1f} s)   summary "
                  f"{'ok' if ok_first else 'WRONG'}: {first.as_dict()}")
            print(f"  baseline  nodes {base_node_rate:>9,.0f}/s ({base['nodes_s']:.1f} s)   "
                  f"rels {base_rel_rate:>9,.0f}/s ({base['rels_s']:.1f} s)   (bare UNWIND … CREATE)")
            print(f"  ratio ours/baseline: nodes {node_rate / base_node_rate:.2f}, "
                  f"rels {rel_rate / base_rel_rate:.2f}")
            print(f"  re-write (all unchanged) {ours['rewrite_s']:.1f} s = "
                  f"{(n_nodes + n_rels) / ours['rewrite_s']:,.0f} records/s   summary "
                  f"{'ok' if ok_again else 'WRONG'}: {again.as_dict()}")
            print(f"  target {TARGET_RELS_PER_S:,} rels/s: {'met' if met else 'NOT met'}", flush=True)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
