"""The ingest pipeline: files in, graph out, nothing lost.

``ingest_paths`` reads every file (CVs, patent exports, demand lists, enterprise directories,
achievement lists), builds nodes and relationships (:mod:`ingest.build`), resolves person
mentions into people (:mod:`ingest.people`), derives collaboration ties, and writes it all
through the :class:`~graph.store.GraphStore` in atomic batches.  Bad files and rows are
quarantined with the file, row and field named; the report counts loaded / updated /
unchanged / quarantined records and is kept in the store's run log and in
``<data_dir>/quarantine/<run_id>.jsonl``.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from graph.model import NodeLabel, NodeRecord, RelRecord, rel_identity
from graph.store.base import GraphStore, WriteSummary, chunks
from ingest.build import (
    Built,
    BuiltNode,
    MentionDoc,
    build_record,
    fast_node,
    pack_rels,
    prefetch_topics,
    taxonomy,
    unpack_rels,
)
from ingest.records import InputRecord, Quarantined
from nlp.resolve import ResolutionResult, resolve_block

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["IngestReport", "ingest_paths", "discover", "read_file", "SUPPORTED_SUFFIXES"]

CV_ONLY_SUFFIXES = {".txt", ".md", ".docx", ".pdf", ".yaml", ".yml"}
TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = CV_ONLY_SUFFIXES | TABLE_SUFFIXES | JSON_SUFFIXES



@dataclass
class FileResult:
    path: str
    records: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    built: Built = field(default_factory=Built)
    record_keys: list[tuple[str, str]] = field(default_factory=list)  # (kind, primary id)
    seconds: float = 0.0
    #: which piece of the file this is (a large file is read as consecutive pieces, see
    #: :func:`_work_units`), and how many pieces it has
    part: int = 0
    parts: int = 1

    def __getstate__(self) -> dict[str, Any]:
        """Sent from a worker with its relationships as plain tuples (see :func:`pack_rels`)."""
        state = dict(self.__dict__)
        b = self.built
        state["built"] = (b.nodes, pack_rels(b.rels), b.mentions, b.primary)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        nodes, rels, mentions, primary = state["built"]
        self.__dict__.update(state, built=Built(nodes, unpack_rels(rels), mentions, primary))


@dataclass
class IngestReport:
    """End-of-run summary (also stored in the run log)."""

    run_id: str
    started_at: str
    files: int = 0
    records: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    unresolved_references: int = 0
    people: int = 0
    people_merged_mentions: int = 0
    review_pairs: int = 0
    collaborations: int = 0
    seconds: float = 0.0
    write: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    quarantine_file: str | None = None
    status: str = "done"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


#: Allocations between young-generation collections during a run (CPython's default is 700).
GC_RUN_THRESHOLD = 100_000
_gc_lock = threading.Lock()
_gc_runs = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def _gc_relaxed() -> Iterator[None]:
    """Cyclic garbage collection made rare, not off, for a block (the previous thresholds come
    back when the last overlapping block ends).

    A run allocates millions of small, long-lived objects (records, properties, tokens) and
    frees them together at the end; with the default thresholds the collector walks them again
    and again as they accumulate (a sixth of the run's CPU time) to find next to no cycles.
    Reference counting frees everything not in a cycle; the rare collections still free the
    cycles, so memory stays bounded in a long-lived server whose other threads keep working.
    """
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], GC_RUN_THRESHOLD), *_gc_saved[1:])
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


# --------------------------------------------------------------------------- reading

def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Quarantined]]:
    """Files under the given paths (folders recursively), sorted; unknown ones quarantined."""
    found: list[Path] = []
    bad: list[Quarantined] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not f.name.startswith((".", "~$")) and f.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append(f)
        elif p.is_file():
            if p.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(p)
            else:
                bad.append(Quarantined(source=str(p), source_key=p.name,
                                       reason=f"不支持的文件类型 {p.suffix} (unsupported file type; "
                                              f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"))
        else:
            bad.append(Quarantined(source=str(p), source_key=p.name,
                                   reason="文件不存在 (no such file or folder)"))
    return sorted(set(found)), bad


def _json_kind(path: Path) -> str:
    """'table' for JSON Lines of patent/demand/… rows, 'cv' otherwise."""
    if path.suffix.lower() == ".json":
        return "cv"
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for line in fh:
                if line.strip():
                    keys = set(json.loads(line))
                    break
            else:
                return "cv"
    except (OSError, ValueError, UnicodeDecodeError):
        return "cv"  # the CV reader quarantines it with the reason
    cv_keys = {"name", "employer", "titles", "education", "姓名", "text", "research_directions"}
    return "cv" if keys & cv_keys else "table"


def _is_tab_table(path: Path) -> bool:
    """A ``.txt`` whose first line has several tab-separated cells is a table export."""
    try:
        with path.open("rb") as fh:
            head = fh.readline(4096)
    except OSError:
        return False
    return head.count(b"\t") >= 2


def read_file(path: Path) -> Iterator[InputRecord | Quarantined]:
    """Records (or quarantine entries) of one file, by its kind."""
    suffix = path.suffix.lower()
    if suffix == ".txt" and _is_tab_table(path):
        from ingest.readers import iter_records

        yield from iter_records(path)
    elif suffix in CV_ONLY_SUFFIXES or (suffix in JSON_SUFFIXES and _json_kind(path) == "cv"):
        from ingest.readers.cv import read_cv

        yield from read_cv(path)
    else:
        from ingest.readers import iter_records

        yield from iter_records(path)


def _preload(names: Sequence[str]) -> None:
    """Load what every worker needs once, in this process, before the pool forks.

    With the ``fork`` start method the workers inherit the loaded tokenizer, IDF table,
    lexicons, organisation tables and reader modules (about a second of start-up each)
    instead of each building its own copy. Other start methods gain nothing, so skip it.
    """
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        return
    import ingest.readers  # noqa: F401  (tables: patents, demands, enterprises, results)
    import ingest.readers.cv  # noqa: F401
    from nlp.fields import warm_up as warm_fields
    from nlp.keywords import warm_up as warm_keywords
    from nlp.orgs import default_normalizer

    warm_keywords()
    warm_fields()
    default_normalizer()
    # Not openpyxl (with numpy, about a quarter of a second): workbooks are few and large, so
    # usually one worker reads them all and imports it while the other reads on; were both
    # to need it, importing it there costs no more time than importing it here first.
    if any(Path(n).suffix.lower() == ".docx" for n in names):
        import docx  # noqa: F401


def _process_files(paths: Sequence[WorkUnit], run_id: str) -> list[FileResult]:
    with _gc_relaxed():
        return _process_files_now(paths, run_id)


#: A unit of reading work: a whole file, or a piece of one ``(path, part, parts, first, stop)``
#: holding its items (records and quarantined rows, counted from 0) ``first`` to ``stop - 1``
#: (``stop`` None: to the end).
WorkUnit = str | tuple[str, int, int, int, int | None]


def _process_files_now(paths: Sequence[WorkUnit], run_id: str) -> list[FileResult]:
    out = []
    for unit in paths:
        p, part, parts, first, stop = (unit, 0, 1, 0, None) if isinstance(unit, str) else unit
        start = time.perf_counter()
        res = FileResult(path=p, part=part, parts=parts)
        seen = 0  # items the reader has given so far
        pending: list[InputRecord | Quarantined] = []  # read, not yet built (see _add_items)
        try:
            for item in read_file(Path(p)):
                seen += 1
                if seen > first:  # not an earlier piece's item
                    pending.append(item)
                    if len(pending) >= BUILD_BATCH:
                        _add_items(res, pending, run_id)
                if stop is not None and seen >= stop:
                    break  # the rest is the next piece's (not even read: a failure there is its)
            _add_items(res, pending, run_id)
        except Exception as exc:  # unreadable file (said once: by the piece the failure falls in)
            _add_items(res, pending, run_id)  # the items read before the failure still count
            if seen >= first:
                res.quarantined.append(Quarantined(
                    source=p, source_key=Path(p).name,
                    reason=f"无法读取文件 (unreadable file): {type(exc).__name__}: {exc}"))
        res.built.nodes = _fold_file_nodes(res.built.nodes)
        res.seconds = time.perf_counter() - start
        out.append(res)
    return out


#: Items read ahead and built together: their keywords are extracted in one batch.
BUILD_BATCH = 500


def _add_items(res: FileResult, items: list[InputRecord | Quarantined], run_id: str) -> None:
    """Build the items read so far into the file's result, in order, and empty the list.

    The records' keywords are extracted first, all together (:func:`prefetch_topics`), which
    is much cheaper than one record at a time; the output is the same either way.
    """
    if not items:
        return
    prefetch_topics(item for item in items if not isinstance(item, Quarantined))
    try:
        for item in items:
            _add_item(res, item, run_id)
    finally:
        items.clear()


def _add_item(res: FileResult, item: InputRecord | Quarantined, run_id: str) -> None:
    """Build one item a reader gave into the file's result (or quarantine it)."""
    if isinstance(item, Quarantined):
        res.quarantined.append(item)
        return
    res.records += 1
    try:
        built = build_record(item, run_id)
    except Exception as exc:  # a builder bug must not lose the row: quarantine it
        res.quarantined.append(Quarantined(
            source=item.source, source_key=item.source_key, row=item.row,
            reason=f"构建图数据失败 (could not build graph data): {type(exc).__name__}: {exc}"))
        return
    res.built.extend(built)
    res.record_keys.append((item.kind, item.source_key))


# --------------------------------------------------------------------------- consolidation

def fold_nodes(nodes: Iterable[BuiltNode]) -> dict[str, BuiltNode]:
    """Built nodes folded by id, in order of first appearance: ``props`` of later nodes
    replace, ``defaults`` of earlier ones stay, ``unions`` are concatenated, the first label
    stays. Folding is associative: folding the folds of consecutive parts gives the fold of
    the whole (the workers fold each file's nodes; :func:`consolidate` folds the files').

    The nodes given are not changed: a node is copied when a second one with its id is met.
    """
    folded: dict[str, BuiltNode] = {}
    copied: set[str] = set()  # ids whose folded node is our own copy (the others are the input's)
    for n in nodes:
        cur = folded.get(n.id)
        if cur is None:
            folded[n.id] = n
            continue
        if n.id not in copied:
            copied.add(n.id)
            cur = folded[n.id] = BuiltNode(cur.id, cur.label, dict(cur.props), dict(cur.defaults),
                                           {k: list(v) for k, v in cur.unions.items()})
        cur.props.update(n.props)
        for k, v in n.defaults.items():
            cur.defaults.setdefault(k, v)
        for k, v in n.unions.items():
            cur.unions.setdefault(k, []).extend(v)
    return folded


def _fold_file_nodes(nodes: list[BuiltNode]) -> list[BuiltNode]:
    """One file's built nodes folded by id (see :func:`fold_nodes`), their union lists without
    repeats (the union is a set in the end): fewer, smaller nodes to send and to fold again."""
    out = []
    for n in fold_nodes(nodes).values():
        if any(len(v) > 1 for v in n.unions.values()):
            n = BuiltNode(n.id, n.label, n.props, n.defaults, {k: list(dict.fromkeys(v)) for k, v in n.unions.items()})
        out.append(n)
    return out


def consolidate(nodes: Iterable[BuiltNode], existing: dict[str, NodeRecord]) -> list[NodeRecord]:
    """Fold built nodes by id, then apply them to what the store holds.

    ``props`` replace, ``defaults`` fill only what is absent (in the store or earlier in the
    run), ``unions`` grow sorted lists.  A demand's ``batch`` follows its latest batch.
    """
    folded = fold_nodes(nodes)
    out = []
    for node_id in sorted(folded):
        n = folded[node_id]
        old = existing.get(node_id)
        old_props = old.props if old is not None else {}
        props: dict[str, Any] = {}
        for k, v in n.defaults.items():
            if k not in old_props and k not in n.props:
                props[k] = v
        props.update(n.props)
        for k, v in n.unions.items():
            merged = set(old_props.get(k, [])) | {x for x in v if x is not None}
            props[k] = sorted(merged)
        if n.label is NodeLabel.DEMAND and props.get("batches"):
            props["batch"] = props["batches"][-1]
            props["carried_over"] = len(props["batches"]) > 1
        out.append(fast_node(node_id, n.label, props))
    return out


# --------------------------------------------------------------------------- the run

def ingest_paths(
    paths: Iterable[str | Path],
    store: GraphStore,
    *,
    run_id: str | None = None,
    workers: int | None = None,
    data_dir: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    batch_size: int = 2000,
) -> IngestReport:
    """Ingest files and folders into the store; see the module docstring.

    Args:
        paths: files or folders.
        store: the target store.
        run_id: defaults to a timestamped id.
        workers: processes for reading and building (default: 2 when there are several
            files, else 1).
        data_dir: where the quarantine report goes (default ``var``).
        progress: callback ``(stage, done, total)`` for progress bars.
    """
    with _gc_relaxed():
        return _ingest_paths(paths, store, run_id=run_id, workers=workers, data_dir=data_dir,
                             progress=progress, batch_size=batch_size)


def _ingest_paths(
    paths: Iterable[str | Path],
    store: GraphStore,
    *,
    run_id: str | None,
    workers: int | None,
    data_dir: Path | None,
    progress: Callable[[str, int, int], None] | None,
    batch_size: int,
) -> IngestReport:
    started = datetime.now(UTC)
    run_id = run_id or started.strftime("run-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    report = IngestReport(run_id=run_id, started_at=started.isoformat())
    t0 = time.perf_counter()
    store.record_run(run_id, {"started_at": report.started_at, "status": "running"})
    notify = progress or (lambda stage, done, total: None)

    files, bad = discover(paths)
    report.files = len(files)
    quarantine: list[Quarantined] = list(bad)

    # 1. read and build (parallel over files)
    results: list[FileResult] = []
    names = [str(f) for f in files]
    n_workers = workers if workers is not None else (min(2, os.cpu_count() or 1) if len(names) > 1 else 1)
    groups = _balanced_groups(_work_units(names, n_workers), n_workers * 4) if n_workers > 1 else [[n] for n in names]
    done = 0
    with ExitStack() as stack:
        # The pool stays up after reading: its workers then resolve person names (step 3)
        # while this process writes the other nodes and relationships (step 2).
        pool: ProcessPoolExecutor | None = None
        if n_workers > 1 and len(groups) > 1:
            try:
                _preload(names)
            except Exception:  # the workers meet the same error and quarantine per file, as before
                log.warning("预加载失败 (preloading the NLP tables failed); workers load their own", exc_info=True)
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=n_workers))
            pieces_done: Counter[str] = Counter()
            for group_result in pool.map(_process_files, groups, [run_id] * len(groups)):
                results.extend(group_result)
                for r in group_result:
                    pieces_done[r.path] += 1
                    done += pieces_done[r.path] == r.parts
                notify("读取文件", done, len(names))
        else:
            for g in groups:
                results.extend(_process_files(g, run_id))
                done += len(g)
                notify("读取文件", done, len(names))
        with store.bulk_load():
            _load(store, results, report, quarantine, pool, n_workers, run_id=run_id, batch_size=batch_size,
                  notify=notify)
    report.seconds = round(time.perf_counter() - t0, 3)
    if quarantine:
        qdir = (data_dir or Path("var")) / "quarantine"
        qdir.mkdir(parents=True, exist_ok=True)
        qfile = qdir / f"{run_id}.jsonl"
        with qfile.open("w", encoding="utf-8") as fh:
            for q in quarantine:
                fh.write(json.dumps(q.model_dump() | {"message": q.message()}, ensure_ascii=False, default=str) + "\n")
        report.quarantine_file = str(qfile)
    info = report.as_dict()
    info["quarantine"] = report.quarantine[:200]
    store.record_run(run_id, info)
    return report


