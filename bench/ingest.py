"""Ingest benchmark: documents per second end to end, against plain jieba on the same text.

Prints, from one run on one machine:

* end-to-end throughput of ``ingest_paths`` (read, parse, NLP, resolve, write) into a fresh
  embedded store, in documents (input records) per second;
* the baseline: plain ``jieba.lcut`` over the same documents' text, single process, in
  documents per second — and the ratio ours / baseline (target ≥ 0.5);
* the CPU seconds both used (ours: this process plus the worker processes), which a shared,
  busy machine disturbs much less than the wall-clock figures;
* where our time went, from the pipeline's progress callbacks: wall and this process's CPU
  seconds up to the end of each stage (start-up and reading, node writes, relationship
  writes, people), and the rest (collaboration ties, the run report);
* with ``--neo4j URI``: the Neo4j write stage alone — the run's relationships written again into
  an empty Neo4j through ``Neo4jStore.write`` in batches — in relationships per second
  (target ≥ 30k/s), plus end-to-end throughput into Neo4j.

    python -m bench.ingest                      # bundled demo set
    python -m bench.ingest --scale 0.05         # 5 % of province scale, generated now
    python -m bench.ingest --neo4j bolt://127.0.0.1:7687
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _texts(inputs: list[Path]) -> list[str]:
    """The text of every input record, as the pipeline sees it."""
    from ingest.pipeline import discover, read_file
    from ingest.records import Quarantined

    files, _ = discover(inputs)
    texts = []
    for f in files:
        for rec in read_file(f):
            if isinstance(rec, Quarantined):
                continue
            parts = [getattr(rec, k, None) for k in ("title", "name", "abstract", "content", "text", "description")]
            parts += list(getattr(rec, "research_directions", []) or [])
            texts.append("。".join(p for p in parts if isinstance(p, str)))
    return texts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="demo")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--neo4j", default=None, help="bolt URI of an EMPTY scratch Neo4j (it is cleared)")
    args = ap.parse_args(argv)

    import jieba

    from graph.store.embedded import EmbeddedStore
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="kg-bench-ingest-") as tmp:
        tmpdir = Path(tmp)
        if args.scale == "demo":
            data = REPO / "ingest" / "demo"
        else:
            data = tmpdir / "data"
            subprocess.run([sys.executable, "-m", "bench.generate", "--scale", args.scale, "--out", str(data),
                            "--seed", str(args.seed)], check=True, cwd=REPO)
        inputs = [p for p in sorted(data.iterdir()) if p.name not in ("truth", "README.md")]

        texts = _texts(inputs)
        jieba.setLogLevel(60)
        jieba.initialize()
        t0, c0 = time.perf_counter(), time.process_time()
        tokens = sum(len(jieba.lcut(t)) for t in texts)
        base_s = time.perf_counter() - t0
        base_cpu = time.process_time() - c0
        base_rate = len(texts) / base_s

        store = EmbeddedStore(tmpdir / "kg.sqlite3")
        stage_end: dict[str, tuple[float, float]] = {}  # stage -> (wall, own cpu) at its last callback

        def progress(stage: str, done: int, total: int) -> None:
            stage_end[stage] = (time.perf_counter(), time.process_time())

        kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0, c0 = time.perf_counter(), time.process_time()
        report = ingest_paths(inputs, store, workers=args.workers, data_dir=tmpdir / "var", progress=progress)
        ours_s = time.perf_counter() - t0
        own_cpu = time.process_time() - c0
        stage_end["其余 rest"] = (t0 + ours_s, c0 + own_cpu)
        kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, joined
        kids_cpu = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
        ours_rate = report.records / ours_s
        counts = store.counts()
        print(f"数据 data: {args.scale}; {report.records} records in {report.files} files; "
              f"graph {counts.total_nodes} nodes / {counts.total_relationships} relationships")
        print(f"baseline jieba.lcut (1 process): {len(texts)} docs, {tokens} tokens in {base_s:.2f} s "
              f"= {base_rate:,.0f} docs/s")
        print(f"ours end-to-end (embedded, {args.workers} workers): {ours_s:.2f} s = {ours_rate:,.1f} docs/s")
        ratio = ours_rate / base_rate
        print(f"ratio ours / jieba = {ratio:.3f}  (target ≥ 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
        ours_cpu = own_cpu + kids_cpu
        print(f"cpu seconds: baseline {base_cpu:.2f}; ours {ours_cpu:.2f} (this process {own_cpu:.2f} "
              f"+ workers {kids_cpu:.2f}); baseline / ours = {base_cpu / ours_cpu:.3f}")
        parts, prev = [], (t0, c0)
        for stage, (wall, cpu) in sorted(stage_end.items(), key=lambda kv: kv[1][0]):
            parts.append(f"{stage} {wall - prev[0]:.2f}/{cpu - prev[1]:.2f}")
            prev = (wall, cpu)
        print("stages, wall/this process's cpu seconds: " + "; ".join(parts))

        if args.neo4j:
            from graph.store.neo4j import Neo4jStore

            neo = Neo4jStore(args.neo4j, None)
            neo.clear()
            nodes = list(store.iter_nodes())
            rels = list(store.iter_relationships())
            t0 = time.perf_counter()
            for i in range(0, len(nodes), 5000):
                neo.write(nodes[i : i + 5000])
            node_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            for i in range(0, len(rels), 5000):
                neo.write((), rels[i : i + 5000])
            rel_s = time.perf_counter() - t0
            rate = len(rels) / rel_s
            print(f"Neo4j write stage: {len(nodes)} nodes in {node_s:.2f} s ({len(nodes) / node_s:,.0f}/s); "
                  f"{len(rels)} relationships in {rel_s:.2f} s = {rate:,.0f} rels/s "
                  f"(target ≥ 30,000: {'met' if rate >= 30_000 else 'NOT met'})")
            neo.clear()
            t0 = time.perf_counter()
            rep2 = ingest_paths(inputs, neo, workers=args.workers, data_dir=tmpdir / "var2")
            e2e = time.perf_counter() - t0
            print(f"ours end-to-end into Neo4j: {e2e:.2f} s = {rep2.records / e2e:,.1f} docs/s")
            neo.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
