"""Keyword extraction sanity checks (and the shared tokenizer they rest on)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.keywords import DOMAIN_STOPWORDS, keywords, keywords_many
from nlp.segment import cut, cut_with_pos, normalize_text, tokenize

DEMAND = (
    "需求内容：本公司现有立方氮化硼产品牌号，需要开发高韧性立方氮化硼CBN单晶新牌号，"
    "通过触媒配方优化和高温高压合成工艺改进，获得粒度适中、韧性好的立方氮化硼单晶。"
    "预期目标：抗冲击韧性≥67%，堆积密度≥1.80克/立方厘米。"
    "现有工作基础：公司2016年被评为高新技术企业，2018年度实现销售收入2002万元。"
)


def _words(text: str, k: int = 8, **kw: object) -> list[str]:
    return [w for w, _ in keywords(text, k=k, **kw)]  # type: ignore[arg-type]


def test_technology_terms_come_first() -> None:
    words = _words(DEMAND, k=5)
    assert words[0] == "立方氮化硼"
    assert {"单晶", "CBN"} <= set(_words(DEMAND, k=8))


def test_boilerplate_is_never_a_keyword() -> None:
    boilerplate = {
        "需求",
        "技术",
        "企业",
        "公司",
        "本公司",
        "研发",
        "项目",
        "开发",
        "目前",
        "实现",
        "解决",
        "问题",
        "提高",
        "要求",
        "进行",
        "高新技术企业",
        "销售收入",
        "万元",
    }
    assert boilerplate <= DOMAIN_STOPWORDS
    assert not boilerplate & set(_words(DEMAND, k=20))


def test_numbers_units_and_single_characters_are_dropped() -> None:
    words = _words(DEMAND, k=30)
    assert all(len(w) >= 2 for w in words)
    assert not {"67%", "1.80", "2018", "2002"} & set(words)


def test_places_and_institutions_are_not_keywords_but_lexicon_terms_are() -> None:
    words = _words("河南省洛阳市某企业与哈尔滨工业大学合作开发锂离子电池隔膜。", k=10)
    assert "锂离子电池" in words
    assert not {"河南省", "洛阳市", "哈尔滨工业大学"} & set(words)


def test_scores_are_sorted_bounded_and_k_is_respected() -> None:
    result = keywords(DEMAND, k=6)
    assert len(result) == 6
    scores = [s for _, s in result]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)
    assert scores[0] == 1.0


def test_deterministic() -> None:
    assert keywords(DEMAND) == keywords(DEMAND)


def test_no_duplicates_case_insensitive() -> None:
    words = [w.lower() for w in _words("LED光源与led驱动电路，LED封装。LED光源。", k=10)]
    assert len(words) == len(set(words))


def test_repeated_noun_pair_becomes_a_phrase() -> None:
    text = "电动滚筒的密封结构。电动滚筒的散热。电动滚筒用于矿山胶带机。"
    assert "电动滚筒" in _words(text, k=3)


def test_title_words_weigh_more() -> None:
    body = "方案涉及传感器、数据采集和远程监控。"
    assert _words(body, k=1, title="风电叶片打磨")[0] in {"风电叶片", "打磨"}


def test_short_titles_still_give_three_keywords() -> None:
    for title in ("金银花全基因组技术", "新能源电池", "图像融合技术", "海上风电电机风冷系统研制"):
        assert len(keywords("", k=8, title=title)) >= 3, title


def test_blank_and_stopword_only_input() -> None:
    assert keywords("") == []
    assert keywords("   ") == []
    assert keywords("技术需求") == []
    with pytest.raises(ValueError, match="k must be"):
        keywords(DEMAND, k=0)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_keywords_never_crash(text: str) -> None:
    result = keywords(text, k=5)
    assert len(result) <= 5
    assert all(w.strip() == w and w for w, _ in result)


# ---------------------------------------------------------------------- shared tokenizer


def test_institution_names_and_domain_terms_stay_whole() -> None:
    assert "哈尔滨工业大学" in cut("哈尔滨工业大学计算机科学与技术学院")
    assert "东北林业大学" in cut("东北林业大学和东北农业大学")
    assert "立方氮化硼" in cut("高韧性立方氮化硼单晶")
    assert "锂离子电池" in cut("防爆锂离子电池")


def test_cut_is_lossless_and_tokenize_filters() -> None:
    text = "哈工大的锂离子电池，CBN单晶！"
    assert "".join(cut(text)) == text
    assert tokenize(text) == ["哈工大", "锂离子电池", "cbn", "单晶"]
    assert "大学" in tokenize("哈尔滨工业大学", search=True)
    assert tokenize("，。！") == []


def test_normalize_text() -> None:
    assert (
        normalize_text("哈爾濱工業大學（威海）\u3000計算機學院\u200b")
        == "哈尔滨工业大学(威海) 计算机学院"
    )
    assert normalize_text("ＣＢＮ１２３") == "CBN123"


def test_pos_tags_come_from_the_private_dictionary() -> None:
    tags = dict(cut_with_pos("东北石油大学研究石墨烯"))
    assert tags["东北石油大学"] == "nt"
    assert tags["石墨烯"] == "nz"


def test_tokenizer_is_private_and_thread_safe() -> None:
    import jieba

    results: list[list[str]] = []

    def work() -> None:
        results.append(tokenize("黑龙江八一农垦大学的农机装备"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == results[0] for r in results)
    assert "黑龙江八一农垦大学" in results[0]
    # Our dictionary does not leak into jieba's global tokenizer.
    assert "黑龙江八一农垦大学" not in jieba.dt.FREQ


# ---------------------------------------------------------------------- fast paths, same output

POS_SAMPLES = [
    DEMAND,
    "哈尔滨工业大学的锂离子电池，CBN单晶！",
    "东北石油大学研究石墨烯；iPhone 15 Pro与5G芯片、C++ C# .NET 3.14版",
    "本发明公开了一种高韧性立方氮化硼单晶的制备方法，其技术方案包括S1、S2、S3。",
    "抗冲击韧性≥67%，堆积密度≥1.80克/立方厘米\r\n第2代  x2y ___..##&& ab12cd",
    "黑龙江八一农垦大学的农机装备和专精特新企业",
    "",
    " \t ",
]


@pytest.fixture(scope="module")
def posseg_reference():  # type: ignore[no-untyped-def]
    """A real jieba.posseg tokenizer on a dictionary built word by word, as before the cache."""
    import jieba
    import jieba.posseg

    from nlp import segment

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    known = tokenizer.FREQ  # live: a name listed twice is added once
    for word, freq, tag in segment._user_dict_entries():
        tokenizer.add_word(word, freq, tag or "nz")
    for word in segment._institution_words():
        if not known.get(word):
            tokenizer.add_word(word, None, "nt")
    for word in segment._lexicon_words():
        if not known.get(word):
            tokenizer.add_word(word, None, "nz")
    pos = jieba.posseg.POSTokenizer(tokenizer)
    pos.makesure_userdict_loaded()
    return pos


def test_cached_dictionary_and_tag_table_equal_a_fresh_build(posseg_reference) -> None:  # type: ignore[no-untyped-def]
    from nlp import segment

    seg = segment._get()
    assert seg.tokenizer.total == posseg_reference.tokenizer.total
    assert seg.tokenizer.FREQ == posseg_reference.tokenizer.FREQ
    assert seg.tags == posseg_reference.word_tag_tab
    assert seg.tags["东北石油大学"] == "nt" and seg.tags["焊接"] == "v"


def test_tag_table_shares_the_dictionary_words_and_one_object_per_tag() -> None:
    """What keeps the cache file small and quick to load (marshal back-references)."""
    import marshal

    from nlp import segment

    seg = segment._get()
    words = {id(w) for w in seg.tokenizer.FREQ}
    assert all(id(w) in words for w in seg.tags)
    assert len({id(t) for t in seg.tags.values()}) == len(set(seg.tags.values())) < 100
    shared = marshal.dumps((seg.tokenizer.FREQ, seg.tags))
    assert marshal.loads(shared) == (seg.tokenizer.FREQ, seg.tags)
    assert len(shared) < len(marshal.dumps((seg.tokenizer.FREQ, dict(marshal.loads(marshal.dumps(seg.tags))))))


def test_pos_tags_without_hmm_equal_jieba_posseg(posseg_reference) -> None:  # type: ignore[no-untyped-def]
    for text in POS_SAMPLES + [normalize_text(t) for t in POS_SAMPLES]:
        expected = [(p.word, p.flag) for p in posseg_reference.cut(text, HMM=False)]
        assert cut_with_pos(text, hmm=False) == expected, text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(
    ["立方氮化硼", "单晶", "哈尔滨工业大学", "锂离子电池", "的", "研", "CBN", "cbn", "5G", "1.80", "%",
     "，", " ", "\n", "\r\n", "ab", "x", "3", "._", "+", "#", "é", "〇", "石墨烯材料", "工业", "大学"]),
    max_size=25))
def test_pos_tags_without_hmm_equal_jieba_posseg_on_random_text(posseg_reference, parts: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = "".join(parts)
    expected = [(p.word, p.flag) for p in posseg_reference.cut(text, HMM=False)]
    assert cut_with_pos(text, hmm=False) == expected
    assert "".join(w for w, _ in cut_with_pos(text, hmm=False)) == text


def test_hmm_tagging_still_goes_through_posseg() -> None:
    tagged = cut_with_pos("石墨烯材料由张小明研制", hmm=True)
    assert ("石墨烯", "nz") in tagged
    assert "".join(w for w, _ in tagged) == "石墨烯材料由张小明研制"


def test_block_memo_returns_identical_tokens_and_is_not_shared_with_callers() -> None:
    text = "本发明公开了一种高韧性立方氮化硼单晶，本发明公开了一种高韧性立方氮化硼单晶"
    first = cut_with_pos(text, hmm=False)
    first.append(("污染", "x"))  # a caller changing its list must not change later results
    second = cut_with_pos(text, hmm=False)
    assert second == first[:-1]
    assert second[: len(second) // 2] == second[len(second) // 2 + 1 :]


def test_marshal_cache_builds_once_and_survives_a_corrupt_file(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nlp.segment import marshal_cached

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    calls: list[int] = []

    def build() -> dict[str, float]:
        calls.append(1)
        return {"词": 1.5, "语": -2.0}

    assert marshal_cached("t", b"k1", build) == {"词": 1.5, "语": -2.0}
    assert marshal_cached("t", b"k1", build) == {"词": 1.5, "语": -2.0}
    assert len(calls) == 1  # the second call read the file
    (cache_file,) = tmp_path.glob("xiaoqi-t-*.marshal")
    cache_file.write_bytes(b"\x00garbage")
    assert marshal_cached("t", b"k1", build) == {"词": 1.5, "语": -2.0}
    assert len(calls) == 2
    assert marshal_cached("t", b"k2", build) and len(calls) == 3  # another key, another file


def _textrank_reference(sequence: list[str]) -> dict[str, float]:
    """The plain dictionary TextRank the fast version must reproduce bit for bit."""
    from collections import defaultdict

    from nlp.keywords import _DAMPING, _ITERATIONS, _WINDOW

    neighbours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for i, word in enumerate(sequence):
        for other in sequence[i + 1 : i + _WINDOW]:
            if other != word:
                neighbours[word][other] += 1.0
                neighbours[other][word] += 1.0
    if not neighbours:
        return {w: 1.0 for w in sequence}
    nodes = sorted(neighbours)
    out_sum = {n: sum(neighbours[n].values()) for n in nodes}
    rank = dict.fromkeys(nodes, 1.0 / len(nodes))
    for _ in range(_ITERATIONS):
        for node in nodes:
            rank[node] = (1 - _DAMPING) + _DAMPING * sum(
                w / out_sum[other] * rank[other] for other, w in neighbours[node].items()
            )
    top = max(rank.values())
    scores = {n: r / top for n, r in rank.items()}
    for word in sequence:
        scores.setdefault(word, 0.0)
    return scores


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["电池", "锂", "正极", "材料", "石墨烯", "cbn", "单晶", "工艺", "合成"]), max_size=60))
def test_textrank_equals_the_plain_implementation(sequence: list[str]) -> None:
    from nlp.keywords import _textrank

    assert _textrank(sequence) == _textrank_reference(sequence)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["电池", "锂", "正极", "材料", "石墨烯", "cbn", "单晶", "工艺", "合成"]), max_size=60),
                min_size=32, max_size=80))
def test_batched_textrank_equals_textrank_bit_for_bit(sequences: list[list[str]]) -> None:
    from nlp.keywords import _textrank, _textrank_many

    got = _textrank_many(sequences)
    want = [_textrank(s) for s in sequences]
    assert got == want
    assert [list(g) for g in got] == [list(w) for w in want]  # same key order too


def test_keywords_many_equals_keywords_one_by_one() -> None:
    texts = [DEMAND, "", "   ", "高韧性立方氮化硼CBN单晶的研制及其产业化", "锂离子电池隔膜", "的了是"]
    texts += [f"{DEMAND[i:i + 90]}。电动滚筒、电动滚筒与输送带" for i in range(0, 150, 3)]
    requests = [(t, 3 + i % 6) for i, t in enumerate(texts)]
    assert len(requests) >= 32  # enough to take the batched TextRank
    assert keywords_many(requests) == [keywords(t, k=k) for t, k in requests]
    with pytest.raises(ValueError):
        keywords_many([(DEMAND, 0)])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("哈爾濱工業大學學院計算機（）ＡＢ１２ab \u3000\t\u200b\ufeff，。e\u0301")), max_size=30))
def test_normalize_text_equals_translating_every_text(text: str) -> None:
    import unicodedata

    from nlp.segment import _SPACES, _ZERO_WIDTH, _trad_to_simp

    plain = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_trad_to_simp())
    assert normalize_text(text) == _SPACES.sub(" ", plain).strip()
