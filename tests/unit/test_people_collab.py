"""Collaboration ties and person relationships built in bulk give what the per-record paths give."""

from __future__ import annotations

import random

import pytest

from graph.errors import ValidationFailed
from graph.model import NodeLabel, NodeRecord, RelRecord, RelType
from graph.store.embedded import EmbeddedStore
from ingest.people import _rel, derive_collaborations


def _world(store: EmbeddedStore, seed: int) -> list[str]:
    rng = random.Random(seed)
    people = [f"person:p{i:03d}" for i in range(40)]
    items = (
        [(f"patent:CN{i}", NodeLabel.PATENT, RelType.INVENTED) for i in range(30)]
        + [(f"team:t{i}", NodeLabel.TEAM, RelType.MEMBER_OF) for i in range(6)]
        + [(f"achievement:a{i}", NodeLabel.ACHIEVEMENT, RelType.COMPLETED) for i in range(8)]
    )
    nodes = [NodeRecord(id=p, label=NodeLabel.PERSON, props={"name": p}) for p in people]
    for node_id, label, _ in items:
        props = {"title": node_id}
        if rng.random() < 0.7:
            props["year"] = rng.randint(1990, 2024)
        nodes.append(NodeRecord(id=node_id, label=label, props=props))
    rels = []
    for node_id, _, rel_type in items:
        for p in rng.sample(people, rng.randint(1, 5)):
            rels.append(RelRecord(src=p, type=rel_type, dst=node_id))
    # A stale tie that no shared work supports any more, and one that still holds.
    rels.append(RelRecord(src=people[0], type=RelType.COLLABORATED_WITH, dst=people[39], props={"weight": 0.9}))
    store.write(nodes, rels)
    return people


def _ties(store: EmbeddedStore) -> list[tuple]:
    return [(r.src, r.dst, sorted(r.props.items())) for r in store.iter_relationships(RelType.COLLABORATED_WITH)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_and_per_node_collaborations_agree(tmp_path, seed) -> None:
    results = []
    for many in (False, True):
        store = EmbeddedStore(tmp_path / f"kg-{many}.sqlite3")
        people = _world(store, seed)
        touched = people[: 25]  # not everyone: ties of untouched pairs stay as they are
        summary, count = derive_collaborations(store, touched, run_id="r1", many=many)
        results.append((count, _ties(store), summary.as_dict()))
        store.close()
    assert results[0] == results[1]
    assert results[0][0] > 0


def test_fast_rel_records_equal_validated_ones() -> None:
    props = {"position": 2, "source": "patents.csv", "source_key": "CN1", "run_id": "r1"}
    for _ in range(2):  # the second call takes the cached-shape path
        fast = _rel("person:a", RelType.INVENTED, "patent:CN1", "", dict(props))
        assert fast == RelRecord(src="person:a", type=RelType.INVENTED, dst="patent:CN1", props=props)
    with_none = _rel("person:a", RelType.INVENTED, "patent:CN1", "", props | {"position": None})
    assert with_none.props == {k: v for k, v in props.items() if k != "position"}
    with pytest.raises(ValidationFailed):
        _rel("person:a", RelType.INVENTED, "patent:CN1", "", props | {"position": {"bad": 1}})
    with pytest.raises(ValueError):
        _rel("person:a", RelType.INVENTED, "patent:CN1", "", props | {"colour": "red"})
