"""Cell parsers and header location: properties (hypothesis) and the documented examples."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.readers import SPECS
from ingest.readers.demands import budget_unit, parse_batch, parse_budget_wan
from ingest.readers.enterprises import (
    credit_code_check_char,
    normalise_credit_code,
    parse_scale,
    parse_specialised,
)
from ingest.readers.patents import (
    application_number_check_digit,
    normalise_application_number,
    normalise_ipc,
    normalise_patent_type,
    patent_type_from_number,
)
from ingest.tabular import (
    Invalid,
    header_token,
    locate_header,
    mask_phone,
    parse_date,
    parse_yes_no,
    split_multi,
)

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ALL_SPECS = list(SPECS.values())
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what cells hold: CJK, digits, separators, brackets, units, spaces.
cell_alphabet = st.sampled_from(
    list("0123456789.-/年月日号 ,，;；、|()（）【】[]万元亿面议约CNZLXHhG上下半:")
    + ["哈", "工", "大", "张", "三", "\n", "\t", "\u3000", "Ａ", "１"]
)
cellish = st.one_of(st.text(), st.text(alphabet=cell_alphabet, max_size=30))
any_cell = st.one_of(
    cellish,
    st.none(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1)),
    st.lists(st.text(max_size=8), max_size=4),
)

# --------------------------------------------------------------------------- split_multi


@PROPERTY
@given(any_cell)
def test_split_multi_never_raises_and_gives_clean_items(value: object) -> None:
    parts = split_multi(value)
    assert isinstance(parts, list)
    for part in parts:
        assert part and part == part.strip()
        assert "\n" not in part


@PROPERTY
@given(cellish)
@example("A,B;")
@example("某公司(集团;李四")
@example("A(;A(;)")
def test_split_multi_is_stable_under_rejoining(text: str) -> None:
    # Joining the items with the canonical separator and splitting again gives the same items
    # (the trailing '；' keeps "semicolon mode", in which commas belong to the items).
    parts = split_multi(text)
    assert split_multi("；".join(parts) + "；") == parts


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("张三;李四;王五", ["张三", "李四", "王五"]),
        ("张三；李四、王五", ["张三", "李四", "王五"]),
        ("张三,李四，王五", ["张三", "李四", "王五"]),
        ("G06F 16/35; G06N 3/08", ["G06F 16/35", "G06N 3/08"]),
        ("G06F 16/35, G06N 3/08", ["G06F 16/35", "G06N 3/08"]),
        ("Smith, John; Doe, Jane", ["Smith, John", "Doe, Jane"]),
        (
            "哈尔滨工业大学（威海）;某（集团，股份）有限公司",
            ["哈尔滨工业大学（威海）", "某（集团，股份）有限公司"],
        ),
        ("某公司(集团;李四", ["某公司(集团", "李四"]),  # unbalanced: brackets ignored
        ("张三\n李四 | 王五", ["张三", "李四", "王五"]),
        ("  ;；  ", []),
        (["A, B", " C ", None], ["A, B", "C"]),
        (None, []),
    ],
)
def test_split_multi_examples(cell: object, items: list[str]) -> None:
    assert split_multi(cell) == items


# --------------------------------------------------------------------------- dates


@PROPERTY
@given(any_cell)
def test_parse_date_never_raises_and_is_idempotent(value: object) -> None:
    result = parse_date(value)
    assert result is None or isinstance(result, Invalid) or ISO_DATE.match(result)
    if isinstance(result, str):
        assert parse_date(result) == result


@PROPERTY
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_reads_every_written_form(day: dt.date) -> None:
    y, m, d = day.year, day.month, day.day
    forms = [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}/{m}/{d}",
        f"{y}年{m}月{d}日",
        f"{y}{m:02d}{d:02d}",
        f"{y}-{m:02d}-{d:02d} 00:00:00",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}年{m}月{d}号",
        dt.datetime(y, m, d),
        day,
        int(f"{y}{m:02d}{d:02d}"),
    ]
    for form in forms:
        assert parse_date(form) == day.isoformat(), form


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-05", "2021-03-05"),
        ("2021.03.05", "2021-03-05"),
        ("2021/3/5", "2021-03-05"),
        ("2021年3月5日", "2021-03-05"),
        ("２０２１年３月５日", "2021-03-05"),
        ("20210305", "2021-03-05"),
        (44260, "2021-03-05"),  # an Excel date that arrived as a serial number
        (dt.datetime(2021, 3, 5, 14, 30), "2021-03-05"),
        ("2021-03", "2021-03"),
        ("2021年", "2021"),
        ("", None),
        ("—", None),
        (None, None),
    ],
)
def test_parse_date_examples(value: object, expected: str | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value", ["2021-13-05", "2021-02-30", "3/5/2021", "明年", "1899-12-31", 123456789, 1.5]
)
def test_parse_date_rejects_with_a_reason(value: object) -> None:
    result = parse_date(value)
    assert isinstance(result, Invalid) and "日期" in result.reason


# --------------------------------------------------------------------------- budget


@PROPERTY
@given(any_cell, st.sampled_from([1.0, 1e-4, 1e4]))
def test_parse_budget_never_raises_and_is_idempotent(value: object, unit: float) -> None:
    result = parse_budget_wan(value, unit)
    assert (
        result is None or isinstance(result, Invalid) or (isinstance(result, float) and result >= 0)
    )
    if isinstance(result, float):
        assert math.isfinite(result)
        assert parse_budget_wan(result) == result
        assert parse_budget_wan(str(result)) == result


def test_parse_budget_negative_zero_is_zero() -> None:
    # Found by hypothesis: the number -0.0 came back as -0.0, whose text "-0.0" reads as a
    # negative amount (invalid), so the result was not idempotent.
    result = parse_budget_wan(-0.0)
    assert result == 0.0 and math.copysign(1.0, result) == 1.0  # type: ignore[arg-type]
    assert parse_budget_wan(str(result)) == result


@PROPERTY
@given(st.integers(min_value=0, max_value=1000))
def test_parse_budget_units(amount: int) -> None:
    assert parse_budget_wan(f"{amount}万元") == amount
    assert parse_budget_wan(f"{amount}万") == amount
    assert parse_budget_wan(str(amount)) == amount
    assert parse_budget_wan(f"{amount}亿元") == amount * 10_000
    assert isinstance(parse_budget_wan(f"{amount + 1001}亿元"), Invalid)  # a unit slip
    assert parse_budget_wan(f"{amount}元") == round(amount / 10_000, 4)
    assert parse_budget_wan(amount, budget_unit("预算(元)")) == round(amount / 10_000, 4)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("50万元", 50.0),
        ("0.5亿元", 5000.0),
        ("约 1,200 万元以上", 1200.0),
        ("￥300000元", 30.0),
        ("50-100万元", 100.0),
        ("50万~1亿", 10000.0),
        ("面议", None),
        ("价格面议", None),
        ("待定", None),
        ("", None),
        (80.0, 80.0),
    ],
)
def test_parse_budget_examples(value: object, expected: float | None) -> None:
    assert parse_budget_wan(value) == expected


@pytest.mark.parametrize("value", ["50万美元", "很多", "-5", -5])
def test_parse_budget_rejects_with_a_reason(value: object) -> None:
    assert isinstance(parse_budget_wan(value), Invalid)


def test_budget_unit_from_header() -> None:
    assert budget_unit("拟投入资金（万元）") == 1.0
    assert budget_unit("预算（亿元）") == 1e4
    assert budget_unit("预算金额/元") == 1e-4
    assert budget_unit(None) == 1.0


# --------------------------------------------------------------------------- batch


@PROPERTY
@given(any_cell)
def test_parse_batch_never_raises_and_is_idempotent(value: object) -> None:
    result = parse_batch(value)
    assert result is None or isinstance(result, Invalid) or re.fullmatch(r"\d{4}H[12]", result)
    if isinstance(result, str):
        assert parse_batch(result) == result


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026H1", "2026H1"),
        ("2026h2", "2026H2"),
        ("2026-H1", "2026H1"),
        ("2026年上半年", "2026H1"),
        ("2026上", "2026H1"),
        ("2026年度下半年", "2026H2"),
        ("2026 下", "2026H2"),
        ("上半年2026", "2026H1"),
        ("", None),
    ],
)
def test_parse_batch_examples(value: str, expected: str | None) -> None:
    assert parse_batch(value) == expected


@pytest.mark.parametrize("value", ["2026", "2026H3", "明年上半年", "2026Q1"])
def test_parse_batch_rejects_with_a_reason(value: str) -> None:
    assert isinstance(parse_batch(value), Invalid)


# --------------------------------------------------------------------------- application numbers

new_numbers = st.builds(
    lambda year, kind, serial: f"{year}{kind}{serial:07d}",
    st.integers(min_value=2003, max_value=2030),
    st.sampled_from("12389"),
    st.integers(min_value=0, max_value=9_999_999),
)


@PROPERTY
@given(any_cell)
@example("CN202110123456.7")
@example("ZL202110123456X")
def test_application_number_never_raises_and_is_idempotent(value: object) -> None:
    result = normalise_application_number(value)
    assert result is None or isinstance(result, (str, Invalid))
    if isinstance(result, str):
        assert normalise_application_number(result) == result
        assert " " not in result


@PROPERTY
@given(new_numbers)
def test_application_number_variants_share_one_form(digits: str) -> None:
    check = application_number_check_digit(digits)
    canonical = f"CN{digits}.{check}"
    variants = [
        canonical,
        f"{digits}.{check}",
        f"CN {digits}{check}",
        f"{digits}{check}",
        f"ZL{digits}.{check}",
        f"CN{digits[:4]} {digits[4]} {digits[5:]}.{check}",
        digits,
        f"cn{digits}.{check.lower()}",
    ]
    for variant in variants:
        assert normalise_application_number(variant) == canonical, variant
    wrong = "0" if check != "0" else "1"
    assert isinstance(normalise_application_number(f"CN{digits}.{wrong}"), Invalid)


def test_application_number_documented_examples() -> None:
    # CNIPA's own worked example of the check digit: 201710601862.3
    assert application_number_check_digit("201710601862") == "3"
    for variant in [
        "CN202110123456.7",
        "202110123456.7",
        "CN 2021101234567",
        "ZL 2021 1 0123456.7",
    ]:
        assert normalise_application_number(variant) == "CN202110123456.7"
    assert (
        normalise_application_number("98123456.9")
        == normalise_application_number("98123456")
        == "CN98123456.9"
    )
    assert application_number_check_digit("00100008") == "X"
    assert normalise_application_number("00100008X") == "CN00100008.X"
    assert normalise_application_number(" US 17/123,456 ") == "US17/123456"
    assert normalise_application_number("") is None
    for bad in ["CN202110123456.3", "申请中", "CN202150123456.1", "12345"]:
        assert isinstance(normalise_application_number(bad), Invalid), bad


def test_patent_type_and_ipc() -> None:
    assert normalise_patent_type("发明") == normalise_patent_type("发明专利") == "发明"
    assert normalise_patent_type("发明授权") == normalise_patent_type("invention") == "发明"
    assert normalise_patent_type("实用新型专利") == normalise_patent_type("U") == "实用新型"
    assert normalise_patent_type("外观设计") == normalise_patent_type("Design") == "外观设计"
    assert isinstance(normalise_patent_type("PCT"), Invalid)
    assert patent_type_from_number("CN202230111222.6") == "外观设计"
    assert normalise_ipc("G06F  016/35 (2019.01)") == ["G06F 16/35"]
    assert normalise_ipc("h04l") == ["H04L"]
    assert normalise_ipc("见说明书") == ["见说明书"]


@PROPERTY
@given(any_cell)
def test_patent_type_and_ipc_never_raise(value: object) -> None:
    result = normalise_patent_type(value)
    assert result in (None, "发明", "实用新型", "外观设计") or isinstance(result, Invalid)
    assert isinstance(normalise_ipc(value), list)


# --------------------------------------------------------------------------- enterprises


@PROPERTY
@given(any_cell)
def test_enterprise_parsers_never_raise(value: object) -> None:
    code = normalise_credit_code(value)
    if isinstance(code, str):
        assert normalise_credit_code(code) == code
    parse_scale(value)
    parse_specialised(value)
    parse_yes_no(value)


def test_credit_code_check_character() -> None:
    # Two published codes: 深圳市腾讯计算机系统有限公司, 华为技术有限公司.
    assert normalise_credit_code("91440300708461136T") == "91440300708461136T"
    assert normalise_credit_code("9144 0300 1922 0382 16") == "914403001922038216"
    assert isinstance(normalise_credit_code("91440300708461136X"), Invalid)
    assert isinstance(normalise_credit_code("110108000000016"), Invalid)  # old registration no.
    assert credit_code_check_char("91440300708461136") == "T"


def test_enterprise_flags() -> None:
    assert parse_scale("龙头") == "龙头企业" and parse_scale("中小微") == "中小企业"
    assert parse_scale("大型企业") is None
    assert isinstance(parse_scale("上市公司"), Invalid)
    assert parse_specialised("是") == (True, False)
    assert parse_specialised("国家级专精特新“小巨人”") == (True, True)
    assert parse_specialised("否") == (False, False)
    assert parse_specialised("") is None


# --------------------------------------------------------------------------- headers


def test_header_tokens() -> None:
    assert header_token("公开（公告）号") == header_token("公开(公告)号")
    assert header_token("Application  Number") == header_token("application_number")
    assert SPECS["patent"].column_for("公开（公告）号").field == "publication_number"
    assert SPECS["patent"].column_for("Applicants").field == "applicants"
    assert SPECS["demand"].column_for("拟投入资金（万元）").field == "budget_wan"
    assert SPECS["demand"].column_for("*企业名称").field == "enterprise"


def test_locate_header_below_title_rows() -> None:
    rows = [
        ["2021年专利清单"],
        [],
        ["序号", "申请号", "名称", "申请人"],
        ["1", "CN202110123456.7", "x", "y"],
    ]
    match = locate_header(rows, ALL_SPECS, all_specs=ALL_SPECS)
    assert match is not None and match.spec.kind == "patent" and match.index == 2
    assert match.columns == {"application_number": 1, "title": 2, "applicants": 3}
    assert match.ignored == ("序号",)


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["企业名称", "需求名称", "需求内容"], "demand"),
        (["企业名称", "统一社会信用代码", "所在地市"], "enterprise"),
        (["成果名称", "完成单位", "技术领域"], "achievement"),
        (["Application Number", "Title", "Applicants", "Inventors", "IPC"], "patent"),
        (["企业名称", "技术领域"], "demand"),  # the one kind that has both
        (["名称", "简介"], None),  # shared by several kinds: too ambiguous to guess
        (["姓名", "电话"], None),
    ],
)
def test_locate_header_sniffs_the_kind(headers: list[str], kind: str | None) -> None:
    match = locate_header([headers], ALL_SPECS, all_specs=ALL_SPECS)
    assert (match.spec.kind if match else None) == kind


def test_spec_aliases_are_unambiguous_within_a_kind() -> None:
    for spec in ALL_SPECS:
        assert spec.by_token  # raises if one alias names two columns


def test_mask_phone() -> None:
    assert mask_phone("138 0000 1234") == "138****1234"
    assert mask_phone("n/a") == "***"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(cellish, max_size=6), max_size=12))
def test_locate_header_never_raises(rows: list[list[str]]) -> None:
    locate_header(rows, ALL_SPECS, all_specs=ALL_SPECS)
