"""What the readers hand to the pipeline: one validated record per input row or document.

Readers turn files into these records (or into :class:`Quarantined` entries that say what was
wrong and where); the graph builder turns records into nodes and relationships.  Field names
are English; the readers map the Chinese headers onto them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Located",
    "Quarantined",
    "EmploymentIn",
    "EducationIn",
    "ProjectIn",
    "CVRecord",
    "PatentRecord",
    "DemandRecord",
    "EnterpriseRecord",
    "AchievementRecord",
    "InputRecord",
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50_000)]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Year = Annotated[int, Field(ge=1900, le=2100)]


class Located(BaseModel):
    """Where a record came from: file (or system), record key, 1-based row where it applies."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(description="file path or system name")
    source_key: str = Field(description="stable key of the record inside the source")
    row: int | None = Field(default=None, description="1-based data row (header excluded)")

    @property
    def where(self) -> str:
        return f"{self.source}:{self.row}" if self.row is not None else self.source


class Quarantined(Located):
    """An input that could not be loaded, with the reason; written to the quarantine report."""

    field: str | None = Field(default=None, description="the offending field/column, if one")
    reason: str
    raw: dict[str, Any] | str | None = None

    def message(self) -> str:
        col = f" [{self.field}]" if self.field else ""
        return f"{self.where}{col}: {self.reason}"


class EmploymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    organization: Text
    unit: str | None = None  # 学院 / 实验室 / 部门
    title: str | None = None  # 职称 or job title at that employer
    role: str | None = None
    start: Year | None = None
    end: Year | None = None


class EducationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    school: Text
    degree: str | None = None  # 学士/硕士/博士/博士后
    major: str | None = None
    start: Year | None = None
    end: Year | None = None


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Text
    year: Year | None = None
    funder: str | None = None


class CVRecord(Located):
    """A researcher's or enterprise expert's CV (简历)."""

    kind: Literal["cv"] = "cv"
    name: Text
    name_en: str | None = None
    gender: Literal["男", "女"] | None = None
    birth_year: Year | None = None
    birth_date: IsoDate | None = None
    titles: list[str] = Field(default_factory=list)  # 教授, 博导, 高级工程师 …
    employer: EmploymentIn | None = None  # current employer
    team: str | None = None
    team_role: Literal["负责人", "成员"] | None = None
    positions: list[EmploymentIn] = Field(default_factory=list)  # past and present
    education: list[EducationIn] = Field(default_factory=list)
    research_directions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    projects: list[ProjectIn] = Field(default_factory=list)
    patents: list[str] = Field(default_factory=list)  # application numbers
    awards: list[str] = Field(default_factory=list)
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    language: Literal["zh", "en"] = "zh"
    text: LongText | None = Field(default=None, description="the CV's full text, for NLP")


class PatentRecord(Located):
    """One patent row of a CNIPA / commercial database export."""

    kind: Literal["patent"] = "patent"
    application_number: Text
    title: Text
    publication_number: str | None = None
    abstract: LongText | None = None
    applicants: list[str] = Field(default_factory=list)
    inventors: list[str] = Field(default_factory=list)
    ipc_codes: list[str] = Field(default_factory=list)
    main_ipc: str | None = None
    application_date: IsoDate | None = None
    publication_date: IsoDate | None = None
    legal_status: str | None = None
    patent_type: Literal["发明", "实用新型", "外观设计"] | None = None
    address: str | None = None


class DemandRecord(Located):
    """One enterprise technology demand (企业技术需求)."""

    kind: Literal["demand"] = "demand"
    enterprise: Text | None = None  # unknown for some free-text corpora
    title: Text
    content: LongText = ""
    declared_field: str | None = None  # 技术领域 as the enterprise wrote it
    demand_type: str | None = None
    budget_wan: float | None = Field(default=None, ge=0)  # 万元
    contact_name: str | None = None
    contact_phone: str | None = None
    deadline: IsoDate | None = None
    city: str | None = None
    batch: Annotated[str, StringConstraints(pattern=r"^\d{4}H[12]$")] | None = None


class EnterpriseRecord(Located):
    """One row of an enterprise directory (企业名录)."""

    kind: Literal["enterprise"] = "enterprise"
    name: Text
    credit_code: str | None = None  # 统一社会信用代码
    city: str | None = None
    scale: Literal["龙头企业", "中小企业"] | None = None
    specialised: bool | None = None  # 专精特新
    little_giant: bool | None = None  # 专精特新小巨人
    high_tech: bool | None = None  # 高新技术企业
    main_field: str | None = None
    description: LongText | None = None


class AchievementRecord(Located):
    """One research result (科技成果) of the achievement library."""

    kind: Literal["achievement"] = "achievement"
    name: Text
    organizations: list[str] = Field(default_factory=list)  # 完成单位
    persons: list[str] = Field(default_factory=list)  # 完成人
    declared_field: str | None = None
    maturity: str | None = None
    open_licence: bool = False
    licence_terms: str | None = None
    patents: list[str] = Field(default_factory=list)
    description: LongText | None = None


InputRecord = CVRecord | PatentRecord | DemandRecord | EnterpriseRecord | AchievementRecord
