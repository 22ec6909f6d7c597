"""Keyword extraction for demands, research directions and results.

Keywords are what a matchmaker reads first on a demand card and what the matching lists
show as "why this researcher": they must name the technology (立方氮化硼, 锂离子电池, 瓦斯抽采),
not the boilerplate every demand shares (需求, 技术, 企业, 研发, 项目 ...).

Method (deterministic, offline):

1. Normalise (:func:`nlp.segment.normalize_text`) and cut with part-of-speech tags on the
   project's shared jieba tokenizer (so institution names and lexicon terms stay whole).
2. Candidates: nouns and noun-like words (``n``, ``nz``, ``nl``, ``ng``, ``vn``, ``an``,
   ``j``, Latin ``eng``, and ``nr``/``nrt`` because jieba tags many technical words as
   person names: 金刚石, 瓦斯) of at least two characters, not in the general or domain
   stopword lists (``data/stopwords_zh.txt``, ``data/stopwords_domain.txt``), not numbers,
   units (ppm, MPa) or patent numbers. Places (``ns``) and organisations (``nt``) are left
   out unless they are field-lexicon terms: they say where a demand comes from, not what
   it is about.
   Two adjacent candidates that appear together at least twice are also joined into a
   noun phrase (电动 + 滚筒 → 电动滚筒), capped at 8 characters.
3. TF-IDF with jieba's IDF table (words it does not know get the median IDF, which favours
   domain terms), and a TextRank score on the candidate co-occurrence graph (window 5,
   damping 0.85, 20 iterations in sorted node order). Both are scaled to a maximum of 1 and
   combined as ``0.7 × tfidf + 0.3 × textrank``.
4. If fewer than ``k`` candidates exist (very short texts), the list is topped up, at lower
   scores, with the dictionary sub-words of the candidates (全基因组 → 基因组, 基因) and then
   other content words (verbs, adjectives), so short titles still yield a few index terms.

Ties are broken by first position in the text, so the output is fully deterministic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import mul
from pathlib import Path

import jieba

from nlp.fields import lexicon_terms
from nlp.segment import (
    DATA_DIR,
    STOPWORDS,
    cut_for_search,
    cut_with_pos,
    marshal_cached,
    normalize_text,
)

__all__ = ["DOMAIN_STOPWORDS", "keywords", "keywords_many", "warm_up"]

_NOUN_FLAGS = frozenset({"n", "nz", "nl", "ng", "vn", "an", "j", "nr", "nrt", "nrfg", "eng"})
# Places (ns) and organisations (nt) name where a demand comes from, not what it is about;
# jieba also tags some technical words ns (保鲜, 密封), so lexicon terms are kept.
_PLACE_FLAGS = frozenset({"ns", "nt"})
_UNITS = frozenset(
    {
        "ppm",
        "ppb",
        "pa",
        "kpa",
        "mpa",
        "gpa",
        "hz",
        "khz",
        "mhz",
        "ghz",
        "kv",
        "mv",
        "kw",
        "mw",
        "kwh",
        "mm",
        "cm",
        "km",
        "nm",
        "um",
        "kg",
        "mg",
        "ml",
        "db",
        "rpm",
        "kn",
        "mah",
        "wh",
    }
)
_BACKFILL_FLAGS = frozenset({"v", "a", "ad", "b", "l", "i", "x", "d"})
_TFIDF_WEIGHT = 0.7
_WINDOW = 5
_DAMPING = 0.85
_ITERATIONS = 20
_MAX_PHRASE = 8
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NUMBERLIKE = re.compile(r"^[0-9.%/\-+×x*~:]+[a-z]{0,2}$", re.I)


def _read_list(name: str) -> list[str]:
    return [
        w.strip()
        for w in (DATA_DIR / name).read_text("utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]


DOMAIN_STOPWORDS: frozenset[str] = frozenset(w.lower() for w in _read_list("stopwords_domain.txt"))
"""Words every enterprise demand uses (需求, 技术, 企业, 研发 ...), never returned as keywords."""

_STOP = STOPWORDS | DOMAIN_STOPWORDS


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table, read once from the installed package (no network).

    Parsing the 350,000 lines takes about 0.3 s, so the parsed table is kept in a marshal
    cache file (see :func:`nlp.segment.marshal_cached`) keyed by the file's size and time.
    """
    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"

    def parse() -> tuple[dict[str, float], float]:
        table: dict[str, float] = {}
        for line in path.read_text("utf-8").splitlines():
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
        median = sorted(table.values())[len(table) // 2]
        return table, median

    st = path.stat()
    key = f"idf|1|{jieba.__version__}|{path}|{st.st_size}|{st.st_mtime_ns}".encode()
    table, median = marshal_cached("idf", key, parse)
    return table, median


@lru_cache(maxsize=1 << 16)
def _is_candidate(word: str, flag: str) -> bool:
    if flag in _PLACE_FLAGS:
        return word.strip().lower() in lexicon_terms() and _acceptable(word)
    if flag not in _NOUN_FLAGS:
        return False
    return _acceptable(word)


_LATIN_RUN = re.compile(r"[a-z]{2,}")


@lru_cache(maxsize=1 << 16)
def _acceptable(word: str) -> bool:
    w = word.strip().lower()
    if len(w) < 2 or w in _STOP or w in _UNITS or _NUMBERLIKE.match(w):
        return False
    if sum(c.isdigit() for c in w) >= 5:
        return False  # patent and standard numbers (ZL201721099528, GB/T 12345)
    # A single CJK character glued to digits (3号, 5t) is not a keyword either.
    return not (len(_CJK.findall(w)) < 2 and not _LATIN_RUN.search(w))


def _textrank(sequence: list[str]) -> dict[str, float]:
    neighbours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for i, word in enumerate(sequence):
        for other in sequence[i + 1 : i + _WINDOW]:
            if other != word:
                neighbours[word][other] += 1.0
                neighbours[other][word] += 1.0
    if not neighbours:
        return {w: 1.0 for w in sequence}
    nodes = sorted(neighbours)
    index = {n: i for i, n in enumerate(nodes)}
    out_sum = {n: sum(neighbours[n].values()) for n in nodes}
    # Per node, its neighbours' positions and w / out_sum[other], in insertion order: the
    # update below multiplies and adds exactly what ``sum(w / out_sum[o] * rank[o] ...)``
    # does, in the same order, so the ranks are bit-for-bit those of the plain loop.
    links = []
    for n in nodes:
        adjacent = neighbours[n]
        links.append((
            [index[o] for o in adjacent],
            [w / out_sum[o] for o, w in adjacent.items()],
        ))
    rank = [1.0 / len(nodes)] * len(nodes)
    getter = rank.__getitem__
    base = 1 - _DAMPING
    for _ in range(_ITERATIONS):
        # Gauss-Seidel order (in place, nodes sorted): later nodes see this round's ranks.
        for i, (others, coefs) in enumerate(links):
            rank[i] = base + _DAMPING * sum(map(mul, coefs, map(getter, others)))
    top = max(rank)
    scores = {n: rank[i] / top for i, n in enumerate(nodes)}
    for word in sequence:  # isolated words (single-candidate texts)
        scores.setdefault(word, 0.0)
    return scores


#: Below this many sequences :func:`_textrank_many` runs :func:`_textrank` on each: numpy's
#: cost per call only pays off when one call serves many graphs.
_BATCH_MIN = 32


def _textrank_many(sequences: list[list[str]]) -> list[dict[str, float]]:
    """``[_textrank(s) for s in sequences]``, bit for bit, with numpy over all graphs at once.

    The graphs are laid side by side, one row of a rank table each (largest first, so the
    rows that have an ``i``-th node are the first ones), and the Gauss-Seidel sweep goes
    through node positions ``i = 0, 1, ...`` updating the ``i``-th node of every graph with
    one vectorised step. Each step performs, per graph, the very floating-point operations
    of :func:`_textrank` in the same order: the products ``w / out_sum[o] × rank[o]`` over
    the node's neighbours in the order they were first met, added left to right from the
    first one (a node with fewer neighbours than the widest at its position adds exact
    zeros), then ``0.15 + 0.85 × sum``. Elementwise float64 arithmetic rounds exactly as
    Python floats do, so the ranks are identical, not merely close.
    """
    if len(sequences) < _BATCH_MIN:
        return [_textrank(s) for s in sequences]
    import numpy as np

    out: list[dict[str, float] | None] = [None] * len(sequences)
    graphs: list[tuple[int, list[str], list[int]]] = []  # (sequence number, nodes, node ids)
    for g, sequence in enumerate(sequences):
        nodes = sorted(set(sequence))
        if len(nodes) < 2:  # no two different words: no edges (as in _textrank)
            out[g] = {w: 1.0 for w in sequence}
            continue
        # With two different words every word has a different one within the window (the
        # end of its run touches one), so every distinct word is a node.
        index = {n: i for i, n in enumerate(nodes)}
        graphs.append((g, nodes, list(map(index.__getitem__, sequence))))
    if not graphs:
        return out  # type: ignore[return-value]
    graphs.sort(key=lambda gr: -len(gr[1]))  # stable: equal sizes keep their order
    sizes = np.array([len(nodes) for _, nodes, _ in graphs])
    width = int(sizes[0])  # cells per row; cell = row × width + node id
    ids = np.concatenate([np.array(node_ids, dtype=np.int64) for _, _, node_ids in graphs])
    rows = np.repeat(np.arange(len(graphs), dtype=np.int64), [len(node_ids) for _, _, node_ids in graphs])
    cells = rows * width + ids

    # Co-occurrence edges, in _textrank's order: position i, then distance d = 1 .. window-1,
    # then word→other before other→word; ``order`` numbers them so.
    span = 2 * (_WINDOW - 1)
    src_parts, dst_parts, order_parts = [], [], []
    for d in range(1, _WINDOW):
        i = np.flatnonzero((rows[:-d] == rows[d:]) & (ids[:-d] != ids[d:]))
        j = i + d
        src_parts += [cells[i], cells[j]]
        dst_parts += [cells[j], cells[i]]
        order_parts += [i * span + 2 * (d - 1), i * span + 2 * (d - 1) + 1]
    src = np.concatenate(src_parts)
    dst = np.concatenate(dst_parts)
    order = np.concatenate(order_parts)
    # One entry per (node, neighbour): its weight (how often the pair was met) and when it
    # was first met.
    pair = src * width + dst % width
    by_pair = np.lexsort((order, pair))
    pair, order = pair[by_pair], order[by_pair]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    weight = np.diff(np.r_[starts, len(pair)]).astype(np.float64)
    first = order[starts]
    src = pair[starts] // width
    dst = (src // width) * width + pair[starts] % width
    out_sum = np.bincount(src, weights=weight, minlength=len(graphs) * width)
    coef = weight / out_sum[dst]
    # Each node's neighbours in first-met order: slot k is the k-th term of its sum.
    by_node = np.lexsort((first, src))
    src, dst, coef = src[by_node], dst[by_node], coef[by_node]
    node_start = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    slot = np.arange(len(src)) - np.repeat(node_start, np.diff(np.r_[node_start, len(src)]))

    # Per node position: the rows that have such a node, and a (slots × rows) table of
    # neighbour cells and coefficients (padding: coefficient 0 on the node's own cell).
    position = src % width
    by_position = np.argsort(position, kind="stable")
    bounds = np.searchsorted(position[by_position], np.arange(width + 1))
    plan = []
    for p in range(width):
        take = by_position[bounds[p] : bounds[p + 1]]
        count = int(np.count_nonzero(sizes > p))
        own = np.arange(count, dtype=np.int64) * width + p
        depth = int(slot[take].max()) + 1
        cell_table = np.repeat(own[None, :], depth, axis=0)
        coef_table = np.zeros((depth, count))
        row_of = src[take] // width
        cell_table[slot[take], row_of] = dst[take]
        coef_table[slot[take], row_of] = coef[take]
        plan.append((own, cell_table, coef_table))

    rank = np.zeros(len(graphs) * width)
    for r, (_, nodes, _) in enumerate(graphs):
        rank[r * width : r * width + len(nodes)] = 1.0 / len(nodes)
    base = 1 - _DAMPING
    for _ in range(_ITERATIONS):
        for own, cell_table, coef_table in plan:
            # Added slot by slot, left to right (not terms.sum(axis=0), whose order is numpy's).
            terms = coef_table * rank[cell_table]
            total = terms[0].copy()
            for k in range(1, len(terms)):
                total += terms[k]
            rank[own] = base + _DAMPING * total

    for r, (g, nodes, _) in enumerate(graphs):
        values = rank[r * width : r * width + len(nodes)].tolist()
        top = max(values)
        out[g] = {n: v / top for n, v in zip(nodes, values, strict=True)}
    return out  # type: ignore[return-value]


def warm_up() -> None:
    """Load the tokenizer, the IDF table, the field lexicon and numpy now instead of on first use.

    The ingest pipeline calls this before it forks its worker processes, so they share one
    copy instead of each loading its own.
    """
    import numpy  # noqa: F401  (for _textrank_many)

    from nlp.segment import warm_up as warm_segmenter

    warm_segmenter()
    _idf()
    lexicon_terms()


def keywords(text: str, k: int = 8, *, title: str | None = None) -> list[tuple[str, float]]:
    """Extract the ``k`` most characteristic keywords of a Chinese text.

    See the module docstring for the method. Keywords keep their surface form (``CBN``
    stays upper-case) but are de-duplicated case-insensitively. Complexity: one jieba pass
    (linear in the text) plus O(V·w) TextRank iterations for V candidate words.

    Args:
        text: the text (demand content, research direction ...).
        k: how many keywords to return (≥ 1).
        title: optional title; its words count twice in the term frequencies.

    Returns:
        ``(keyword, score)`` pairs, best first, scores in (0, 1]; fewer than ``k`` only when
        the text holds fewer usable words; ``[]`` for a blank text.

    Raises:
        ValueError: if ``k < 1``.

    Example:
        >>> [w for w, _ in keywords("高韧性立方氮化硼CBN单晶的研制及其产业化", k=3)]
        ['高韧性', '立方氮化硼', 'CBN']
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    draft = _draft(text, title)
    if draft is None:
        return []
    return _finish(draft, _textrank(draft.sequence) if draft.tf else {}, k)


def keywords_many(requests: Sequence[tuple[str, int]]) -> list[list[tuple[str, float]]]:
    """:func:`keywords` for many ``(text, k)`` pairs at once: the same lists, in order.

    The TextRank iterations of all the texts run together (see :func:`_textrank_many`), which
    for hundreds of texts costs a fraction of running them one text at a time; everything
    else is done per text exactly as :func:`keywords` does it.

    Raises:
        ValueError: if some ``k < 1`` (before any work is done).
    """
    for _, k in requests:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
    drafts = [_draft(text, None) for text, _ in requests]
    todo = [i for i, d in enumerate(drafts) if d is not None and d.tf]
    ranks = dict(zip(todo, _textrank_many([drafts[i].sequence for i in todo]), strict=True))  # type: ignore[union-attr]
    return [
        [] if d is None else _finish(d, ranks.get(i, {}), k)
        for i, (d, (_, k)) in enumerate(zip(drafts, requests, strict=True))
    ]


@dataclass(slots=True)
class _Draft:
    """One text's candidate words, before TextRank: what :func:`_finish` scores."""

    #: term frequency per candidate key (lower-cased word or joined phrase), title words twice
    tf: dict[str, float]
    #: the surface form kept for each key (first seen)
    surface: dict[str, str]
    #: position of each key's first occurrence, for ties
    first_pos: dict[str, int]
    #: the candidate keys in text order: the TextRank co-occurrence sequence
    sequence: list[str]
    #: other content words (verbs, adjectives ...), to top up short texts
    backfill: list[str]
    #: a joined phrase -> its two parts
    phrase_parts: dict[str, tuple[str, str]]


def _draft(text: str, title: str | None) -> _Draft | None:
    """Steps 1 and 2 of the module docstring for one text (None for a blank text)."""
    parts = [(normalize_text(title), 2.0)] if title else []
    parts.append((normalize_text(text or ""), 1.0))
    parts = [(p, w) for p, w in parts if p]
    if not parts:
        return None

    tf: dict[str, float] = defaultdict(float)
    surface: dict[str, str] = {}
    first_pos: dict[str, int] = {}
    sequence: list[str] = []
    backfill: list[str] = []
    phrase_parts: dict[str, tuple[str, str]] = {}
    position = 0
    for part, weight in parts:
        # HMM off: the posseg Viterbi for unknown words was two thirds of ingest time, and the
        # user dictionary already keeps the domain terms whole.
        tagged = cut_with_pos(part, hmm=False)
        run: list[str] = []  # current run of adjacent candidates, for noun phrases
        pairs: dict[tuple[str, str], int] = defaultdict(int)
        for word, flag in tagged:
            position += 1
            key = word.strip().lower()
            if _is_candidate(word, flag):
                tf[key] += weight
                surface.setdefault(key, word.strip())
                first_pos.setdefault(key, position)
                sequence.append(key)
                if run:
                    pairs[(run[-1], key)] += 1
                run.append(key)
            else:
                run = []
                if flag in _BACKFILL_FLAGS and _acceptable(word):
                    backfill.append(word.strip())
        for (a, b), count in pairs.items():
            phrase = f"{a} {b}" if a.isascii() and b.isascii() else a + b
            if count >= 2 and len(phrase) <= _MAX_PHRASE and phrase not in _STOP:
                tf[phrase] += weight * count
                phrase_parts[phrase] = (a, b)
                joiner = " " if " " in phrase else ""
                surface.setdefault(phrase, surface[a] + joiner + surface[b])
                first_pos.setdefault(phrase, first_pos[a])
    return _Draft(tf, surface, first_pos, sequence, backfill, phrase_parts)


def _finish(draft: _Draft, ranks: dict[str, float], k: int) -> list[tuple[str, float]]:
    """Steps 3 and 4 of the module docstring, given the TextRank scores of the draft's sequence."""
    tf, surface, first_pos = draft.tf, draft.surface, draft.first_pos
    scored: list[tuple[str, float]] = []
    if tf:
        idf, median = _idf()
        total = sum(tf.values())
        tfidf = {w: (c / total) * idf.get(w, median) for w, c in tf.items()}
        top = max(tfidf.values())
        for word, value in tfidf.items():
            # A joined phrase takes the TextRank of its better part.
            tr = ranks.get(word) or max(
                (ranks.get(p, 0.0) for p in draft.phrase_parts.get(word, ())), default=0.0
            )
            scored.append((word, _TFIDF_WEIGHT * value / top + (1 - _TFIDF_WEIGHT) * tr))
        scored.sort(key=lambda ws: (-ws[1], first_pos[ws[0]]))

    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    for word, score in scored:
        # 滚筒 adds nothing once 电动滚筒 is in the list.
        if word in seen or any(word in chosen for chosen in seen):
            continue
        seen.add(word)
        out.append((surface[word], round(score, 4)))
        if len(out) == k:
            return out

    # Short texts: top up with other content words, then dictionary sub-words.
    floor = min((s for _, s in out), default=1.0)
    idf, median = _idf()
    subwords = {
        sub
        for word in surface.values()
        for sub in cut_for_search(word)
        if sub != word and _acceptable(sub)
    }
    # Sub-words (mostly nouns) before other content words; longer and rarer first:
    # 全基因组 → 基因组 before 基因.
    extras = sorted(subwords, key=lambda w: (-len(w), -idf.get(w.lower(), median), w))
    extras.extend(dict.fromkeys(draft.backfill))
    for i, word in enumerate(extras):
        key = word.lower()
        if key in seen:
            continue
        seen.add(key)
        out.append((word, round(floor * 0.5 / (i + 1), 4)))
        if len(out) == k:
            break
    return out
