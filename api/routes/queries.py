"""Query routes: collaboration paths, introducers, demand matching, the matching list, alliance
candidates, people for roles and open licensing.

Each route is a thin adapter over a service in :mod:`graph.queries`: it bounds every input,
declares the roles it admits (:data:`ROUTE_ROLES`, also shown in the OpenAPI description), turns
the service's result into an explicit response model and passes it through :func:`guard` —
personal data is masked for roles below matchmaker, and an unmasked read is written to the
audit log.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from api.audit import AuditLog
from api.deps import AuditDep, StoreDep, require_roles
from api.security import PERSONAL_FIELDS, Principal, Role, mask_value
from graph.errors import NotFound, QueryError
from graph.model import NodeLabel, RelType

__all__ = [
    "router",
    "ROUTE_ROLES",
    "EVERYONE",
    "MATCHING_ROLES",
    "ALLIANCE_ROLES",
    "EXPORT_ROLES",
    "CURATOR_ROLES",
    "check_route_roles",
    "guard",
    "paths_answer",
    "introducers_answer",
    "matches_answer",
    "alliances_answer",
    "recommendations_answer",
    "licence_answer",
    "parse_rule",
]

router = APIRouter()

# --------------------------------------------------------------------------- who may call what

EVERYONE: tuple[Role, ...] = tuple(Role)
MATCHING_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.MATCHMAKER, Role.ORGANISER, Role.API_CLIENT)
ALLIANCE_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.MATCHMAKER, Role.ORGANISER)
EXPORT_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.MATCHMAKER)
CURATOR_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.MATCHMAKER)

#: Route (method and path under /api/v1) → the roles it admits.  ``GET /me`` reports it to the
#: web explorer (which hides what a role cannot use); :func:`check_route_roles` keeps it equal
#: to what the routes enforce, and the access tests state the rules once more, independently.
ROUTE_ROLES: dict[str, tuple[Role, ...]] = {
    "GET /me": EVERYONE,
    "GET /fields": EVERYONE,
    "GET /paths": EVERYONE,
    "GET /introduce": EVERYONE,
    "GET /demands/{demand_id}/matches": MATCHING_ROLES,
    "GET /researchers/{researcher_id}/demands": MATCHING_ROLES,
    "GET /matching-list": EXPORT_ROLES,
    "POST /matching-list/jobs": EXPORT_ROLES,
    "GET /jobs/{job_id}/file": EXPORT_ROLES,
    "GET /alliances": ALLIANCE_ROLES,
    "GET /recommendations/industry-professors": MATCHING_ROLES,
    "GET /recommendations/tech-mentors": MATCHING_ROLES,
    "GET /recommendations/liaisons": MATCHING_ROLES,
    "GET /open-licence": MATCHING_ROLES,
    # people review (api.routes.core), listed so the explorer can show its page
    "GET /people/review": CURATOR_ROLES,
    "POST /people/merge": CURATOR_ROLES,
    "POST /people/keep-apart": CURATOR_ROLES,
}


Anyone = Annotated[Principal, Depends(require_roles(*EVERYONE))]
Matcher = Annotated[Principal, Depends(require_roles(*MATCHING_ROLES))]
Organiser = Annotated[Principal, Depends(require_roles(*ALLIANCE_ROLES))]
Exporter = Annotated[Principal, Depends(require_roles(*EXPORT_ROLES))]


def _doc(zh: str, en: str, route: str) -> str:
    roles = "、".join(r.value for r in ROUTE_ROLES[route])
    return f"{zh}\n\n{en}\n\n允许角色 (roles allowed): {roles}"


# --------------------------------------------------------------------------- bounded inputs

_ID = r"[^\s/]{1,200}"
AnyId = Annotated[str, Query(min_length=3, max_length=220, pattern=rf"^[a-z_]+:{_ID}$",
                             description="实体 id，如 person:…、org:…、demand:…")]
OrgId = Annotated[str, Query(min_length=5, max_length=220, pattern=rf"^org:{_ID}$",
                             description="机构 id (organisation id), org:…")]
PersonId = Annotated[str, Query(min_length=8, max_length=220, pattern=rf"^person:{_ID}$",
                                description="人员 id (person id), person:…")]
UniversityId = Annotated[str, Query(min_length=5, max_length=220, pattern=rf"^org:{_ID}$",
                                    description="高校、学院或实验室 id (university, college or lab), org:…")]
FieldId = Annotated[str, Query(min_length=7, max_length=220, pattern=rf"^field:{_ID}$",
                               description="领域 id (field id), field:…，见 GET /fields")]
DemandQueryId = Annotated[str, Query(min_length=8, max_length=220, pattern=rf"^demand:{_ID}$",
                                     description="需求 id (demand id), demand:…")]
Batch = Annotated[str, Query(pattern=r"^\d{4}H[12]$", description="半年批次 (half-year batch), 如 2025H2")]
Place = Annotated[str, Query(min_length=1, max_length=50)]
Weight = Annotated[float, Query(ge=0, le=100)]


class CandidateKind(StrEnum):
    PERSON = "person"
    TEAM = "team"
    PATENT = "patent"
    ACHIEVEMENT = "achievement"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# --------------------------------------------------------------------------- response models

class Ref(BaseModel):
    """An entity named in a result: id and display name."""

    id: str
    name: str


class NodeRef(BaseModel):
    id: str
    label: str
    name: str


class FactorOut(BaseModel):
    """One factor of a score: its value (0..1), its weight and what it adds to the score."""

    factor: str
    name: str = Field(description="中文名，如 文本相关")
    value: float
    weight: float
    contribution: float


class HopOut(BaseModel):
    type: str
    src: str
    dst: str
    direction: str = Field(description="out：沿路径方向；in：反向 (relationship points along / against the walk)")
    props: dict[str, Any]
    cost: float


class PathOut(BaseModel):
    nodes: list[NodeRef]
    hops: list[HopOut]
    length: int = Field(description="跳数 (hops)")
    cost: float = Field(description="路径代价，越小联系越紧密 (lower = stronger ties)")
    summary: str
    explanation: list[str] = Field(description="每跳一句中文解释 (one Chinese sentence per hop)")


class PathsOut(BaseModel):
    source: NodeRef
    target: NodeRef
    paths: list[PathOut]


class IntroducerOut(BaseModel):
    person: NodeRef
    score: float
    enterprise_cost: float
    researcher_cost: float
    path_count: int
    summary: str
    explanation: list[str]
    best_path: PathOut


class IntroducersOut(BaseModel):
    enterprise: NodeRef
    researcher: NodeRef
    introducers: list[IntroducerOut]


class MatchOut(BaseModel):
    kind: str = Field(description="person | team | patent | achievement | demand")
    kind_name: str
    id: str
    name: str
    organizations: list[Ref]
    score: float = Field(description="综合得分 0..1")
    factors: list[FactorOut]
    explanation: str
    evidence: dict[str, Any]


class MatchesOut(BaseModel):
    query: NodeRef = Field(description="需求，或人员/团队 (the demand, or the person/team)")
    weights: dict[str, float]
    items: list[MatchOut]


class AllianceMemberOut(BaseModel):
    id: str
    name: str
    role: str
    role_name: str
    strength: float
    field_patents: int
    directions: list[Ref]
    team: Ref | None
    explanation: str


class AllianceTieOut(BaseModel):
    a: str
    b: str
    weight: float
    co_patents: int
    collab_pairs: int


class AllianceOut(BaseModel):
    members: list[AllianceMemberOut]
    score: float
    factors: list[FactorOut]
    fields: list[Ref]
    community_size: int
    includes_demand_firm: bool
    ties: list[AllianceTieOut]
    explanation: str


class AlliancesOut(BaseModel):
    rule: dict[str, int]
    items: list[AllianceOut]


class RoleCandidateOut(BaseModel):
    person_id: str
    name: str
    title: str
    organizations: list[Ref]
    score: float
    factors: list[FactorOut]
    explanation: str
    evidence: dict[str, Any]


class ExclusionOut(BaseModel):
    person_id: str
    name: str
    reason: str = Field(description="same_employer | already_appointed | competing_ownership")
    detail: str
    score: float


class RecommendationsOut(BaseModel):
    role: str
    role_name: str
    target: Ref
    fields: list[Ref]
    candidates: list[RoleCandidateOut]
    excluded: list[ExclusionOut] = Field(description="因利益冲突排除的人员及理由 (left out for a conflict of interest)")


class LicenceMatchOut(BaseModel):
    achievement: Ref
    owners: list[Ref]
    patents: list[Ref]
    licence_terms: str
    enterprise: Ref
    score: float
    factors: list[FactorOut]
    explanation: str
    evidence: dict[str, Any]


class LicenceMatchesOut(BaseModel):
    items: list[LicenceMatchOut]


class FieldOut(BaseModel):
    id: str
    name: str
    kind: str


class MeOut(BaseModel):
    name: str
    role: str
    token_id: str
    sees_personal_data: bool
    allowed: list[str] = Field(description="可调用的查询接口 (query routes this role may call)")


# --------------------------------------------------------------------------- masking and audit

_MOBILE = re.compile(r"(?<![\dA-Za-z.])1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<![\dA-Za-z.])0\d{2,3}-\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_TEXT_PATTERNS = (("phone", _MOBILE), ("phone", _LANDLINE), ("email", _EMAIL))


def _scrub(text: str, *, mask: bool) -> tuple[str, set[str]]:
    """Phone numbers and e-mail addresses inside free text: masked (or just detected)."""
    found: set[str] = set()
    for field_name, pattern in _TEXT_PATTERNS:
        if pattern.search(text):
            found.add(field_name)
            if mask:
                text = pattern.sub(lambda m, f=field_name: str(mask_value(f, m.group(0))), text)
    return text, found


def guard(data: Any, user: Principal, audit: AuditLog | None, *, action: str, subject: str) -> Any:
    """Mask personal data in a JSON-like result for roles below matchmaker, or audit its reading.

    Every dict key named in :data:`~api.security.PERSONAL_FIELDS` is personal wherever it sits;
    free text is also searched for phone numbers and e-mail addresses (explanations quote
    records).  For admin and matchmaker nothing is changed and one audit entry per entity whose
    personal data is returned is written (entity = the nearest enclosing object with an ``id``,
    else ``subject``); for the other roles the values are masked and nothing is logged.

    Args:
        data: the result, already plain JSON types (dicts, lists, scalars).
        user: the caller.
        audit: the audit log (None: do not log).
        action: what the read was, e.g. ``paths``.
        subject: the entity the query was about (fallback owner of personal data).

    Returns:
        The same structure, masked when the caller may not see personal data.
    """
    mask = not user.sees_personal_data
    seen: dict[str, set[str]] = {}

    def walk(value: Any, owner: str) -> Any:
        if isinstance(value, dict):
            own = value.get("id") if isinstance(value.get("id"), str) else owner
            out = {}
            for key, item in value.items():
                if key in PERSONAL_FIELDS and item not in (None, ""):
                    seen.setdefault(own, set()).add(key)
                    out[key] = mask_value(key, item) if mask else item
                else:
                    out[key] = walk(item, own)
            return out
        if isinstance(value, list):
            return [walk(v, owner) for v in value]
        if isinstance(value, str) and len(value) >= 7:
            text, found = _scrub(value, mask=mask)
            if found:
                seen.setdefault(owner, set()).update(found)
            return text
        return value

    result = walk(data, subject)
    if not mask and audit is not None:
        for entity_id, fields in sorted(seen.items()):
            audit.record(who=f"{user.name}#{user.token_id}", role=user.role.value, action=action,
                         entity_id=entity_id, fields=sorted(fields))
    return result


# --------------------------------------------------------------------------- conversions

def _plain(value: Any) -> Any:
    """A service result as plain JSON types (pydantic models, dataclasses, tuples, enums)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return jsonable_encoder(value)


