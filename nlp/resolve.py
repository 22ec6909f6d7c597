"""Person disambiguation: which mentions of a name are the same person.

A common name (张伟, 王磊, 李娜) is many people.  Each *mention* — a CV, an inventor on a patent,
the contact of a demand, a person on a research result — carries the evidence around the name:
organisations, co-inventors, topics, years, listed patents, contact details.  Mentions are
linked only on evidence; every link keeps its score and the evidence behind it, and pairs in
the grey zone are listed for a person to review instead of being merged.

Algorithm, per name block (mentions with the same normalised name):

1. Candidate pairs come from inverted indexes on the strong keys (organisation, co-person name,
   patent number, phone, e-mail): a pair that shares none of them cannot reach the link
   threshold, so it is never scored.  O(sum over keys of k²) for k mentions sharing a key.
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
   end up in different clusters are returned for review.

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


def normalise_name(name: str) -> str:
    """The blocking key of a person name: NFKC, no spaces or middle dots, lower-case Latin."""
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s·•.\-_]", "", text).lower()


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


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def score_pair(a: Mention, b: Mention) -> tuple[float, tuple[str, ...]]:
    """Evidence that two same-name mentions are one person: (score, evidence strings).

    Returns ``-1.0`` for pairs that must stay apart (two CVs that disagree).
    """
    evidence: list[str] = []
    pa, pb = _digits(a.phone), _digits(b.phone)
    if pa and pa == pb and len(pa) >= 7:
        return 1.0, (f"同一电话 {pa[:3]}****{pa[-4:]}",)
    if a.email and b.email and a.email.lower() == b.email.lower():
        return 1.0, ("同一邮箱",)
    if a.kind == "patent" and b.kind == "patent" and a.patents & b.patents:
        return -1.0, ("同一专利的两位发明人",)
    if a.kind == "cv" and b.kind == "patent" and b.patents & a.patents:
        return 1.0, (f"简历列出专利 {sorted(b.patents & a.patents)[0]}",)
    if b.kind == "cv" and a.kind == "patent" and a.patents & b.patents:
        return 1.0, (f"简历列出专利 {sorted(a.patents & b.patents)[0]}",)
    shared_orgs = a.orgs & b.orgs
    if a.kind == "cv" and b.kind == "cv":
        if a.birth_year and a.birth_year == b.birth_year and shared_orgs:
            return 0.9, (f"出生年份 {a.birth_year} 相同", f"同单位 {sorted(shared_orgs)[0]}")
        return -1.0, ("两份不同简历",)
    score = 0.0
    if shared_orgs:
        score += 0.45
        evidence.append(f"同单位 {sorted(shared_orgs)[0]}")
    shared_co = a.co_names & b.co_names
    if shared_co:
        score += min(0.45, 0.30 + 0.10 * (len(shared_co) - 1))
        evidence.append("共同合作者 " + "、".join(sorted(shared_co)[:3]))
    if a.topics and b.topics:
        similarity = _topic_similarity(a.topics, b.topics)
        if similarity > 0:
            score += 0.20 * similarity
            shared = sorted(a.topics & b.topics) or sorted(_bigrams(a.topics) & _bigrams(b.topics))
            evidence.append("研究主题相近 " + "、".join(shared[:3]))
    if a.fields & b.fields:
        score += 0.10
        evidence.append("同领域")
    if a.years and b.years:
        gap = min(abs(x - y) for x in a.years for y in b.years)
        if gap > 25:
            score -= 0.30
            evidence.append(f"年份相差 {gap} 年")
    if a.birth_year and b.birth_year and abs(a.birth_year - b.birth_year) > 1:
        return -1.0, ("出生年份不同",)
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


def _candidate_pairs(mentions: Sequence[Mention]) -> set[tuple[int, int]]:
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        keys = [("org", o) for o in m.orgs] + [("co", c) for c in m.co_names]
        keys += [("pat", p) for p in m.patents]
        if _digits(m.phone):
            keys.append(("phone", _digits(m.phone)))
        if m.email:
            keys.append(("email", m.email.lower()))
        for k in keys:
            index[k].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in index.values():
        pairs.update(combinations(members, 2))
    return pairs


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
    """Cluster the mentions of one name into people (see the module docstring)."""
    ms = sorted(mentions, key=lambda m: m.mention_id)
    pos = {m.mention_id: i for i, m in enumerate(ms)}
    parent = list(range(len(ms)))
    forbidden: dict[int, set[int]] = {i: set() for i in range(len(ms))}  # root -> members it can't join

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    members: dict[int, set[int]] = {i: {i} for i in range(len(ms))}

    def can_join(ra: int, rb: int) -> bool:
        return not (forbidden[ra] & members[rb]) and not (forbidden[rb] & members[ra])

    def union(ra: int, rb: int) -> None:
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        parent[gone] = keep
        members[keep] |= members.pop(gone)
        forbidden[keep] |= forbidden.pop(gone)

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
    for i, j in _candidate_pairs(ms):
        s, ev = score_pair(ms[i], ms[j])
        pat = ms[j] if ms[i].kind == "cv" else ms[i]
        if ev and ev[0].startswith("简历列出专利") and any(per_patent[no] > 1 for no in pat.patents):
            # Two namesakes on one listed patent: decided after the clusters have formed.
            cv_i, pat_i = (i, j) if ms[i].kind == "cv" else (j, i)
            listed[cv_i].append(pat_i)
        elif s < 0:
            ri, rj = find(i), find(j)
            forbidden[ri].add(j)
            forbidden[rj].add(i)
        elif s >= review_threshold:
            scored.append((s, ms[i].mention_id, ms[j].mention_id, ev))
    # Cannot-links from pairs that were never candidates (two CVs with nothing in common) too.
    cvs = [i for i, m in enumerate(ms) if m.kind == "cv"]
    for i, j in combinations(cvs, 2):
        if score_pair(ms[i], ms[j])[0] < 0:
            forbidden[find(i)].add(j)
            forbidden[find(j)].add(i)

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
    review = [r for r in review if find(pos[r.a]) != find(pos[r.b])]

    clusters = sorted(
        (sorted(ms[i].mention_id for i in group) for group in members.values()), key=lambda c: c[0]
    )
    return ResolutionResult(clusters=clusters, links=links, review=review)
