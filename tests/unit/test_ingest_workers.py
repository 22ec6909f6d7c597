"""Ingest with worker processes gives the graph a single process gives, byte for byte.

With several workers the pipeline reads and builds in a process pool, then lets the pool
resolve person name blocks while it writes the other nodes (first loads only); both must be
invisible in the result.  Uses part of the bundled demo set (namesakes across patents,
results and CVs).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.model import NodeLabel
from graph.store.embedded import EmbeddedStore
from ingest.build import Built, MentionDoc, build_record
from ingest.people import MENTIONS, group_by_block, resolve_and_write
from ingest.pipeline import (
    _collect_resolution,
    _resolve_blocks,
    _start_resolution,
    ingest_paths,
    read_file,
)
from ingest.records import Quarantined
from nlp.resolve import ResolutionResult, resolve_block

DEMO = Path(__file__).resolve().parents[2] / "ingest" / "demo"


def _dump(store: EmbeddedStore) -> str:
    """Every node, relationship and document with its properties, as one text."""
    nodes = [[n.id, n.label.value, n.props] for n in store.iter_nodes()]
    rels = [[r.src, r.type.value, r.dst, r.key, r.props] for r in store.iter_relationships()]
    docs = {c: {k: [d.tag, d.doc] for k, d in store.get_documents(c).items()}
            for c in (MENTIONS, "resolution", "review", "corrections")}
    return json.dumps([nodes, rels, docs], ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="module")
def demo_part(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-part")
    for name in ("patents.xlsx", "achievements.csv", "demands.xlsx"):
        shutil.copy(DEMO / name, folder / name)
    for cv in sorted((DEMO / "cvs").iterdir())[:40]:
        shutil.copy(cv, folder / cv.name)
    return folder


def test_two_workers_write_what_one_process_writes(demo_part: Path, tmp_path: Path) -> None:
    dumps, reports = [], []
    for workers in (1, 2):
        store = EmbeddedStore(tmp_path / f"kg-{workers}.sqlite3")
        report = ingest_paths([demo_part], store, workers=workers, run_id="run-same",
                              data_dir=tmp_path / f"var-{workers}")
        dumps.append(_dump(store))
        reports.append({k: v for k, v in report.as_dict().items()
                        if k not in ("started_at", "seconds", "quarantine_file")})
        store.close()
    assert reports[0]["records"] > 100 and reports[0]["people_merged_mentions"] > 0
    assert dumps[0] == dumps[1]
    assert reports[0] == reports[1]


def _mentions(folder: Path) -> list[MentionDoc]:
    built = Built()
    for f in sorted(folder.iterdir()):
        for rec in read_file(f):
            if not isinstance(rec, Quarantined):
                built.extend(build_record(rec, "r1"))
    return built.mentions


def test_blocks_resolved_in_the_pool_equal_blocks_resolved_here(demo_part: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    mentions = _mentions(demo_part)
    by_block = group_by_block(mentions)
    with ProcessPoolExecutor(max_workers=2) as pool:
        presolved = _collect_resolution(_start_resolution(pool, 2, mentions))
    shared = {b for b, ms in by_block.items() if len(ms) > 1}
    assert set(presolved) == shared and len(shared) > 10
    for block in shared:
        assert presolved[block] == resolve_block([m.mention for m in by_block[block].values()])
    assert _resolve_blocks([]) == []


def test_a_presolved_block_is_used_only_when_it_fits(demo_part: Path, tmp_path: Path) -> None:
    full = EmbeddedStore(tmp_path / "full.sqlite3")
    ingest_paths([demo_part], full, workers=1, run_id="r1", data_dir=tmp_path / "var")
    mentions = _mentions(demo_part)
    by_block = group_by_block(mentions)

    def without_people(name: str) -> EmbeddedStore:
        """The same graph without its people: what resolve_and_write meets on a first load."""
        store = EmbeddedStore(tmp_path / name)
        store.write([n for n in full.iter_nodes() if n.label is not NodeLabel.PERSON],
                    [r for r in full.iter_relationships()
                     if not (r.src.startswith("person:") or r.dst.startswith("person:"))])
        return store

    # Right answers for every block are taken, and give what resolving here gives.
    ahead = {b: resolve_block([m.mention for m in ms.values()]) for b, ms in by_block.items()}
    store = without_people("ahead.sqlite3")
    assert resolve_and_write(store, mentions, run_id="r1", presolved=ahead).presolved_blocks == len(ahead)
    assert _dump(store) == _dump(full)
    store.close()
    store = without_people("kg.sqlite3")
    block = max(by_block, key=lambda b: len(by_block[b]))
    ids = sorted(by_block[block])
    right = resolve_block([m.mention for m in by_block[block].values()])
    assert len(right.clusters) > 1
    # An answer computed from other mentions than the block's: never used.
    wrong = {block: ResolutionResult(clusters=[ids[:1]])}
    assert resolve_and_write(store, mentions, run_id="r1", presolved=wrong).presolved_blocks == 0
    assert _dump(store) == _dump(full)
    # A block with stored mentions is resolved here (old and new mentions together): a
    # one-person answer for it, though it names the same mentions, is ignored.
    resolve_and_write(store, mentions, run_id="r1", presolved={block: ResolutionResult(clusters=[ids])})
    assert _dump(store) == _dump(full)
    store.close()
    full.close()
