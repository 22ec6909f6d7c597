"""The domain model: what the graph holds, validated at the boundary.

Two layers:

* typed pydantic models per kind of node (``Person``, ``Organization``, ``Patent`` …) that
  ingest builds and validates, and
* the storage records (``NodeRecord``, ``RelRecord``) that both stores speak: an id, a label
  from :class:`NodeLabel`, and flat properties (strings, numbers, booleans and homogeneous
  lists of them — what Neo4j can store and JSON can round-trip, so both backends hold the
  same values).

Every node carries provenance: the source (file or system), the record key inside it and the
ingest run that last changed it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from operator import attrgetter
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from graph.errors import SchemaError, ValidationFailed

__all__ = [
    "NodeLabel",
    "RelType",
    "OrgKind",
    "AppointmentRole",
    "RELATIONSHIP_SCHEMA",
    "REL_PROPERTIES",
    "PROVENANCE_KEYS",
    "Provenance",
    "NodeRecord",
    "RelRecord",
    "Entity",
    "Person",
    "Team",
    "Organization",
    "Patent",
    "Achievement",
    "Demand",
    "FieldNode",
    "Topic",
    "make_id",
    "ID_PREFIXES",
    "label_of_id",
    "check_props",
]


class NodeLabel(StrEnum):
    """Kinds of node.  The only labels a query may ever use (allow-list)."""

    PERSON = "Person"
    TEAM = "Team"
    ORGANIZATION = "Organization"
    PATENT = "Patent"
    ACHIEVEMENT = "Achievement"
    DEMAND = "Demand"
    FIELD = "Field"
    TOPIC = "Topic"


class RelType(StrEnum):
    """Kinds of relationship.  The only types a query may ever use (allow-list)."""

    WORKS_AT = "WORKS_AT"
    MEMBER_OF = "MEMBER_OF"
    LEADS = "LEADS"
    PART_OF = "PART_OF"
    STUDIED_AT = "STUDIED_AT"
    INVENTED = "INVENTED"
    APPLICANT_OF = "APPLICANT_OF"
    POSTED = "POSTED"
    IN_FIELD = "IN_FIELD"
    HAS_TOPIC = "HAS_TOPIC"
    COLLABORATED_WITH = "COLLABORATED_WITH"
    APPOINTED_AS = "APPOINTED_AS"
    COMPLETED = "COMPLETED"
    COVERS = "COVERS"
    CONTACT_FOR = "CONTACT_FOR"


class OrgKind(StrEnum):
    UNIVERSITY = "university"
    COLLEGE = "college"  # 学院 / 系 inside a university
    LAB = "lab"  # 实验室 / 研究中心 inside a university
    INSTITUTE = "institute"  # 科研院所
    ENTERPRISE = "enterprise"
    GOVERNMENT = "government"
    UNKNOWN = "unknown"


class AppointmentRole(StrEnum):
    INDUSTRY_PROFESSOR = "industry_professor"  # 产业教授
    TECH_MENTOR = "tech_mentor"  # 技术导师
    LIAISON = "liaison"  # 高校联络员


_L = NodeLabel
_ANY_SUBJECT = frozenset({_L.PERSON, _L.TEAM, _L.ORGANIZATION, _L.PATENT, _L.ACHIEVEMENT, _L.DEMAND})

#: Allowed (source label, target label) pairs for each relationship type.
RELATIONSHIP_SCHEMA: dict[RelType, frozenset[tuple[NodeLabel, NodeLabel]]] = {
    RelType.WORKS_AT: frozenset({(_L.PERSON, _L.ORGANIZATION)}),
    RelType.MEMBER_OF: frozenset({(_L.PERSON, _L.TEAM)}),
    RelType.LEADS: frozenset({(_L.PERSON, _L.TEAM)}),
    RelType.PART_OF: frozenset(
        {(_L.ORGANIZATION, _L.ORGANIZATION), (_L.TEAM, _L.ORGANIZATION), (_L.FIELD, _L.FIELD)}
    ),
    RelType.STUDIED_AT: frozenset({(_L.PERSON, _L.ORGANIZATION)}),
    RelType.INVENTED: frozenset({(_L.PERSON, _L.PATENT)}),
    RelType.APPLICANT_OF: frozenset({(_L.ORGANIZATION, _L.PATENT), (_L.PERSON, _L.PATENT)}),
    RelType.POSTED: frozenset({(_L.ORGANIZATION, _L.DEMAND)}),
    RelType.IN_FIELD: frozenset((s, _L.FIELD) for s in _ANY_SUBJECT),
    RelType.HAS_TOPIC: frozenset((s, _L.TOPIC) for s in _ANY_SUBJECT),
    RelType.COLLABORATED_WITH: frozenset({(_L.PERSON, _L.PERSON)}),
    RelType.APPOINTED_AS: frozenset({(_L.PERSON, _L.ORGANIZATION)}),
    RelType.COMPLETED: frozenset({(_L.PERSON, _L.ACHIEVEMENT), (_L.ORGANIZATION, _L.ACHIEVEMENT)}),
    RelType.COVERS: frozenset({(_L.ACHIEVEMENT, _L.PATENT)}),
    RelType.CONTACT_FOR: frozenset({(_L.PERSON, _L.DEMAND)}),
}

#: Property names that carry provenance on every node and relationship.
PROVENANCE_KEYS = ("source", "source_key", "run_id")

_REL_COMMON = (*PROVENANCE_KEYS, "weight", "method", "confidence")

#: Allowed property keys per relationship type (besides the identity ``key``).  An allow-list
#: keeps relationship data honest and lets the Neo4j writer name each key in its SET clause,
#: which keeps the write plans free of Eager (a map-valued SET on a relationship is Eager).
REL_PROPERTIES: dict[RelType, tuple[str, ...]] = {
    RelType.WORKS_AT: (*_REL_COMMON, "role", "title", "unit", "start", "end", "current"),
    RelType.MEMBER_OF: (*_REL_COMMON, "role", "start", "end"),
    RelType.LEADS: (*_REL_COMMON, "start", "end"),
    RelType.PART_OF: _REL_COMMON,
    RelType.STUDIED_AT: (*_REL_COMMON, "degree", "major", "start", "end"),
    RelType.INVENTED: (*_REL_COMMON, "position"),
    RelType.APPLICANT_OF: (*_REL_COMMON, "position"),
    RelType.POSTED: (*_REL_COMMON, "batch", "batches"),
    RelType.IN_FIELD: (*_REL_COMMON, "evidence"),
    RelType.HAS_TOPIC: _REL_COMMON,
    RelType.COLLABORATED_WITH: (
        *_REL_COMMON, "count", "evidence", "kinds", "first_year", "last_year",
    ),
    RelType.APPOINTED_AS: (*_REL_COMMON, "role", "unit", "start", "end", "status"),
    RelType.COMPLETED: (*_REL_COMMON, "position"),
    RelType.COVERS: _REL_COMMON,
    RelType.CONTACT_FOR: _REL_COMMON,
}

_ID_RE = re.compile(r"^[a-z_]+:[^\s]{1,200}$")
Scalar = str | int | float | bool
PropValue = Scalar | list[str] | list[int] | list[float] | list[bool]


#: Property names already found valid (a run checks the same few dozen names millions of
#: times); bounded, since names come from the input too.
_GOOD_NAMES: set[str] = set()
_GOOD_NAMES_MAX = 4096
_SCALARS = frozenset({str, bool, int, float})


def check_props(props: Mapping[str, Any], *, where: str = "") -> dict[str, PropValue]:
    """Validate and copy a property map so that both stores can hold it.

    Values must be ``str``/``int``/``float``/``bool`` or a homogeneous list of one of them;
    ``None`` values are dropped (absent and null mean the same in Neo4j).  Tuples become lists.

    Raises:
        ValidationFailed: naming the offending key.
    """
    out: dict[str, PropValue] = {}
    for key, value in props.items():
        if type(key) is not str or key not in _GOOD_NAMES:
            if not isinstance(key, str) or not key or key.startswith("_") or not key.isidentifier():
                raise ValidationFailed(f"属性名无效 (bad property name) {key!r}", where=where or None)
            if type(key) is str and len(_GOOD_NAMES) < _GOOD_NAMES_MAX:
                _GOOD_NAMES.add(key)
        if value is None:
            continue
        if type(value) in _SCALARS or isinstance(value, (str, bool, int, float)):
            out[key] = value
        elif isinstance(value, (list, tuple)):
            items = [v for v in value if v is not None]
            kinds = {type(v) for v in items}
            if len(kinds) > 1 or (kinds and not kinds <= {str, int, float, bool}):
                raise ValidationFailed(
                    f"列表属性必须同类型 (list property must be homogeneous scalars): {key}",
                    where=where or None,
                )
            out[key] = list(items)
        else:
            raise ValidationFailed(
                f"属性类型不支持 (unsupported property type {type(value).__name__}): {key}",
                where=where or None,
            )
    return out


def _normalise_text(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()


def make_id(prefix: str, *parts: object) -> str:
    """A stable id from a kind prefix and identifying parts.

    Short human-readable ids are kept when the single part is already a clean token
    (``make_id("patent", "CN202110123456.7") == "patent:CN202110123456.7"``); otherwise a
    16-hex-digit BLAKE2 digest of the NFKC-normalised parts is used, so the same inputs give
    the same id on every machine and run.
    """
    if not re.fullmatch(r"[a-z_]+", prefix):
        raise ValueError(f"bad id prefix {prefix!r}")
    texts = [_normalise_text(str(p)) for p in parts]
    if len(texts) == 1 and re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", texts[0]):
        return f"{prefix}:{texts[0]}"
    digest = hashlib.blake2b("\x1f".join(texts).encode(), digest_size=8).hexdigest()
    return f"{prefix}:{digest}"


class Provenance(BaseModel):
    """Where a record came from: the source, the record key inside it, the ingest run."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(min_length=1, max_length=500, description="source file or system")
    source_key: str = Field(min_length=1, max_length=500, description="record key inside the source")
    run_id: str = Field(min_length=1, max_length=100, description="ingest run that wrote it")


