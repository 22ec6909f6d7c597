"""Search, entity detail with provenance, statistics, people corrections, ingest jobs."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field

from api.deps import ALL_ROLES, AuditDep, StoreDep, require_roles
from api.schemas import EntityDetail, EntityOut, RelOut, SearchOut, StatsOut
from api.security import Principal, Role, mask_props
from graph.errors import NotFound
from graph.model import NodeLabel, NodeRecord

router = APIRouter()

AnyRole = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
Curators = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.MATCHMAKER))]
EntityId = Annotated[str, Path(min_length=3, max_length=220, pattern=r"^[a-z_]+:[^\s]+$",
                               description="实体 id，如 person:…、org:edu_4123010213")]

_KIND_LABELS = {
    "person": NodeLabel.PERSON, "team": NodeLabel.TEAM, "organization": NodeLabel.ORGANIZATION,
    "patent": NodeLabel.PATENT, "achievement": NodeLabel.ACHIEVEMENT, "demand": NodeLabel.DEMAND,
    "field": NodeLabel.FIELD, "topic": NodeLabel.TOPIC,
}


def present(node: NodeRecord, user: Principal, audit: Any | None = None, *, action: str = "read") -> tuple[EntityOut, list[str]]:
    """An entity as this user may see it; unmasked personal reads go to the audit log."""
    props = {k: v for k, v in node.props.items() if k not in ("source", "source_key", "run_id")}
    masked: list[str] = []
    if user.sees_personal_data:
        personal = [f for f in ("phone", "email", "id_number", "birth_date", "contact_phone") if props.get(f) is not None]
        if personal and audit is not None:
            audit.record(who=f"{user.name}#{user.token_id}", role=user.role.value, action=action,
                         entity_id=node.id, fields=personal)
    else:
        props, masked = mask_props(props)
    return EntityOut(id=node.id, label=node.label.value, name=node.name, props=props), masked


@router.get("/health", tags=["system"], summary="健康检查 (health)")
def health(request: Request) -> dict[str, str]:
    warm = getattr(request.app.state, "warm_up", None)
    return {"status": "ok", "backend": request.app.state.store.backend,
            "warm_up": warm.state if warm is not None else "off"}


@router.get("/search", tags=["search"], response_model=SearchOut,
            summary="按名称或关键词搜索 (search by name or keyword, Chinese)")
def search(
    store: StoreDep,
    user: AnyRole,
    audit: AuditDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称片段，如 焊接 / 哈工大")],
    kind: Annotated[str | None, Query(pattern="^(person|team|organization|patent|achievement|demand|field|topic)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> SearchOut:
    label = _KIND_LABELS[kind] if kind else None
    text = q.strip()
    hits = store.find_nodes(label, name_contains=text, limit=limit, offset=offset)
    if not hits and not kind:
        # Abbreviations (哈工大) resolve through the organisation gazetteer.
        from nlp.orgs import resolve_org

        try:
            match = resolve_org(text)
        except ValueError:  # punctuation only: nothing to resolve
            match = None
        if match is not None and match.canonical_name and match.canonical_name != text:
            hits = store.find_nodes(NodeLabel.ORGANIZATION, name_contains=match.canonical_name,
                                    limit=limit, offset=offset)
    items = [present(n, user, audit, action="search")[0] for n in hits]
    return SearchOut(total=offset + len(items), limit=limit, offset=offset, items=items)


@router.get("/entities/{entity_id}", tags=["search"], response_model=EntityDetail,
            summary="实体详情与来源 (entity detail with provenance)")
def entity(
    store: StoreDep,
    user: AnyRole,
    audit: AuditDep,
    entity_id: EntityId,
    rel_limit: Annotated[int, Query(ge=0, le=500)] = 100,
) -> EntityDetail:
    node = store.get_node(entity_id)
    if node is None:
        raise NotFound(entity_id)
    out, masked = present(node, user, audit)
    rels = store.relationships(entity_id, limit=rel_limit)
    others = store.get_nodes({r.dst if r.src == entity_id else r.src for r in rels})
    rel_out = []
    for r in rels:
        other_id = r.dst if r.src == entity_id else r.src
        other = others.get(other_id)
        rel_out.append(RelOut(
            type=r.type.value, direction="out" if r.src == entity_id else "in", other_id=other_id,
            other_label=other.label.value if other else "", other_name=other.name if other else other_id,
            props={k: v for k, v in r.props.items() if k not in ("run_id",)},
        ))
    provenance = {k: node.props.get(k) for k in ("source", "source_key", "run_id")}
    if user.role is not Role.ADMIN and isinstance(provenance["source"], str):
        # Server paths are for administrators; others see the file name it came from.
        provenance["source"] = PurePath(provenance["source"]).name
    return EntityDetail(entity=out, provenance=provenance, relationships=rel_out, masked_fields=masked)


@router.get("/stats", tags=["search"], response_model=StatsOut, summary="图谱规模 (counts)")
def stats(store: StoreDep, user: AnyRole) -> StatsOut:
    c = store.counts()
    return StatsOut(backend=store.backend, nodes=c.nodes, relationships=c.relationships)


# --------------------------------------------------------------------------- people

class MergeIn(BaseModel):
    a: str = Field(min_length=3, max_length=200, pattern=r"^person:\S+$")
    b: str = Field(min_length=3, max_length=200, pattern=r"^person:\S+$")
    note: str = Field(default="", max_length=500)


class SplitIn(BaseModel):
    person_id: str = Field(min_length=3, max_length=200, pattern=r"^person:\S+$")
    mentions: list[Annotated[str, Field(min_length=3, max_length=200)]] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=500)


class ReviewSide(BaseModel):
    mention_id: str
    kind: str = Field(description="cv / patent / demand / achievement")
    kind_name: str
    person_id: str | None = Field(description="该提及当前所属人员 (the person the mention belongs to now)")
    source: str = ""
    source_key: str | None = None
    organisations: list[str] = []
    titles: list[str] = []
    birth_year: int | None = None
    years: list[int] = []
    topics: list[str] = []
    patents: list[str] = []
    co_names: list[str] = Field(default=[], description="合作者姓名 (co-inventors' names)")


class ReviewPair(BaseModel):
    a: str
    b: str
    name: str
    score: float
    evidence: list[str]
    sides: list[ReviewSide]


class ReviewPage(BaseModel):
    total: int = Field(description="符合条件的人员对总数")
    offset: int
    items: list[ReviewPair]


@router.get("/people/review", tags=["people"], response_model=ReviewPage,
            summary="待复核的同名人员对 (grey-zone pairs, a page at a time)",
            description="得分从高到低；name 只看姓名含该字串的对。用 POST /people/merge 合并，或 POST /people/keep-apart "
                        "判定为不同的人；两者都使该对离开列表，重新导入后仍然有效。")
def people_review(
    store: StoreDep, user: Curators,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    name: Annotated[str, Query(max_length=20, description="姓名包含 (name contains)")] = "",
) -> ReviewPage:
    from ingest.review import review_pairs

    page = review_pairs(store, name=name.strip(), offset=offset, limit=limit)
    return ReviewPage(total=page.total, offset=page.offset, items=page.items)


class KeepApartIn(BaseModel):
    a: str = Field(min_length=3, max_length=200, pattern=r"^[a-z]+:\S+$", description="提及 id (mention id)")
    b: str = Field(min_length=3, max_length=200, pattern=r"^[a-z]+:\S+$", description="提及 id (mention id)")
    note: str = Field(default="", max_length=500)


@router.post("/people/keep-apart", tags=["people"], summary="判定同名的两个提及为不同的人 (keep two mentions apart)")
def people_keep_apart(store: StoreDep, user: Curators, body: KeepApartIn) -> dict[str, list[str]]:
    from ingest.people import keep_apart

    return {"person_ids": keep_apart(store, body.a, body.b, note=f"{body.note} ({user.name})")}


@router.post("/people/merge", tags=["people"], summary="合并两个同名人员 (merge)")
def people_merge(store: StoreDep, user: Curators, body: MergeIn) -> dict[str, str]:
    from ingest.people import merge_people

    return {"person_id": merge_people(store, body.a, body.b, note=f"{body.note} ({user.name})")}


@router.post("/people/split", tags=["people"], summary="拆分人员的部分提及 (split)")
def people_split(store: StoreDep, user: Curators, body: SplitIn) -> dict[str, list[str]]:
    from ingest.people import split_person

    return {"person_ids": split_person(store, body.person_id, body.mentions, note=f"{body.note} ({user.name})")}


# --------------------------------------------------------------------------- ingest jobs

@router.post("/ingest", tags=["ingest"], status_code=202,
             summary="上传文件导入（后台任务）(upload files for ingest; processed as a job)",
             description="单次上传总大小上限见 KG_MAX_UPLOAD_BYTES（默认 50 MB），超过返回 413。")
async def ingest_upload(
    request: Request,
    user: Curators,
    files: Annotated[list[UploadFile], File(description="简历/专利/需求/企业名录/成果文件")],
) -> dict[str, Any]:
    if not files or len(files) > 100:
        raise HTTPException(422, "需要 1–100 个文件 (1 to 100 files)")
    payload = [(f.filename or "upload", await f.read()) for f in files]
    return request.app.state.jobs.submit(payload, who=user.name)


@router.get("/jobs/{job_id}", tags=["ingest"], summary="导入任务状态 (job status)")
def job_status(
    request: Request,
    user: Curators,
    job_id: Annotated[str, Path(pattern=r"^job-[0-9a-f]{12}$")],
) -> dict[str, Any]:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise NotFound(job_id)
    return job


def _check_roles() -> None:
    from api.routes.queries import check_route_roles

    check_route_roles(router, listed_only=True)


_check_roles()