def _refs(pairs: Sequence[Sequence[str]] | None) -> list[dict[str, str]]:
    return [{"id": p[0], "name": p[1]} for p in pairs or ()]


def _factors(values: Mapping[str, float], weights: Mapping[str, float],
             names: Mapping[str, str]) -> list[dict[str, Any]]:
    out = []
    for key, value in values.items():
        weight = float(weights.get(key, 0.0))
        out.append({"factor": key, "name": names.get(key, key), "value": float(value),
                    "weight": weight, "contribution": round(weight * float(value), 6)})
    return out


def _node_ref(store: Any, node_id: str) -> dict[str, str]:
    node = store.get_node(node_id)
    if node is None:
        return {"id": node_id, "label": "", "name": node_id}
    return {"id": node.id, "label": node.label.value, "name": node.name}


def _names(store: Any, ids: Sequence[str]) -> dict[str, str]:
    nodes = store.get_nodes(sorted(set(ids))) if ids else {}
    return {i: nodes[i].name if i in nodes else i for i in ids}


def _path_dict(path: Any) -> dict[str, Any]:
    p = _plain(path)
    return {"nodes": p["nodes"], "length": len(p["hops"]), "cost": p["cost"], "summary": p["summary"],
            "explanation": p["explanation"],
            "hops": [{k: h[k] for k in ("type", "src", "dst", "direction", "props", "cost")} for h in p["hops"]]}