#: The id prefix each kind of node uses (``person:…``); ids of these kinds must carry it, so a
#: relationship's endpoint kinds can be known from the ids alone.
ID_PREFIXES: dict[str, NodeLabel] = {
    "person": NodeLabel.PERSON, "team": NodeLabel.TEAM, "org": NodeLabel.ORGANIZATION,
    "patent": NodeLabel.PATENT, "achievement": NodeLabel.ACHIEVEMENT, "demand": NodeLabel.DEMAND,
    "field": NodeLabel.FIELD, "topic": NodeLabel.TOPIC,
}


def label_of_id(node_id: str) -> NodeLabel | None:
    """The kind an id's prefix names, or None for a prefix outside :data:`ID_PREFIXES`."""
    return ID_PREFIXES.get(node_id.split(":", 1)[0])


class NodeRecord(BaseModel):
    """A node as the stores hold it."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: NodeLabel
    props: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(f"id must look like 'kind:key' without spaces, got {v!r}")
        return v

    @field_validator("props")
    @classmethod
    def _props_storable(cls, v: dict[str, Any]) -> dict[str, Any]:
        return check_props(v)

    @model_validator(mode="after")
    def _prefix_matches_label(self) -> NodeRecord:
        implied = label_of_id(self.id)
        if implied is not None and implied is not self.label:
            raise ValueError(f"id {self.id!r} names a {implied}, not a {self.label}")
        return self

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


class RelRecord(BaseModel):
    """A relationship as the stores hold it: identity is (src, type, dst, key)."""

    model_config = ConfigDict(frozen=True)

    src: str
    type: RelType
    dst: str
    key: str = ""
    props: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _props_allowed(self) -> RelRecord:
        props = check_props(self.props)
        unknown = sorted(set(props) - set(REL_PROPERTIES[self.type]))
        if unknown:
            raise ValueError(
                f"{self.type} 不允许属性 {unknown} (allowed: {', '.join(REL_PROPERTIES[self.type])})"
            )
        object.__setattr__(self, "props", props)
        return self

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.src, self.type.value, self.dst, self.key)


#: A relationship record's identity (src, type, dst, key) as a key function: RelType is a
#: StrEnum, so the tuple equals, hashes and sorts as :attr:`RelRecord.identity` (which holds the
#: type's value) does, and is cheaper to make — for sorting and folding many records.
rel_identity = attrgetter("src", "type", "dst", "key")


def check_endpoints(rel_type: RelType, src_label: NodeLabel, dst_label: NodeLabel) -> None:
    """Refuse a relationship whose endpoint kinds are outside :data:`RELATIONSHIP_SCHEMA`."""
    if (src_label, dst_label) not in RELATIONSHIP_SCHEMA[rel_type]:
        allowed = ", ".join(f"{s}->{d}" for s, d in sorted(RELATIONSHIP_SCHEMA[rel_type]))
        raise SchemaError(
            f"{rel_type} 不能连接 {src_label}->{dst_label} (not allowed; allowed: {allowed})"
        )


__all__ += ["check_endpoints"]

# --------------------------------------------------------------------------- typed nodes

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


class Entity(BaseModel):
    """Base of the typed node models: a stable id plus provenance."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    label: ClassVar[NodeLabel]

    id: str
    provenance: Provenance

    def to_record(self) -> NodeRecord:
        data = self.model_dump(exclude={"id", "provenance"}, exclude_none=True, mode="json")
        data.update(self.provenance.model_dump())
        return NodeRecord(id=self.id, label=self.label, props=data)


