"""Response and request models of the HTTP API (bounded inputs, explicit outputs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["EntityOut", "SearchOut", "RelOut", "EntityDetail", "StatsOut", "Page"]


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