def _weights(**given: float | None) -> dict[str, float] | None:
    picked = {k: v for k, v in given.items() if v is not None}
    return picked or None


def parse_rule(text: str | None) -> dict[str, int] | None:
    """``university:1,leading:1,sme:1`` → ``{"university": 1, …}`` (None stays None)."""
    if text is None:
        return None
    rule: dict[str, int] = {}
    for part in text.split(","):
        role, _, count = part.partition(":")
        rule[role] = int(count)
    return rule

# --------------------------------------------------------------------------- answers as shown
# Service results → the plain JSON the API returns (and ``kg … --json`` prints), before masking.

def paths_answer(store: Any, source: str, target: str, found: Sequence[Any]) -> dict[str, Any]:
    """:func:`graph.queries.paths.collaboration_paths` results as :class:`PathsOut` data."""
    return {"source": _node_ref(store, source), "target": _node_ref(store, target),
            "paths": [_path_dict(p) for p in found]}


def introducers_answer(store: Any, enterprise_id: str, researcher_id: str, found: Sequence[Any]) -> dict[str, Any]:
    """:func:`graph.queries.paths.who_can_introduce` results as :class:`IntroducersOut` data."""
    items = []
    for i in found:
        p = _plain(i)
        items.append({"person": p["person"], "score": p["score"], "enterprise_cost": p["enterprise_cost"],
                      "researcher_cost": p["researcher_cost"], "path_count": p["path_count"],
                      "summary": p["summary"], "explanation": p["explanation"],
                      "best_path": _path_dict(i.best_path)})
    return {"enterprise": _node_ref(store, enterprise_id), "researcher": _node_ref(store, researcher_id),
            "introducers": items}


