"""Open licensing (开放许可): university results flagged for open licence, matched to the SMEs
whose fields and demands they serve.

An **offer** is a result (``Achievement``) with ``open_licence = true`` completed by a research
organisation (university, college, lab, institute — or, when no organisation is recorded, by
people affiliated with one), together with the patents it ``COVERS``.  A **taker** is an
enterprise; in field mode only SMEs are considered (中小企业 / 专精特新 / 小巨人, not 龙头企业:
open licensing exists to cut their cost).

Factors of an (offer, enterprise) pair, each 0..1, score = weighted sum (defaults in
:data:`LICENCE_WEIGHTS`):

* ``text`` 文本相关 (0.35) — BM25 of the enterprise's open demands, main field and
  description against the offer's text (name, description, covered patents' titles),
  relative to the best offer for that enterprise;
* ``field`` 领域匹配 (0.30) — Σ w_e·w_a / Σ w_e over the enterprise's fields (its own and its
  demands', strongest weight) and the offer's fields;
* ``maturity`` 成熟度 (0.15) — 实验室 0.2 · 小试 0.4 · 中试 0.6 · 小批量 0.8 · 产业化 1.0;
* ``proximity`` 地域与关系 (0.20) — 0.5·place (same city 1, same province 0.5) + 0.5·min(1, ties/3),
  ties between the enterprise and the owners (co-applied patents, shared staff, collaborating
  staff) plus the completing people's personal ties to the enterprise.

A pair with neither text nor field in common is not proposed.

Exact and fast: text, field, maturity and place are computed for every pair (numpy, as
takers × offers matrices whose sums are made term by term in the order the per-pair formulas
add them — the same floats); pairs are visited in order of the upper bound (ties = 1) until
the next bound is below the last kept score.  In field mode that ordered list of pairs is kept
per store generation (:func:`warm_up` builds it for the key industries), so a request only
looks up ties and writes the explanations of the pairs it shows.  Ties (the only graph fact per pair) come from the
generation's :class:`~graph.queries.profiles.TieIndex`, in memory.  The offers and SMEs of a
field, the takers' query tokens and the ties are kept per store generation
(:class:`~graph.queries.profiles.SharedFacts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import cypher
from graph.errors import QueryError
from graph.model import NodeLabel, OrgKind, RelType
from graph.queries.backend import is_neo4j
from graph.queries.matching import demand_query_pieces, field_overlap
from graph.queries.profiles import (
    AchievementProfile,
    GraphFacts,
    OrgProfile,
    Profiles,
    check_limit,
    maturity_level,
    profiles,
    saturate,
    shared_facts,
)
from graph.queries.text import achievement_pieces, text_index
from graph.store.base import GraphStore

__all__ = ["LICENCE_WEIGHTS", "LICENCE_FACTOR_NAMES", "LicenceMatch", "open_licence_matches", "warm_up"]

LICENCE_WEIGHTS = {"text": 0.35, "field": 0.30, "maturity": 0.15, "proximity": 0.20}
LICENCE_FACTOR_NAMES = {"text": "文本相关", "field": "领域匹配", "maturity": "成熟度", "proximity": "地域与关系"}
BATCH = 50
TIES_FULL = 3
_EPS = 1e-9


@dataclass(frozen=True)
class LicenceMatch:
    """An open-licence offer matched to an enterprise."""

    achievement_id: str
    achievement_name: str
    owners: tuple[tuple[str, str], ...]
    patents: tuple[tuple[str, str], ...]
    licence_terms: str
    enterprise_id: str
    enterprise_name: str
    score: float
    factors: Mapping[str, float]
    explanation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- facts

def _memoised(store: GraphStore, prof: Profiles, name: str, key: Any, fetch: Any) -> list[str]:
    """``fetch()`` memoised per store generation (the offers and takers of a field do not
    depend on the question)."""
    shared = shared_facts(store, prof.generation)
    if shared is None:
        return list(fetch())
    memo = shared.memo(name)
    if key not in memo:
        memo[key] = tuple(fetch())
    return list(memo[key])


def _open_offers(store: GraphStore, field_id: str | None) -> list[str]:
    if is_neo4j(store):
        rows = store.read(cypher.load("queries/licensing/open_offers"), {"field": field_id})  # type: ignore[attr-defined]
        return [r["id"] for r in rows]
    facts = GraphFacts(store)
    out = []
    for node, data in facts.g.nodes(data=True):
        if data.get("label") != NodeLabel.ACHIEVEMENT.value or data.get("open_licence") is not True:
            continue
        if field_id is not None and not any(f == field_id for f, _ in facts.out_edges(node, RelType.IN_FIELD, NodeLabel.FIELD)):
            continue
        out.append(node)
    return sorted(out)


def _smes_in_field(store: GraphStore, field_id: str) -> list[str]:
    if is_neo4j(store):
        rows = store.read(cypher.load("queries/licensing/smes_in_field"), {"field": field_id})  # type: ignore[attr-defined]
        return [r["id"] for r in rows]
    facts = GraphFacts(store)
    g = facts.g
    found: set[str] = set()
    if field_id in g:
        for src, _ in facts.in_edges(field_id, RelType.IN_FIELD):
            label = g.nodes[src].get("label")
            if label == NodeLabel.ORGANIZATION.value:
                found.add(src)
            elif label == NodeLabel.DEMAND.value:
                found |= {o for o, _ in facts.in_edges(src, RelType.POSTED, NodeLabel.ORGANIZATION)}
    out = []
    for o in found:
        d = g.nodes[o]
        if (d.get("kind") == OrgKind.ENTERPRISE.value and d.get("is_leading") is not True
                and any(d.get(k) is True for k in ("is_sme", "is_specialised", "is_little_giant"))):
            out.append(o)
    return sorted(out)


# --------------------------------------------------------------------------- ranking

@dataclass
class _OfferTable:
    """The offers of a field (``None``: all) with what every query scores them by — owners,
    fields, places, maturity, position in the BM25 index — for one store generation."""

    offers: dict[str, AchievementProfile]
    owners_of: dict[str, tuple[str, ...]]
    owner_profiles: dict[str, OrgProfile]
    offer_ids: list[str]
    text_pos: np.ndarray
    text_ok: np.ndarray
    maturity: np.ndarray
    by_field: dict[str, list[tuple[int, float]]]
    in_city: dict[str, list[int]]
    in_province: dict[str, list[int]]
    owned: dict[str, list[int]]
    field_arrays: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # by_field
    #   as (offer positions, weights)


def _offer_table(store: GraphStore, prof: Profiles, field_id: str | None) -> _OfferTable:
    """The :class:`_OfferTable` of ``field_id``, kept per store generation (it does not depend on
    the enterprise asked about)."""
    shared = shared_facts(store, prof.generation)
    memo = shared.memo("licensing.offer_table") if shared is not None else {}
    if field_id in memo:
        return memo[field_id]  # type: ignore[no-any-return]
    offers_all = prof.achievements(_memoised(store, prof, "licensing.offers", field_id,
                                             lambda: _open_offers(store, field_id)))
    people = prof.persons({p for a in offers_all.values() for p in a.persons})
    owners_of: dict[str, tuple[str, ...]] = {}
    for aid, a in offers_all.items():
        owners_of[aid] = a.orgs or tuple(sorted({o for p in a.persons if p in people for o in people[p].orgs}))
    owner_profiles = prof.orgs({o for os in owners_of.values() for o in os})
    offers: dict[str, AchievementProfile] = {
        aid: a for aid, a in offers_all.items()
        if any(o in owner_profiles and owner_profiles[o].is_research for o in owners_of[aid])
    }
    aindex = text_index(store, generation=prof.generation).index(NodeLabel.ACHIEVEMENT)
    offer_ids = sorted(offers)
    text_pos = np.array([aindex.position(aid) for aid in offer_ids], dtype=np.int64)
    maturity = np.array([maturity_level(offers[aid].props.get("maturity")) for aid in offer_ids])
    by_field: dict[str, list[tuple[int, float]]] = {}
    in_city: dict[str, list[int]] = {}
    in_province: dict[str, list[int]] = {}
    owned: dict[str, list[int]] = {}
    for j, aid in enumerate(offer_ids):
        for f, fw in offers[aid].fields.items():
            if fw > 0:
                by_field.setdefault(f, []).append((j, fw))
        for o in owners_of[aid]:
            owned.setdefault(o, []).append(j)
            op = owner_profiles.get(o)
            if op is not None:
                in_city.setdefault(op.city, []).append(j)
                in_province.setdefault(op.province, []).append(j)
    field_arrays = {f: (np.array([j for j, _ in pairs], dtype=np.int64), np.array([fw for _, fw in pairs]))
                    for f, pairs in by_field.items()}
    table = _OfferTable(offers, owners_of, owner_profiles, offer_ids, text_pos, text_pos >= 0, maturity,
                        by_field, in_city, in_province, owned, field_arrays)
    memo[field_id] = table
    return table



@dataclass
class _Taker:
    org: OrgProfile
    fields: dict[str, float]
    pieces: list[str]
    demands: list[str]  # open demand ids


def _taker(prof: Profiles, org: OrgProfile, demand_ids: Sequence[str]) -> _Taker:
    fields = dict(org.fields)
    demands = prof.demands(demand_ids)
    pieces: list[str] = []
    open_ids = []
    for did in demand_ids:
        d = demands.get(did)
        if d is None or d.props.get("status") not in (None, "open"):
            continue
        open_ids.append(did)
        for f, w in d.fields.items():
            if w > fields.get(f, -1.0):
                fields[f] = w
        pieces += demand_query_pieces(d.props)
    for key in ("main_field", "description"):
        value = org.props.get(key)
        if isinstance(value, str) and value.strip():
            pieces.append(value)
    return _Taker(org, dict(sorted(fields.items())), pieces, open_ids)


def _place(owners: Sequence[OrgProfile], taker: OrgProfile) -> float:
    best = 0.0
    for o in owners:
        if taker.city and o.city == taker.city:
            return 1.0
        if taker.province and o.province == taker.province:
            best = 0.5
    return best


@dataclass(frozen=True)
class _Postings:
    """The BM25 postings of the results' index as one CSR table (term → documents, weights),
    for one store generation: a question's text scores for many takers at once."""

    term_ids: dict[str, int]
    starts: np.ndarray  # term t's entries: starts[t]:starts[t + 1]
    docs: np.ndarray
    weights: np.ndarray