def _load(
    store: GraphStore,
    results: list[FileResult],
    report: IngestReport,
    quarantine: list[Quarantined],
    pool: Executor | None,
    pool_size: int,
    *,
    run_id: str,
    batch_size: int,
    notify: Callable[[str, int, int], None],
) -> None:
    """Steps 2-4 of a run: write what the files gave, resolve people, fill in the report."""
    results.sort(key=lambda r: (r.path, r.part))

    built = Built()
    kinds: Counter[str] = Counter()
    for r in results:
        report.records += r.records
        quarantine.extend(r.quarantined)
        built.extend(r.built)
        kinds.update(k for k, _ in r.record_keys)
    report.by_kind = dict(sorted(kinds.items()))

    # 2. non-person nodes and relationships
    summary = WriteSummary()
    all_nodes = taxonomy(run_id) + built.nodes
    node_ids = sorted({n.id for n in all_nodes})
    existing: dict[str, NodeRecord] = {}
    for chunk in chunks(node_ids, 5000):
        existing.update(store.get_nodes(chunk))
    # A first load (the store holds none of these nodes): the workers resolve the name blocks
    # meanwhile. resolve_and_write takes such an answer only for a block without stored
    # mentions or corrections, so a store with history is still resolved in full here.
    presolving = (_start_resolution(pool, pool_size, built.mentions, run_id)
                  if pool is not None and not existing else [])
    if pool is not None and not presolving:
        pool.shutdown()  # nothing left for the workers: give their memory back now
    records = consolidate(all_nodes, existing)
    primary_status = _primary_status(records, existing, set(built.primary))
    for i, chunk in enumerate(chunks(records, batch_size)):
        summary += store.write(chunk)
        notify("写入节点", min((i + 1) * batch_size, len(records)), len(records))
    rels, dangling = _drop_dangling(store, built.rels, {r.id for r in records})
    report.unresolved_references += len(dangling)
    for d in dangling[:1000]:
        quarantine.append(Quarantined(
            source=d.props.get("source", "?"), source_key=d.props.get("source_key", "?"),
            field=d.type.value, reason=f"引用的对象不在图中 (reference to unknown node) {d.dst}"))
    rels.sort(key=rel_identity)  # = r.identity: RelType is a StrEnum, its member sorts as its value
    for i, chunk in enumerate(chunks(rels, batch_size)):
        summary += store.write((), chunk)
        notify("写入关系", min((i + 1) * batch_size, len(rels)), len(rels))

    # 3. people
    from ingest.people import resolve_and_write

    planned: dict[str, Any] = {}
    presolved = _collect_resolution(presolving, planned)
    if pool is not None:
        pool.shutdown()
    people = resolve_and_write(store, built.mentions, run_id=run_id, batch_size=batch_size, notify=notify,
                               presolved=presolved, planned=planned)
    summary += people.summary
    report.people = people.people
    report.people_merged_mentions = people.merged_mentions
    report.review_pairs = people.review_pairs
    report.collaborations = people.collaborations
    # People rewritten by re-resolution get their ledger appointments back.
    from graph.ledger import sync_appointments

    sync_appointments(store)

    # 4. report
    # One status per input record (a record repeated in the run counts as unchanged after the first).
    status_of = {**primary_status, **people.mention_status}
    kinds_status: Counter[str] = Counter()
    seen: set[str] = set()
    for pid in built.primary:
        kinds_status["unchanged" if pid in seen else status_of.get(pid, "unchanged")] += 1
        seen.add(pid)
    report.loaded = kinds_status["created"]
    report.updated = kinds_status["updated"]
    report.unchanged = kinds_status["unchanged"]
    report.quarantined = len([q for q in quarantine if q.field is None or q.field not in _REL_FIELDS])
    report.quarantine = [q.model_dump(exclude={"raw"}) | {"message": q.message()} for q in quarantine]
    report.write = summary.as_dict()