def matches_answer(store: Any, query_id: str, found: Sequence[Any], weights: Mapping[str, float]) -> dict[str, Any]:
    """Matches (either direction) as :class:`MatchesOut` data, each factor with its weight."""
    from graph.queries.matching import FACTOR_NAMES, KIND_NAMES

    items = [{
        "kind": m.kind, "kind_name": KIND_NAMES.get(m.kind, m.kind), "id": m.id, "name": m.name,
        "organizations": _refs(m.organizations), "score": m.score,
        "factors": _factors(m.factors, weights, FACTOR_NAMES), "explanation": m.explanation,
        "evidence": _plain(dict(m.evidence)),
    } for m in found]
    return {"query": _node_ref(store, query_id), "weights": dict(weights), "items": items}


ALLIANCE_WEIGHTS = {"ties": 0.5, "complementarity": 0.5}
ALLIANCE_FACTOR_NAMES = {"ties": "既有合作", "complementarity": "领域互补"}


def alliances_answer(store: Any, found: Sequence[Any], rule: Mapping[str, int]) -> dict[str, Any]:
    """:func:`graph.queries.alliances.alliance_candidates` results as :class:`AlliancesOut` data."""
    ref_ids = {f for a in found for f in a.fields} | {d for a in found for m in a.members for d in m.directions}
    names = _names(store, sorted(ref_ids))
    items = []
    for a in found:
        members = [{
            "id": m.id, "name": m.name, "role": m.role, "role_name": m.role_name, "strength": m.strength,
            "field_patents": m.field_patents,
            "directions": [{"id": d, "name": names.get(d, d)} for d in m.directions],
            "team": {"id": m.team[0], "name": m.team[1]} if m.team else None,
            "explanation": m.explanation,
        } for m in a.members]
        items.append({
            "members": members, "score": a.score,
            "factors": _factors(a.factors, ALLIANCE_WEIGHTS, ALLIANCE_FACTOR_NAMES),
            "fields": [{"id": f, "name": names.get(f, f)} for f in a.fields],
            "community_size": a.community_size, "includes_demand_firm": a.includes_demand_firm,
            "ties": [_plain(t) for t in a.ties], "explanation": a.explanation,
        })
    return {"rule": dict(rule), "items": items}


def recommendations_answer(store: Any, recs: Any) -> dict[str, Any]:
    """A :class:`graph.queries.roles.RoleRecommendations` as :class:`RecommendationsOut` data."""
    from graph.queries.roles import ROLE_FACTOR_NAMES, ROLE_NAMES, ROLE_WEIGHTS

    weights = ROLE_WEIGHTS[recs.role]
    names = _names(store, list(recs.fields))
    return {
        "role": recs.role, "role_name": ROLE_NAMES[recs.role],
        "target": {"id": recs.target_id, "name": recs.target_name},
        "fields": [{"id": f, "name": names.get(f, f)} for f in recs.fields],
        "candidates": [{
            "person_id": c.person_id, "name": c.name, "title": c.title,
            "organizations": _refs(c.organizations), "score": c.score,
            "factors": _factors(c.factors, weights, ROLE_FACTOR_NAMES), "explanation": c.explanation,
            "evidence": _plain(dict(c.evidence)),
        } for c in recs.candidates],
        "excluded": [_plain(e) for e in recs.excluded],
    }


def licence_answer(found: Sequence[Any]) -> dict[str, Any]:
    """:func:`graph.queries.licensing.open_licence_matches` results as :class:`LicenceMatchesOut` data."""
    from graph.queries.licensing import LICENCE_FACTOR_NAMES, LICENCE_WEIGHTS

    items = []
    for m in found:
        factors = {k: v for k, v in m.factors.items() if k in LICENCE_WEIGHTS}
        items.append({
            "achievement": {"id": m.achievement_id, "name": m.achievement_name},
            "owners": _refs(m.owners), "patents": _refs(m.patents), "licence_terms": m.licence_terms,
            "enterprise": {"id": m.enterprise_id, "name": m.enterprise_name}, "score": m.score,
            "factors": _factors(factors, LICENCE_WEIGHTS, LICENCE_FACTOR_NAMES),
            "explanation": m.explanation, "evidence": _plain(dict(m.evidence)),
        })
    return {"items": items}



# --------------------------------------------------------------------------- who am I, fields

@router.get("/me", tags=["system"], response_model=MeOut, summary="当前令牌的身份与权限 (who am I)",
            description=_doc("返回令牌持有人、角色、是否可见个人信息，以及可调用的查询接口。",
                             "The token holder, role, whether personal data is shown unmasked, and "
                             "the query routes the role may call.", "GET /me"))
def me(user: Anyone) -> MeOut:
    allowed = [route for route, roles in ROUTE_ROLES.items() if user.role in roles]
    return MeOut(name=user.name, role=user.role.value, token_id=user.token_id,
                 sees_personal_data=user.sees_personal_data, allowed=allowed)


class FieldKind(StrEnum):
    INDUSTRY = "industry"
    IPC_SECTION = "ipc_section"
    IPC_CLASS = "ipc_class"
    GENERAL = "general"


