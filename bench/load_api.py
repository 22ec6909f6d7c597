"""A bounded load run of the HTTP API on 127.0.0.1: p50/p95 latency and error rate per route.

    python -m bench.load_api                          # small: the demo's tables and 40 CVs
    python -m bench.load_api --scale demo             # the whole bundled demo
    python -m bench.load_api --scale 0.05             # bench.generate at 5 % of the province
    python -m bench.load_api --scale province         # bench.generate --scale province + ingest
    python -m bench.load_api --data-dir var           # an already ingested embedded store
    python -m bench.load_api --data-dir var --neo4j bolt://127.0.0.1:7689   # a loaded Neo4j

Steps: build (or reuse) an embedded store, create a token, start uvicorn on a free loopback
port in a child process, warm every route once (the first matching request builds the text
index; its time is reported as the cold start), then send ``--requests`` requests with at most
``--concurrency`` in flight and stop at ``--seconds``, whichever comes first; stop the server.

The mix is the explorer's read traffic: search 30 %, entity detail 30 %, collaboration paths
20 %, demand matches 20 %, over ids sampled (seeded) from the store.  An error is a reply other
than 2xx, or no reply.  Figures are printed, not asserted (house style: benchmarks print).

Province scale: generating and ingesting 60k CVs and 100k patents takes hours on a laptop; run it
once with ``--keep`` and reuse the folder with ``--data-dir``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["main", "run_load", "percentile"]

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "ingest" / "demo"
HOST = "127.0.0.1"  # loopback only, by design
MIX = (("search", 0.30), ("entities", 0.30), ("paths", 0.20), ("matches", 0.20))
SMALL_CVS = 40


# --------------------------------------------------------------------------- the data

def _inputs(scale: str, work: Path, seed: int) -> list[Path]:
    if scale == "small":
        cvs = work / "in" / "cvs"
        cvs.mkdir(parents=True)
        for cv in sorted((DEMO / "cvs").iterdir())[:SMALL_CVS]:
            shutil.copy(cv, cvs / cv.name)
        return [*(DEMO / n for n in ("enterprises.csv", "patents.csv", "demands.xlsx", "achievements.csv")), cvs]
    if scale == "demo":
        return [DEMO]
    out = work / "generated"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.generate", "--scale", scale, "--out", str(out),
                    "--seed", str(seed)], cwd=REPO, check=True)
    print(f"generated {scale} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return [out / n for n in ("enterprises.csv", "patents.csv", "patents.xlsx", "demands.xlsx",
                              "achievements.csv", "cvs") if (out / n).exists()]


def _build(scale: str, data_dir: Path, work: Path, seed: int) -> float:
    from graph.store.embedded import EmbeddedStore
    from ingest.pipeline import ingest_paths

    paths = _inputs(scale, work, seed)
    t = time.perf_counter()
    with EmbeddedStore(data_dir / "kg.sqlite3") as store:
        report = ingest_paths(paths, store, data_dir=data_dir)
    seconds = time.perf_counter() - t
    print(f"ingested {report.records} records in {seconds:.0f} s", file=sys.stderr)
    return seconds


@dataclass
class Targets:
    """What the requests ask about, sampled from the store."""

    token: str
    terms: list[str]
    entities: list[str]
    pairs: list[tuple[str, str]]
    demands: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def _open_store(data_dir: Path, neo4j_uri: str | None):
    if neo4j_uri:
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore(neo4j_uri, None)
    from graph.store.embedded import EmbeddedStore

    return EmbeddedStore(data_dir / "kg.sqlite3")


def _targets(data_dir: Path, seed: int, neo4j_uri: str | None = None) -> Targets:
    from api.security import create_token
    from graph.model import NodeLabel

    rng = random.Random(seed)
    with _open_store(data_dir, neo4j_uri) as store:
        token = create_token(store, "load-bench", "admin")[1]
        people = [n for n in store.iter_nodes(NodeLabel.PERSON)]
        orgs = [n for n in store.iter_nodes(NodeLabel.ORGANIZATION)]
        firms = [o for o in orgs if o.props.get("kind") == "enterprise"]
        patents = [n.id for n in store.iter_nodes(NodeLabel.PATENT)]
        demands = [n.id for n in store.iter_nodes(NodeLabel.DEMAND)]
        counts = {k: sum(v.values()) for k, v in (("nodes", store.counts().nodes),
                                                   ("relationships", store.counts().relationships))}
    if not (people and firms and demands):
        raise SystemExit("the store has no people, firms or demands to ask about")
    names = [p.name for p in people] + [o.name for o in orgs]
    terms = sorted({n[: rng.randint(2, 4)] for n in rng.sample(names, min(200, len(names)))})
    entities = rng.sample([p.id for p in people] + [o.id for o in orgs] + patents,
                          min(500, len(people) + len(orgs) + len(patents)))
    pairs = [(rng.choice(firms).id, rng.choice(people).id) for _ in range(300)]
    return Targets(token, terms, entities, pairs, rng.sample(demands, min(100, len(demands))), counts)


# --------------------------------------------------------------------------- the server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _start_server(data_dir: Path, port: int, neo4j_uri: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KG_DATA_DIR": str(data_dir), "KG_BACKEND": "neo4j" if neo4j_uri else "embedded",
           "KG_RATE_LIMIT": "100000000/minute", "KG_ENV": "test"}
    if neo4j_uri:
        env["KG_NEO4J_URI"] = neo4j_uri
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", HOST,
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                out = server.stdout.read().decode(errors="replace") if server.stdout else ""
                raise SystemExit(f"uvicorn did not start:\n{out[-2000:]}") from None
            time.sleep(0.3)


def _wait_warm(base: str, timeout: float = 3600) -> float | None:
    """Wait for the server's start-up warm-up (``/health`` → ``warm_up``); its seconds, or None."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        with urllib.request.urlopen(f"{base}/api/v1/health", timeout=10) as r:
            state = json.load(r).get("warm_up")
        if state not in ("pending", "running"):
            return time.perf_counter() - t0 if state == "done" else None
        time.sleep(1)
    return None


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --------------------------------------------------------------------------- the load

