"""A large file read as consecutive pieces gives what reading it whole gives.

The pipeline splits a file with much of a run's work (one big patent export) into pieces
that different workers build (:func:`ingest.pipeline._work_units`); put back in order, the
pieces' records, quarantined rows, nodes, relationships and mentions must be the file's,
and a reader failure must be reported once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ingest.pipeline as pipeline
from ingest.pipeline import FileResult, _process_files, _work_units, consolidate, fold_nodes

DEMO = Path(__file__).resolve().parents[2] / "ingest" / "demo"


def _merged(results: list[FileResult]) -> tuple:
    results = sorted(results, key=lambda r: (r.path, r.part))
    nodes = [n for r in results for n in r.built.nodes]
    return (
        sum(r.records for r in results),
        [q.model_dump() for r in results for q in r.quarantined],
        [(n.id, n.props) for n in consolidate(nodes, {})],
        [r.identity + (tuple(sorted(r.props.items())),) for res in results for r in res.built.rels],
        [m.to_json() for r in results for m in r.built.mentions],
        [p for r in results for p in r.built.primary],
        [k for r in results for k in r.record_keys],
    )


@pytest.fixture()
def patents(tmp_path: Path) -> Path:
    path = tmp_path / "patents.csv"
    shutil.copy(DEMO / "patents.csv", path)
    with path.open("a", encoding="utf-8") as fh:  # a row the reader quarantines, near the end
        fh.write("不是申请号,CN1A,某装置,摘要,某公司,张三,,,2020-01-01,,,,\n")
    return path


def test_pieces_put_together_are_the_file(patents: Path) -> None:
    whole = _process_files([str(patents)], "r1")
    lines = patents.read_bytes().count(b"\n")
    for n in (2, 3):
        per = lines // n
        bounds = [i * per for i in range(n)] + [None]
        pieces = [(str(patents), i, n, bounds[i], bounds[i + 1]) for i in range(n)]
        got = [r for p in reversed(pieces) for r in _process_files([p], "r1")]  # any order
        assert _merged(got) == _merged(whole)
    assert whole[0].records > 300 and whole[0].quarantined


def test_a_reader_failure_is_reported_by_one_piece(patents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.read_file

    def failing(path: Path):
        for i, item in enumerate(real(path)):
            if i == 250:
                raise OSError("disk gone")
            yield item

    monkeypatch.setattr(pipeline, "read_file", failing)
    whole = _process_files([str(patents)], "r1")
    for bounds in ([0, 100, None], [0, 250, None], [0, 251, None], [0, 300, None]):
        pieces = [(str(patents), i, 2, bounds[i], bounds[i + 1]) for i in range(2)]
        got = [r for p in pieces for r in _process_files([p], "r1")]
        assert _merged(got) == _merged(whole)
        assert sum("disk gone" in q.reason for r in got for q in r.quarantined) == 1


def test_only_a_large_line_file_is_split(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text("a,b\n" + "x,y\n" * 1000, encoding="utf-8")
    small = tmp_path / "small.csv"
    small.write_text("a,b\n" + "x,y\n" * 10, encoding="utf-8")
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"0" * 8000)
    units = _work_units([str(big), str(small)], 2)
    assert units == [(str(big), 0, 2, 0, 500), (str(big), 1, 2, 500, None), str(small)]
    assert _work_units([str(big), str(small)], 1) == [str(big), str(small)]
    assert _work_units([str(book), str(small)], 2) == [str(book), str(small)]  # workbooks stay whole


def test_folding_is_associative() -> None:
    from graph.model import NodeLabel
    from ingest.build import BuiltNode

    nodes = [BuiltNode("org:a", NodeLabel.ORGANIZATION, {"name": "A"}, {"kind": "x"}, {"aliases": ["p"]}),
             BuiltNode("org:b", NodeLabel.ORGANIZATION, {}, {"name": "B"}, {}),
             BuiltNode("org:a", NodeLabel.ORGANIZATION, {"name": "A2"}, {"kind": "y", "city": "c"}, {"aliases": ["q", "p"]}),
             BuiltNode("org:a", NodeLabel.ORGANIZATION, {}, {"city": "d"}, {"aliases": ["r"]})]
    before = [(n.id, dict(n.props), dict(n.defaults), {k: list(v) for k, v in n.unions.items()}) for n in nodes]
    whole = consolidate(nodes, {})
    for cut in range(len(nodes) + 1):
        parts = list(fold_nodes(nodes[:cut]).values()) + list(fold_nodes(nodes[cut:]).values())
        assert consolidate(parts, {}) == whole
    assert [(n.id, n.props, n.defaults, n.unions) for n in nodes] == before  # inputs untouched


def test_built_in_batches_or_one_by_one_the_result_is_the_same(patents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.build as build

    monkeypatch.setattr(pipeline, "BUILD_BATCH", 1)
    monkeypatch.setattr(build, "prefetch_topics", lambda records: None)
    monkeypatch.setattr(pipeline, "prefetch_topics", lambda records: None)
    build._prefetched_keywords = {}
    one_by_one = _process_files([str(patents)], "r1")
    monkeypatch.undo()
    for size in (7, 64, 10_000):
        monkeypatch.setattr(pipeline, "BUILD_BATCH", size)
        assert _merged(_process_files([str(patents)], "r1")) == _merged(one_by_one)