@router.get("/fields", tags=["search"], response_model=list[FieldOut],
            summary="技术领域列表 (fields, e.g. the province's key industries)",
            description=_doc("按类型列出领域节点（默认省重点产业 industry），用于联合体与开放许可的领域选择。",
                             "Field nodes of a kind (default: the province's key industries), for "
                             "picking the field of an alliance or open-licence query.", "GET /fields"))
def fields(
    store: StoreDep,
    user: Anyone,
    kind: Annotated[FieldKind, Query(description="领域类型 (kind of field)")] = FieldKind.INDUSTRY,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[FieldOut]:
    nodes = store.find_nodes(NodeLabel.FIELD, where={"kind": kind.value}, limit=limit)
    return [FieldOut(id=n.id, name=n.name, kind=str(n.props.get("kind", ""))) for n in nodes]


# --------------------------------------------------------------------------- paths

@router.get("/paths", tags=["paths"], response_model=PathsOut,
            summary="两个实体之间的合作路径 (collaboration paths between two entities)",
            description=_doc(
                "两个实体（人员、团队、机构、专利、需求、成果）之间最强的 k 条短路径，按路径代价排序，"
                "每跳附中文解释。默认不经过领域与主题节点（through_fields=true 时允许）。",
                "The k strongest short chains of ties between two entities, ranked by cost, each hop "
                "explained in Chinese. Field and Topic nodes are left out unless through_fields=true.",
                "GET /paths"))
def collaboration_paths(
    store: StoreDep,
    audit: AuditDep,
    user: Anyone,
    source: AnyId,
    target: AnyId,
    k: Annotated[int, Query(ge=1, le=10, description="路径条数")] = 3,
    max_hops: Annotated[int, Query(ge=1, le=6, description="最长跳数")] = 4,
    include_labels: Annotated[list[NodeLabel] | None, Query(max_length=8, description="中间节点只允许这些类型")] = None,
    exclude_labels: Annotated[list[NodeLabel] | None, Query(max_length=8, description="中间节点排除这些类型")] = None,
    include_rel_types: Annotated[list[RelType] | None, Query(max_length=15, description="只走这些关系")] = None,
    exclude_rel_types: Annotated[list[RelType] | None, Query(max_length=15, description="不走这些关系")] = None,
    through_fields: Annotated[bool, Query(description="允许经过领域/主题节点")] = False,
    as_of: Annotated[int | None, Query(ge=1900, le=2200, description="计算“近期”的基准年份")] = None,
) -> PathsOut:
    from graph.queries.paths import collaboration_paths as find_paths

    if exclude_labels is None and through_fields:
        exclude_labels = []
    found = find_paths(
        store, source, target, k=k, max_hops=max_hops, include_labels=include_labels,
        exclude_labels=exclude_labels, include_rel_types=include_rel_types,
        exclude_rel_types=exclude_rel_types, as_of=as_of,
    )
    data = paths_answer(store, source, target, found)
    return PathsOut.model_validate(guard(data, user, audit, action="paths", subject=source))


@router.get("/introduce", tags=["paths"], response_model=IntroducersOut,
            summary="谁能引荐：企业与研究人员之间的引荐人 (who can introduce a firm to a researcher)",
            description=_doc(
                "在企业与研究人员之间的候选路径上找出可以引荐的人，按与双方关系的紧密程度排序，附最佳路径与解释。",
                "People on the chains between an enterprise and a researcher who could introduce them, "
                "ranked by how well they know both sides, each with the best path explained.",
                "GET /introduce"))
def who_can_introduce(
    store: StoreDep,
    audit: AuditDep,
    user: Anyone,
    enterprise_id: OrgId,
    researcher_id: PersonId,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    max_hops: Annotated[int, Query(ge=2, le=6)] = 4,
) -> IntroducersOut:
    from graph.queries.paths import who_can_introduce as introducers

    found = introducers(store, enterprise_id, researcher_id, limit=limit, max_hops=max_hops)
    data = introducers_answer(store, enterprise_id, researcher_id, found)
    return IntroducersOut.model_validate(guard(data, user, audit, action="introduce", subject=researcher_id))


# --------------------------------------------------------------------------- matching

@router.get("/demands/{demand_id}/matches", tags=["matching"], response_model=MatchesOut,
            summary="需求的对接候选：人员、团队、专利、成果 (researchers, teams, patents, results for a demand)",
            description=_doc(
                "按文本相关、领域匹配、成果基础、地域与关系、负荷五个因子打分排序，附每个因子的得分与中文推荐理由。"
                "权重可用 w_text 等参数覆盖（自动归一化）。",
                "Candidates for a demand scored on five factors (text, field, track record, proximity, "
                "load) with the breakdown and a Chinese explanation. Override weights with w_* "
                "(normalised to sum 1).",
                "GET /demands/{demand_id}/matches"))
def demand_matches(
    store: StoreDep,
    audit: AuditDep,
    user: Matcher,
    demand_id: Annotated[str, Path(min_length=8, max_length=220, pattern=rf"^demand:{_ID}$",
                                   description="需求 id (demand id)")],
    kinds: Annotated[list[CandidateKind] | None, Query(max_length=4, description="候选类型，默认全部")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    province: Place | None = None,
    city: Place | None = None,
    w_text: Weight | None = None,
    w_field: Weight | None = None,
    w_track: Weight | None = None,
    w_proximity: Weight | None = None,
    w_load: Weight | None = None,
) -> MatchesOut:
    from graph.queries.matching import KINDS, match_demand, resolve_weights

    weights = _weights(text=w_text, field=w_field, track=w_track, proximity=w_proximity, load=w_load)
    resolved = resolve_weights(weights)
    found = match_demand(store, demand_id, kinds=[k.value for k in kinds] if kinds else KINDS,
                         limit=limit, weights=weights, province=province, city=city)
    data = matches_answer(store, demand_id, found, resolved)
    return MatchesOut.model_validate(guard(data, user, audit, action="matches", subject=demand_id))


@router.get("/researchers/{researcher_id}/demands", tags=["matching"], response_model=MatchesOut,
            summary="适合某研究人员或团队的企业需求 (open demands that fit a researcher or team)",
            description=_doc(
                "反向对接：为人员或团队找出匹配的在办企业需求，可按半年批次过滤。",
                "The reverse of demand matching: open enterprise demands that fit a person or team, "
                "optionally of one half-year batch.",
                "GET /researchers/{researcher_id}/demands"))
def researcher_demands(
    store: StoreDep,
    audit: AuditDep,
    user: Matcher,
    researcher_id: Annotated[str, Path(min_length=6, max_length=220, pattern=rf"^(person|team):{_ID}$",
                                       description="人员或团队 id (person:… or team:…)")],
    batch: Batch | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    w_text: Weight | None = None,
    w_field: Weight | None = None,
    w_track: Weight | None = None,
    w_proximity: Weight | None = None,
    w_load: Weight | None = None,
) -> MatchesOut:
    from graph.queries.matching import match_researcher, resolve_weights

    weights = _weights(text=w_text, field=w_field, track=w_track, proximity=w_proximity, load=w_load)
    resolved = resolve_weights(weights)
    found = match_researcher(store, researcher_id, batch=batch, limit=limit, weights=weights)
    data = matches_answer(store, researcher_id, found, resolved)
    return MatchesOut.model_validate(guard(data, user, audit, action="researcher-demands", subject=researcher_id))


_MEDIA = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/matching-list", tags=["matching"], response_class=FileResponse,
            summary="下载半年批次的对接清单 (download the matching list of a batch, CSV or XLSX)",
            description=_doc(
                "揭榜挂帅对接清单：批次内每条需求的前 per_demand 名候选及推荐理由，CSV（UTF-8 BOM）或 XLSX。"
                "需求较多时生成需要数十秒。",
                "The matching list (揭榜挂帅) of a half-year batch: the best per_demand candidates of "
                "every demand with reasons, as CSV (UTF-8 with BOM) or XLSX. Large batches take tens "
                "of seconds.",
                "GET /matching-list"),
            responses={200: {"description": "对接清单文件 (the file)",
                             "content": {_MEDIA[ExportFormat.CSV]: {"schema": {"type": "string"}},
                                         _MEDIA[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}}}}})
