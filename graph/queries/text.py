"""Text relevance: Okapi BM25 over the project's jieba tokens, one index per kind of node.

The matching, role and licensing queries rank candidates partly by how well their text fits
a demand (文本相关).  Both backends use this same Python index, built from what the store
holds, so the text factor is identical on the embedded store and on Neo4j.

What is indexed (one document per node; text pieces joined, order irrelevant to BM25):

=============  ==============================================================================
``Person``     research directions + keywords + titles of the patents they invented
``Team``       name + research directions + the members' directions and keywords + the titles
               of the members' patents (members: ``MEMBER_OF`` and ``LEADS``)
``Patent``     title + abstract
``Achievement`` name + description + titles of the patents it ``COVERS``
``Demand``     name + content + declared field
=============  ==============================================================================

Tokens come from :func:`nlp.segment.tokenize` in search mode (long words *and* the dictionary
words inside them, so 焊接机器人 in a demand meets 焊接 / 机器人 in a CV), with the general and
the demand-domain stop words dropped (技术, 需求, 研发 ... say nothing about the technology).

Scoring is classic BM25 (``k1 = 1.2``, ``b = 0.75``, Lucene's non-negative IDF
``ln(1 + (N − df + 0.5) / (df + 0.5))``), a query term counted ``1 + ln(qtf)`` times.  A
*relevance* in 0..1 is the score divided by the best score among the documents considered
for that query, so the best text match of a kind gets 1.

The index is cached per store and per store *generation* (the write counter both stores
keep): it is rebuilt on the first query after any write.  Token lists are cached per text
piece across rebuilds, so a patent title shared by a patent, its inventors, their team and a
result is cut once.  Building is O(total text); a query is O(Σ postings of its terms).
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from graph.model import NodeLabel, RelType
from graph.queries.generation import GenerationCache, store_generation
from graph.store.base import GraphStore
from nlp.keywords import DOMAIN_STOPWORDS
from nlp.segment import STOPWORDS, tokenize

__all__ = [
    "INDEXED_LABELS",
    "BM25Index",
    "TextHit",
    "TextIndex",
    "text_index",
    "text_tokens",
    "clear_cache",
    "person_pieces",
    "team_pieces",
    "patent_pieces",
    "achievement_pieces",
    "demand_pieces",
    "demand_batches",
]

INDEXED_LABELS: tuple[NodeLabel, ...] = (
    NodeLabel.PERSON,
    NodeLabel.TEAM,
    NodeLabel.PATENT,
    NodeLabel.ACHIEVEMENT,
    NodeLabel.DEMAND,
)

_STOP = frozenset(STOPWORDS | DOMAIN_STOPWORDS)
_PIECE_CACHE_MAX = 600_000

_piece_tokens: dict[str, tuple[str, ...]] = {}
_piece_lock = threading.Lock()


def text_tokens(text: str) -> tuple[str, ...]:
    """The BM25 tokens of one piece of text (cached; the same text always gives the same tokens).

    Example:
        >>> "焊接机器人" in text_tokens("焊接机器人视觉定位")
        True
    """
    if not text:
        return ()
    cached = _piece_tokens.get(text)
    if cached is not None:
        return cached
    toks = tuple(tokenize(text, search=True, stopwords=_STOP))
    with _piece_lock:
        if len(_piece_tokens) >= _PIECE_CACHE_MAX:
            _piece_tokens.clear()  # crude but bounded; rebuilt pieces are cut again
        _piece_tokens[text] = toks
    return toks


def _pieces_tokens(pieces: Iterable[str]) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        out.extend(text_tokens(piece))
    return out


@dataclass(frozen=True)
class TextHit:
    """A document matched by a query: its BM25 score and its relevance (score / best score)."""

    id: str
    score: float
    relevance: float


class BM25Index:
    """Okapi BM25 over pre-tokenised documents, ids kept in sorted order.

    Args:
        docs: ``(id, tokens)`` pairs; documents without tokens are left out.
        k1: term-frequency saturation.
        b: document-length normalisation.

    Example:
        >>> idx = BM25Index([("a", ["焊接", "机器人"]), ("b", ["电池"])])
        >>> [h.id for h in idx.top(["焊接"], 5)]
        ['a']
    """

    def __init__(self, docs: Iterable[tuple[str, Sequence[str]]], *, k1: float = 1.2, b: float = 0.75):
        items = sorted((doc_id, list(toks)) for doc_id, toks in docs if toks)
        self.k1 = k1
        self.b = b
        self.ids: list[str] = [doc_id for doc_id, _ in items]
        self._pos: dict[str, int] = {doc_id: i for i, doc_id in enumerate(self.ids)}
        n = len(items)
        lengths = np.array([len(t) for _, t in items], dtype=np.float64)
        avgdl = float(lengths.mean()) if n else 1.0
        docs_of: dict[str, list[int]] = defaultdict(list)
        tfs_of: dict[str, list[int]] = defaultdict(list)
        for i, (_, toks) in enumerate(items):
            for term, tf in Counter(toks).items():
                docs_of[term].append(i)
                tfs_of[term].append(tf)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, rows in docs_of.items():
            idx = np.asarray(rows, dtype=np.int64)
            tf = np.asarray(tfs_of[term], dtype=np.float64)
            df = len(rows)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            norm = k1 * (1.0 - b + b * lengths[idx] / avgdl)
            self._postings[term] = (idx, idf * tf * (k1 + 1.0) / (tf + norm))

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._pos

    def position(self, doc_id: str) -> int:
        """The document's position in :attr:`ids` (the index into :meth:`scores`), -1 if absent."""
        return self._pos.get(doc_id, -1)

    def postings(self) -> Iterator[tuple[str, tuple[np.ndarray, np.ndarray]]]:
        """Every indexed term with its posting: document positions (ascending) and the term's
        BM25 weight in each; :meth:`scores` adds ``query weight × weight`` per query term."""
        return iter(self._postings.items())

    @staticmethod
    def query_weights(query: Sequence[str]) -> list[tuple[str, float]]:
        """The query's distinct terms (sorted) with their weights, 1 + ln(count)."""
        counts = Counter(query)
        return [(t, 1.0 + math.log(c)) for t, c in sorted(counts.items())]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (in id order) for the query tokens."""
        out = np.zeros(len(self.ids), dtype=np.float64)
        for term, qw in self.query_weights(query):
            posting = self._postings.get(term)
            if posting is not None:
                idx, w = posting
                out[idx] += qw * w
        return out

    def top(
        self,
        query: Sequence[str],
        k: int,
        *,
        allowed: Callable[[str], bool] | None = None,
    ) -> list[TextHit]:
        """The ``k`` best documents with a positive score, best first, ties by id.

        ``allowed`` filters documents before ranking; relevance is relative to the best
        allowed document.
        """
        s = self.scores(query)
        hits = np.flatnonzero(s > 0.0)
        if allowed is not None:
            hits = np.array([i for i in hits if allowed(self.ids[i])], dtype=np.int64)
        if hits.size == 0:
            return []
        order = hits[np.lexsort((hits, -s[hits]))]
        best = float(s[order[0]])
        return [TextHit(self.ids[i], float(s[i]), float(s[i]) / best) for i in order[:k]]

    def score_map(self, query: Sequence[str], ids: Iterable[str]) -> dict[str, float]:
        """BM25 scores of the given documents (0 for ids not indexed)."""
        s = self.scores(query)
        return {i: (float(s[self._pos[i]]) if i in self._pos else 0.0) for i in ids}

    def matched_terms(self, query: Sequence[str], doc_id: str, n: int = 5) -> list[str]:
        """The query terms found in a document, largest contribution first (ties by term)."""
        pos = self._pos.get(doc_id)
        if pos is None:
            return []
        found: list[tuple[float, str]] = []
        for term, qw in self.query_weights(query):
            posting = self._postings.get(term)
            if posting is None:
                continue
            idx, w = posting
            j = int(np.searchsorted(idx, pos))
            if j < idx.size and idx[j] == pos:
                found.append((-qw * float(w[j]), term))
        found.sort()
        # Drop a short term when a longer matched term contains it (机器 inside 机器人).
        terms = [t for _, t in found]
        kept = [t for t in terms if not any(t != o and t in o for o in terms)]
        return kept[:n]


@dataclass
class TextIndex:
    """One :class:`BM25Index` per indexed label, for one store generation."""

    generation: int | None
    by_label: dict[NodeLabel, BM25Index]
    #: demand id → (half-year batches, status), for filtering demands without a graph query
    demand_meta: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)

    def index(self, label: NodeLabel) -> BM25Index:
        return self.by_label[NodeLabel(label)]

    @staticmethod
    def query(text: str | Sequence[str]) -> list[str]:
        """Tokens of a query text (or the pieces of one)."""
        if isinstance(text, str):
            return list(text_tokens(text))
        return _pieces_tokens(text)

    def search(
        self,
        label: NodeLabel,
        query: Sequence[str],
        k: int,
        *,
        allowed: Callable[[str], bool] | None = None,
    ) -> list[TextHit]:
        return self.index(label).top(query, k, allowed=allowed)


# --------------------------------------------------------------------------- building

def _str_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def person_pieces(props: Mapping[str, object], patent_titles: Iterable[str]) -> list[str]:
    """Text pieces of a person: research directions, keywords, titles of their patents."""
    pieces = _str_list(props.get("research_directions")) + _str_list(props.get("keywords"))
    for t in patent_titles:
        pieces += _str_list(t)
    return pieces


def team_pieces(
    props: Mapping[str, object], member_props: Iterable[Mapping[str, object]], patent_titles: Iterable[str]
) -> list[str]:
    """Text pieces of a team: name, directions, members' directions and keywords, their patents."""
    pieces = _str_list(props.get("name")) + _str_list(props.get("research_directions"))
    for p in member_props:
        pieces += _str_list(p.get("research_directions")) + _str_list(p.get("keywords"))
    for t in patent_titles:
        pieces += _str_list(t)
    return pieces