def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    """
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _request(route: str, t: Targets, rng: random.Random) -> tuple[str, dict[str, Any]]:
    if route == "search":
        return "/api/v1/search", {"q": rng.choice(t.terms), "limit": 20}
    if route == "entities":
        return f"/api/v1/entities/{rng.choice(t.entities)}", {"rel_limit": 100}
    if route == "paths":
        source, target = rng.choice(t.pairs)
        return "/api/v1/paths", {"source": source, "target": target, "k": 3, "max_hops": 4}
    return f"/api/v1/demands/{rng.choice(t.demands)}/matches", {"limit": 10}


async def run_load(base: str, t: Targets, *, requests: int, concurrency: int, seconds: float,
                   seed: int) -> tuple[dict[str, dict[str, Any]], float]:
    """Send the mix; per route the latencies (s) of successes and the error count."""
    import httpx

    rng = random.Random(seed + 1)
    routes, weights = zip(*MIX, strict=True)
    plan = [_request(r, t, rng) + (r,) for r in rng.choices(routes, weights, k=requests)]
    stats: dict[str, dict[str, Any]] = {r: {"latencies": [], "errors": 0, "statuses": {}} for r in routes}
    gate = asyncio.Semaphore(concurrency)
    stop_at = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {t.token}"}

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60.0,
                                 limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(path: str, params: dict[str, Any], route: str) -> None:
            async with gate:
                if time.perf_counter() >= stop_at:
                    return
                start = time.perf_counter()
                try:
                    response = await client.get(path, params=params)
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = time.perf_counter() - start
                s = stats[route]
                s["statuses"][status] = s["statuses"].get(status, 0) + 1
                if 200 <= status < 300:
                    s["latencies"].append(elapsed)
                else:
                    s["errors"] += 1

        began = time.perf_counter()
        await asyncio.gather(*(one(p, q, r) for p, q, r in plan))
        wall = time.perf_counter() - began
    return stats, wall


def _warm(base: str, t: Targets) -> dict[str, float]:
    import httpx

    rng = random.Random(0)
    out = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {t.token}"}, timeout=600) as c:
        for route, _ in MIX:
            path, params = _request(route, t, rng)
            start = time.perf_counter()
            c.get(path, params=params)
            out[route] = time.perf_counter() - start
    return out


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load_api", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="small", help="small (default), demo, province, or a factor of province")
    ap.add_argument("--data-dir", type=Path, help="use this already ingested embedded store (KG_DATA_DIR)")
    ap.add_argument("--neo4j", metavar="URI", help="serve from this (already loaded) Neo4j instead of the "
                    "embedded store; with --data-dir for the job and audit files")
    ap.add_argument("--requests", type=int, default=400, help="requests to send (default 400)")
    ap.add_argument("--concurrency", type=int, default=8, help="requests in flight at most (default 8)")
    ap.add_argument("--seconds", type=float, default=120, help="stop sending after this long (default 120)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", action="store_true", help="keep the generated data and store")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if not (1 <= args.requests <= 1_000_000 and 1 <= args.concurrency <= 256 and 0 < args.seconds <= 3600):
        ap.error("bounds: 1 ≤ requests ≤ 1e6, 1 ≤ concurrency ≤ 256, 0 < seconds ≤ 3600")

    work = Path(tempfile.mkdtemp(prefix="kg-load-"))
    ingest_seconds = None
    try:
        if args.data_dir:
            data_dir = args.data_dir.resolve()
            scale = f"store at {args.neo4j or data_dir}"
        else:
            data_dir = work / "var"
            data_dir.mkdir()
            scale = args.scale
            ingest_seconds = _build(args.scale, data_dir, work, args.seed)
        targets = _targets(data_dir, args.seed, args.neo4j)
        port = _free_port()
        base = f"http://{HOST}:{port}"
        server = _start_server(data_dir, port, args.neo4j)
        try:
            warm_up = _wait_warm(base)
            print(f"server warm-up (text index, people directory): "
                  f"{f'{warm_up:.0f} s' if warm_up is not None else 'off or failed'}", file=sys.stderr)
            cold = _warm(base, targets)
            stats, wall = asyncio.run(run_load(base, targets, requests=args.requests,
                                               concurrency=args.concurrency, seconds=args.seconds,
                                               seed=args.seed))
        finally:
            _stop_server(server)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    rows = []
    for route, s in stats.items():
        n = len(s["latencies"]) + s["errors"]
        lat = s["latencies"]
        rows.append({
            "route": route, "requests": n, "errors": s["errors"],
            "error_rate": s["errors"] / n if n else 0.0,
            "p50_ms": percentile(lat, 50) * 1000, "p95_ms": percentile(lat, 95) * 1000,
            "max_ms": max(lat) * 1000 if lat else float("nan"),
            "cold_ms": cold[route] * 1000, "statuses": s["statuses"],
        })
    sent = sum(r["requests"] for r in rows)
    summary = {
        "scale": scale, "graph": targets.counts, "ingest_seconds": ingest_seconds,
        "requests_planned": args.requests, "requests_sent": sent, "concurrency": args.concurrency,
        "wall_seconds": round(wall, 2), "throughput_rps": round(sent / wall, 1) if wall else None,
        "error_rate": sum(r["errors"] for r in rows) / sent if sent else 0.0, "routes": rows,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"XiaoQi Graph API load run — scale {scale}, graph {targets.counts}")
    print(f"{sent} of {args.requests} requests in {wall:.1f} s with ≤ {args.concurrency} in flight "
          f"({summary['throughput_rps']} req/s), error rate {summary['error_rate']:.2%}")
    print(f"{'route':<10}{'n':>6}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'cold ms':>10}")
    for r in rows:
        print(f"{r['route']:<10}{r['requests']:>6}{r['errors']:>8}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}"
              f"{r['max_ms']:>10.1f}{r['cold_ms']:>10.1f}")
    if any(r["errors"] for r in rows):
        print("statuses: " + "; ".join(f"{r['route']} {r['statuses']}" for r in rows if r["errors"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
