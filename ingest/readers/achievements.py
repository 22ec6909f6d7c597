"""Achievement lists (科技成果 / 成果库): one :class:`~ingest.records.AchievementRecord` per row.

Keyed ``成果名称|第一完成单位`` through :func:`~ingest.tabular.name_key`.

关联专利 items that are application or patent numbers are brought to the canonical form of
:func:`~ingest.readers.patents.normalise_application_number`; one with a wrong check digit
quarantines the row (it would link the wrong patent).  Anything else — publication numbers
(``CN112345678A``), patent titles — is kept as written for the pipeline to resolve.

>>> achievement_patent("ZL 2021 1 0123456.7"), achievement_patent("CN112345678A")
('CN202110123456.7', 'CN112345678A')
"""

from __future__ import annotations

import re
import unicodedata

from ingest.readers.patents import normalise_application_number
from ingest.records import AchievementRecord
from ingest.tabular import Column, Invalid, Row, TableSpec, name_key, parse_yes_no

__all__ = ["ACHIEVEMENT_SPEC", "achievement_key", "achievement_patent", "build_achievement"]

_NUMBERISH_RE = re.compile(r"(?:CN|ZL)?[0-9\s.]{8,}[0-9X]", re.I)
_PUBLICATION_RE = re.compile(r"CN[0-9]{7,9}[A-Z][0-9]?")


def achievement_patent(item: str) -> str | Invalid:
    """One 关联专利 item: a canonical application number when it is one, else the text as is.

    Returns :class:`~ingest.tabular.Invalid` only for something shaped like a CN application
    number that fails its check (a typo).
    """
    number = normalise_application_number(item)
    if isinstance(number, str):
        return number
    token = " ".join(unicodedata.normalize("NFKC", item).split())
    if isinstance(number, Invalid) and _NUMBERISH_RE.fullmatch(token) and "校验位" in number.reason:
        return number
    compact = token.replace(" ", "").upper()
    return compact if _PUBLICATION_RE.fullmatch(compact) else token


def achievement_key(name: str, organizations: list[str]) -> str:
    """``成果名称|第一完成单位``.

    >>> achievement_key("寒地水稻插秧机", ["东北农业大学", "某农机公司"])
    '寒地水稻插秧机|东北农业大学'
    """
    return f"{name_key(name)}|{name_key(organizations[0] if organizations else None)}"


def build_achievement(row: Row) -> AchievementRecord:
    """One :class:`AchievementRecord` from an achievement-list row."""
    name = row.required("name")
    organizations = row.items("organizations")
    key = achievement_key(name, organizations)
    row.key = key
    patents: list[str] = []
    for item in row.items("patents"):
        ref = achievement_patent(item)
        if isinstance(ref, Invalid):
            raise row.reject("patents", ref.reason)
        patents.append(ref)
    return AchievementRecord(
        source=row.source,
        source_key=key,
        row=row.number,
        name=name,
        organizations=organizations,
        persons=row.items("persons"),
        declared_field=row.text("declared_field"),
        maturity=row.text("maturity"),
        open_licence=bool(row.parse("open_licence", parse_yes_no)),
        licence_terms=row.long_text("licence_terms"),
        patents=list(dict.fromkeys(patents)),
        description=row.long_text("description"),
    )


ACHIEVEMENT_SPEC = TableSpec(
    kind="achievement",
    label="科技成果",
    columns=(
        Column(
            "name",
            "成果名称",
            ("科技成果名称", "成果", "项目名称", "名称", "Achievement", "Achievement Name", "Name"),
            required=True,
        ),
        Column(
            "organizations",
            "完成单位",
            (
                "第一完成单位",
                "成果完成单位",
                "所属单位",
                "依托单位",
                "所属高校",
                "单位",
                "Organizations",
                "Organization",
            ),
        ),
        Column(
            "persons",
            "完成人",
            ("主要完成人", "成果完成人", "项目负责人", "负责人", "团队成员", "Persons"),
        ),
        Column(
            "declared_field",
            "技术领域",
            ("所属领域", "行业领域", "领域", "Field", "Technical Field"),
        ),
        Column(
            "maturity",
            "成熟度",
            ("技术成熟度", "成果成熟度", "成熟程度", "成果阶段", "所处阶段", "Maturity", "TRL"),
        ),
        Column(
            "open_licence", "是否开放许可", ("开放许可", "是否开放", "Open Licence", "Open License")
        ),
        Column(
            "licence_terms",
            "许可条件",
            ("开放许可条件", "许可费用", "许可方式", "Licence Terms", "License Terms"),
        ),
        Column(
            "patents",
            "关联专利",
            ("相关专利", "关联专利号", "专利", "专利号", "专利申请号", "Patents"),
        ),
        Column("description", "简介", ("成果简介", "成果介绍", "项目简介", "内容", "Description")),
    ),
    build=build_achievement,
)
