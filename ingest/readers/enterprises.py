"""Enterprise directories (企业名录): one :class:`~ingest.records.EnterpriseRecord` per row.

Keyed by the unified social credit code (统一社会信用代码) when the row has one, else by the
name through :func:`~ingest.tabular.name_key`.

>>> normalise_credit_code("91440300708461136t")
'91440300708461136T'
>>> parse_scale("中小微企业"), parse_specialised("国家级专精特新小巨人")
('中小企业', (True, True))
"""

from __future__ import annotations

import re
import unicodedata

from ingest.records import EnterpriseRecord
from ingest.tabular import (
    Column,
    Invalid,
    Row,
    TableSpec,
    cell_text,
    is_placeholder,
    name_key,
    parse_yes_no,
)

__all__ = [
    "ENTERPRISE_SPEC",
    "credit_code_check_char",
    "normalise_credit_code",
    "parse_scale",
    "parse_specialised",
    "parse_high_tech",
    "enterprise_key",
    "build_enterprise",
]

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(rf"[{_USCC_CHARS}]{{18}}")


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character of a unified social credit code (GB 32100-2015, mod 31).

    >>> credit_code_check_char("91440300708461136")
    'T'

    Raises:
        ValueError: ``first17`` is not 17 characters of the code alphabet.
    """
    if len(first17) != 17 or any(c not in _USCC_CHARS for c in first17):
        raise ValueError(f"expected 17 characters of {_USCC_CHARS}, got {first17!r}")
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value: object) -> str | None | Invalid:
    """A unified social credit code, upper-cased, spaces and dashes removed, check verified.

    Old 15-digit registration numbers and 9-character organisation codes are not accepted
    (they are different identifiers); a wrong check character quarantines the row, since the
    code is the enterprise's key.  Idempotent on results.
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text).upper())
    if not _USCC_RE.fullmatch(code):
        return Invalid(f"不是18位统一社会信用代码 (not an 18-character credit code): {text[:40]!r}")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return Invalid(
            f"统一社会信用代码校验位不符 (check character mismatch): {text!r} 应以 {expected} 结尾"
        )
    return code


_SME_WORDS = ("中小", "中型", "小型", "微型", "小微", "sme")
_LARGE_WORDS = ("大型", "large")


def parse_scale(value: object) -> str | None | Invalid:
    """企业规模 → ``龙头企业`` / ``中小企业``.

    ``龙头``, ``行业龙头``, ``leading`` → 龙头企业; ``中小``, ``中型``, ``小型``, ``微型``, ``小微``
    → 中小企业.  ``大型企业`` is a statistical size, not the programme's 龙头 designation, so it
    gives None (unknown) rather than a guess.

    >>> parse_scale("龙头"), parse_scale("小型企业"), parse_scale("大型企业")
    ('龙头企业', '中小企业', None)
    """
    text = cell_text(value)
    if text is None or is_placeholder(text):
        return None
    token = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    if "龙头" in token or "leading" in token:
        return "龙头企业"
    if any(w in token for w in _SME_WORDS):
        return "中小企业"
    if any(w in token for w in _LARGE_WORDS):
        return None
    return Invalid(f"无法识别的企业规模 (unknown scale): {text[:40]!r}；应为 龙头企业/中小企业")


def parse_specialised(value: object) -> tuple[bool, bool] | None | Invalid:
    """专精特新 → (specialised, little_giant).

    ``小巨人`` (any text containing it) → (True, True); ``是`` or a text naming 专精特新
    (``省级专精特新中小企业``) → (True, False); ``否`` → (False, False); blank → None.

    >>> parse_specialised("是"), parse_specialised("否"), parse_specialised("小巨人")
    ((True, False), (False, False), (True, True))
    """
    text = cell_text(value)
    if text is None:
        return None
    if "小巨人" in text:
        return (True, True)
    if "专精特新" in text and not re.search(r"[否非未不]", text):
        return (True, False)
    answer = parse_yes_no(text)
    if isinstance(answer, bool):
        return (answer, False)
    if answer is None:
        return None
    return Invalid(f"无法识别的专精特新取值 (expected 是/否/小巨人): {text[:40]!r}")


def parse_high_tech(value: object) -> bool | None | Invalid:
    """高新技术企业: 是/否, or a text naming it (``国家高新技术企业``) → True.

    >>> parse_high_tech("国家高新技术企业"), parse_high_tech("否")
    (True, False)
    """
    text = cell_text(value)
    if text is not None and "高新" in text and not re.search(r"[否非未不]", text):
        return True
    return parse_yes_no(value)


def enterprise_key(name: str, credit_code: str | None) -> str:
    """The credit code when known, else the normalised name.

    >>> enterprise_key("哈尔滨某科技（集团）有限公司", None)
    '哈尔滨某科技(集团)有限公司'
    """
    return credit_code or name_key(name)


def build_enterprise(row: Row) -> EnterpriseRecord:
    """One :class:`EnterpriseRecord` from a directory row."""
    name = row.required("name")
    row.key = name_key(name)
    credit_code = row.parse("credit_code", normalise_credit_code)
    key = enterprise_key(name, credit_code)
    row.key = key
    specialised = row.parse("specialised", parse_specialised)
    return EnterpriseRecord(
        source=row.source,
        source_key=key,
        row=row.number,
        name=name,
        credit_code=credit_code,
        city=row.text("city"),
        scale=row.parse("scale", parse_scale),
        specialised=specialised[0] if specialised else None,
        little_giant=specialised[1] if specialised else None,
        high_tech=row.parse("high_tech", parse_high_tech),
        main_field=row.text("main_field"),
        description=row.long_text("description"),
    )


ENTERPRISE_SPEC = TableSpec(
    kind="enterprise",
    label="企业名录",
    columns=(
        Column(
            "name",
            "企业名称",
            ("企业", "单位名称", "公司名称", "名称", "Enterprise", "Company", "Name"),
            required=True,
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            (
                "信用代码",
                "社会信用代码",
                "统一代码",
                "Credit Code",
                "USCC",
                "Unified Social Credit Code",
            ),
        ),
        Column("city", "所在地市", ("所属地市", "地市", "城市", "所在城市", "地区", "City")),
        Column("scale", "企业规模", ("规模", "Scale", "Size")),
        Column(
            "specialised",
            "专精特新",
            ("是否专精特新", "专精特新企业", "专精特新认定", "Specialised"),
        ),
        Column(
            "high_tech",
            "高新技术企业",
            (
                "是否高新技术企业",
                "高新企业",
                "高企",
                "是否高企",
                "High Tech",
                "High-tech Enterprise",
            ),
        ),
        Column(
            "main_field",
            "主营领域",
            ("主营业务", "主营产品", "所属行业", "行业", "Main Field", "Industry"),
        ),
        Column("description", "简介", ("企业简介", "公司简介", "介绍", "Description", "Profile")),
    ),
    build=build_enterprise,
)
