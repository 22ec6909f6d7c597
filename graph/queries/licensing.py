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

Exact and fast: text, field, maturity and place are computed for every pair (numpy over the
offers, per taker); pairs are visited in order of the upper bound (ties = 1) until the next
bound is below the last kept score.  Ties (the only graph fact per pair) come from the
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
    table = _OfferTable(offers, owners_of, owner_profiles, offer_ids, text_pos, text_pos >= 0, maturity,
                        by_field, in_city, in_province, owned)
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
    takers_orgs = prof.orgs(taker_ids)
    posted = prof.posted(taker_ids)
    takers = [_taker(prof, takers_orgs[t], posted.get(t, ())) for t in taker_ids if t in takers_orgs]

    idx = text_index(store, generation=prof.generation)
    aindex = idx.index(NodeLabel.ACHIEVEMENT)
    offer_ids = table.offer_ids
    w = LICENCE_WEIGHTS
    # Offer-side arrays (text, field, place and the bound of every pair are computed with numpy,
    # in the same order of operations as the scalar formulas, hence the same floats).
    n_off = len(offer_ids)
    text_pos, text_ok, maturity = table.text_pos, table.text_ok, table.maturity
    by_field, in_city, in_province, owned = table.by_field, table.in_city, table.in_province, table.owned
    parts: list[tuple[np.ndarray, ...]] = []
    queries: dict[str, list[str]] = {}
    taker_rank = {tk: r for r, tk in enumerate(sorted(t.org.id for t in takers))}
    shared = shared_facts(store, prof.generation)
    tokens = shared.memo("licensing.query") if shared is not None else {}
    for t in takers:
        if t.org.id not in tokens:  # a taker's text is that of the generation: tokenised once
            tokens[t.org.id] = idx.query(t.pieces)
        query = tokens[t.org.id]
        queries[t.org.id] = query
        all_scores = aindex.scores(query)
        raw = np.zeros(n_off)
        raw[text_ok] = all_scores[text_pos[text_ok]]
        best = float(raw.max()) if n_off else 0.0
        text = raw / best if best > 0 else np.zeros(n_off)
        fsum = np.zeros(n_off)
        total = sum(t.fields.values())
        if total > 0:
            for f, tw in t.fields.items():  # the target's order, as field_overlap sums
                for j, fw in by_field.get(f, ()):
                    fsum[j] += tw * fw
            fval = np.minimum(1.0, fsum / total)
        else:
            fval = np.zeros(n_off)
        place = np.zeros(n_off)
        if t.org.province:
            place[in_province.get(t.org.province, [])] = 0.5
        if t.org.city:
            place[in_city.get(t.org.city, [])] = 1.0
        static = (w["text"] * text + w["field"] * fval + w["maturity"] * maturity
                  + w["proximity"] * 0.5 * place)
        keep = (text != 0) | (fval != 0)
        keep[owned.get(t.org.id, [])] = False  # its own result
        js = np.flatnonzero(keep)
        parts.append((static[js] + w["proximity"] * 0.5, js,
                      np.full(js.size, taker_rank[t.org.id], dtype=np.int64), text[js], fval[js], place[js]))
    taker_of = {r: tk for tk, r in taker_rank.items()}
    if parts:
        bound, offer_j, taker_r, text_all, field_all, place_all = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        bound = text_all = field_all = place_all = np.zeros(0)
        offer_j = taker_r = np.zeros(0, dtype=np.int64)
    order = np.lexsort((taker_r, offer_j, -bound))

    def row(k: int) -> tuple[float, str, str, dict[str, float]]:
        j = order[k]
        aid = offer_ids[offer_j[j]]
        return (float(bound[j]), aid, taker_of[int(taker_r[j])],
                {"text": float(text_all[j]), "field": float(field_all[j]),
                 "maturity": float(maturity[offer_j[j]]), "place": float(place_all[j])})

    n_rows = order.size
    kept: list[tuple[float, str, str, dict[str, float], dict[str, Any]]] = []
    tie_counts = prof.tie_counts()  # the Ties themselves only for the matches shown
    i = 0
    while i < n_rows:
        if len(kept) >= limit and float(bound[order[i]]) + _EPS < kept[limit - 1][0]:
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
    return _explain(store, prof, idx, kept, offers, owners_of, owner_profiles,
                    {t.org.id: t for t in takers}, queries)


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


def warm_up(store: GraphStore) -> None:
    """Build the offer table of the enterprise mode (every open offer) for the store's
    generation, so the first licensing query after a server start does not pay for it."""
    _offer_table(store, profiles(store), None)