def matching_list(
    store: StoreDep,
    audit: AuditDep,
    user: Exporter,
    batch: Batch,
    fmt: Annotated[ExportFormat, Query(alias="format", description="csv 或 xlsx")] = ExportFormat.XLSX,
    per_demand: Annotated[int, Query(ge=1, le=20, description="每条需求的候选数")] = 5,
) -> FileResponse:
    from graph.queries.export import export_matching_list

    folder = FilePath(tempfile.mkdtemp(prefix="kg-export-"))
    target = folder / f"matching-list-{batch}.{fmt.value}"
    try:
        summary = export_matching_list(store, batch, target, fmt.value, per_demand=per_demand)
    except BaseException:
        _remove(folder)
        raise
    # Only admin and matchmaker get here: the list names people, so its reading is on record.
    audit.record(who=f"{user.name}#{user.token_id}", role=user.role.value, action="export",
                 entity_id=f"matching-list:{batch}", fields=["name"])
    return FileResponse(
        summary.path, media_type=_MEDIA[fmt], filename=summary.path.name,
        headers={"X-Demands": str(summary.demands), "X-Rows": str(summary.rows)},
        background=BackgroundTask(_remove, folder),
    )


class ExportJobIn(BaseModel):
    batch: str = Field(pattern=r"^\d{4}H[12]$", description="半年批次 (half-year batch), 如 2025H2")
    format: ExportFormat = Field(default=ExportFormat.XLSX, description="csv 或 xlsx")
    per_demand: int = Field(default=5, ge=1, le=20, description="每条需求的候选数")