def _postings(store: GraphStore, prof: Profiles, aindex: Any) -> _Postings:
    shared = shared_facts(store, prof.generation)
    memo = shared.memo("licensing.postings") if shared is not None else {}
    got = memo.get(id(aindex))
    if got is not None and got[0] is aindex:
        return got[1]  # type: ignore[no-any-return]
    items = list(aindex.postings())
    sizes = np.array([d.size for _, (d, _) in items], dtype=np.int64)
    starts = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    table = _Postings(
        term_ids={t: i for i, (t, _) in enumerate(items)}, starts=starts,
        docs=np.concatenate([d for _, (d, _) in items]) if items else np.zeros(0, dtype=np.int64),
        weights=np.concatenate([wt for _, (_, wt) in items]) if items else np.zeros(0),
    )
    memo.clear()
    memo[id(aindex)] = (aindex, table)
    return table


def _accumulate(out: np.ndarray, cells: np.ndarray, values: np.ndarray) -> None:
    """``out.flat[cells[k]] += values[k]`` for k in order, one addition at a time per cell — the
    same sums, in the same order, as a loop would make (a cell's values are added level by
    level: its first value, then its second, …)."""
    if cells.size == 0:
        return
    order = np.argsort(cells, kind="stable")
    sc, sv = cells[order], values[order]
    n = sc.size
    first = np.ones(n, dtype=bool)
    first[1:] = sc[1:] != sc[:-1]
    starts = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    level = np.arange(n) - starts
    by_level = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[by_level], np.arange(int(level.max()) + 2))
    flat = out.reshape(-1)
    for lv in range(bounds.size - 1):
        sel = by_level[bounds[lv]:bounds[lv + 1]]
        flat[sc[sel]] += sv[sel]


