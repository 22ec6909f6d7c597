"""The matchmaker's review list of same-name people: grey-zone pairs, with what each side is.

Resolution (``ingest.people``) leaves a pair of mentions apart when the evidence is neither
strong enough to merge nor against it, and lists the pair in the ``review`` collection. A
matchmaker answers each pair with :func:`~ingest.people.merge_people` (one person) or
:func:`~ingest.people.keep_apart` (two people); either takes the pair off the list for good.

This module reads the list a page at a time, highest score first, and describes both mentions
so the pair can be judged without opening the source files: the kind of record, where it came
from, the organisations, titles, years, topics and patents it names. Contact details are left
out (they stay on the person, masked by role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from graph.store.base import GraphStore
from ingest.people import MENTIONS, REVIEW

__all__ = ["ReviewPage", "review_pairs"]

_ORG_ID = re.compile(r"org:[0-9A-Za-z_\-]+")
_KIND_NAMES = {"cv": "简历", "patent": "专利发明人", "demand": "需求联系人", "achievement": "成果完成人"}


@dataclass
class ReviewPage:
    """One page of the review list: ``total`` pairs match, ``items`` starts at ``offset``."""

    total: int
    offset: int
    items: list[dict[str, Any]] = field(default_factory=list)


def review_pairs(store: GraphStore, *, name: str = "", offset: int = 0, limit: int = 50) -> ReviewPage:
    """The grey-zone pairs, highest score first (ties by key), optionally only names containing ``name``.

    Each item: ``a``/``b`` (mention ids), ``name``, ``score``, ``evidence`` and ``sides`` — one
    description per mention (see :func:`_side`).

    Cost: reads the whole review collection (a few documents per ambiguous name) and the
    mentions of the page only.

    Example:
        >>> review_pairs(store, name="王", limit=20).total  # doctest: +SKIP
        42
    """
    docs = sorted(store.get_documents(REVIEW).values(), key=lambda d: (-d.doc["score"], d.key))
    if name:
        docs = [d for d in docs if name in d.doc.get("name", "")]
    page = docs[offset:offset + limit]
    mention_ids = sorted({d.doc[k] for d in page for k in ("a", "b")})
    mentions = {k: d.doc for k, d in store.get_documents(MENTIONS, keys=mention_ids).items()}
    org_ids = sorted({o for m in mentions.values() for o in m.get("orgs", [])}
                     | {o for d in page for e in d.doc["evidence"] for o in _ORG_ID.findall(e)})
    orgs = store.get_nodes(org_ids) if org_ids else {}
    org_names = {oid: node.name for oid, node in orgs.items()}
    items = []
    for d in page:
        item = {k: d.doc[k] for k in ("a", "b", "name", "score")}
        # The resolver's evidence names organisations by id; a person reads their names.
        item["evidence"] = [_ORG_ID.sub(lambda m: org_names.get(m.group(0), m.group(0)), e) for e in d.doc["evidence"]]
        item["sides"] = [_side(d.doc[k], mentions.get(d.doc[k]), org_names) for k in ("a", "b")]
        items.append(item)
    return ReviewPage(total=len(docs), offset=offset, items=items)


def _side(mention_id: str, doc: dict[str, Any] | None, org_names: dict[str, str]) -> dict[str, Any]:
    """What one mention says about its person (no contact details)."""
    if doc is None:  # the mention was re-ingested away since the pair was listed
        return {"mention_id": mention_id, "kind": "", "kind_name": "（已不存在）", "person_id": None}
    props = doc.get("person_props", {})
    source = str(doc.get("provenance", {}).get("source") or "")
    return {
        "mention_id": mention_id,
        "kind": doc.get("kind", ""),
        "kind_name": _KIND_NAMES.get(doc.get("kind", ""), doc.get("kind", "")),
        "person_id": doc.get("person_id"),
        "source": PurePath(source.split("#")[0]).name if source else "",
        "source_key": doc.get("provenance", {}).get("source_key"),
        "organisations": [org_names.get(o, o) for o in doc.get("orgs", [])],
        "titles": list(props.get("titles", [])),
        "birth_year": doc.get("birth_year"),
        "years": list(doc.get("years", [])),
        "topics": list(doc.get("topics", []))[:8],
        "patents": list(doc.get("patents", []))[:5],
        "co_names": list(doc.get("co_names", []))[:8],
    }