@router.post("/matching-list/jobs", tags=["matching"], status_code=202,
             summary="后台生成半年批次的对接清单 (matching list as a background job)",
             description=_doc(
                 "大批次（数千条需求）的对接清单需要几分钟：提交后立即返回任务编号；用 GET /jobs/{job_id} 查看进度，"
                 "完成后从 GET /jobs/{job_id}/file 下载（保留 7 天）。",
                 "A large batch (thousands of demands) takes minutes: this returns a job id at once; "
                 "poll GET /jobs/{job_id} and download from GET /jobs/{job_id}/file when it is done "
                 "(kept 7 days).",
                 "POST /matching-list/jobs"))
def matching_list_job(request: Request, user: Exporter, body: ExportJobIn) -> dict[str, Any]:
    return request.app.state.jobs.submit_export(body.batch, body.format.value, body.per_demand,
                                                who=f"{user.name}#{user.token_id}")


@router.get("/jobs/{job_id}/file", tags=["matching"], response_class=FileResponse,
            summary="下载后台生成的对接清单 (download a finished matching-list job)",
            description=_doc(
                "任务完成后返回文件；未完成返回 409 及当前状态；未知、失败或过期的任务返回 404。",
                "The file once the job is done; 409 with the job's status while it is queued or "
                "running; 404 for an unknown, failed or expired job.",
                "GET /jobs/{job_id}/file"),
            responses={200: {"description": "对接清单文件 (the file)",
                             "content": {_MEDIA[ExportFormat.CSV]: {"schema": {"type": "string"}},
                                         _MEDIA[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}}}},
                       409: {"description": "任务尚未完成 (the job is not finished)"}})
def job_file(
    request: Request,
    audit: AuditDep,
    user: Exporter,
    job_id: Annotated[str, Path(pattern=r"^job-[0-9a-f]{12}$")],
) -> FileResponse:
    jobs = request.app.state.jobs
    job = jobs.get(job_id)
    if job is None or job.get("kind") != "export":
        raise NotFound(job_id)
    if job["status"] in ("queued", "running"):
        raise HTTPException(409, f"对接清单尚在生成，稍后再试 (the export is {job['status']})")
    if job["status"] == "failed":
        raise HTTPException(404, f"对接清单生成失败 (the export failed): {job.get('error', '')}")
    path = jobs.export_file(job_id)
    if path is None:
        raise HTTPException(404, "对接清单文件已过期删除，请重新提交 (the export file has expired)")
    audit.record(who=f"{user.name}#{user.token_id}", role=user.role.value, action="export",
                 entity_id=f"matching-list:{job['batch']}", fields=["name"])
    return FileResponse(path, media_type=_MEDIA[ExportFormat(job["format"])], filename=path.name,
                        headers={"X-Demands": str(job["demands"]), "X-Rows": str(job["rows"])})


def _remove(folder: FilePath) -> None:
    for f in folder.iterdir():
        f.unlink(missing_ok=True)
    folder.rmdir()


# --------------------------------------------------------------------------- alliances

_RULE_PATTERN = r"^[a-z]{2,12}:\d{1,2}(,[a-z]{2,12}:\d{1,2}){0,5}$"


@router.get("/alliances", tags=["alliances"], response_model=AlliancesOut,
            summary="创新联合体候选：高校 + 龙头企业 + 中小企业 (alliance candidates for a field or demand)",
            description=_doc(
                "在某领域（或某需求的领域）的机构合作网络中发现社区，保留符合组成规则的核心成员，"
                "按既有合作强度与领域互补度打分。规则形如 university:1,leading:1,sme:1。",
                "Communities of organisations that already work together in a field (or a demand's "
                "fields), kept when they meet the composition rule (e.g. university:1,leading:1,sme:1), "
                "scored on existing ties and complementarity.",
                "GET /alliances"))
def alliances(
    store: StoreDep,
    audit: AuditDep,
    user: Organiser,
    field_id: FieldId | None = None,
    demand_id: DemandQueryId | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    rule: Annotated[str | None, Query(max_length=120, pattern=_RULE_PATTERN,
                                      description="组成规则 角色:最少数量，角色可为 university、institute、"
                                                  "research、leading、sme、enterprise")] = None,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 42,
    max_members: Annotated[int, Query(ge=2, le=30)] = 8,
) -> AlliancesOut:
    from graph.queries.alliances import DEFAULT_RULE, alliance_candidates

    if field_id is None and demand_id is None:
        raise QueryError("请指定 field_id（领域）或 demand_id（需求）(give field_id or demand_id)")
    parsed = parse_rule(rule)
    found = alliance_candidates(store, field_id=field_id, demand_id=demand_id, limit=limit,
                                rule=parsed, seed=seed, max_members=max_members)
    data = alliances_answer(store, found, parsed or dict(DEFAULT_RULE))
    return AlliancesOut.model_validate(
        guard(data, user, audit, action="alliances", subject=field_id or demand_id or ""))


# --------------------------------------------------------------------------- people for roles

def _recommended(store: Any, audit: AuditLog, user: Principal, recs: Any, action: str) -> RecommendationsOut:
    data = recommendations_answer(store, recs)
    return RecommendationsOut.model_validate(guard(data, user, audit, action=action, subject=recs.target_id))