@dataclass(frozen=True)
class _Ranking:
    """The (offer, taker) pairs of a question that can be proposed (some text or field in
    common, not the taker's own result), in the order they are visited: by the upper bound of
    their score (ties = 1), then offer, then taker — with the factors that do not depend on
    ties.  Depends only on the offers and takers, hence kept per store generation for a field."""

    takers: dict[str, _Taker]
    queries: dict[str, list[str]]
    taker_of: dict[int, str]
    bound: np.ndarray
    offer_j: np.ndarray
    taker_r: np.ndarray
    text: np.ndarray
    field: np.ndarray
    place: np.ndarray


def _ranking(store: GraphStore, prof: Profiles, idx: Any, table: _OfferTable, taker_ids: Sequence[str],
             *, memo_key: str | None) -> _Ranking:
    """The :class:`_Ranking` of these takers against the table's offers; with ``memo_key`` (a
    field, in field mode) kept per store generation."""
    shared = shared_facts(store, prof.generation)
    memo = shared.memo("licensing.field_rank") if shared is not None and memo_key is not None else None
    if memo is not None and (hit := memo.get(memo_key)) is not None and hit[0] is table:
        return hit[1]  # type: ignore[no-any-return]
    takers_orgs = prof.orgs(taker_ids)
    posted = prof.posted(taker_ids)
    takers = [_taker(prof, takers_orgs[t], posted.get(t, ())) for t in taker_ids if t in takers_orgs]
    tokens = shared.memo("licensing.query") if shared is not None else {}
    queries: dict[str, list[str]] = {}
    for t in takers:
        if t.org.id not in tokens:  # a taker's text is that of the generation: tokenised once
            tokens[t.org.id] = idx.query(t.pieces)
        queries[t.org.id] = tokens[t.org.id]
    rank = _rank_pairs(store, prof, idx, table, takers, queries)
    if memo is not None:
        memo[memo_key] = (table, rank)
    return rank


