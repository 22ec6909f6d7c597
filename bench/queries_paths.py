"""Benchmark of collaboration_paths and who_can_introduce on both backends.

    python -m bench.queries_paths --scale province --pairs 300 \\
        --neo4j bolt://127.0.0.1:7693 --embedded /tmp/paths_bench/province.sqlite3

Loads a province-sized graph into each store (skipped when the store already holds the same
graph: ``--reuse``, on by default), draws random pairs, and prints p50/p95 latency of
``collaboration_paths`` and ``who_can_introduce`` per backend; on Neo4j, in the same run and on
the same pairs, also a bare ``shortestPath`` through the driver, and the ratio of ours to it.
When the database has the project's procedure ``xiaoqi.paths.corridor`` (the launcher in
tools/neo4j-launcher registers it), each pair is also timed with the Cypher corridor search that
a server without the plugin runs, and with the procedure reading every hub afresh (as on the
first query after a write), interleaved with ours (A/Bs in the same run).
Target on Neo4j at province scale: collaboration_paths p95 ≤ 20 ms.  Every pair is timed once per
pass; ``--passes`` (3) passes are printed one by one and the target is judged on the median pass's
p95 (one pass on a shared machine swings with its load, the bare query's as much as ours).

The graph
---------
By default the graph is synthesised here directly as NodeRecord/RelRecord batches (the input
generator ``bench.generate`` + ``ingest.pipeline`` are the realistic route, ``--input DIR``,
but at province scale parsing 60k CVs takes far longer than a benchmark should).  The synthetic
graph follows the province sizes of ``bench.gen.scale.PROVINCE`` with skewed degrees:

* 80 universities, Zipf-sized (the largest ≈ 8 % of faculty), 5–30 colleges each, labs;
* 60k faculty (WORKS_AT with title/unit; 15 % a former position elsewhere; 1–2 STUDIED_AT
  drawn towards the big universities), 10k PhD students;
* teams of 4–15 under colleges covering ~70 % of faculty (LEADS + MEMBER_OF);
* 5k firms with 30k staff, Pareto-sized (100 leading firms with 50–400 staff), 70 % of staff
  alumni of a university;
* 100k patents, ~5 inventors each: 65 % from one university team (+ students), 28 % from one
  firm, 7 % joint between a team and one of its 0–2 partner firms; APPLICANT_OF;
* COLLABORATED_WITH derived exactly as ingest does (weight 1 − 0.5^Σstrength, kinds, evidence);
* 10k demands (POSTED, CONTACT_FOR), 5k results (COMPLETED, COVERS), ~2.3k appointments;
* 40 fields and 3k topics with Zipf popularity (IN_FIELD / HAS_TOPIC hubs, excluded by the
  queries' defaults but present in the graph as they are in production).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from cypher import load as cypher_load
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
from graph.queries import paths as paths_module
from graph.queries.paths import collaboration_paths, who_can_introduce
from graph.store.base import Document, GraphStore, chunks

__all__ = ["synthetic_graph", "load", "sample_pairs", "run", "main"]

_META = ("bench", "paths_graph")
YEAR = 2025
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红鹏飞宇浩然博文轩子涵"
_TITLES = (("教授", 0.25, 4), ("副教授", 0.35, 3), ("讲师", 0.28, 2), ("研究员", 0.07, 4),
           ("副研究员", 0.05, 3))
_FIELDS = ("数字经济", "生物经济", "冰雪经济", "创意设计", "电子信息", "高端智能装备", "农机装备",
           "新材料", "生物医药", "食品精深加工")
_CITIES = ("哈尔滨", "齐齐哈尔", "大庆", "牡丹江", "佳木斯", "鸡西", "绥化", "黑河")


# --------------------------------------------------------------------------- the graph


@dataclass
class _World:
    rng: random.Random
    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)

    # model_construct: the values are built clean here, and validating 2M records would
    # dominate the run; the stores still check endpoints and kinds on write.
    def node(self, node_id: str, label: NodeLabel, **props: Any) -> str:
        self.nodes.append(NodeRecord.model_construct(id=node_id, label=label, props=props))
        return node_id

    def rel(self, src: str, t: RelType, dst: str, key: str = "", **props: Any) -> None:
        self.rels.append(RelRecord.model_construct(src=src, type=t, dst=dst, key=key, props=props))

    def name(self) -> str:
        r = self.rng
        return r.choice(_SURNAMES) + "".join(r.choice(_GIVEN) for _ in range(r.choice((1, 2))))


def _zipf(n: int, s: float) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def _cum(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for x in weights:
        total += x
        out.append(total)
    return out


def _split(total: int, weights: Sequence[float], lo: int = 1) -> list[int]:
    w = sum(weights)
    sizes = [max(lo, round(total * x / w)) for x in weights]
    return sizes


def synthetic_graph(factor: float = 1.0, seed: int = 42) -> tuple[list[NodeRecord], list[RelRecord]]:
    """A province-like graph (``factor`` 1.0 = province) as store records; deterministic."""
    rng = random.Random(seed)
    w = _World(rng)
    n_univ = max(4, min(80, round(80 * math.sqrt(factor))))
    n_faculty, n_students = round(60_000 * factor), round(10_000 * factor)
    n_firms, n_staff = max(6, round(5_000 * factor)), round(30_000 * factor)
    n_patents, n_demands = round(100_000 * factor), round(10_000 * factor)
    n_results, n_topics = round(5_000 * factor), max(50, round(3_000 * factor))

    # Fields and topics (hubs)
    fields = [w.node(f"field:f{i}", NodeLabel.FIELD, name=f, kind="industry") for i, f in enumerate(_FIELDS)]
    subfields = []
    for i in range(30):
        sid = w.node(f"field:s{i}", NodeLabel.FIELD, name=f"{_FIELDS[i % 10]}细分{i}", kind="general")
        w.rel(sid, RelType.PART_OF, fields[i % 10])
        subfields.append(sid)
    all_fields = fields + subfields
    topics = [w.node(f"topic:t{i}", NodeLabel.TOPIC, name=f"主题{i}") for i in range(n_topics)]
    topic_cw = _cum(_zipf(n_topics, 1.0))

    def tag(subject: str, n_topic: int) -> None:
        for f in set(rng.choices(all_fields, k=rng.choice((1, 1, 2)))):
            w.rel(subject, RelType.IN_FIELD, f, weight=round(rng.uniform(0.3, 1.0), 2))
        for t in set(rng.choices(topics, cum_weights=topic_cw, k=n_topic)):
            w.rel(subject, RelType.HAS_TOPIC, t, weight=round(rng.uniform(0.3, 1.0), 2))

    # Universities, colleges, labs
    univ_w = _zipf(n_univ, 0.9)
    univs, colleges = [], {}
    for i in range(n_univ):
        u = w.node(f"org:u{i}", NodeLabel.ORGANIZATION, name=f"黑龙江第{i}大学", kind="university",
                   city=rng.choice(_CITIES), province="黑龙江")
        univs.append(u)
        n_col = min(30, 5 + round(univ_w[i] / univ_w[-1] * 0.6))
        colleges[u] = []
        for j in range(n_col):
            c = w.node(f"org:u{i}c{j}", NodeLabel.ORGANIZATION, name=f"第{i}大学第{j}学院", kind="college")
            w.rel(c, RelType.PART_OF, u)
            colleges[u].append(c)
        for j in range(2):
            lab = w.node(f"org:u{i}l{j}", NodeLabel.ORGANIZATION, name=f"第{i}大学重点实验室{j}", kind="lab")
            w.rel(lab, RelType.PART_OF, u)
    study_cw = _cum([x ** 1.5 for x in univ_w])

    # Faculty
    faculty_by_univ: dict[str, list[str]] = defaultdict(list)
    faculty_college: dict[str, str] = {}
    sizes = _split(n_faculty, univ_w, lo=20)
    k = 0
    for u, size in zip(univs, sizes, strict=True):
        for _ in range(size):
            pid = f"person:f{k}"
            k += 1
            title, _, seniority = rng.choices(_TITLES, weights=[t[1] for t in _TITLES])[0]
            col = rng.choice(colleges[u])
            w.node(pid, NodeLabel.PERSON, name=w.name(), titles=[title], seniority=seniority,
                   research_directions=[f"方向{rng.randrange(5000)}"])
            w.rel(pid, RelType.WORKS_AT, u, title=title, unit=col.split(":")[1], current=True,
                  start=rng.randint(1995, 2022))
            if rng.random() < 0.15:
                other = rng.choice(univs)
                if other != u:
                    end = rng.randint(2000, 2020)
                    w.rel(pid, RelType.WORKS_AT, other, key=str(end - 5), title="讲师", start=end - 5, end=end)
            for degree in rng.sample(("博士", "硕士"), k=rng.choice((1, 2))):
                school = u if rng.random() < 0.4 else rng.choices(univs, cum_weights=study_cw)[0]
                w.rel(pid, RelType.STUDIED_AT, school, key=degree, degree=degree, major="工学",
                      end=rng.randint(1990, 2020))
            tag(pid, 3)
            faculty_by_univ[u].append(pid)
            faculty_college[pid] = col
    students_by_univ: dict[str, list[str]] = defaultdict(list)
    for i, u in enumerate(rng.choices(univs, weights=univ_w, k=n_students)):
        sid = w.node(f"person:s{i}", NodeLabel.PERSON, name=w.name(), titles=["博士研究生"], seniority=0)
        w.rel(sid, RelType.STUDIED_AT, u, key="博士", degree="博士", start=rng.randint(2019, 2024))
        students_by_univ[u].append(sid)

    # Teams under colleges
    teams: list[tuple[str, str, list[str]]] = []  # (team, university, members)
    t = 0
    for u in univs:
        pool = faculty_by_univ[u][:]
        rng.shuffle(pool)
        pool = pool[: round(len(pool) * 0.7)]
        while len(pool) >= 4:
            size = min(len(pool), rng.randint(4, 15))
            members, pool = pool[:size], pool[size:]
            tid = w.node(f"team:t{t}", NodeLabel.TEAM, name=f"第{t}创新团队")
            t += 1
            w.rel(tid, RelType.PART_OF, faculty_college[members[0]])
            w.rel(members[0], RelType.LEADS, tid)
            w.rel(members[0], RelType.MEMBER_OF, tid, role="负责人")
            for m in members[1:]:
                w.rel(m, RelType.MEMBER_OF, tid)
            teams.append((tid, u, members))
            tag(tid, 2)

    # Firms and staff
    firm_w = [rng.paretovariate(1.3) for _ in range(n_firms)]
    firm_w.sort(reverse=True)
    staff_sizes = _split(n_staff, firm_w, lo=1)
    firms, staff_of = [], {}
    k = 0
    for i, size in enumerate(staff_sizes):
        leading = i < 100
        f = w.node(f"org:e{i}", NodeLabel.ORGANIZATION, name=f"黑龙江第{i}科技有限公司", kind="enterprise",
                   city=rng.choice(_CITIES), province="黑龙江", is_leading=leading, is_sme=not leading,
                   is_specialised=rng.random() < 0.15, is_high_tech=rng.random() < 0.3)
        firms.append(f)
        staff_of[f] = []
        tag(f, 2)
        for _ in range(size):
            pid = f"person:e{k}"
            k += 1
            title = rng.choice(("工程师", "高级工程师", "技术总监", "研发经理"))
            w.node(pid, NodeLabel.PERSON, name=w.name(), titles=[title], seniority=rng.randint(1, 3))
            w.rel(pid, RelType.WORKS_AT, f, title=title, current=True, start=rng.randint(2000, 2024))
            if rng.random() < 0.7:
                school = rng.choices(univs, cum_weights=study_cw)[0]
                w.rel(pid, RelType.STUDIED_AT, school, key="硕士", degree="硕士", end=rng.randint(1995, 2022))
            staff_of[f].append(pid)
    staffed = [f for f in firms if staff_of[f]]
    staffed_cw = _cum([len(staff_of[f]) for f in staffed])
    partners = {tid: rng.sample(staffed, k=rng.choice((0, 1, 1, 2))) for tid, _, _ in teams}

    # Patents and the collaboration ties they make
    pair_items: dict[tuple[str, str], dict[str, tuple[str, float, int | None]]] = defaultdict(dict)
    years = list(range(2010, 2026))
    year_cw = _cum([1 + (y - 2010) * 0.3 for y in years])

    def shared(item: str, people: Sequence[str], kind: str, strength: float, year: int | None) -> None:
        for a, b in combinations(sorted(set(people)), 2):
            pair_items[(a, b)][item] = (kind, strength, year)

    for i in range(n_patents):
        year = rng.choices(years, cum_weights=year_cw)[0]
        pid = w.node(f"patent:CN{year}{i:07d}", NodeLabel.PATENT, name=f"一种装置及方法{i}",
                     application_number=f"CN{year}1{i:07d}.X", year=year)
        roll = rng.random()
        applicants: list[str] = []
        if roll < 0.72 or not staffed:
            tid, u, members = rng.choice(teams)
            people = rng.sample(members, k=min(len(members), rng.randint(2, 5)))
            if students_by_univ[u] and rng.random() < 0.5:
                people += rng.sample(students_by_univ[u], k=min(2, len(students_by_univ[u])))
            applicants.append(u)
            if roll >= 0.65 and partners[tid]:
                f = rng.choice(partners[tid])
                people += rng.sample(staff_of[f], k=min(len(staff_of[f]), rng.randint(1, 2)))
                applicants.append(f)
        else:
            f = rng.choices(staffed, cum_weights=staffed_cw)[0]
            people = rng.sample(staff_of[f], k=min(len(staff_of[f]), rng.randint(2, 6)))
            applicants.append(f)
        for pos, person in enumerate(people, 1):
            w.rel(person, RelType.INVENTED, pid, position=pos)
        for pos, org in enumerate(applicants, 1):
            w.rel(org, RelType.APPLICANT_OF, pid, position=pos)
        shared(pid, people, "co_invention", 1.0, year)
        tag(pid, 2)
    for tid, _, members in teams:
        shared(tid, members, "same_team", 0.6, None)

    # Results, demands, appointments
    for i in range(n_results):
        tid, u, members = rng.choice(teams)
        aid = w.node(f"achievement:a{i}", NodeLabel.ACHIEVEMENT, name=f"科技成果{i}")
        people = rng.sample(members, k=min(len(members), rng.randint(1, 3)))
        for pos, person in enumerate(people, 1):
            w.rel(person, RelType.COMPLETED, aid, position=pos)
        w.rel(u, RelType.COMPLETED, aid)
        shared(aid, people, "co_achievement", 0.8, None)
    invented: dict[str, list[str]] = defaultdict(list)
    for r in w.rels:
        if r.type is RelType.INVENTED:
            invented[r.src].append(r.dst)
    for r in list(w.rels):
        if r.type is RelType.COMPLETED and r.src.startswith("person:") and invented[r.src]:
            w.rel(r.dst, RelType.COVERS, rng.choice(invented[r.src]))
    for i in range(n_demands):
        f = rng.choices(staffed, cum_weights=staffed_cw)[0]
        did = w.node(f"demand:d{i}", NodeLabel.DEMAND, name=f"技术需求{i}", batch=rng.choice(("2025H2", "2026H1")),
                     city=rng.choice(_CITIES))
        w.rel(f, RelType.POSTED, did, batch="2025H2")
        w.rel(rng.choice(staff_of[f]), RelType.CONTACT_FOR, did)
        tag(did, 2)
    all_faculty = [p for u in univs for p in faculty_by_univ[u]]
    all_staff = [p for f in staffed for p in staff_of[f]]
    smes = [f for f in staffed if len(staff_of[f]) < 20]
    for _ in range(round(800 * factor)):
        w.rel(rng.choice(all_staff), RelType.APPOINTED_AS, rng.choice(univs), role="industry_professor",
              start=rng.randint(2022, 2025))
    for _ in range(round(1000 * factor)):
        w.rel(rng.choice(all_faculty), RelType.APPOINTED_AS, rng.choice(smes or staffed), role="tech_mentor",
              start=rng.randint(2022, 2025))
    for u in univs:
        for s in students_by_univ[u][: max(1, round(len(students_by_univ[u]) * 0.05))]:
            w.rel(s, RelType.APPOINTED_AS, rng.choice(staffed), role="liaison", start=2025)

    # COLLABORATED_WITH, as ingest.people.derive_collaborations builds it
    for (a, b), items in sorted(pair_items.items()):
        total = sum(s for _, s, _ in items.values())
        ys = [y for _, _, y in items.values() if y is not None]
        props: dict[str, Any] = {
            "weight": round(1 - math.pow(0.5, total), 4), "count": len(items),
            "kinds": sorted({kind for kind, _, _ in items.values()}),
            "evidence": sorted(items)[:20], "method": "derived",
        }
        if ys:
            props["first_year"], props["last_year"] = min(ys), max(ys)
        w.rel(a, RelType.COLLABORATED_WITH, b, **props)

    # One relationship per identity (the generator may draw the same appointment twice).
    unique = {r.identity: r for r in w.rels}
    return w.nodes, [unique[k] for k in sorted(unique)]


# --------------------------------------------------------------------------- loading


def load(store: GraphStore, nodes: Sequence[NodeRecord], rels: Sequence[RelRecord], *,
         tag: str, batch: int = 10_000) -> float:
    """Write the graph unless the store already holds it (tag in a bench document).

    The embedded store is written through :meth:`GraphStore.write`.  Neo4j is bulk-loaded with
    plain ``CREATE`` batches through the driver (``Neo4jStore.write`` diffs every batch against
    what is stored, which at 2.5M relationships takes an hour); the storage shape is the store's
    own: ``(:Entity:<Label> {id, …props})`` and relationships carrying ``key``.
    """
    if _holds(store, tag):
        return 0.0
    t0 = time.perf_counter()
    store.clear()
    if store.backend == "neo4j":
        _bulk_neo4j(store, nodes, rels)
    else:
        for i, chunk in enumerate(chunks(list(nodes), batch)):
            store.write(chunk)
            _progress(f"{store.backend}: nodes", (i + 1) * batch, len(nodes))
        for i, chunk in enumerate(chunks(list(rels), batch)):
            store.write((), chunk)
            _progress(f"{store.backend}: relationships", (i + 1) * batch, len(rels))
    store.put_documents([Document(_META[0], _META[1], {"tag": tag})])
    return time.perf_counter() - t0


def _bulk_neo4j(store: GraphStore, nodes: Sequence[NodeRecord], rels: Sequence[RelRecord],
                batch: int = 20_000) -> None:
    from cypher import escape_identifier

    driver, database = store.driver, store.database  # type: ignore[attr-defined]
    by_label: dict[NodeLabel, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        by_label[n.label].append({"id": n.id, "props": n.props})
    done = 0
    for label in sorted(by_label):
        query = (f"UNWIND $rows AS row CREATE (n:Entity:{escape_identifier(label.value)} {{id: row.id}}) "
                 "SET n += row.props")
        for chunk in chunks(by_label[label], batch):
            driver.execute_query(query, {"rows": list(chunk)}, database_=database)
            done += len(chunk)
            _progress("neo4j: nodes", done, len(nodes))
    by_type: dict[RelType, list[dict[str, Any]]] = defaultdict(list)
    for r in rels:
        by_type[r.type].append({"src": r.src, "dst": r.dst, "key": r.key, "props": r.props})
    done = 0
    for rel_type in sorted(by_type):
        query = ("UNWIND $rows AS row MATCH (a:Entity {id: row.src}) MATCH (b:Entity {id: row.dst}) "
                 f"CREATE (a)-[r:{escape_identifier(rel_type.value)} {{key: row.key}}]->(b) SET r += row.props")
        for chunk in chunks(sorted(by_type[rel_type], key=lambda x: x["src"]), batch):
            driver.execute_query(query, {"rows": list(chunk)}, database_=database)
            done += len(chunk)
            _progress("neo4j: relationships", done, len(rels))
    driver.execute_query(cypher_load("write/bump_generation"), database_=database)


_GENERATOR_VERSION = 1  # bump when synthetic_graph changes, so stores are reloaded


def _holds(store: GraphStore, tag: str) -> bool:
    meta = store.get_documents(_META[0], keys=[_META[1]]).get(_META[1])
    return meta is not None and meta.doc.get("tag") == tag


def _summary(nodes: Sequence[NodeRecord], rels: Sequence[RelRecord]) -> str:
    by_label: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    for n in nodes:
        by_label[n.label.value] += 1
    for r in rels:
        by_type[r.type.value] += 1
    return (f"{len(nodes)} nodes ({', '.join(f'{k} {v}' for k, v in sorted(by_label.items()))}); "
            f"{len(rels)} relationships ({', '.join(f'{k} {v}' for k, v in sorted(by_type.items()))})")


def _save_pairs(path: Path, pairs: Pairs, summary: str) -> None:
    path.write_text(json.dumps({"paths": pairs.paths, "intro": pairs.intro, "summary": summary},
                               ensure_ascii=False), encoding="utf-8")


def _load_pairs(path: Path) -> tuple[Pairs, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Pairs([tuple(p) for p in data["paths"]], [tuple(p) for p in data["intro"]]), data["summary"]


def _progress(stage: str, done: int, total: int) -> None:
    if done >= total or done % 200_000 < 20_000:
        print(f"  {stage} {min(done, total)}/{total}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pairs:
    paths: list[tuple[str, str]]  # (source, target) for collaboration_paths
    intro: list[tuple[str, str]]  # (enterprise, researcher) for who_can_introduce


def sample_pairs(nodes: Sequence[NodeRecord], rels: Sequence[RelRecord], n: int, seed: int) -> Pairs:
    """Random pairs of the kinds matchmakers ask about.

    Half are uniform random pairs (researcher–firm, researcher–researcher, team–firm,
    demand–researcher, patent–staff); half are *near* pairs whose target is drawn from a
    2–4 step random walk from the source, the question a matchmaker asks after a match list.
    Introductions: (enterprise, researcher), half random, half near.
    """
    rng = random.Random(seed)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for nd in nodes:
        prefix = nd.id.split(":", 1)[1][:1] if nd.label is NodeLabel.PERSON else nd.label.value
        if nd.label is NodeLabel.ORGANIZATION:
            prefix = "firm" if nd.props.get("kind") == "enterprise" else "org"
        by_kind[prefix].append(nd.id)
    set_of = {kind: set(ids) for kind, ids in by_kind.items()}
    adj: dict[str, list[str]] = defaultdict(list)
    for r in rels:
        if r.type not in (RelType.IN_FIELD, RelType.HAS_TOPIC):
            adj[r.src].append(r.dst)
            adj[r.dst].append(r.src)

    def near(src: str, want: Callable[[str], bool]) -> str | None:
        for _ in range(50):
            cur = src
            for _ in range(rng.randint(2, 4)):
                if not adj[cur]:
                    break
                cur = rng.choice(adj[cur])
            if cur != src and want(cur):
                return cur
        return None

    kinds = [("f", "firm"), ("f", "f"), ("Team", "firm"), ("Demand", "f"), ("Patent", "e")]
    paths: list[tuple[str, str]] = []
    while len(paths) < n:
        a_kind, b_kind = kinds[len(paths) % len(kinds)]
        a = rng.choice(by_kind[a_kind])
        if len(paths) % 2:
            b = near(a, lambda x, k=b_kind: x in set_of[k])
            if b is None:
                continue
        else:
            b = rng.choice(by_kind[b_kind])
        if a != b:
            paths.append((a, b))
    intro: list[tuple[str, str]] = []
    while len(intro) < n:
        firm = rng.choice(by_kind["firm"])
        if len(intro) % 2:
            b = near(firm, lambda x: x in set_of["f"])
            if b is None:
                continue
        else:
            b = rng.choice(by_kind["f"])
        intro.append((firm, b))
    return Pairs(paths, intro)


# --------------------------------------------------------------------------- timing


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000, result


_BARE = ("MATCH (a:Entity {id: $s}) MATCH (b:Entity {id: $t}) "
         "MATCH p = shortestPath((a)-[*..4]-(b)) RETURN [n IN nodes(p) | n.id] AS ids")


def run(store: GraphStore, pairs: Pairs, *, warmup: int) -> dict[str, Any]:
    """Latencies in ms of both queries (and the bare shortestPath on Neo4j) over the pairs.

    Each pair is timed once, after ``warmup`` untimed passes over the first pairs (plan cache,
    page cache, networkx snapshot).
    """
    out: dict[str, Any] = {"paths": [], "intro": [], "bare": [], "cypher": [], "intro_cypher": [], "unshared": [],
                           "found": 0, "intro_found": 0, "lengths": defaultdict(int)}
    ab = store.backend == "neo4j" and paths_module._has_procedure(store)
    for s, t in pairs.paths[:warmup]:
        collaboration_paths(store, s, t, as_of=YEAR)
        if store.backend == "neo4j":
            _bare(store, s, t)
    for f, r in pairs.intro[:warmup]:
        who_can_introduce(store, f, r, as_of=YEAR)
    for s, t in pairs.paths:
        ms, found = _time(lambda s=s, t=t: collaboration_paths(store, s, t, as_of=YEAR), 1)
        out["paths"].append(ms)
        out["found"] += bool(found)
        out["lengths"][found[0].length if found else 0] += 1
        if store.backend == "neo4j":
            out["bare"].append(_time(lambda s=s, t=t: _bare(store, s, t), 1)[0])
        if ab:
            out["cypher"].append(_with_cypher_search(
                store, lambda s=s, t=t: collaboration_paths(store, s, t, as_of=YEAR), found, (s, t)))
            out["unshared"].append(_without_shared_adjacency(
                store, lambda s=s, t=t: collaboration_paths(store, s, t, as_of=YEAR), found, (s, t)))
    for f, r in pairs.intro:
        ms, found = _time(lambda f=f, r=r: who_can_introduce(store, f, r, as_of=YEAR), 1)
        out["intro"].append(ms)
        out["intro_found"] += bool(found)
        if ab:
            out["intro_cypher"].append(_with_cypher_search(
                store, lambda f=f, r=r: who_can_introduce(store, f, r, as_of=YEAR), found, (f, r)))
    return out


def _with_cypher_search(store: GraphStore, fn: Callable[[], Any], want: Any, pair: tuple[str, str]) -> float:
    """``fn`` timed with the Cypher corridor search; its answer must equal ``want``."""
    with _cypher_search(store):
        ms, got = _time(fn, 1)
    if got != want:
        raise AssertionError(f"the two corridor searches disagree on {pair[0]} → {pair[1]}")
    return ms


def _without_shared_adjacency(store: GraphStore, fn: Callable[[], Any], want: Any, pair: tuple[str, str]) -> float:
    """``fn`` timed with the procedure reading every node afresh (as after a write); its answer
    must equal ``want``."""
    paths_module.SHARED_ADJACENCY = False
    try:
        ms, got = _time(fn, 1)
    finally:
        paths_module.SHARED_ADJACENCY = True
    if got != want:
        raise AssertionError(f"the procedure with and without shared adjacency disagrees on {pair[0]} → {pair[1]}")
    return ms


@contextlib.contextmanager
def _cypher_search(store: GraphStore) -> Iterator[None]:
    """Run the path queries with the Cypher corridor search, as on a server without the plugin."""
    driver = store.driver  # type: ignore[attr-defined]
    paths_module._HAS_PROCEDURE[driver] = False
    try:
        yield
    finally:
        paths_module._HAS_PROCEDURE[driver] = True


def _bare(store: GraphStore, s: str, t: str) -> Any:
    records, _, _ = store.driver.execute_query(_BARE, {"s": s, "t": t}, database_=store.database,  # type: ignore[attr-defined]
                                               routing_="r")
    return records


def report(name: str, res: dict[str, Any], n: int) -> list[str]:
    lines = [f"{name}:",
             f"  collaboration_paths  p50 {_pct(res['paths'], .5):7.1f} ms   p95 {_pct(res['paths'], .95):7.1f} ms"
             f"   max {max(res['paths']):7.1f} ms   ({res['found']}/{n} pairs with a path; "
             f"best-path hops {dict(sorted(res['lengths'].items()))})",
             f"  who_can_introduce    p50 {_pct(res['intro'], .5):7.1f} ms   p95 {_pct(res['intro'], .95):7.1f} ms"
             f"   max {max(res['intro']):7.1f} ms   ({res['intro_found']}/{n} pairs with an introducer)"]
    if res["cypher"]:
        lines += [
            "  with the Cypher corridor search (no plugin; same answers, checked):",
            f"    collaboration_paths p50 {_pct(res['cypher'], .5):7.1f} ms   p95 {_pct(res['cypher'], .95):7.1f} ms"
            f"   max {max(res['cypher']):7.1f} ms",
            f"    who_can_introduce   p50 {_pct(res['intro_cypher'], .5):7.1f} ms   p95 "
            f"{_pct(res['intro_cypher'], .95):7.1f} ms   max {max(res['intro_cypher']):7.1f} ms",
        ]
    if res["unshared"]:
        lines += [
            "  with the procedure reading every hub afresh (as after a write; same answers, checked):",
            f"    collaboration_paths p50 {_pct(res['unshared'], .5):7.1f} ms   p95 {_pct(res['unshared'], .95):7.1f} ms"
            f"   max {max(res['unshared']):7.1f} ms",
        ]
    if res["bare"]:
        ratios = [a / b for a, b in zip(res["paths"], res["bare"], strict=True) if b > 0]
        lines += [
            f"  bare shortestPath    p50 {_pct(res['bare'], .5):7.1f} ms   p95 {_pct(res['bare'], .95):7.1f} ms",
            f"  ours / bare          p50 ratio {_pct(res['paths'], .5) / _pct(res['bare'], .5):5.2f}   "
            f"p95 ratio {_pct(res['paths'], .95) / _pct(res['bare'], .95):5.2f}   "
            f"per-pair median {statistics.median(ratios):5.2f}",
        ]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.queries_paths", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="province", help="province, or a factor of it (e.g. 0.1)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--passes", type=int, default=3,
                    help="timed passes over all pairs; the target is judged on the median pass's p95")
    ap.add_argument("--neo4j", default=None, help="bolt URI of a Neo4j to load and query (cleared!)")
    ap.add_argument("--embedded", type=Path, default=None, help="SQLite file of an embedded store")
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder for the sampled pairs, so a rerun on loaded stores skips synthesis")
    ap.add_argument("--input", type=Path, default=None,
                    help="a bench.generate bundle to ingest with ingest.pipeline instead of the synthetic graph")
    args = ap.parse_args(argv)
    factor = 1.0 if args.scale == "province" else float(args.scale)
    if not (args.neo4j or args.embedded):
        ap.error("give --neo4j and/or --embedded")

    t0 = time.perf_counter()
    stores: list[GraphStore] = []
    if args.embedded:
        from graph.store.embedded import EmbeddedStore

        stores.append(EmbeddedStore(args.embedded))
    if args.neo4j:
        from graph.store.neo4j import Neo4jStore

        stores.append(Neo4jStore(args.neo4j, None))

    if args.input:
        from ingest.pipeline import ingest_paths

        tag = f"input:{args.input.resolve()}"
        for store in stores:
            if not _holds(store, tag):
                store.clear()
                ingest_paths([args.input], store)
                store.put_documents([Document(_META[0], _META[1], {"tag": tag})])
        nodes, rels = list(stores[0].iter_nodes()), list(stores[0].iter_relationships())
        describe = f"ingested from {args.input}"
        pairs = sample_pairs(nodes, rels, args.pairs, args.seed)
    else:
        tag = f"synthetic:{_GENERATOR_VERSION}:{factor}:{args.seed}"
        cache = (args.cache / f"pairs-{factor}-{args.seed}-{args.pairs}.json") if args.cache else None
        describe = f"synthetic, scale {args.scale}"
        if cache and cache.exists() and all(_holds(s, tag) for s in stores):
            pairs, summary = _load_pairs(cache)
            print(f"stores already hold the graph; pairs from {cache}", file=sys.stderr)
        else:
            t1 = time.perf_counter()
            nodes, rels = synthetic_graph(factor, args.seed)
            print(f"synthesised in {time.perf_counter() - t1:.0f} s", file=sys.stderr)
            for store in stores:
                took = load(store, nodes, rels, tag=tag)
                if took:
                    print(f"loaded {store.backend} in {took:.0f} s", file=sys.stderr)
            pairs = sample_pairs(nodes, rels, args.pairs, args.seed)
            summary = _summary(nodes, rels)
            if cache:
                cache.parent.mkdir(parents=True, exist_ok=True)
                _save_pairs(cache, pairs, summary)
            del nodes, rels  # the stores hold the graph now; the embedded snapshot needs the memory
            gc.collect()
    if args.input:
        summary = _summary(nodes, rels)
        del nodes, rels
    print(f"graph ({describe}): {summary}")
    print(f"prepared in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    target_met = None
    for store in stores:
        if store.backend == "embedded":
            t1 = time.perf_counter()
            store.graph()
            print(f"embedded: networkx snapshot built in {time.perf_counter() - t1:.0f} s", file=sys.stderr)
        passes = []
        for n in range(1, args.passes + 1):
            res = run(store, pairs, warmup=args.warmup if n == 1 else 0)
            passes.append(res)
            lines = report(store.backend, res, args.pairs)
            print("\n".join([f"{lines[0][:-1]} (pass {n}/{args.passes}, load average "
                             f"{os.getloadavg()[0]:.1f}):", *lines[1:]]), flush=True)
        # One pass's p95 on a shared machine swings with its load (a pass whose bare query is
        # slow is slow for ours too): every pass is printed, the median one is judged.
        p95s = sorted(_pct(res["paths"], .95) for res in passes)
        p95 = p95s[len(p95s) // 2]
        ours_text = ", ".join(f"{_pct(res['paths'], .95):.1f}" for res in passes)
        bare_text = ", ".join(f"{_pct(res['bare'], .95):.1f}" for res in passes) if passes[0]["bare"] else ""
        print(f"{store.backend}: collaboration_paths p95 per pass {ours_text} ms (median {p95:.1f})"
              + (f"; bare shortestPath p95 per pass {bare_text} ms" if bare_text else ""))
        if store.backend == "neo4j":
            target_met = p95 <= 20.0
            scale_note = "" if factor == 1.0 else f" (at scale {args.scale}, not province)"
            print(f"TARGET collaboration_paths p95 <= 20 ms on Neo4j{scale_note}: "
                  f"{'MET' if target_met else 'NOT MET'} (median pass p95 {p95:.1f} ms)")
    for store in stores:
        store.close()
    return 0 if target_met in (None, True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