_REL_FIELDS = {t.value for t in __import__("graph.model", fromlist=["RelType"]).RelType}


def _primary_status(
    records: Sequence[NodeRecord], existing: dict[str, NodeRecord], primary: set[str]
) -> dict[str, str]:
    """created / updated / unchanged for each record's own node (patent, demand, firm, result)."""
    from graph.store.base import diff_nodes

    status: dict[str, str] = {}
    for rec in records:
        if rec.id not in primary:
            continue
        _, s = diff_nodes([rec], existing)
        status[rec.id] = "created" if s.nodes_created else "updated" if s.nodes_updated else "unchanged"
    return status


def _drop_dangling(
    store: GraphStore, rels: list[RelRecord], written: set[str]
) -> tuple[list[RelRecord], list[RelRecord]]:
    endpoints = {i for r in rels for i in (r.src, r.dst)} - written
    known = set(written)
    for chunk in chunks(sorted(endpoints), 5000):
        known.update(store.get_nodes(chunk))
    keep, dangling = [], []
    for r in rels:
        (keep if r.src in known and r.dst in known else dangling).append(r)
    return keep, dangling


_Resolved = tuple[str, ResolutionResult, Any]  # block, its resolution, its write plan (or None)


def _resolve_blocks(items: list[tuple[str, list[Any]]], run_id: str | None = None) -> list[_Resolved]:
    """Resolve name blocks on their mentions alone (in a worker process).

    ``items`` hold each block's :class:`Mention` s, or with ``run_id`` its
    :class:`MentionDoc` s: then the block's write plan for a first load (no stored mentions,
    see :func:`ingest.people.plan_new_block`) is made here too.
    """
    with _gc_relaxed():
        out: list[_Resolved] = []
        for block, mentions in items:
            if run_id is None:
                out.append((block, resolve_block(mentions), None))
                continue
            from ingest.people import plan_new_block

            res = resolve_block([m.mention for m in mentions])
            out.append((block, res, plan_new_block(block, mentions, res, run_id)))
        return out


