"""Response and request models of the HTTP API (bounded inputs, explicit outputs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["EntityOut", "SearchOut", "RelOut", "EntityDetail", "StatsOut", "Page", "ErrorOut", "ERROR_RESPONSES"]


class EntityOut(BaseModel):
    id: str
    label: str
    name: str
    props: dict[str, Any] = Field(description="属性；个人信息按角色脱敏 (personal data masked by role)")


class SearchOut(BaseModel):
    total: int = Field(description="本页之前与本页的条数下限 (items seen up to this page)")
    limit: int
    offset: int
    items: list[EntityOut]


class RelOut(BaseModel):
    type: str
    direction: str
    other_id: str
    other_label: str
    other_name: str
    props: dict[str, Any]


class EntityDetail(BaseModel):
    entity: EntityOut
    provenance: dict[str, Any]
    relationships: list[RelOut]
    masked_fields: list[str] = Field(default_factory=list)


class StatsOut(BaseModel):
    backend: str
    nodes: dict[str, int]
    relationships: dict[str, int]


class Page(BaseModel):
    limit: int
    offset: int


class ErrorOut(BaseModel):
    """The body of every error reply (see ``api.app._install_error_handlers``)."""

    detail: str
    errors: list[dict[str, Any]] | None = Field(default=None, description="参数错误明细 (422 only)")


#: Error replies any API route can give, documented once for the whole API (OpenAPI).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "请求无法处理 (the request cannot be answered)"},
    401: {"model": ErrorOut, "description": "缺少或无效的令牌 (missing or invalid bearer token)"},
    403: {"model": ErrorOut, "description": "角色无权访问 (role not allowed)"},
    404: {"model": ErrorOut, "description": "实体不存在 (no such entity)"},
    413: {"model": ErrorOut, "description": "请求体过大 (request body too large)"},
    422: {"model": ErrorOut, "description": "参数不合法 (invalid parameters)"},
    429: {"model": ErrorOut, "description": "请求过于频繁 (rate limit exceeded)"},
    503: {"model": ErrorOut, "description": "存储不可用 (store unavailable)"},
}