def _rank_pairs(store: GraphStore, prof: Profiles, idx: Any, table: _OfferTable, takers: Sequence[_Taker],
                queries: Mapping[str, list[str]]) -> _Ranking:
    """Text, field, place and the bound of every (taker, offer) pair as (takers × offers)
    matrices.  Float for float what the per-taker formulas give: every sum is made one term at
    a time in the order the scalar code adds them (BM25 over the query's terms in sorted order,
    field overlap over the taker's fields in order), and the rest is element-wise."""
    aindex = idx.index(NodeLabel.ACHIEVEMENT)
    w = LICENCE_WEIGHTS
    n_t, n_off = len(takers), len(table.offer_ids)
    # Text: BM25 of each taker's query on the offers (the postings cut down to the offers).
    post = _postings(store, prof, aindex)
    col_of_doc = np.full(len(aindex), -1, dtype=np.int64)
    col_of_doc[table.text_pos[table.text_ok]] = np.flatnonzero(table.text_ok)
    all_cols = col_of_doc[post.docs]
    on_offer = all_cols >= 0
    kept_before = np.zeros(post.docs.size + 1, dtype=np.int64)
    np.cumsum(on_offer, out=kept_before[1:])
    starts = kept_before[post.starts]  # term t's offer entries: starts[t]:starts[t + 1]
    offer_cols, offer_weights = all_cols[on_offer], post.weights[on_offer]
    t_rows: list[int] = []
    t_terms: list[int] = []
    t_qw: list[float] = []
    term_ids = post.term_ids
    for r, t in enumerate(takers):
        for term, qw in aindex.query_weights(queries[t.org.id]):  # sorted by term
            tid = term_ids.get(term)
            if tid is not None:
                t_rows.append(r)
                t_terms.append(tid)
                t_qw.append(qw)
    raw = np.zeros((n_t, n_off))
    if t_rows:
        tid_a = np.array(t_terms, dtype=np.int64)
        lo = starts[tid_a]
        sizes = starts[tid_a + 1] - lo
        entry = np.repeat(np.arange(tid_a.size), sizes)  # in (taker, term) order
        at = lo[entry] + (np.arange(entry.size) - np.repeat(np.cumsum(sizes) - sizes, sizes))
        products = np.array(t_qw)[entry] * offer_weights[at]
        _accumulate(raw, np.array(t_rows, dtype=np.int64)[entry] * n_off + offer_cols[at], products)
    best = raw.max(axis=1) if n_off else np.zeros(n_t)
    text = np.zeros((n_t, n_off))
    np.divide(raw, best[:, None], out=text, where=best[:, None] > 0)
    # Field overlap: Σ over the taker's fields, in its order, of w_taker · w_offer.
    fsum = np.zeros((n_t, n_off))
    totals = np.zeros(n_t)
    by_field = table.field_arrays
    for r, t in enumerate(takers):
        total = sum(t.fields.values())
        totals[r] = total
        if total > 0:
            row = fsum[r]
            for f, tw in t.fields.items():
                posting = by_field.get(f)
                if posting is not None:
                    row[posting[0]] += tw * posting[1]
    fval = np.zeros((n_t, n_off))
    pos = totals > 0
    fval[pos] = np.minimum(1.0, fsum[pos] / totals[pos, None])
    # Place: same city 1, same province 0.5.
    place = np.zeros((n_t, n_off))
    groups: dict[tuple[str, str], list[int]] = {}
    for r, t in enumerate(takers):
        groups.setdefault((t.org.province, t.org.city), []).append(r)
    for (province, city), rows in groups.items():
        vec = np.zeros(n_off)
        if province:
            vec[table.in_province.get(province, [])] = 0.5
        if city:
            vec[table.in_city.get(city, [])] = 1.0
        place[rows] = vec
    static = (w["text"] * text + w["field"] * fval + w["maturity"] * table.maturity
              + w["proximity"] * 0.5 * place)
    keep = (text != 0) | (fval != 0)
    for r, t in enumerate(takers):
        keep[r, table.owned.get(t.org.id, [])] = False  # its own result
    rows_k, js = np.nonzero(keep)
    taker_rank = {tk: r for r, tk in enumerate(sorted(t.org.id for t in takers))}
    rank_of_row = np.array([taker_rank[t.org.id] for t in takers], dtype=np.int64)
    bound = static[rows_k, js] + w["proximity"] * 0.5
    taker_r = rank_of_row[rows_k] if rows_k.size else np.zeros(0, dtype=np.int64)
    order = np.lexsort((taker_r, js, -bound))
    return _Ranking(
        takers={t.org.id: t for t in takers}, queries=dict(queries),
        taker_of={r: tk for tk, r in taker_rank.items()},
        bound=bound[order], offer_j=js[order], taker_r=taker_r[order],
        text=text[rows_k, js][order], field=fval[rows_k, js][order], place=place[rows_k, js][order],
    )