@router.get("/recommendations/industry-professors", tags=["roles"], response_model=RecommendationsOut,
            summary="为高校推荐产业教授 (enterprise experts as industry professors of a university)",
            description=_doc(
                "从企业专家中为高校（或学院）推荐产业教授，按领域匹配、资历、成果基础、既有联系、负荷打分；"
                "本校在职或已在任者列入 excluded 并说明原因。",
                "Enterprise experts to appoint as industry professors of a university or college, "
                "scored on field, seniority, track record, ties and load; the university's own staff "
                "and people already appointed are listed in `excluded` with the reason.",
                "GET /recommendations/industry-professors"))
def industry_professors(
    store: StoreDep,
    audit: AuditDep,
    user: Matcher,
    university_id: UniversityId,
    field_id: FieldId | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> RecommendationsOut:
    from graph.queries.roles import recommend_industry_professors

    recs = recommend_industry_professors(store, university_id, field_id=field_id, limit=limit)
    return _recommended(store, audit, user, recs, "industry-professors")


@router.get("/recommendations/tech-mentors", tags=["roles"], response_model=RecommendationsOut,
            summary="为企业推荐技术导师 (university experts as technology mentors of an enterprise)",
            description=_doc(
                "为企业（通常是专精特新中小企业）推荐高校副高及以上专家担任技术导师；企业内部人员、"
                "已在任者、持有竞争对手共有专利者列入 excluded。",
                "University experts (associate level and up) to mentor an enterprise, typically a "
                "专精特新 SME; the firm's own staff, people already appointed and inventors of patents "
                "co-owned by a competitor are listed in `excluded`.",
                "GET /recommendations/tech-mentors"))
def tech_mentors(
    store: StoreDep,
    audit: AuditDep,
    user: Matcher,
    enterprise_id: OrgId,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> RecommendationsOut:
    from graph.queries.roles import recommend_tech_mentors

    return _recommended(store, audit, user, recommend_tech_mentors(store, enterprise_id, limit=limit),
                        "tech-mentors")


@router.get("/recommendations/liaisons", tags=["roles"], response_model=RecommendationsOut,
            summary="为企业推荐高校联络员 (PhD students and young faculty as university liaisons)",
            description=_doc(
                "为企业推荐博士研究生与青年教师担任高校联络员，增加地域与科研活跃度因子。",
                "PhD students and young faculty to act as university liaisons for an enterprise; "
                "adds proximity and research activity factors.",
                "GET /recommendations/liaisons"))
def liaisons(
    store: StoreDep,
    audit: AuditDep,
    user: Matcher,
    enterprise_id: OrgId,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> RecommendationsOut:
    from graph.queries.roles import recommend_liaisons

    return _recommended(store, audit, user, recommend_liaisons(store, enterprise_id, limit=limit), "liaisons")


# --------------------------------------------------------------------------- open licensing

@router.get("/open-licence", tags=["licensing"], response_model=LicenceMatchesOut,
            summary="开放许可成果与企业的匹配 (open-licence results matched to enterprises)",
            description=_doc(
                "给定企业：适合它的开放许可成果；只给领域：该领域的（成果，中小企业）配对。"
                "按文本相关、领域匹配、成熟度、地域与关系打分。",
                "With enterprise_id: open-licence results for that firm; with field_id alone: "
                "(result, SME) pairs of the field. Scored on text, field, maturity and proximity.",
                "GET /open-licence"))
def open_licence(
    store: StoreDep,
    audit: AuditDep,
    user: Matcher,
    enterprise_id: OrgId | None = None,
    field_id: FieldId | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> LicenceMatchesOut:
    from graph.queries.licensing import open_licence_matches

    if enterprise_id is None and field_id is None:
        raise QueryError("请指定 enterprise_id（企业）或 field_id（领域）(give enterprise_id or field_id)")
    found = open_licence_matches(store, enterprise_id=enterprise_id, field_id=field_id, limit=limit)
    return LicenceMatchesOut.model_validate(
        guard(licence_answer(found), user, audit, action="open-licence", subject=enterprise_id or field_id or ""))


def check_route_roles(routes: APIRouter, *, listed_only: bool = False) -> None:
    """Refuse to start when a route's role dependency and :data:`ROUTE_ROLES` disagree.

    ``listed_only``: check just the routes :data:`ROUTE_ROLES` names (for routers whose other
    routes it does not describe).
    """
    from fastapi.routing import APIRoute

    for route in routes.routes:
        if not isinstance(route, APIRoute):
            continue
        enforced = [frozenset(d.call.allowed_roles) for d in route.dependant.dependencies
                    if hasattr(d.call, "allowed_roles")]
        for method in route.methods:
            key = f"{method} {route.path}"
            if listed_only and key not in ROUTE_ROLES:
                continue
            if enforced != [frozenset(ROUTE_ROLES.get(key, ()))]:
                raise AssertionError(f"{key}: roles enforced {enforced} differ from ROUTE_ROLES")


check_route_roles(router)
