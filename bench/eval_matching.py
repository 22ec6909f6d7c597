"""Quality of demand matching and alliance detection against the generator's planted truth.

Reads a folder written by ``python -m bench.generate`` (inputs plus ``truth/``), ingests it
(or reuses an existing embedded store), then prints:

* for every planted demand (``truth/demand_targets.json``: a demand written for one team's
  exclusive topic) — recall@10 and nDCG@10 of :func:`match_demand` per candidate kind
  (people: the team members with patents on the topic; team: the team; patents: the team's
  patents on the topic) and for the mixed list of all kinds;
* for every planted alliance (``truth/alliances.json``: a university team, a leading firm
  and two to four SMEs co-filing in one field) — whether :func:`alliance_candidates` for that
  field returns it: the best Jaccard overlap of a proposed alliance with the planted members,
  the share recovered (Jaccard ≥ 0.5) among the 50 proposals for the field and among the top
  5, and the share whose university, leading firm and at least one SME sit in one proposal.
  A planted member is found through its official name, its aliases and units written after
  it (ingest may keep 某某公司研发中心 apart from 某某公司).

recall@10 = relevant items in the top 10 / min(relevant items, 10); nDCG@10 with binary gains
(ideal: all relevant items first).  Truth ids (P…, T…, F…) never reach the graph; they are
mapped through what the inputs show: application numbers, inventor positions, team and
university names, official firm names.

Usage::

    python -m bench.eval_matching --data /tmp/tenth                       # ingest, then evaluate
    python -m bench.eval_matching --data /tmp/tenth --db /tmp/tenth.sqlite3
    python -m bench.eval_matching --data /tmp/tenth --db /tmp/tenth.sqlite3 --neo4j bolt://127.0.0.1:7689
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from graph.model import NodeLabel, RelType
from graph.queries.alliances import alliance_candidates
from graph.queries.matching import match_demand
from graph.store.base import GraphStore
from graph.store.embedded import EmbeddedStore

__all__ = ["main", "evaluate", "recall_at", "ndcg_at"]

K = 10


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    """Relevant items in the top k / min(|relevant|, k)."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / min(len(relevant), k)


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    """nDCG@k with binary gains."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ranked[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


# --------------------------------------------------------------------------- truth → graph

class _GraphIndex:
    """What the evaluation needs to map truth onto graph ids."""

    def __init__(self, store: GraphStore) -> None:
        self.org_by_name: dict[str, str] = {}
        self.org_name: dict[str, str] = {}
        self.org_kind: dict[str, str] = {}
        for n in store.iter_nodes(NodeLabel.ORGANIZATION):
            self.org_name[n.id] = str(n.props.get("name", ""))
            self.org_kind[n.id] = str(n.props.get("kind", ""))
            for name in [n.props.get("name"), *(n.props.get("aliases") or [])]:
                if isinstance(name, str):
                    self.org_by_name.setdefault(name, n.id)
        self.part_of: dict[str, set[str]] = defaultdict(set)
        for r in store.iter_relationships(RelType.PART_OF):
            self.part_of[r.src].add(r.dst)
        self.poster: dict[str, set[str]] = defaultdict(set)
        for r in store.iter_relationships(RelType.POSTED):
            self.poster[r.dst].add(r.src)
        self.demands: dict[tuple[str, str], list[str]] = defaultdict(list)
        for n in store.iter_nodes(NodeLabel.DEMAND):
            batches = set(n.props.get("batches") or []) | {n.props.get("batch")}
            for b in batches:
                if isinstance(b, str):
                    self.demands[(str(n.props.get("name")), b)].append(n.id)
        self.teams: dict[str, list[str]] = defaultdict(list)
        for n in store.iter_nodes(NodeLabel.TEAM):
            self.teams[str(n.props.get("name"))].append(n.id)
        self.inventor_at: dict[tuple[str, int], str] = {}
        for r in store.iter_relationships(RelType.INVENTED):
            pos = r.props.get("position")
            if isinstance(pos, int):
                self.inventor_at[(r.dst, pos)] = r.src
        self.fields: dict[str, str] = {}
        for n in store.iter_nodes(NodeLabel.FIELD):
            if n.props.get("kind") == "industry":
                self.fields[str(n.props.get("name"))] = n.id

    def org(self, name: str) -> str | None:
        return self.org_by_name.get(name)

    def org_ids(self, name: str) -> set[str]:
        """Every graph organisation standing for an official name: the one named so (or with
        it as an alias) and units written after it (…研发中心, …研究院) that ingest kept apart."""
        out = {o for o, n in self.org_name.items() if n.startswith(name)}
        if name in self.org_by_name:
            out.add(self.org_by_name[name])
        return out

    def tops(self, node: str) -> set[str]:
        out, frontier = set(), {node}
        for _ in range(3):
            frontier = {p for f in frontier for p in self.part_of.get(f, ())}
            out |= frontier
        return out

    def demand(self, title: str, batch: str, firm: str) -> str | None:
        ids = self.demands.get((title, batch), [])
        firm_id = self.org(firm)
        exact = [d for d in ids if firm_id is not None and firm_id in self.poster.get(d, ())]
        if exact:
            return sorted(exact)[0]
        named = [d for d in ids if any(self.org_name.get(o) == firm for o in self.poster.get(d, ()))]
        return sorted(named)[0] if named else (ids[0] if len(ids) == 1 else None)

    def team(self, name: str, university: str) -> set[str]:
        uni = self.org(university)
        return {t for t in self.teams.get(name, []) if uni is not None and uni in self.tops(t)}


def _load_truth(data: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    tdir = data / "truth"
    targets = json.loads((tdir / "demand_targets.json").read_text("utf-8"))
    alliances = json.loads((tdir / "alliances.json").read_text("utf-8"))
    persons = json.loads((tdir / "persons.json").read_text("utf-8"))
    return targets, alliances, persons["patent_inventors"]


# --------------------------------------------------------------------------- evaluation

def evaluate(store: GraphStore, data: Path, *, seed: int = 42) -> dict[str, Any]:
    """Run the evaluation on a loaded store; returns the figures (also printed by :func:`main`)."""
    targets, alliances, inventors = _load_truth(data)
    gi = _GraphIndex(store)
    per_kind: dict[str, dict[str, list[float]]] = {k: {"recall": [], "ndcg": []}
                                                   for k in ("person", "team", "patent", "mixed")}
    unmapped = 0
    seconds: list[float] = []
    for _number, t in sorted(targets.items()):
        did = gi.demand(t["title"], t["batch"], t["firm"])
        if did is None:
            unmapped += 1
            continue
        patents = {f"patent:{a}" for a in t["patents"]}
        people: dict[str, set[str]] = defaultdict(set)  # truth person → graph ids
        for app in t["patents"]:
            for pos, pid in enumerate(inventors.get(app, []), start=1):
                if pid in t["person_ids"] and (f"patent:{app}", pos) in gi.inventor_at:
                    people[pid].add(gi.inventor_at[(f"patent:{app}", pos)])
        teams = gi.team(t["team_name"], t["university"])
        relevant = {
            "person": {g for ids in people.values() for g in ids},
            "team": teams,
            "patent": patents,
        }
        for kind in ("person", "team", "patent"):
            t0 = time.perf_counter()
            ranked = [m.id for m in match_demand(store, did, kinds=[kind], limit=K)]
            seconds.append(time.perf_counter() - t0)
            if kind == "person":
                # a truth person counts once, whichever of their graph ids is found
                found = sum(1 for ids in people.values() if ids & set(ranked))
                rec = found / min(len(people), K) if people else 0.0
            else:
                rec = recall_at(ranked, relevant[kind])
            if relevant[kind]:
                per_kind[kind]["recall"].append(rec)
                per_kind[kind]["ndcg"].append(ndcg_at(ranked, relevant[kind]))
        mixed = [m.id for m in match_demand(store, did, limit=K)]
        everything = relevant["person"] | relevant["team"] | relevant["patent"]
        per_kind["mixed"]["recall"].append(recall_at(mixed, everything))
        per_kind["mixed"]["ndcg"].append(ndcg_at(mixed, everything))

    recovered, recovered_top, composed, best = 0, 0, 0, []
    unmapped_members = 0
    for _aid, a in sorted(alliances.items()):
        field_id = gi.fields.get(a["field"])
        names = [a["university"]["name"], a["leading_firm"]["name"], *(s["name"] for s in a["smes"])]
        planted = [gi.org_ids(n) for n in names]
        unmapped_members += sum(1 for p in planted if not p)
        if field_id is None:
            best.append(0.0)
            continue
        proposals = alliance_candidates(store, field_id=field_id, limit=50, seed=seed)

        def jaccard(members: set[str], planted: list[set[str]] = planted) -> float:
            hit = sum(1 for p in planted if p & members)
            return hit / (len(planted) + len(members) - hit)

        scores = [jaccard(set(p.member_ids)) for p in proposals]
        jac = max(scores, default=0.0)
        best.append(jac)
        recovered += jac >= 0.5
        recovered_top += any(j >= 0.5 for j in scores[:5])
        uni, lead, smes = planted[0], planted[1], set().union(*planted[2:])
        composed += any(uni & set(p.member_ids) and lead & set(p.member_ids) and smes & set(p.member_ids)
                        for p in proposals)
    return {
        "demands": len(targets), "unmapped_demands": unmapped,
        "matching": {k: {m: (statistics.fmean(v) if v else float("nan")) for m, v in d.items()}
                     | {"n": len(d["recall"])} for k, d in per_kind.items()},
        "alliances": {"planted": len(alliances), "recovered": recovered, "recovered_top5": recovered_top,
                      "composition": composed, "unmapped_members": unmapped_members,
                      "mean_best_jaccard": statistics.fmean(best) if best else float("nan")},
        "match_seconds_p50": statistics.median(seconds) if seconds else float("nan"),
    }


def _print(label: str, res: dict[str, Any]) -> None:
    print(f"\n== {label} ==")
    print(f"planted demands: {res['demands']} (unmapped: {res['unmapped_demands']})")
    print(f"{'candidates':<10} {'n':>5} {'recall@10':>10} {'nDCG@10':>9}")
    for kind, m in res["matching"].items():
        print(f"{kind:<10} {m['n']:>5} {m['recall']:>10.3f} {m['ndcg']:>9.3f}")
    a = res["alliances"]
    share = a["recovered"] / a["planted"] if a["planted"] else float("nan")
    comp = a["composition"] / a["planted"] if a["planted"] else float("nan")
    top = a["recovered_top5"] / a["planted"] if a["planted"] else float("nan")
    print(f"alliances: planted {a['planted']} (members not found in the graph: {a['unmapped_members']}); "
          f"recovered (Jaccard ≥ 0.5) among the 50 proposals for the field {a['recovered']} = {share:.1%}, "
          f"among the top 5 {a['recovered_top5']} = {top:.1%}; 高校+龙头+中小 of the plant in one "
          f"proposal {a['composition']} = {comp:.1%}; mean best Jaccard {a['mean_best_jaccard']:.3f}")
    print(f"match_demand p50 during the evaluation: {res['match_seconds_p50'] * 1000:.1f} ms")


def _copy(src: GraphStore, dst: GraphStore, batch: int = 5000) -> None:
    dst.clear()
    nodes = list(src.iter_nodes())
    for i in range(0, len(nodes), batch):
        dst.write(nodes[i:i + batch], ())
    rels = list(src.iter_relationships())
    for i in range(0, len(rels), batch):
        dst.write((), rels[i:i + batch])


def main(argv: Iterable[str] | None = None) -> int:
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="folder written by bench.generate")
    ap.add_argument("--db", type=Path, help="embedded store to reuse (ingested into when new)")
    ap.add_argument("--neo4j", help="also evaluate on Neo4j at this bolt URI (the database is cleared)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(list(argv) if argv is not None else None)
    db = args.db or args.data.with_suffix(".sqlite3")
    fresh = not db.exists()
    store = EmbeddedStore(db)
    if fresh:
        from ingest.pipeline import ingest_paths

        t0 = time.perf_counter()
        report = ingest_paths([args.data], store, data_dir=db.parent / "var")
        print(f"ingested {args.data} in {time.perf_counter() - t0:.0f} s "
              f"({report.quarantined} quarantined)")
    counts = store.counts()
    print("graph:", dict(counts.nodes), f"{counts.total_relationships} relationships")
    _print(f"embedded ({db})", evaluate(store, args.data, seed=args.seed))
    if args.neo4j:
        from graph.store.neo4j import Neo4jStore

        neo = Neo4jStore(args.neo4j, None)
        t0 = time.perf_counter()
        _copy(store, neo)
        print(f"\ncopied to Neo4j in {time.perf_counter() - t0:.0f} s")
        _print(f"neo4j ({args.neo4j})", evaluate(neo, args.data, seed=args.seed))
        neo.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
