"""The shortcuts of the Neo4j relationship write, each checked against the plain rule.

* the batch is turned into columns per type, folded and sorted without a pass per record
  (``_rel_runs``): it must fold and order exactly as :func:`diff_relationships` does;
* endpoint kinds are judged per type from the sets of kinds at either end, and only then per
  relationship: a mixed batch the schema allows must pass, a wrong one must be refused — after
  the first batch was already sent to the server (the check runs while it executes), so the
  refusal must also leave nothing behind;
* one query locks, reads back and creates: a dangling endpoint anywhere in a pipelined series of
  batches must leave nothing behind.

The store tests run on both backends, so the Neo4j answers are the embedded store's answers.
"""

from __future__ import annotations

import random

import pytest

from graph.errors import DanglingRelationship, SchemaError
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
from graph.store.base import GraphStore, diff_relationships
from graph.store.neo4j import _rel_runs


def _columns(rels: list[RelRecord]) -> list[tuple[str, str, str, str, dict]]:
    return [(run.rel_type.value, s, d, k, p) for run in _rel_runs(rels)
            for s, d, k, p in zip(run.srcs, run.dsts, run.keys, run.props, strict=True)]


def _expected(rels: list[RelRecord]) -> list[tuple[str, str, str, str, dict]]:
    folded = diff_relationships(rels, {})[0]
    return sorted(((r.type.value, r.src, r.dst, r.key, r.props) for r in folded), key=lambda t: t[:4])


def _sample_rels() -> list[RelRecord]:
    rng = random.Random(7)
    people = [f"person:p{i:03d}" for i in range(40)]
    orgs = [f"org:o{i}" for i in range(3)]
    rels = []
    for _ in range(400):
        kind = rng.random()
        if kind < 0.4:
            rels.append(RelRecord(src=rng.choice(people), type=RelType.WORKS_AT, dst=rng.choice(orgs),
                                  key=rng.choice(["", "2020"]), props={"title": rng.choice(["教授", "讲师"])}))
        elif kind < 0.7:
            a, b = rng.sample(people, 2)
            rels.append(RelRecord(src=a, type=RelType.COLLABORATED_WITH, dst=b,
                                  props={"count": rng.randint(1, 3)}))
        else:
            rels.append(RelRecord(src=rng.choice(people), type=RelType.STUDIED_AT, dst=rng.choice(orgs),
                                  props={rng.choice(["degree", "major"]): rng.choice(["博士", "硕士"])}))
    return rels


@pytest.mark.parametrize("order", ["as given", "sorted", "sorted, repeats removed", "reversed"])
def test_rel_runs_fold_and_order_as_diff_relationships(order: str) -> None:
    rels = _sample_rels()  # with repeated identities carrying different values
    key = lambda r: (r.type.value, r.src, r.dst, r.key)  # noqa: E731
    if order == "sorted":
        rels = sorted(rels, key=key)  # repeats adjacent, in input order
    elif order == "sorted, repeats removed":
        rels = sorted({key(r): r for r in rels}.values(), key=key)
    elif order == "reversed":
        rels = rels[::-1]
    assert len({key(r) for r in rels}) < len(rels) or order == "sorted, repeats removed"
    assert _columns(rels) == _expected(rels)


def test_rel_runs_later_values_win_and_keep_the_others() -> None:
    a = RelRecord(src="person:a", type=RelType.WORKS_AT, dst="org:x", props={"title": "讲师", "start": 2001})
    b = RelRecord(src="person:a", type=RelType.WORKS_AT, dst="org:x", props={"title": "教授"})
    c = RelRecord(src="person:0", type=RelType.WORKS_AT, dst="org:x")
    runs = _rel_runs([a, c, b])
    assert [(r.rel_type, r.srcs, r.props) for r in runs] == [
        (RelType.WORKS_AT, ["person:0", "person:a"], [{}, {"title": "教授", "start": 2001}])]
    assert a.props == {"title": "讲师", "start": 2001}  # the records themselves are not touched


def _nodes() -> list[NodeRecord]:
    return [
        NodeRecord(id="org:u", label=NodeLabel.ORGANIZATION, props={"name": "大学"}),
        NodeRecord(id="org:c", label=NodeLabel.ORGANIZATION, props={"name": "学院"}),
        NodeRecord(id="team:t", label=NodeLabel.TEAM, props={"name": "团队"}),
        NodeRecord(id="field:ai", label=NodeLabel.FIELD, props={"name": "人工智能"}),
        NodeRecord(id="field:ml", label=NodeLabel.FIELD, props={"name": "机器学习"}),
        NodeRecord(id="person:p", label=NodeLabel.PERSON, props={"name": "张三"}),
    ]


def test_mixed_kinds_the_schema_allows_pass(store: GraphStore) -> None:
    """PART_OF joins Organization→Organization, Team→Organization and Field→Field: seen per type,
    the kinds at the two ends also pair as Field→Organization, which is not allowed — the batch
    must still pass, judged relationship by relationship."""
    store.write(_nodes())
    s = store.write((), [
        RelRecord(src="org:c", type=RelType.PART_OF, dst="org:u"),
        RelRecord(src="team:t", type=RelType.PART_OF, dst="org:u"),
        RelRecord(src="field:ml", type=RelType.PART_OF, dst="field:ai"),
    ])
    assert s.rels_created == 3
    assert store.counts().relationships == {"PART_OF": 3}


@pytest.mark.parametrize("batch_size", [1, 10_000])
def test_wrong_kinds_after_a_good_first_batch_leave_nothing(
    store: GraphStore, batch_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kind check runs while the server already executes the first batch (APPLICANT_OF…
    sorts before PART_OF and WORKS_AT): the refusal must roll that back too."""
    store.write(_nodes())
    monkeypatch.setattr(store, "batch_size", batch_size)
    before = store.counts()
    wrong = [
        RelRecord(src="person:p", type=RelType.WORKS_AT, dst="org:u"),
        RelRecord(src="field:ml", type=RelType.PART_OF, dst="org:u"),  # Field→Organization
        RelRecord(src="org:c", type=RelType.PART_OF, dst="org:u"),
    ]
    with pytest.raises(SchemaError, match="PART_OF"):
        store.write((), wrong)
    with pytest.raises(SchemaError, match="WORKS_AT"):
        store.write((), [RelRecord(src="org:c", type=RelType.WORKS_AT, dst="org:u")])
    assert store.counts() == before


def test_dangling_endpoint_in_a_later_batch_leaves_nothing(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of one row, pipelined: the earlier ones are created before the dangling one is
    read back; the whole write must be refused and rolled back."""
    store.write(_nodes())
    monkeypatch.setattr(store, "batch_size", 1)
    before = store.counts()
    with pytest.raises(DanglingRelationship, match="org:gone"):
        store.write((), [
            RelRecord(src="org:c", type=RelType.PART_OF, dst="org:u"),
            RelRecord(src="team:t", type=RelType.PART_OF, dst="org:u"),
            RelRecord(src="person:p", type=RelType.WORKS_AT, dst="org:u"),
            RelRecord(src="person:p", type=RelType.WORKS_AT, dst="org:gone"),
        ])
    assert store.counts() == before
    s = store.write((), [RelRecord(src="person:p", type=RelType.WORKS_AT, dst="org:u")])
    assert (s.rels_created, store.counts().relationships) == (1, {"WORKS_AT": 1})