def _start_resolution(
    pool: Executor, pool_size: int, mentions: Sequence[MentionDoc], run_id: str | None = None,
) -> list[Future[list[_Resolved]]]:
    """Hand the name blocks of several mentions to the pool, in tasks of similar cost.

    Scoring is about quadratic in a block's size, so blocks are spread by squared size,
    largest first, over twice as many tasks as workers. Single-mention blocks stay here
    (resolving one mention is cheaper than sending it). With ``run_id`` the workers also
    plan each block's people, relationships and documents (what :func:`resolve_and_write`
    would do here with the same answer).
    """
    from ingest.people import group_by_block

    blocks = [(block, list(by_id.values()) if run_id is not None else [m.mention for m in by_id.values()])
              for block, by_id in group_by_block(mentions).items() if len(by_id) > 1]
    if not blocks:
        return []
    tasks = _spread(blocks, 2 * pool_size, cost=lambda b: len(b[1]) ** 2, name=lambda b: b[0])
    if run_id is None:
        return [pool.submit(_resolve_blocks, task) for task in tasks]
    return [pool.submit(_resolve_blocks, task, run_id) for task in tasks]


def _collect_resolution(
    futures: Sequence[Future[list[_Resolved]]], plans: dict[str, Any] | None = None,
) -> dict[str, ResolutionResult]:
    """The blocks the pool resolved; none (resolve_and_write resolves them) if it failed.

    The write plans the pool made go into ``plans`` (by block), when given.
    """
    out: dict[str, ResolutionResult] = {}
    made: dict[str, Any] = {}
    try:
        for future in futures:
            for block, res, plan in future.result():
                out[block] = res
                if plan is not None:
                    made[block] = plan
    except Exception:
        log.warning("人员消歧子进程失败 (resolving names in the worker processes failed); resolving here",
                    exc_info=True)
        return {}
    if plans is not None:
        plans.update(made)
    return out


