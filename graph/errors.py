"""The project's exceptions: one root, one subclass per failure.

Messages are written for the person who has to act on them, in Chinese first with an
English gloss where it helps (the CLI and API show them as they are).
"""

from __future__ import annotations

__all__ = [
    "KGError",
    "ConfigError",
    "SchemaError",
    "ValidationFailed",
    "NotFound",
    "StoreError",
    "StoreUnavailable",
    "DanglingRelationship",
    "IngestError",
    "QueryError",
]


class KGError(Exception):
    """Root of every error raised on purpose by XiaoQi Graph."""


class ConfigError(KGError):
    """Configuration is missing or unsafe (e.g. a placeholder secret outside development)."""


class SchemaError(KGError):
    """A label, relationship type or endpoint pair outside the allow-list."""


class ValidationFailed(KGError):
    """A record failed validation; ``where`` names the file/row/field when known."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class NotFound(KGError):
    """An entity id that is not in the graph."""

    def __init__(self, entity_id: str) -> None:
        self.entity_id = entity_id
        super().__init__(f"图中没有该实体 (no such entity): {entity_id}")


class StoreError(KGError):
    """The store failed to read or write."""


class StoreUnavailable(StoreError):
    """The configured store cannot be reached."""


class DanglingRelationship(StoreError):
    """A relationship names an endpoint that is not in the graph."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        super().__init__(
            f"关系的端点不存在 (relationship endpoint not in graph): {shown}; "
            "write the nodes before the relationships"
        )


class IngestError(KGError):
    """A whole input could not be ingested (a bad row is quarantined instead)."""


class QueryError(KGError):
    """A query was asked with arguments it cannot answer (bad bounds, unknown kinds)."""
