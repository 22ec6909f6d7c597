"""The tie index (graph.queries.profiles.TieIndex) against the definitions of ties, on both
backends: a small random graph, every pair of organisations and every (organisation, person)
pair checked against a brute-force reading of the stored relationships.

Definitions (graph/queries/profiles.py): ties between organisations a and b are the patents
both applied for, the people who worked at both, and the pairs (x at a, y at b) of people who
collaborated; personal ties of a person to an organisation are its staff they collaborated
with, and having worked there.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from graph.model import NodeLabel as L
from graph.model import NodeRecord as N
from graph.model import RelRecord as R
from graph.model import RelType as T
from graph.queries.profiles import profiles, tie_index
from graph.store.base import GraphStore


def build(store: GraphStore, seed: int = 5) -> None:
    rng = random.Random(seed)
    nodes = [N(id="org:u", label=L.ORGANIZATION, props={"name": "大学", "kind": "university"}),
             N(id="org:uc", label=L.ORGANIZATION, props={"name": "学院", "kind": "college"})]
    nodes += [N(id=f"org:e{i}", label=L.ORGANIZATION, props={"name": f"企业{i}", "kind": "enterprise"})
              for i in range(4)]
    orgs = [n.id for n in nodes]
    people = [f"person:p{i:02d}" for i in range(18)]
    nodes += [N(id=p, label=L.PERSON, props={"name": p[-3:]}) for p in people]
    patents = [f"patent:t{i:02d}" for i in range(14)]
    nodes += [N(id=t, label=L.PATENT, props={"name": t}) for t in patents]
    rels = [R(src="org:uc", type=T.PART_OF, dst="org:u")]
    for p in people:
        for o in rng.sample(orgs, rng.choice([0, 1, 1, 2, 3])):
            rels.append(R(src=p, type=T.WORKS_AT, dst=o, props={"current": rng.random() < 0.5}))
    for t in patents:
        for a in rng.sample(orgs, rng.choice([1, 1, 2, 3])):
            rels.append(R(src=a, type=T.APPLICANT_OF, dst=t))
        if rng.random() < 0.3:  # a person can be an applicant too
            rels.append(R(src=rng.choice(people), type=T.APPLICANT_OF, dst=t))
        for p in rng.sample(people, 2):
            rels.append(R(src=p, type=T.INVENTED, dst=t))
    for a, b in {tuple(sorted(rng.sample(people, 2))) for _ in range(30)}:
        rels.append(R(src=a, type=T.COLLABORATED_WITH, dst=b, props={"weight": 0.5}))
    store.write(nodes, rels)


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    build(store)
    return store


def _expected(store: GraphStore) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    works: dict[str, set[str]] = defaultdict(set)
    applicants: dict[str, set[str]] = defaultdict(set)
    knows: dict[str, set[str]] = defaultdict(set)
    for r in store.iter_relationships(T.WORKS_AT):
        works[r.src].add(r.dst)
    for r in store.iter_relationships(T.APPLICANT_OF):
        applicants[r.dst].add(r.src)
    for r in store.iter_relationships(T.COLLABORATED_WITH):
        knows[r.src].add(r.dst)
        knows[r.dst].add(r.src)
    return works, applicants, knows


def test_org_ties_and_counts_follow_the_definition(graph: GraphStore) -> None:
    works, applicants, knows = _expected(graph)
    orgs = sorted({o for os in works.values() for o in os} | {a for s in applicants.values() for a in s
                                                               if a.startswith("org:")})
    pairs = [(a, b) for a in orgs for b in orgs if a != b]
    got = profiles(graph).ties(pairs)
    counts = tie_index(graph).counts
    tied = 0
    for a, b in pairs:
        co = sorted(t for t, who in applicants.items() if a in who and b in who)
        shared = sorted(p for p, os in works.items() if a in os and b in os)
        collab = sorted({(x, y) for x, os in works.items() if a in os
                         for y in knows[x] if y != x and b in works.get(y, ())})
        t = got[(a, b)]
        assert (list(t.co_patents), list(t.shared_staff), list(t.collab_pairs)) == (co, shared, collab)
        assert counts.get((a, b), 0) == t.count == len(co) + len(shared) + len(collab)
        tied += t.count > 0
    assert tied > 5  # the random graph does have ties to check


def test_personal_ties_follow_the_definition(graph: GraphStore) -> None:
    works, _, knows = _expected(graph)
    orgs = sorted({o for os in works.values() for o in os})
    people = sorted(n.id for n in graph.iter_nodes(L.PERSON))
    got = profiles(graph).personal_ties([(o, p) for o in orgs for p in people])
    some = 0
    for o in orgs:
        for p in people:
            pt = got[(o, p)]
            assert list(pt.colleagues) == sorted(x for x in knows[p] if x != p and o in works.get(x, ()))
            assert pt.worked_there == (o in works.get(p, ()))
            some += pt.count > 0
    assert some > 5


def test_the_index_follows_the_store_generation(graph: GraphStore) -> None:
    before = tie_index(graph)
    assert tie_index(graph) is before
    graph.write([N(id="org:new", label=L.ORGANIZATION, props={"name": "新企业", "kind": "enterprise"})],
                [R(src="person:p00", type=T.WORKS_AT, dst="org:new")])
    after = tie_index(graph)
    assert after is not before
    assert "org:new" in after.works["person:p00"] and "org:new" not in before.staff
