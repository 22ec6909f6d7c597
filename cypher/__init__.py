"""The Cypher text of XiaoQi Graph, one query per file, loaded by name.

Values only ever travel as ``$parameters``.  A few write queries need a label or relationship
type in their text (Cypher cannot parameterise those and still use an index); such a file marks
the place with ``{{label}}`` / ``{{rel_type}}`` and :func:`render` fills it from the allow-list
enums only, backtick-escaped; ``{{set_rel_props}}`` expands to one ``r.`key` = row.props.`key```
assignment per allowed property of the relationship type (:data:`graph.model.REL_PROPERTIES`).

Schema changes live in ``schema/V<version>__<name>.cypher`` and are applied once each, in order.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from graph.errors import SchemaError
from graph.model import REL_PROPERTIES, NodeLabel, RelType

__all__ = ["CYPHER_DIR", "load", "render", "escape_identifier", "migrations"]

CYPHER_DIR = Path(__file__).resolve().parent
_SLOT = re.compile(r"\{\{\s*(label|rel_type|set_rel_props)\s*\}\}")


@cache
def load(name: str) -> str:
    """The text of ``cypher/<name>.cypher`` (e.g. ``load("write/upsert_nodes")``).

    Raises:
        FileNotFoundError: naming the queries that exist.
    """
    path = (CYPHER_DIR / f"{name}.cypher").resolve()
    if CYPHER_DIR not in path.parents or not path.is_file():
        known = sorted(str(p.relative_to(CYPHER_DIR))[:-7] for p in CYPHER_DIR.rglob("*.cypher"))
        raise FileNotFoundError(f"no Cypher query {name!r}; available: {', '.join(known)}")
    return path.read_text(encoding="utf-8")


def escape_identifier(name: str) -> str:
    """Backtick-quote an identifier, doubling any backtick inside it."""
    return "`" + name.replace("`", "``") + "`"


def render(name: str, *, label: NodeLabel | None = None, rel_type: RelType | None = None) -> str:
    """Load a query and fill its ``{{label}}``/``{{rel_type}}`` slots from the enums.

    Raises:
        SchemaError: a slot is filled with something outside the allow-list, or left empty.
    """
    text = load(name)
    values: dict[str, str] = {}
    if label is not None:
        if not isinstance(label, NodeLabel):
            raise SchemaError(f"label must be a NodeLabel, got {label!r}")
        values["label"] = escape_identifier(label.value)
    if rel_type is not None:
        if not isinstance(rel_type, RelType):
            raise SchemaError(f"relationship type must be a RelType, got {rel_type!r}")
        values["rel_type"] = escape_identifier(rel_type.value)
        values["set_rel_props"] = ", ".join(
            f"r.{escape_identifier(k)} = row.props.{escape_identifier(k)}"
            for k in REL_PROPERTIES[rel_type]
        )

    def fill(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot not in values:
            raise SchemaError(f"query {name!r} needs {slot}")
        return values[slot]

    return _SLOT.sub(fill, text)


def migrations() -> list[tuple[int, str, str]]:
    """Schema migrations as (version, name, text), in version order."""
    out = []
    for path in sorted((CYPHER_DIR / "schema").glob("V*__*.cypher")):
        version_text, name = path.stem[1:].split("__", 1)
        out.append((int(version_text), name, path.read_text(encoding="utf-8")))
    return sorted(out)