def open_licence_matches(
    store: GraphStore,
    *,
    enterprise_id: str | None = None,
    field_id: str | None = None,
    limit: int = 10,
) -> list[LicenceMatch]:
    """University results open for licensing matched to enterprises, best first.

    Modes: ``enterprise_id`` — offers for that enterprise (restricted to ``field_id`` when
    given); ``field_id`` alone — (offer, SME) pairs of that field.

    Args:
        enterprise_id: an enterprise (``Organization`` of kind enterprise).
        field_id: a ``Field`` id.
        limit: 1..100.

    Returns:
        Matches ordered by score (desc), then offer id, then enterprise id.

    Raises:
        QueryError: neither id given, not an enterprise, bad limit.  NotFound: unknown id.

    Complexity: O(offers × takers) arithmetic plus the BM25 of each taker, then tie look-ups
    for the best pairs only.

    Example:
        >>> open_licence_matches(store, enterprise_id="org:…")[0].explanation  # doctest: +SKIP
    """
    limit = check_limit(limit)
    if enterprise_id is None and field_id is None:
        raise QueryError("请指定 enterprise_id（企业）或 field_id（领域）")
    prof = profiles(store)
    if field_id is not None:
        prof.require(store, field_id, NodeLabel.FIELD, name="field_id")
    if enterprise_id is not None:
        prof.require(store, enterprise_id, NodeLabel.ORGANIZATION, name="enterprise_id")
        org = prof.org(enterprise_id)
        assert org is not None
        if org.kind != OrgKind.ENTERPRISE.value:
            raise QueryError(f"{org.name}（{enterprise_id}）不是企业，开放许可匹配需要企业的 id")
        taker_ids = [enterprise_id]
    else:
        assert field_id is not None
        taker_ids = _memoised(store, prof, "licensing.smes", field_id, lambda: _smes_in_field(store, field_id))

    table = _offer_table(store, prof, field_id)
    offers, owners_of, owner_profiles = table.offers, table.owners_of, table.owner_profiles
    if not offers or not taker_ids:
        return []
    idx = text_index(store, generation=prof.generation)
    rank = _ranking(store, prof, idx, table, taker_ids, memo_key=field_id if enterprise_id is None else None)
    takers, queries = rank.takers, rank.queries
    offer_ids, maturity = table.offer_ids, table.maturity
    bound, offer_j, taker_r = rank.bound, rank.offer_j, rank.taker_r
    text_all, field_all, place_all = rank.text, rank.field, rank.place
    taker_of = rank.taker_of
    w = LICENCE_WEIGHTS

    def row(k: int) -> tuple[float, str, str, dict[str, float]]:
        aid = offer_ids[offer_j[k]]
        return (float(bound[k]), aid, taker_of[int(taker_r[k])],
                {"text": float(text_all[k]), "field": float(field_all[k]),
                 "maturity": float(maturity[offer_j[k]]), "place": float(place_all[k])})

    n_rows = bound.size
    kept: list[tuple[float, str, str, dict[str, float], dict[str, Any]]] = []
    tie_counts = prof.tie_counts()  # the Ties themselves only for the matches shown
    i = 0
    while i < n_rows:
        if len(kept) >= limit and float(bound[i]) + _EPS < kept[limit - 1][0]:
            break
        batch = [row(k) for k in range(i, min(i + BATCH, n_rows))]
        i += BATCH
        personal = prof.personal_ties([(tk, p) for _, aid, tk, _ in batch for p in offers[aid].persons])
        for _, aid, tk, f in batch:
            org_n, tie_org = 0, None
            for o in owners_of[aid]:
                n_o = tie_counts.get((tk, o), 0) if o != tk else 0
                if n_o > org_n:
                    org_n, tie_org = n_o, o
            pers = [personal[(tk, p)] for p in offers[aid].persons if personal[(tk, p)].count]
            n = org_n + sum(pt.count for pt in pers)
            factors = {"text": f["text"], "field": f["field"], "maturity": f["maturity"],
                       "proximity": 0.5 * f["place"] + 0.5 * saturate(n, TIES_FULL)}
            score = sum(w[k] * factors[k] for k in w)
            kept.append((score, aid, tk, factors, {"tie_org": tie_org, "org_ties": org_n,
                                                   "personal": pers, "place": f["place"]}))
        kept.sort(key=lambda r: (-round(r[0], 9), r[1], r[2]))
    kept = kept[:limit]
    return _explain(store, prof, idx, kept, offers, owners_of, owner_profiles, takers, queries)