# Work per byte relative to CSV and text, measured on the demo set: a workbook is zipped XML
# that openpyxl parses cell by cell (4-7x); a .docx CV is mostly zipped packaging (~1/4).
_COST_PER_BYTE = {".xlsx": 4.0, ".xlsm": 4.0, ".docx": 0.25}


def _file_cost(path: str) -> float:
    """Estimated reading and building work of a file: its size weighted by kind."""
    p = Path(path)
    return (p.stat().st_size if p.exists() else 0) * _COST_PER_BYTE.get(p.suffix.lower(), 1.0)


def _unit_cost(unit: WorkUnit) -> float:
    if isinstance(unit, str):
        return _file_cost(unit)
    return _file_cost(unit[0]) / unit[2]


def _unit_name(unit: WorkUnit) -> str:
    return unit if isinstance(unit, str) else f"{unit[0]}\0{unit[1]:06d}"


#: Kinds read line by line, cheap to read past: a large one is split into pieces.
_SPLITTABLE = {".csv", ".tsv", ".jsonl", ".ndjson"}


def _work_units(names: list[str], n_workers: int) -> list[WorkUnit]:
    """The files, a file with more than a ``2 × n_workers``-th of all the work as
    ``n_workers`` consecutive pieces of about as many lines each.

    One large export (a patent CSV of most of a run's records) would otherwise keep one
    worker busy long after the others are done. Each piece reads the file from its start (it
    builds only its own items), so reading the rows is repeated but parsing and building, the
    bulk of the work, are not; the pieces' results, put back in order, are the file's.
    """
    costs = {p: _file_cost(p) for p in names}
    total = sum(costs.values())
    units: list[WorkUnit] = []
    for p in names:
        if n_workers < 2 or Path(p).suffix.lower() not in _SPLITTABLE or costs[p] * 2 * n_workers <= total:
            units.append(p)
            continue
        try:
            with open(p, "rb") as fh:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        except OSError:
            units.append(p)
            continue
        per = lines // n_workers  # about the items per piece (a header line or two aside)
        if per < 100:
            units.append(p)
            continue
        bounds = [i * per for i in range(n_workers)] + [None]
        units += [(p, i, n_workers, bounds[i], bounds[i + 1]) for i in range(n_workers)]  # type: ignore[misc]
    return units


def _balanced_groups(names: Sequence[WorkUnit], n: int) -> list[list[WorkUnit]]:
    """Split files (or pieces) into about ``n`` groups of similar estimated work (largest first).

    The estimate is the file size weighted by kind (:data:`_COST_PER_BYTE`); the pool hands
    the groups out in order, so the biggest single pieces start first.
    """
    return _spread(list(names), n, cost=_unit_cost, name=_unit_name)


def _spread(items: Sequence[T], n: int, *, cost: Callable[[T], float], name: Callable[[T], str]) -> list[list[T]]:
    """Split ``items`` into at most ``n`` non-empty groups of similar total cost: largest first
    (ties by name), each to the group with the least so far (greedy longest-processing-time)."""
    groups: list[list[T]] = [[] for _ in range(max(1, min(n, len(items))))]
    totals = [0.0] * len(groups)
    for item in sorted(items, key=lambda x: (-cost(x), name(x))):
        i = totals.index(min(totals))
        groups[i].append(item)
        totals[i] += cost(item)
    return [g for g in groups if g]

