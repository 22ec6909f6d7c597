"""Organisation normalisation: gazetteer hits, aliases, units, campuses, firms, negatives."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.orgs import (
    CompanyName,
    OrgMatch,
    OrgNormalizer,
    normalize_company,
    resolve_org,
    same_company,
    split_org_names,
)
from nlp.segment import DATA_DIR

HIT = "4123010213"
HEU = "4123010217"
NEFU = "4123010225"
NEAU = "4123010224"


# ---------------------------------------------------------------------- universities


@pytest.mark.parametrize(
    ("raw", "canonical", "code", "method"),
    [
        ("哈尔滨工业大学", "哈尔滨工业大学", HIT, "exact"),
        ("哈工大", "哈尔滨工业大学", HIT, "alias"),
        ("哈尔滨工程大学", "哈尔滨工程大学", HEU, "exact"),
        ("哈工程", "哈尔滨工程大学", HEU, "alias"),
        ("东北林大", "东北林业大学", NEFU, "alias"),
        ("东林", "东北林业大学", NEFU, "alias"),
        ("东北农大", "东北农业大学", NEAU, "alias"),
        ("东农", "东北农业大学", NEAU, "alias"),
        ("黑大", "黑龙江大学", "4123010212", "alias"),
        ("哈医大", "哈尔滨医科大学", "4123010226", "alias"),
        ("哈理工", "哈尔滨理工大学", "4123010214", "alias"),
        ("哈师大", "哈尔滨师范大学", "4123010231", "alias"),
        ("哈商大", "哈尔滨商业大学", "4123010240", "alias"),
        ("东北石油大学", "东北石油大学", "4123010220", "exact"),
        ("大庆石油学院", "东北石油大学", "4123010220", "alias"),
        ("佳木斯大学", "佳木斯大学", "4123010222", "exact"),
        ("齐齐哈尔大学", "齐齐哈尔大学", "4123010232", "exact"),
        ("八一农大", "黑龙江八一农垦大学", "4123010223", "alias"),
        ("清华", "清华大学", "4111010003", "alias"),
        ("北大", "北京大学", "4111010001", "alias"),
        ("Harbin Institute of Technology", "哈尔滨工业大学", HIT, "english"),
        ("HIT", "哈尔滨工业大学", HIT, "english"),
        ("Harbin Engineering University", "哈尔滨工程大学", HEU, "english"),
        ("Northeast Forestry University", "东北林业大学", NEFU, "english"),
        ("Northeast Agricultural University", "东北农业大学", NEAU, "english"),
        ("Tsinghua University", "清华大学", "4111010003", "english"),
        ("Peking University", "北京大学", "4111010001", "english"),
    ],
)
def test_university_names_and_aliases(raw: str, canonical: str, code: str, method: str) -> None:
    match = resolve_org(raw)
    assert (match.canonical_name, match.kind, match.code, match.method) == (
        canonical,
        "university",
        code,
        method,
    )
    assert match.key == f"edu:{code}"


@pytest.mark.parametrize(
    "raw",
    [
        "哈尔滨工业大学",
        "哈尔滨 工业 大学",
        "哈爾濱工業大學",
        "「哈尔滨工业大学」",
        "哈尔滨工业大学。",
    ],
)
def test_spaces_traditional_characters_and_punctuation_are_normalised(raw: str) -> None:
    assert resolve_org(raw).key == f"edu:{HIT}"


def test_every_heilongjiang_institution_resolves_to_itself() -> None:
    with (DATA_DIR / "institutions.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["province"] == "黑龙江"]
    assert len(rows) == 81
    for row in rows:
        match = resolve_org(row["name"])
        assert (match.code, match.method, match.province) == (row["code"], "exact", "黑龙江")


# ---------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("哈尔滨工业大学", "哈尔滨工程大学"),
        ("哈工大", "哈工程"),
        ("HIT", "HEU"),
        ("东北林业大学", "东北农业大学"),
        ("东林", "东农"),
        ("东北林大", "东北农大"),
        ("哈尔滨工业大学", "哈尔滨工业大学（威海）"),
        ("哈尔滨工业大学计算机科学与技术学院", "哈尔滨工程大学计算机科学与技术学院"),
    ],
)
def test_distinct_organisations_never_share_a_key(a: str, b: str) -> None:
    assert resolve_org(a).key != resolve_org(b).key


def test_typo_between_two_universities_is_not_guessed() -> None:
    # 哈尔滨工大学 is equally close to 哈尔滨工业大学 and 哈尔滨工程大学: no fuzzy pick.
    match = resolve_org("哈尔滨工大学")
    assert match.method != "fuzzy"
    assert match.code is None
    assert match.confidence <= 0.5


def test_unambiguous_variant_is_matched_fuzzily_with_lower_confidence() -> None:
    match = resolve_org("黑龙江省八一农垦大学")
    assert (match.canonical_name, match.method) == ("黑龙江八一农垦大学", "fuzzy")
    assert 0.6 < match.confidence < 0.9


def test_short_alias_needs_a_unit_after_it() -> None:
    assert resolve_org("北大荒").kind == "unknown"
    assert resolve_org("北大荒农业股份有限公司").kind == "enterprise"
    assert resolve_org("北大信息科学技术学院").parent == "北京大学"


def test_university_prefixed_firm_is_an_enterprise() -> None:
    for name in ("清华同方股份有限公司", "哈尔滨工业大学资产投资经营有限责任公司"):
        match = resolve_org(name)
        assert match.kind == "enterprise"
        assert match.code is None


def test_lower_case_abbreviation_is_not_an_alias() -> None:
    assert resolve_org("hit").kind == "unknown"


# ---------------------------------------------------------------------- units and campuses


def test_college_of_a_university() -> None:
    match = resolve_org("哈尔滨工业大学计算机科学与技术学院")
    assert match.kind == "college"
    assert match.parent == "哈尔滨工业大学"
    assert match.unit == "计算机科学与技术学院"
    assert match.code == HIT
    assert match.key == f"edu:{HIT}/计算机科学与技术学院"


def test_state_key_lab_behind_an_alias() -> None:
    match = resolve_org("哈工大机器人技术与系统国家重点实验室")
    assert match.kind == "lab"
    assert match.canonical_name == "哈尔滨工业大学机器人技术与系统国家重点实验室"
    assert match.parent == "哈尔滨工业大学"
    assert match.unit == "机器人技术与系统国家重点实验室"


@pytest.mark.parametrize(
    "raw",
    [
        "哈尔滨工业大学（威海）",
        "哈尔滨工业大学(威海)",
        "哈尔滨工业大学 (威海)",
        "哈工大威海",
        "哈尔滨工业大学威海校区",
    ],
)
def test_weihai_campus_is_its_own_organisation(raw: str) -> None:
    match = resolve_org(raw)
    assert match.canonical_name == "哈尔滨工业大学（威海）"
    assert match.kind == "university"
    assert match.parent == "哈尔滨工业大学"
    assert (match.province, match.city) == ("山东", "威海市")
    assert match.key == f"edu:{HIT}@威海"


def test_college_of_a_campus_hangs_under_the_campus() -> None:
    match = resolve_org("哈尔滨工业大学（威海）计算机科学与技术学院")
    assert match.parent == "哈尔滨工业大学（威海）"
    assert match.key == f"edu:{HIT}@威海/计算机科学与技术学院"


def test_site_in_the_same_city_is_not_a_campus() -> None:
    assert resolve_org("哈尔滨工业大学一校区").key == f"edu:{HIT}"


def test_english_unit_with_address_tail() -> None:
    match = resolve_org(
        "School of Computer Science and Technology, Harbin Institute of Technology, Harbin 150001, China"
    )
    assert (match.kind, match.parent) == ("college", "哈尔滨工业大学")
    assert match.unit == "School of Computer Science and Technology"


def test_list_of_organisations_reports_the_first_with_lower_confidence() -> None:
    match = resolve_org("哈尔滨工业大学、哈尔滨工程大学")
    assert match.key == f"edu:{HIT}"
    assert match.confidence < 1.0
    assert split_org_names("哈尔滨工业大学、哈尔滨工程大学；东北林业大学") == [
        "哈尔滨工业大学",
        "哈尔滨工程大学",
        "东北林业大学",
    ]


# ---------------------------------------------------------------------- institutes, government


@pytest.mark.parametrize(
    ("raw", "canonical", "parent"),
    [
        ("中科院", "中国科学院", None),
        ("中科院自动化所", "中国科学院自动化研究所", "中国科学院"),
        ("中国科学院沈阳自动化研究所", "中国科学院沈阳自动化研究所", "中国科学院"),
        ("黑龙江省农科院", "黑龙江省农业科学院", None),
        (
            "黑龙江省农业科学院作物资源研究所",
            "黑龙江省农业科学院作物资源研究所",
            "黑龙江省农业科学院",
        ),
    ],
)
def test_research_institutes(raw: str, canonical: str, parent: str | None) -> None:
    match = resolve_org(raw)
    assert (match.kind, match.canonical_name, match.parent) == ("institute", canonical, parent)


def test_academy_institutes_are_organisations_and_labs_are_units() -> None:
    institute = resolve_org("中科院XX研究所")
    assert (institute.kind, institute.parent, institute.unit) == ("institute", "中国科学院", None)
    assert institute.key == "inst:中国科学院xx研究所"
    lab = resolve_org("中国科学院沈阳自动化研究所机器人学国家重点实验室")
    assert (lab.kind, lab.parent, lab.unit) == (
        "lab",
        "中国科学院沈阳自动化研究所",
        "机器人学国家重点实验室",
    )
    research_unit = resolve_org("哈尔滨工业大学重庆研究院")
    assert (research_unit.kind, research_unit.parent) == ("lab", "哈尔滨工业大学")


def test_university_of_the_academy_is_a_university() -> None:
    assert resolve_org("中国科学院大学").kind == "university"


@pytest.mark.parametrize(
    ("raw", "province", "city"),
    [
        ("黑龙江省科学技术厅", "黑龙江", None),
        ("哈尔滨市科学技术局", "黑龙江", "哈尔滨市"),
        ("教育部", None, None),
        ("大庆高新技术产业开发区管理委员会", "黑龙江", "大庆市"),
        ("国家知识产权局", None, None),
    ],
)
def test_government_bodies(raw: str, province: str | None, city: str | None) -> None:
    match = resolve_org(raw)
    assert (match.kind, match.province, match.city) == ("government", province, city)


def test_unknown_and_blank() -> None:
    match = resolve_org("华为")
    assert (match.kind, match.confidence, match.method) == ("unknown", 0.0, "unknown")
    with pytest.raises(ValueError, match="no letters, digits"):
        resolve_org("  ，。 ")


# ---------------------------------------------------------------------- companies


def test_three_filings_of_one_firm_share_a_key() -> None:
    names = ["哈尔滨XX科技有限公司", "XX科技（哈尔滨）有限公司", "黑龙江XX科技股份有限公司"]
    companies = [normalize_company(n) for n in names]
    assert {c.key for c in companies} == {"xx科技"}
    assert {c.core for c in companies} == {"XX科技"}
    assert companies[0].region == "哈尔滨市"
    assert companies[1].region == "哈尔滨市"
    assert companies[2].region == "黑龙江省"
    assert companies[2].legal_form == "股份有限公司"
    assert same_company(names[0], names[1]) and same_company(names[0], names[2])


def test_nested_regions_and_development_zones_are_stripped() -> None:
    c = normalize_company("黑龙江省哈尔滨市南岗区XX科技有限公司")
    assert (c.key, c.regions, c.city) == ("xx科技", ("黑龙江省", "哈尔滨市", "南岗区"), "哈尔滨市")
    assert normalize_company("哈尔滨高新区XX科技有限公司").key == "xx科技"


def test_firms_sharing_a_region_prefix_stay_distinct() -> None:
    a = normalize_company("哈尔滨XX科技有限公司")
    b = normalize_company("哈尔滨YY科技有限公司")
    assert a.key != b.key
    assert not same_company(a, b)


def test_same_core_in_two_cities_is_not_merged_by_same_company() -> None:
    assert normalize_company("大庆XX科技有限公司").key == "xx科技"
    assert not same_company("哈尔滨XX科技有限公司", "大庆XX科技有限公司")


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("哈尔滨电机厂有限责任公司", "哈尔滨电机厂"),
        ("大庆油田有限责任公司", "大庆油田"),
        ("哈尔滨啤酒有限公司", "哈尔滨啤酒"),
        ("齐齐哈尔第一机床厂", "齐齐哈尔第一机床厂"),
        ("黑龙江飞鹤乳业有限公司", "飞鹤乳业"),
        ("龙江银行股份有限公司", "龙江银行"),
    ],
)
def test_region_is_kept_when_the_rest_is_generic(name: str, core: str) -> None:
    assert normalize_company(name).core == core


def test_group_and_legal_forms() -> None:
    group = normalize_company("哈药集团股份有限公司")
    assert (group.core, group.legal_form) == ("哈药", "集团股份有限公司")
    assert normalize_company("哈药集团有限公司").key == group.key


def test_branch_keeps_its_own_key_and_points_to_the_head_office() -> None:
    branch = normalize_company("中国石油天然气股份有限公司大庆油田分公司")
    assert branch.branch == "大庆油田分公司"
    assert branch.parent_key == "中国石油天然气"
    assert branch.key == "中国石油天然气/大庆油田分公司"
    assert normalize_company("XX科技有限公司哈尔滨分公司").parent_key == "xx科技"


def test_english_company_names() -> None:
    a = normalize_company("Harbin XX Technology Co., Ltd.")
    b = normalize_company("XX Technology (Harbin) Co.,Ltd")
    assert a.key == b.key == "xxtechnology"
    assert a.city == "哈尔滨市"


def test_enterprise_match_uses_the_company_key() -> None:
    match = resolve_org("XX科技（哈尔滨）有限公司")
    assert (match.kind, match.key, match.method) == ("enterprise", "ent:xx科技", "company-rule")
    assert match.canonical_name == "XX科技（哈尔滨）有限公司"


# ---------------------------------------------------------------------- robustness


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_resolve_never_crashes(raw: str) -> None:
    try:
        match = resolve_org(raw)
    except ValueError:
        return  # blank after normalisation
    assert isinstance(match, OrgMatch)
    assert 0.0 <= match.confidence <= 1.0
    assert match.key.split(":", 1)[1]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="哈尔滨黑龙江省大庆市XY科技有限公司集团(（）)分厂 ", min_size=1, max_size=30)
)
def test_normalize_company_never_crashes(name: str) -> None:
    try:
        company = normalize_company(name)
    except ValueError:
        return
    assert isinstance(company, CompanyName)
    assert company.key


def test_normalizer_is_reusable_with_explicit_data_dir() -> None:
    normalizer = OrgNormalizer(DATA_DIR)
    assert normalizer.resolve("哈工大").code == HIT