def _explain(
    store: GraphStore, prof: Profiles, idx: Any, kept: Sequence[tuple[float, str, str, dict[str, float], dict[str, Any]]],
    offers: Mapping[str, AchievementProfile], owners_of: Mapping[str, tuple[str, ...]],
    owner_profiles: Mapping[str, OrgProfile], takers: Mapping[str, _Taker], queries: Mapping[str, list[str]],
) -> list[LicenceMatch]:
    aindex = idx.index(NodeLabel.ACHIEVEMENT)
    dindex = idx.index(NodeLabel.DEMAND)
    need: set[str] = set()
    for _, aid, tk, _, ev in kept:
        need |= set(offers[aid].patents) | set(offers[aid].fields) | set(takers[tk].fields)
        need |= {pt.person for pt in ev["personal"]} | {x for pt in ev["personal"] for x in pt.colleagues[:2]}
        if ev["tie_org"]:
            need |= set(prof.ties([(tk, ev["tie_org"])])[(tk, ev["tie_org"])].co_patents[:2])
    names = prof.names(store, need)
    out = []
    for score, aid, tk, factors, ev in kept:
        a = offers[aid]
        taker = takers[tk]
        owners = [owner_profiles[o] for o in owners_of[aid] if o in owner_profiles]
        owner_names = "、".join(o.name for o in owners)
        terms_raw = a.props.get("licence_terms")
        terms = terms_raw if isinstance(terms_raw, str) else ""
        maturity = a.props.get("maturity")
        pats = [(p, names.get(p, p)) for p in a.patents]
        head = f"成果「{a.name}」（{owner_names}"
        if isinstance(maturity, str) and maturity:
            head += f"，{maturity}"
        if pats:
            head += f"，含专利{'、'.join('《' + t + '》' for _, t in pats[:2])}{'等' if len(pats) > 2 else ''} {len(pats)} 项"
        head += f"；许可条件：{terms}）" if terms else "；开放许可）"
        marks = [m for k, m in (("is_little_giant", "小巨人"), ("is_specialised", "专精特新"),
                                ("is_sme", "中小企业")) if taker.org.props.get(k) is True]
        who = f"{taker.org.name}（{'、'.join(marks)}）" if marks else taker.org.name
        parts = [f"{head}适合{who}，综合得分 {score:.2f}"]
        query = queries[tk]
        matched = aindex.matched_terms(query, aid, 5)
        if matched:
            best_demand = None
            if taker.demands:
                doc_scores = dindex.score_map(_offer_query(idx, a, names), taker.demands)
                best_demand = min(doc_scores, key=lambda d: (-doc_scores[d], d))
            dname = prof.demands([best_demand])[best_demand].name if best_demand else ""
            parts.append(f"与企业{'需求「' + dname + '」' if dname else '业务'}文本相关（{factors['text']:.2f}，"
                         f"共同关键词：{'、'.join(matched)}）")
        shared = field_overlap(taker.fields, a.fields)[1]
        if shared:
            parts.append(f"同属{'、'.join(names.get(f, f) for f in shared[:3])}领域（领域匹配 {factors['field']:.2f}）")
        if ev["place"] >= 1.0:
            parts.append(f"成果单位与企业同在{taker.org.city}")
        elif ev["place"] > 0:
            parts.append(f"成果单位与企业同在{taker.org.province}")
        if ev["tie_org"]:
            t = prof.ties([(tk, ev["tie_org"])])[(tk, ev["tie_org"])]
            bits = []
            if t.co_patents:
                bits.append(f"共同申请专利 {len(t.co_patents)} 项")
            if t.shared_staff:
                bits.append(f"{len(t.shared_staff)} 人曾在两家单位任职")
            if t.collab_pairs:
                bits.append(f"人员合作 {len(t.collab_pairs)} 对")
            parts.append(f"{owner_profiles[ev['tie_org']].name}与{taker.org.name}已有往来：{'，'.join(bits)}")
        for pt in ev["personal"]:
            if pt.colleagues:
                parts.append(f"完成人{names.get(pt.person, pt.person)}与企业的"
                             f"{'、'.join(names.get(x, x) for x in pt.colleagues[:2])}有合作")
        out.append(LicenceMatch(
            achievement_id=aid, achievement_name=a.name, owners=tuple((o.id, o.name) for o in owners),
            patents=tuple(pats), licence_terms=terms, enterprise_id=tk, enterprise_name=taker.org.name,
            score=round(score, 6), factors={k: round(v, 6) for k, v in factors.items()},
            explanation="；".join(parts) + "。",
            evidence={"terms": matched, "shared_fields": shared, "tie_org": ev["tie_org"],
                      "org_ties": ev["org_ties"], "demands": list(taker.demands)},
        ))
    return out


def _offer_query(idx: Any, a: AchievementProfile, names: Mapping[str, str]) -> list[str]:
    """Tokens of an offer's text (to find the enterprise demand it answers best)."""
    return idx.query(achievement_pieces(a.props, [names.get(p, "") for p in a.patents]))


def warm_up(store: GraphStore, *, kinds: Sequence[str] = ("industry",)) -> int:
    """Build, for the store's generation, the offer table of the enterprise mode (every open
    offer) and the field mode's offers, takers and ranking of every field of the given kinds
    (the key industries by default), so the first licensing query after a server start does
    not pay for them.  Returns how many fields were done."""
    prof = profiles(store)
    _offer_table(store, prof, None)
    fields = sorted(n.id for n in store.find_nodes(NodeLabel.FIELD, limit=10_000)
                    if n.props.get("kind") in kinds)
    for fid in fields:
        open_licence_matches(store, field_id=fid, limit=1)
    return len(fields)