class Person(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.PERSON
    name: ShortText
    name_en: str | None = None
    gender: Literal["男", "女"] | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2030)
    titles: list[str] = Field(default_factory=list)
    seniority: int | None = Field(default=None, ge=0, le=5, description="0 student … 5 academician")
    is_phd_student: bool | None = None
    degree: str | None = None
    research_directions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    awards: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    # Personal data (PIPL): stored, masked by the API below the matchmaker role.
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    birth_date: IsoDate | None = None
    summary: LongText | None = None


class Team(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.TEAM
    name: ShortText
    research_directions: list[str] = Field(default_factory=list)


class Organization(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.ORGANIZATION
    name: ShortText
    kind: OrgKind
    aliases: list[str] = Field(default_factory=list)
    code: str | None = Field(default=None, description="MoE code (universities) or 统一社会信用代码")
    province: str | None = None
    city: str | None = None
    is_leading: bool | None = Field(default=None, description="龙头企业")
    is_sme: bool | None = Field(default=None, description="中小企业")
    is_specialised: bool | None = Field(default=None, description="专精特新")
    is_little_giant: bool | None = Field(default=None, description="专精特新小巨人")
    is_high_tech: bool | None = Field(default=None, description="高新技术企业")
    description: LongText | None = None


class Patent(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.PATENT
    title: ShortText
    application_number: ShortText
    publication_number: str | None = None
    patent_type: Literal["发明", "实用新型", "外观设计"] | None = None
    application_date: IsoDate | None = None
    publication_date: IsoDate | None = None
    legal_status: str | None = None
    ipc_codes: list[str] = Field(default_factory=list)
    main_ipc: str | None = None
    abstract: LongText | None = None
    address: str | None = None
    year: int | None = None

    @property
    def name(self) -> str:
        return self.title

    def to_record(self) -> NodeRecord:
        rec = super().to_record()
        props = dict(rec.props)
        props["name"] = self.title
        return NodeRecord(id=rec.id, label=rec.label, props=props)


class Achievement(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.ACHIEVEMENT
    name: ShortText
    maturity: str | None = None
    open_licence: bool = False
    licence_terms: str | None = None
    description: LongText | None = None


class Demand(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.DEMAND
    name: ShortText
    content: LongText = ""
    batch: Annotated[str, StringConstraints(pattern=r"^\d{4}H[12]$")] | None = None
    batches: list[str] = Field(default_factory=list, description="every half-year batch it appeared in")
    demand_type: str | None = None
    budget_wan: float | None = Field(default=None, ge=0, description="拟投入资金, 万元")
    deadline: IsoDate | None = None
    status: Literal["open", "matched", "closed", "carried_over"] = "open"
    contact_name: str | None = None
    contact_phone: str | None = None
    city: str | None = None
    declared_field: str | None = None


class FieldNode(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.FIELD
    name: ShortText
    name_en: str | None = None
    kind: Literal["industry", "ipc_section", "ipc_class", "general"] = "industry"


class Topic(Entity):
    label: ClassVar[NodeLabel] = NodeLabel.TOPIC
    name: ShortText
