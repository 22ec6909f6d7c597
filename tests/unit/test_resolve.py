"""Person disambiguation on hand-built mentions whose right answer is known."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.resolve import Mention, normalise_name, resolve_block, score_pair

F = frozenset


def cv(key: str, org: str, **kw) -> Mention:
    return Mention(f"cv:{key}", "cv", "张伟", orgs=F({org}), **kw)


def pat(appno: str, pos: int, orgs: set[str], co: set[str], **kw) -> Mention:
    return Mention(f"patent:{appno}#{pos}", "patent", "张伟", orgs=F(orgs), co_names=F(co),
                   patents=F({appno}), **kw)


def test_cv_listing_a_patent_links_with_certainty() -> None:
    a = cv("1", "org:hit", patents=F({"CN1"}))
    b = pat("CN1", 2, {"org:firm"}, {"李娜"})
    score, evidence = score_pair(a, b)
    assert score == 1.0 and "CN1" in evidence[0]


def test_two_cvs_with_the_same_name_stay_apart_even_through_patents() -> None:
    a = cv("1", "org:hit", patents=F({"CN1"}))
    b = cv("2", "org:hit", patents=F({"CN2"}))
    # A patent-only mention that looks like both (same org, co-inventor of each)
    p = pat("CN3", 1, {"org:hit"}, {"李娜", "王磊"})
    p1 = pat("CN1", 1, {"org:hit"}, {"李娜"})
    p2 = pat("CN2", 1, {"org:hit"}, {"王磊"})
    result = resolve_block([a, b, p, p1, p2])
    cluster_of = {m: i for i, c in enumerate(result.clusters) for m in c}
    assert cluster_of["cv:1"] != cluster_of["cv:2"]
    assert cluster_of["patent:CN1#1"] == cluster_of["cv:1"]
    assert cluster_of["patent:CN2#1"] == cluster_of["cv:2"]


def test_same_cv_twice_merges_on_birth_year_and_org() -> None:
    a = cv("zhang.txt", "org:hit", birth_year=1978)
    b = cv("zhang.docx", "org:hit", birth_year=1978)
    assert resolve_block([a, b]).clusters == [["cv:zhang.docx", "cv:zhang.txt"]]


def test_shared_org_alone_is_only_review_not_a_merge() -> None:
    p1 = pat("CN1", 1, {"org:hit"}, {"李娜"})
    p2 = pat("CN2", 1, {"org:hit"}, {"赵敏"})
    result = resolve_block([p1, p2])
    assert len(result.clusters) == 2
    assert [(r.a, r.b, r.score) for r in result.review] == [("patent:CN1#1", "patent:CN2#1", 0.45)]


def test_shared_org_and_co_inventor_merge_with_evidence() -> None:
    p1 = pat("CN1", 1, {"org:hit"}, {"李娜"})
    p2 = pat("CN2", 3, {"org:hit"}, {"李娜", "赵敏"})
    result = resolve_block([p1, p2])
    assert result.clusters == [["patent:CN1#1", "patent:CN2#3"]]
    (link,) = result.links
    assert link.score == 0.75 and any("李娜" in e for e in link.evidence)


def test_phone_match_is_certain_across_kinds() -> None:
    d = Mention("demand:x#contact", "demand", "张伟", orgs=F({"org:firm"}), phone="138-0000-1234")
    c = cv("9", "org:other", phone="13800001234")
    assert score_pair(d, c)[0] == 1.0
    assert resolve_block([d, c]).clusters == [["cv:9", "demand:x#contact"]]


def test_manual_corrections_override_evidence() -> None:
    p1 = pat("CN1", 1, {"org:hit"}, {"李娜"})
    p2 = pat("CN2", 1, {"org:hit"}, {"李娜"})
    p3 = pat("CN3", 1, {"org:neau"}, {"孙丽"})
    split = resolve_block([p1, p2, p3], cannot_link=[("patent:CN1#1", "patent:CN2#1")])
    assert len(split.clusters) == 3
    merged = resolve_block([p1, p2, p3], must_link=[("patent:CN1#1", "patent:CN3#1")])
    assert merged.clusters == [["patent:CN1#1", "patent:CN2#1", "patent:CN3#1"]]


def test_different_birth_years_never_merge() -> None:
    p1 = pat("CN1", 1, {"org:hit"}, {"李娜"}, birth_year=1970)
    p2 = pat("CN2", 1, {"org:hit"}, {"李娜"}, birth_year=1985)
    assert len(resolve_block([p1, p2]).clusters) == 2


def test_normalise_name() -> None:
    assert normalise_name("张 伟") == "张伟"
    assert normalise_name("Zhang  Wei") == "zhangwei"
    assert normalise_name("阿依·买买提") == "阿依买买提"


names = st.sampled_from(["李娜", "王磊", "赵敏", "孙丽", "周杰"])
orgs = st.sampled_from(["org:a", "org:b", "org:c"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(orgs, st.sets(names, max_size=3), st.booleans()), min_size=1, max_size=12))
def test_clusters_partition_the_mentions_and_order_does_not_matter(rows) -> None:
    ms = [
        Mention(f"{'cv' if is_cv else 'patent'}:{i:03d}", "cv" if is_cv else "patent", "张伟",
                orgs=F({o}), co_names=F(co))
        for i, (o, co, is_cv) in enumerate(rows)
    ]
    forward = resolve_block(ms)
    backward = resolve_block(list(reversed(ms)))
    assert forward.clusters == backward.clusters
    flat = [m for c in forward.clusters for m in c]
    assert sorted(flat) == sorted(m.mention_id for m in ms)
    # No cluster holds two CVs (they never share birth year here).
    for c in forward.clusters:
        assert sum(m.startswith("cv:") for m in c) <= 1


def test_two_inventors_of_one_patent_are_two_people() -> None:
    a = pat("CN1", 3, {"org:hit", "org:firm"}, {"刘洋", "王静"})
    b = pat("CN1", 4, {"org:hit", "org:firm"}, {"刘洋", "王静"})
    assert score_pair(a, b)[0] < 0
    assert len(resolve_block([a, b]).clusters) == 2


def test_certain_links_anchor_before_strong_evidence() -> None:
    # Two namesakes (a professor at HIT with a CV, an engineer at the firm with a CV) co-invent
    # with the same colleague on joint patents.  Each CV lists its own patent; the unlisted
    # patents look alike (same applicants, same co-inventor) but must not glue the CVs together.
    prof = Mention("cv:prof", "cv", "张伟", orgs=F({"org:hit"}), patents=F({"CN1"}))
    eng = Mention("cv:eng", "cv", "张伟", orgs=F({"org:firm"}), patents=F({"CN2"}))
    p1 = pat("CN1", 1, {"org:hit", "org:firm"}, {"李娜", "赵敏"})
    p2 = pat("CN2", 1, {"org:hit", "org:firm"}, {"李娜", "赵敏"})
    result = resolve_block([prof, eng, p1, p2])
    assert result.clusters == [["cv:eng", "patent:CN2#1"], ["cv:prof", "patent:CN1#1"]]
    # shared applicant 0.45 + two shared co-inventors 0.40 = 0.85: strong, but below a listing
    assert score_pair(p1, p2)[0] == 0.85