def patent_pieces(props: Mapping[str, object]) -> list[str]:
    return _str_list(props.get("name")) + _str_list(props.get("abstract"))


def achievement_pieces(props: Mapping[str, object], patent_titles: Iterable[str]) -> list[str]:
    pieces = _str_list(props.get("name")) + _str_list(props.get("description"))
    for t in patent_titles:
        pieces += _str_list(t)
    return pieces


def demand_pieces(props: Mapping[str, object]) -> list[str]:
    return (_str_list(props.get("name")) + _str_list(props.get("content"))
            + _str_list(props.get("declared_field")))


def demand_batches(props: Mapping[str, object]) -> tuple[str, ...]:
    """Every half-year batch a demand appeared in (``batch`` and ``batches``), sorted."""
    out = set(_str_list(props.get("batches")))
    out |= set(_str_list(props.get("batch")))
    return tuple(sorted(out))


def _build(store: GraphStore, generation: int | None) -> TextIndex:
    persons = {n.id: n.props for n in store.iter_nodes(NodeLabel.PERSON)}
    teams = {n.id: n.props for n in store.iter_nodes(NodeLabel.TEAM)}
    patents = {n.id: n.props for n in store.iter_nodes(NodeLabel.PATENT)}
    achievements = {n.id: n.props for n in store.iter_nodes(NodeLabel.ACHIEVEMENT)}
    demands = {n.id: n.props for n in store.iter_nodes(NodeLabel.DEMAND)}

    invented: dict[str, set[str]] = defaultdict(set)
    for r in store.iter_relationships(RelType.INVENTED):
        invented[r.src].add(r.dst)
    members: dict[str, set[str]] = defaultdict(set)
    for rel_type in (RelType.MEMBER_OF, RelType.LEADS):
        for r in store.iter_relationships(rel_type):
            members[r.dst].add(r.src)
    covers: dict[str, set[str]] = defaultdict(set)
    for r in store.iter_relationships(RelType.COVERS):
        covers[r.src].add(r.dst)

    def titles(ids: Iterable[str]) -> list[str]:
        return [str(patents[i]["name"]) for i in sorted(ids) if patents.get(i, {}).get("name")]

    def person_docs() -> Iterable[tuple[str, list[str]]]:
        for pid, props in persons.items():
            yield pid, _pieces_tokens(person_pieces(props, titles(invented.get(pid, ()))))

    def team_docs() -> Iterable[tuple[str, list[str]]]:
        for tid, props in teams.items():
            ms = sorted(members.get(tid, ()))
            pats = set().union(*(invented.get(m, set()) for m in ms)) if ms else set()
            yield tid, _pieces_tokens(team_pieces(props, [persons.get(m, {}) for m in ms], titles(pats)))

    def patent_docs() -> Iterable[tuple[str, list[str]]]:
        for pid, props in patents.items():
            yield pid, _pieces_tokens(patent_pieces(props))

    def achievement_docs() -> Iterable[tuple[str, list[str]]]:
        for aid, props in achievements.items():
            yield aid, _pieces_tokens(achievement_pieces(props, titles(covers.get(aid, ()))))

    def demand_docs() -> Iterable[tuple[str, list[str]]]:
        for did, props in demands.items():
            yield did, _pieces_tokens(demand_pieces(props))

    return TextIndex(
        generation=generation,
        by_label={
            NodeLabel.PERSON: BM25Index(person_docs()),
            NodeLabel.TEAM: BM25Index(team_docs()),
            NodeLabel.PATENT: BM25Index(patent_docs()),
            NodeLabel.ACHIEVEMENT: BM25Index(achievement_docs()),
            NodeLabel.DEMAND: BM25Index(demand_docs()),
        },
        demand_meta={
            did: (demand_batches(props), props.get("status") if isinstance(props.get("status"), str) else None)
            for did, props in demands.items()
        },
    )


_indexes: GenerationCache[TextIndex] = GenerationCache()


def text_index(store: GraphStore, *, generation: int | None = None) -> TextIndex:
    """The BM25 indexes of a store, rebuilt when the store's write generation has moved.

    A store without a generation counter gets a fresh index on every call.  ``generation``:
    the store's generation when the caller has just read it (saves a round trip).

    Example:
        >>> idx = text_index(store)                                  # doctest: +SKIP
        >>> idx.search(NodeLabel.PERSON, idx.query("焊接机器人"), 10)  # doctest: +SKIP
    """
    # Read before building: a write during the build leaves the index one generation behind,
    # so the next call rebuilds it.
    gen = store_generation(store) if generation is None else generation
    return _indexes.get(store, gen, lambda: _build(store, gen))


def clear_cache() -> None:
    """Forget every built index and cached token list (tests, memory pressure)."""
    _indexes.clear()
    with _piece_lock:
        _piece_tokens.clear()
