"""Person disambiguation: which mentions of a name are the same person.

A common name (张伟, 王磊, 李娜) is many people.  Each *mention* — a CV, an inventor on a patent,
the contact of a demand, a person on a research result — carries the evidence around the name:
organisations, co-inventors, topics, years, listed patents, contact details.  Mentions are
linked only on evidence; every link keeps its score and the evidence behind it, and pairs in
the grey zone are listed for a person to review instead of being merged.

Algorithm, per name block (mentions with the same normalised name):

1. Candidate pairs come from inverted indexes on the strong keys (organisation, co-person name,
   patent number, phone, e-mail): a pair that shares none of them cannot reach the review
   threshold, so it is never scored.  O(sum over keys of k²) for k mentions sharing a key.
   Two CVs are paired only on a shared contact or a shared (organisation, birth year): any
   other CV pair scores −1, and the resolver keeps such CVs apart without scoring them (each
   cluster carries its CVs; a join is refused unless every CV pair across it agreed), so the
   O(CVs²) cannot-links are never materialised.  Features (contact digits, topic bigrams,
   sorted years) are computed once per mention, not once per pair.
2. Each candidate pair is scored (:func:`score_pair`): certain evidence scores 1.0 (same phone or
   e-mail; a CV that lists the patent); otherwise additive evidence — shared organisation
   0.45, shared co-person 0.30 (+0.10 each further, up to 0.45), topic overlap up to 0.20,
   shared field 0.10, implausible year gap −0.30, capped at 0.95 so that certain links are
   applied first.  Two different CVs are two people unless they agree on birth year and
   organisation (or contact details); two inventors of one patent are two people.
3. Manual corrections come first: must-links are unioned, cannot-links recorded.
4. Pairs at or above ``link_threshold`` are unioned greedily from the highest score down,
   never joining two clusters that hold a cannot-link pair (so two CVs are never chained
   together through patents).  Pairs between ``review_threshold`` and the link threshold that
   end up in different clusters are returned for review, unless a person already kept them
   apart (a manual cannot-link).

Deterministic: ties are broken by mention id.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

__all__ = [
    "Mention",
    "Link",
    "ResolutionResult",
    "normalise_name",
    "score_pair",
    "resolve_block",
    "LINK_THRESHOLD",
    "REVIEW_THRESHOLD",
]

LINK_THRESHOLD = 0.6
REVIEW_THRESHOLD = 0.4


_NAME_NOISE = re.compile(r"[\s·•.\-_]")


@lru_cache(maxsize=1 << 16)
def normalise_name(name: str) -> str:
    """The blocking key of a person name: NFKC, no spaces or middle dots, lower-case Latin.

    Cached: a run asks for the block of every mention several times, and names repeat."""
    text = unicodedata.normalize("NFKC", name)
    return _NAME_NOISE.sub("", text).lower()


@dataclass(frozen=True)
class Mention:
    """One appearance of a person in one source record."""

    mention_id: str  # "cv:<key>", "patent:<appno>#<pos>", "demand:<id>#contact" …
    kind: str  # cv | patent | demand | achievement
    name: str
    orgs: frozenset[str] = frozenset()
    co_names: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    patents: frozenset[str] = frozenset()  # listed on a CV, or the patent itself
    phone: str | None = None
    email: str | None = None
    birth_year: int | None = None

    @property
    def block(self) -> str:
        return normalise_name(self.name)


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    score: float
    evidence: tuple[str, ...]


@dataclass
class ResolutionResult:
    clusters: list[list[str]]  # mention ids, each sorted; clusters sorted by first id
    links: list[Link] = field(default_factory=list)  # the links that joined clusters
    review: list[Link] = field(default_factory=list)  # grey-zone pairs left apart


_NON_DIGIT = re.compile(r"\D")


def _digits(phone: str | None) -> str:
    return _NON_DIGIT.sub("", phone) if phone else ""


@dataclass(frozen=True, slots=True)
class _Features:
    """What scoring needs of a mention, computed once per mention instead of once per pair."""

    m: Mention
    digits: str  # the phone's digits
    phone: str  # the same, "" if fewer than 7 (too short to be certain)
    email: str  # lower-case, "" if none
    bigrams: frozenset[str]  # character bigrams of the topics
    years: tuple[int, ...]  # sorted


def _features(m: Mention) -> _Features:
    phone = _digits(m.phone)
    return _Features(
        m=m,
        digits=phone,
        phone=phone if len(phone) >= 7 else "",
        email=m.email.lower() if m.email else "",
        bigrams=_bigrams(m.topics) if m.topics else frozenset(),
        years=tuple(sorted(m.years)),
    )


def _year_gap(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """The smallest distance between a year of ``a`` and a year of ``b`` (both sorted)."""
    if a[-1] < b[0]:
        return b[0] - a[-1]
    if b[-1] < a[0]:
        return a[0] - b[-1]
    return min(abs(x - y) for x in a for y in b)


def score_pair(a: Mention, b: Mention) -> tuple[float, tuple[str, ...]]:
    """Evidence that two same-name mentions are one person: (score, evidence strings).

    Returns ``-1.0`` for pairs that must stay apart (two CVs that disagree).
    """
    return _score(_features(a), _features(b))


def _score(fa: _Features, fb: _Features) -> tuple[float, tuple[str, ...]]:
    """:func:`score_pair` on precomputed features (the same result, bit for bit)."""
    a, b = fa.m, fb.m
    if fa.phone and fa.phone == fb.phone:
        pa = fa.phone
        return 1.0, (f"同一电话 {pa[:3]}****{pa[-4:]}",)
    if fa.email and fa.email == fb.email:
        return 1.0, ("同一邮箱",)
    ka, kb = a.kind, b.kind
    if ka == "patent" and kb == "patent" and not a.patents.isdisjoint(b.patents):
        return -1.0, ("同一专利的两位发明人",)
    if ka == "cv" and kb == "patent" and not b.patents.isdisjoint(a.patents):
        return 1.0, (f"简历列出专利 {sorted(b.patents & a.patents)[0]}",)
    if kb == "cv" and ka == "patent" and not a.patents.isdisjoint(b.patents):
        return 1.0, (f"简历列出专利 {sorted(a.patents & b.patents)[0]}",)
    shared_orgs = a.orgs & b.orgs
    if ka == "cv" and kb == "cv":
        if a.birth_year and a.birth_year == b.birth_year and shared_orgs:
            return 0.9, (f"出生年份 {a.birth_year} 相同", f"同单位 {sorted(shared_orgs)[0]}")
        return -1.0, ("两份不同简历",)
    if a.birth_year and b.birth_year and abs(a.birth_year - b.birth_year) > 1:
        return -1.0, ("出生年份不同",)
    evidence: list[str] = []
    score = 0.0
    if shared_orgs:
        score += 0.45
        evidence.append(f"同单位 {sorted(shared_orgs)[0]}")
    shared_co = a.co_names & b.co_names
    if shared_co:
        score += min(0.45, 0.30 + 0.10 * (len(shared_co) - 1))
        evidence.append("共同合作者 " + "、".join(sorted(shared_co)[:3]))
    if a.topics and b.topics:
        shared_topics = a.topics & b.topics
        exact = len(shared_topics) / (len(a.topics) + len(b.topics) - len(shared_topics))
        ga, gb = fa.bigrams, fb.bigrams
        shared_grams = ga & gb
        overlap = (2 * len(shared_grams) / (len(ga) + len(gb))) if ga and gb else 0.0
        similarity = min(1.0, max(2 * exact, overlap))
        if similarity > 0:
            score += 0.20 * similarity
            shared = sorted(shared_topics) or sorted(shared_grams)
            evidence.append("研究主题相近 " + "、".join(shared[:3]))
    if not a.fields.isdisjoint(b.fields):
        score += 0.10
        evidence.append("同领域")
    if fa.years and fb.years:
        gap = _year_gap(fa.years, fb.years)
        if gap > 25:
            score -= 0.30
            evidence.append(f"年份相差 {gap} 年")
    # Additive evidence stays below certainty, so certain links (contacts, a CV listing the
    # patent) are applied first and anchor the clusters that the cannot-links then protect.
    return round(min(score, 0.95), 4), tuple(evidence)


@lru_cache(maxsize=200_000)
def _bigrams(words: frozenset[str]) -> frozenset[str]:
    grams: set[str] = set()
    for w in words:
        w = w.lower()
        grams.update(w[i : i + 2] for i in range(len(w) - 1))
    return frozenset(grams)


def _topic_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """0–1 closeness of two topic sets: exact shared words, or shared character bigrams
    (焊接机器人 and 焊接机器人视觉 share most bigrams though the words differ)."""
    exact = len(a & b) / len(a | b)
    ga, gb = _bigrams(a), _bigrams(b)
    overlap = (2 * len(ga & gb) / (len(ga) + len(gb))) if ga and gb else 0.0
    return min(1.0, max(2 * exact, overlap))


def _candidate_pairs(mentions: Sequence[Mention], features: Sequence[_Features] | None = None) -> set[int]:
    """Index pairs ``i * n + j`` (i < j) that can carry evidence: they share a strong key.

    Every pair that :func:`score_pair` can score at the review threshold or above, or as
    certain, or as must-stay-apart — except two CVs that merely disagree, which the resolver
    keeps apart without scoring — shares one of: organisation, co-person, patent number, phone,
    e-mail.  Two CVs are paired only when they could agree (same organisation *and* birth
    year, or the same contact), since two CVs that disagree score −1 whatever else they share.
    """
    n = len(mentions)
    features = features if features is not None else [_features(m) for m in mentions]
    index: dict[tuple[str, object], list[int]] = defaultdict(list)  # non-CV members (and contacts)
    cv_index: dict[tuple[str, object], list[int]] = defaultdict(list)  # CV members
    for i, (m, f) in enumerate(zip(mentions, features, strict=True)):
        is_cv = m.kind == "cv"
        target = cv_index if is_cv else index
        for o in m.orgs:
            target[("org", o)].append(i)
            if is_cv and m.birth_year:
                index[("cv-org", (o, m.birth_year))].append(i)
        for c in m.co_names:
            target[("co", c)].append(i)
        for p in m.patents:
            target[("pat", p)].append(i)
        # Contacts pair anything, CVs included.
        if f.digits:
            index[("phone", f.digits)].append(i)
        if f.email:
            index[("email", f.email)].append(i)
    pairs: set[int] = set()
    for members in index.values():
        if len(members) > 1:
            pairs.update(i * n + j for i, j in combinations(members, 2))
    for key, cvs in cv_index.items():
        others = index.get(key)
        if others:
            pairs.update(i * n + j if i < j else j * n + i for i in cvs for j in others)
    return pairs


def _all_candidate_pairs(mentions: Sequence[Mention]) -> set[tuple[int, int]]:
    """The candidate pairs as tuples (for tests and callers of the old interface)."""
    n = len(mentions)
    return {divmod(p, n) for p in _candidate_pairs(mentions)} if n else set()


def _anchor(ms: Sequence[Mention], numbers: set[str], patent_idx: list[int]) -> str:
    """The patent mention (of those a CV lists) that stands for a listing link."""
    ids = sorted(ms[i].mention_id for i in patent_idx if ms[i].patents & numbers)
    return ids[0]


def resolve_block(
    mentions: Iterable[Mention],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    link_threshold: float = LINK_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
) -> ResolutionResult:
    """Cluster the mentions of one name into people (see the module docstring).

    Cost: features once per mention, then O(candidate pairs) scoring; two CVs are kept apart
    by a per-cluster CV list (a join is refused unless every CV pair across it agreed), not by
    materialising the O(CVs²) cannot-links.
    """
    ms = sorted(mentions, key=lambda m: m.mention_id)
    n = len(ms)
    pos = {m.mention_id: i for i, m in enumerate(ms)}
    feats = [_features(m) for m in ms]
    parent = list(range(n))
    forbidden: dict[int, set[int]] = {i: set() for i in range(n)}  # root -> members it can't join
    members: dict[int, set[int]] = {i: {i} for i in range(n)}
    # root -> the CVs in the cluster; two CVs may share a cluster only if their pair agreed
    # (scored ≥ 0) or a person merged them by hand.
    cvs: dict[int, list[int]] = {i: [i] for i, m in enumerate(ms) if m.kind == "cv"}
    cv_ok: set[int] = set()  # i * n + j (i < j) for CV pairs that agree

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def can_join(ra: int, rb: int) -> bool:
        if not forbidden[ra].isdisjoint(members[rb]) or not forbidden[rb].isdisjoint(members[ra]):
            return False
        ca, cb = cvs.get(ra), cvs.get(rb)
        if ca and cb:
            for x in ca:
                for y in cb:
                    if (x * n + y if x < y else y * n + x) not in cv_ok:
                        return False
        return True

    def union(ra: int, rb: int) -> None:
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        parent[gone] = keep
        members[keep] |= members.pop(gone)
        forbidden[keep] |= forbidden.pop(gone)
        gone_cvs = cvs.pop(gone, None)
        if gone_cvs:
            cvs.setdefault(keep, []).extend(gone_cvs)

    cannot_link = list(cannot_link)
    # A pair a person already judged to be two people is decided: not listed for review again.
    decided = {frozenset(pair) for pair in cannot_link}
    for a, b in cannot_link:
        if a in pos and b in pos:
            ia, ib = pos[a], pos[b]
            forbidden[find(ia)].add(ib)
            forbidden[find(ib)].add(ia)

    links: list[Link] = []
    for a, b in sorted(must_link):
        if a in pos and b in pos:
            ra, rb = find(pos[a]), find(pos[b])
            if ra != rb:
                union(ra, rb)
                links.append(Link(a, b, 1.0, ("人工合并",)))

    scored: list[tuple[float, str, str, tuple[str, ...]]] = []
    listed: dict[int, list[int]] = defaultdict(list)  # CV -> ambiguous patent mentions it lists
    per_patent = Counter(no for m in ms if m.kind == "patent" for no in m.patents)
    for p in _candidate_pairs(ms, feats):
        i, j = divmod(p, n)
        s, ev = _score(feats[i], feats[j])
        if s >= 0 and ms[i].kind == "cv" and ms[j].kind == "cv":
            cv_ok.add(p)
        if s == 1.0 and ev[0].startswith("简历列出专利"):
            pat = ms[j] if ms[i].kind == "cv" else ms[i]
            if any(per_patent[no] > 1 for no in pat.patents):
                # Two namesakes on one listed patent: decided after the clusters have formed.
                cv_i, pat_i = (i, j) if ms[i].kind == "cv" else (j, i)
                listed[cv_i].append(pat_i)
                continue
        if s < 0:
            ri, rj = find(i), find(j)
            forbidden[ri].add(j)
            forbidden[rj].add(i)
        elif s >= review_threshold:
            scored.append((s, ms[i].mention_id, ms[j].mention_id, ev))
    # Two CVs that were never candidates (nothing in common) disagree: can_join keeps them apart.

    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    review: list[Link] = []
    for s, a, b, ev in scored:
        ra, rb = find(pos[a]), find(pos[b])
        if ra == rb:
            continue
        if s >= link_threshold and can_join(ra, rb):
            union(ra, rb)
            links.append(Link(a, b, s, ev))
        else:
            review.append(Link(a, b, s, ev))
    # A CV listing a patent with two same-name inventors joins the cluster that holds more of
    # the CV's listed patents (the other inventor is a namesake co-inventor).
    for cv_i in sorted(listed, key=lambda i: ms[i].mention_id):
        by_root: dict[int, set[str]] = defaultdict(set)
        for pat_i in listed[cv_i]:
            by_root[find(pat_i)] |= ms[pat_i].patents & ms[cv_i].patents
        claimed: dict[str, int] = {}
        ranked = sorted(by_root, key=lambda r: (-len(by_root[r]), -len(members[r]), min(members[r])))
        chosen = []
        for root in ranked:
            if any(no in claimed for no in by_root[root]):
                continue
            for no in by_root[root]:
                claimed[no] = root
            chosen.append(root)
        for root in chosen:
            r_cv, r_pat = find(cv_i), find(root)
            if r_cv != r_pat and can_join(r_cv, r_pat):
                union(r_cv, r_pat)
                evidence = "简历列出专利 " + "、".join(sorted(by_root[root])[:3])
                links.append(Link(ms[cv_i].mention_id, _anchor(ms, by_root[root], listed[cv_i]), 1.0, (evidence,)))
    review = [r for r in review if find(pos[r.a]) != find(pos[r.b]) and frozenset((r.a, r.b)) not in decided]

    clusters = sorted(
        (sorted(ms[i].mention_id for i in group) for group in members.values()), key=lambda c: c[0]
    )
    return ResolutionResult(clusters=clusters, links=links, review=review)
