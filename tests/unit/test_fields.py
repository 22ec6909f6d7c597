"""Field taxonomy, IPC parsing and mapping, text classification, and the real-demand check."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.ccf_demands import read_ccf_demands
from nlp.fields import (
    FIELDS,
    GENERAL_FIELD_ID,
    INDUSTRY_FIELD_IDS,
    IpcCode,
    IpcCodeError,
    classify_text,
    field_by_id,
    fields_for_ipc,
    find_ipc_codes,
    ipc_parts,
)
from nlp.keywords import keywords

# ---------------------------------------------------------------------- taxonomy

PLAN_FIELDS = {
    "digital_economy": "数字经济",
    "bio_economy": "生物经济",
    "ice_snow_economy": "冰雪经济",
    "creative_design": "创意设计",
    "electronic_information": "电子信息",
    "intelligent_equipment": "高端智能装备",
    "agricultural_machinery": "农机装备",
    "new_materials": "新材料",
    "biomedicine": "生物医药",
    "food_processing": "食品精深加工",
}


def test_the_plans_ten_key_fields_have_stable_ids_and_names() -> None:
    for field_id, name_zh in PLAN_FIELDS.items():
        field = field_by_id(field_id)
        assert (field.name_zh, field.kind) == (name_zh, "industry")
        assert field.name_en


def test_taxonomy_is_consistent() -> None:
    ids = [f.id for f in FIELDS]
    assert len(ids) == len(set(ids))
    assert INDUSTRY_FIELD_IDS[-1] == GENERAL_FIELD_ID
    assert {f"ipc:{s}" for s in "ABCDEFGH"} <= set(ids)
    for field in FIELDS:
        if field.kind == "ipc_class":
            assert field.parent == f"ipc:{field.id[4]}"
            assert field_by_id(field.parent).kind == "ipc_section"


def test_unknown_field_id_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="new_materials"):
        field_by_id("materials")


# ---------------------------------------------------------------------- IPC parsing


@pytest.mark.parametrize(
    "code",
    [
        "G06F 16/35",
        "G06F16/35",
        "g06f 16 / 35",
        "G06F0016350000",
        "G06F 16/35 (2019.01)",
        "Ｇ０６Ｆ　１６／３５",
    ],
)
def test_ipc_spellings_parse_to_the_same_code(code: str) -> None:
    parts = ipc_parts(code)
    assert (parts.section, parts.ipc_class, parts.subclass) == ("G", "G06", "G06F")
    assert (parts.main_group, parts.subgroup, parts.group) == ("16", "35", "16/35")
    assert parts.code == "G06F 16/35"


@pytest.mark.parametrize(
    ("code", "printed", "group"),
    [
        ("A01B0003300000", "A01B 3/30", "3/30"),
        ("H01M0004020000", "H01M 4/02", "4/02"),
        ("C12N0015100000", "C12N 15/10", "15/10"),
        ("A61K0036000000", "A61K 36/00", "36/00"),
        ("G06F 16", "G06F 16/00", "16/00"),
        ("G06F", "G06F", None),
        ("G06", "G06", None),
        ("G", "G", None),
    ],
)
def test_docdb_and_partial_codes(code: str, printed: str, group: str | None) -> None:
    parts = ipc_parts(code)
    assert (parts.code, parts.group) == (printed, group)


@pytest.mark.parametrize("bad", ["", "X06F", "G6F", "123", "G06F 16/35/1", "GO6F 16/35"])
def test_invalid_ipc_codes_raise(bad: str) -> None:
    with pytest.raises(IpcCodeError, match="not an IPC symbol"):
        ipc_parts(bad)


@given(
    st.sampled_from("ABCDEFGH"),
    st.integers(1, 99),
    st.sampled_from("ABCDEFGHJKLMNPQ"),
    st.integers(1, 9999),
    st.integers(0, 999999),
)
def test_ipc_round_trip(section: str, cls: int, sub: str, main: int, subgroup: int) -> None:
    digits = f"{subgroup:06d}".rstrip("0").ljust(2, "0")
    parts = ipc_parts(f"{section}{cls:02d}{sub}{main:04d}{subgroup:06d}")
    assert parts.code == f"{section}{cls:02d}{sub} {main}/{digits}"
    assert ipc_parts(parts.code) == parts


@given(st.text(max_size=30))
def test_ipc_parts_only_raises_its_own_error(text: str) -> None:
    with contextlib.suppress(IpcCodeError):
        assert isinstance(ipc_parts(text), IpcCode)


def test_find_ipc_codes_in_free_text() -> None:
    found = find_ipc_codes("主分类号 G06F16/35；分类号 G06N 3/08, H04L29/06, G06F16/35")
    assert [c.code for c in found] == ["G06F 16/35", "G06N 3/08", "H04L 29/06"]


# ---------------------------------------------------------------------- IPC → fields


def _ids(scores: list) -> list[str]:
    return [s.field_id for s in scores]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["G06F 16/35"], ["digital_economy", "electronic_information"]),
        (["G06N 3/08"], ["digital_economy", "electronic_information"]),
        (["H04L 29/06"], ["electronic_information", "digital_economy"]),
        (["A61K 36/00"], ["biomedicine"]),
        (["A61P 35/00"], ["biomedicine"]),
        (["A01B 3/30"], ["agricultural_machinery"]),
        (["A01C 7/00"], ["agricultural_machinery"]),
        (["A01D 41/00"], ["agricultural_machinery"]),
        (["C08L 23/12"], ["new_materials"]),
        (["C22C 21/00"], ["new_materials"]),
        (["C04B 35/00"], ["new_materials"]),
        (["A23L 11/00"], ["food_processing"]),
        (["A21D 13/00"], ["food_processing"]),
        (["C12G 3/02"], ["food_processing"]),
        (["B25J 9/16"], ["intelligent_equipment"]),
        (["B23K 26/00"], ["intelligent_equipment"]),
        (["G05B 19/418"], ["intelligent_equipment"]),
        (["A63C 5/00"], ["ice_snow_economy"]),
        (["H01M 4/02"], ["energy_environment"]),
        (["E21B 43/00"], ["petrochemical"]),
        (["B64C 39/02"], ["aerospace"]),
    ],
)
def test_ipc_map_examples(codes: list[str], expected: list[str]) -> None:
    scores = fields_for_ipc(codes)
    assert _ids(scores)[: len(expected)] == expected
    assert all(s.source == "ipc" for s in scores)


def test_ipc_scores_average_over_codes_and_keep_evidence() -> None:
    scores = fields_for_ipc(["G06F 16/35", "A61K 36/00"])
    by_id = {s.field_id: s for s in scores}
    assert by_id["digital_economy"].score == pytest.approx(0.5)
    assert by_id["biomedicine"].score == pytest.approx(0.5)
    assert by_id["biomedicine"].evidence_terms == ("A61K 36/00",)


def test_more_specific_ipc_entry_overrides_its_class() -> None:
    # H01 is electronics; H01M (batteries) is energy, not electronics.
    assert "electronic_information" not in _ids(fields_for_ipc(["H01M 10/052"]))


def test_ipc_section_default_and_unmapped_codes() -> None:
    assert _ids(fields_for_ipc(["F99Z"])) == ["intelligent_equipment"]
    general = fields_for_ipc(["A99Z"])
    assert (general[0].field_id, general[0].score, general[0].evidence_terms) == (
        GENERAL_FIELD_ID,
        0.0,
        (),
    )
    assert fields_for_ipc(["not a code"]) == []
    assert fields_for_ipc([]) == []


# ---------------------------------------------------------------------- text classification

SENTENCES = [
    (
        "我公司需要开发基于大数据和人工智能的客户行为分析平台，实现数据挖掘与智能推荐。",
        "digital_economy",
    ),
    ("研发一种面向寒地草莓的微生物菌剂，通过发酵工艺提高菌株活性。", "bio_economy"),
    ("开发适用于亚冬会场馆的人工造雪机和压雪车，提高滑雪场雪道质量。", "ice_snow_economy"),
    ("为冰雪旅游景区设计文创产品和品牌视觉形象，开发动漫衍生品。", "creative_design"),
    ("研制用于车规级芯片的封装测试工艺，提高集成电路可靠性。", "electronic_information"),
    ("针对焊接生产线改造，引入工业机器人和机器视觉检测，实现智能制造。", "intelligent_equipment"),
    ("研制适合黑土地的大豆精量播种机和玉米籽粒收获机。", "agricultural_machinery"),
    ("开发碳纤维增强树脂基复合材料及其成型工艺，用于轻量化结构件。", "new_materials"),
    ("开展抗肿瘤新药的临床前药效评价及制剂工艺研究。", "biomedicine"),
    ("利用东北大豆开发高蛋白植物基饮料，解决豆腥味和货架期问题。", "food_processing"),
    ("对燃煤锅炉烟气进行脱硫脱硝和超低排放改造，降低能耗。", "energy_environment"),
    ("大庆油田三次采油用表面活性剂的合成与驱油性能评价。", "petrochemical"),
    ("选育耐寒高产水稻新品种，开展寒地水稻绿色防控技术示范。", "modern_agriculture"),
    ("煤矿井下综采工作面瓦斯抽采与掘进巷道支护技术。", "mining_metallurgy"),
    ("新能源汽车底盘悬架系统轻量化设计与整车NVH性能优化。", "automotive_transport"),
    ("严寒地区装配式混凝土建筑的冻融耐久性及保温墙体研究。", "civil_engineering"),
    ("无人机飞控系统与航空发动机叶片检测技术研究。", "aerospace"),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_hand_written_sentences_land_in_their_field(text: str, expected: str) -> None:
    scores = classify_text(text)
    assert scores[0].field_id == expected
    assert scores[0].source == "lexicon"
    assert scores[0].evidence_terms
    assert 0.0 < scores[0].score < 1.0


def test_multi_field_text_keeps_secondary_fields() -> None:
    scores = classify_text("高能量密度锂离子电池负极材料的研发")
    assert _ids(scores) == ["energy_environment", "new_materials"]
    assert scores[0].score > scores[1].score


def test_longest_match_hides_shorter_terms() -> None:
    # 故障诊断 is equipment maintenance, not a medical diagnosis.
    scores = classify_text("风电机组齿轮箱故障诊断方法")
    assert "biomedicine" not in _ids(scores)


def test_latin_terms_match_only_whole_words() -> None:
    # "led" inside "controlled" must not count as an LED light source.
    assert classify_text("controlled release")[0].field_id == GENERAL_FIELD_ID


def test_title_counts_double() -> None:
    body = "项目涉及锂电池的回收，也涉及铝合金壳体。"
    assert classify_text(body, title="铝合金")[0].field_id == "new_materials"


def test_weak_cues_give_a_low_confidence_field() -> None:
    scores = classify_text("一种新型装置的改进")
    assert scores[0].field_id == "intelligent_equipment"
    assert scores[0].score <= 0.25


def test_cue_tier_is_marked_and_capped() -> None:
    scores = classify_text("新型刚性药头")
    assert len(scores) == 1
    assert (scores[0].source, scores[0].field_id) == ("cue", "biomedicine")
    assert scores[0].score <= 0.1


def test_fallback_to_general_and_blank_input() -> None:
    scores = classify_text("你好，谢谢")
    assert [(s.field_id, s.score, s.evidence_terms, s.source) for s in scores] == [
        (GENERAL_FIELD_ID, 0.0, (), "fallback")
    ]
    assert classify_text("   ") == []
    assert classify_text("", title="锂电池")[0].field_id == "energy_environment"
    with pytest.raises(ValueError, match="top_k"):
        classify_text("锂电池", top_k=0)


def test_classification_is_deterministic_and_respects_top_k() -> None:
    text = SENTENCES[4][0] + SENTENCES[10][0] + SENTENCES[14][0]
    first = classify_text(text, top_k=2)
    assert len(first) == 2
    assert classify_text(text, top_k=2) == first


@given(st.text(min_size=1, max_size=60).filter(str.strip))
def test_every_non_blank_text_gets_a_field(text: str) -> None:
    scores = classify_text(text)
    assert scores
    assert all(0.0 <= s.score <= 1.0 for s in scores)
    assert all(s.field_id in INDUSTRY_FIELD_IDS for s in scores)


# ---------------------------------------------------------------------- the 371 real demands


def _shared_data() -> Path:
    env = os.environ.get("KG_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


CCF_FILE = _shared_data() / "demands" / "requirements_ccf_bdci_2019.csv"


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.skipif(
    not CCF_FILE.is_file(),
    reason=f"shared data not found at {CCF_FILE}; set KG_SHARED_DATA to the shared data folder",
)
def test_ccf_demands_all_get_fields_and_keywords() -> None:
    demands = read_ccf_demands(CCF_FILE)
    assert len(demands) == 371
    top = Counter()
    sources = Counter()
    few_keywords = []
    for demand in demands:
        scores = classify_text(demand.content, title=demand.title)
        assert scores, demand.title
        top[scores[0].field_id] += 1
        sources[scores[0].source] += 1
        words = keywords(demand.content, k=8, title=demand.title)
        if len(words) < 3:
            few_keywords.append((demand.title, words))
    lines = [f"{field_by_id(f).name_zh}\t{f}\t{n}" for f, n in top.most_common()]
    print("\nfield distribution of the 371 CCF demands (top field):\n" + "\n".join(lines))
    print(f"sources: {dict(sources)}")
    general_share = top[GENERAL_FIELD_ID] / len(demands)
    print(f"general (其他) share: {general_share:.1%}")
    assert not few_keywords, few_keywords
    assert general_share < 0.05


# ---------------------------------------------------------------------- scanner equivalence


def _scan_reference(text: str, lexicon) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The per-term loop the prefix-table scanner replaced (global longest match)."""
    from nlp.fields import _LATIN

    spans = []
    for term in lexicon.terms_by_len:
        start = text.find(term)
        latin = bool(_LATIN.match(term))
        while start != -1:
            end = start + len(term)
            if not latin or (
                (start == 0 or not text[start - 1].isascii() or not text[start - 1].isalnum())
                and (end == len(text) or not text[end].isascii() or not text[end].isalnum())
            ):
                spans.append((start, end, term))
            start = text.find(term, start + 1)
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    taken = bytearray(len(text))
    counts: dict[str, int] = {}
    for start, end, term in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        counts[term] = counts.get(term, 0) + 1
    return counts


_SCAN_PIECES = [
    "故障诊断", "诊断", "锂离子电池", "电池", "离子", "led", "controlled", "ai", "5g", "mes",
    "智能", "智", "能", "大数据", "数据", "，", " ", "-", ".", "a", "x", "生物", "生物质", "质",
    "机器学习", "学习", "深度", "igbt", "rfid", "saas", "数字孪生", "孪生",
]


@given(st.lists(st.sampled_from(_SCAN_PIECES), max_size=40))
def test_scan_finds_exactly_what_the_per_term_loop_found(parts: list[str]) -> None:
    from nlp.fields import _cues, _lexicon, _scan

    text = "".join(parts)
    for lexicon in (_lexicon(), _cues()):
        assert dict(_scan(text, lexicon)) == _scan_reference(text, lexicon)


def test_scan_on_real_demands_matches_the_per_term_loop() -> None:
    from nlp.fields import _lexicon, _scan
    from nlp.segment import normalize_text

    texts = [
        "高能量密度锂离子电池负极材料的研发，故障诊断与数据分析平台（LED照明、controlled release）",
        "基于深度学习的煤矿瓦斯抽采智能监测预警系统；5G+工业互联网；IGBT功率器件封装测试",
    ]
    for text in texts:
        norm = normalize_text(text).lower()
        assert dict(_scan(norm, _lexicon())) == _scan_reference(norm, _lexicon())
