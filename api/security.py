"""Bearer tokens with roles, and who may see personal data.

Tokens are random strings shown once at creation (``kg tokens create``); only their SHA-256
digest is stored (documents collection ``tokens``), with the holder's name and role.

Roles, from most to least trusted: admin, matchmaker (技术经理人), organiser (联合体组织者),
api_client, viewer.  Personal data (phone, e-mail, ID number, birth date) is shown unmasked to
admin and matchmaker only; every such read is written to the audit log (:mod:`api.audit`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from graph.errors import KGError, NotFound
from graph.store.base import Document, GraphStore

__all__ = [
    "Role",
    "Principal",
    "UNMASKED_ROLES",
    "PERSONAL_FIELDS",
    "create_token",
    "revoke_token",
    "list_tokens",
    "authenticate",
    "mask_value",
    "mask_props",
]

TOKENS = "tokens"


class Role(StrEnum):
    ADMIN = "admin"
    MATCHMAKER = "matchmaker"  # 技术经理人
    ORGANISER = "organiser"  # 联合体组织者
    API_CLIENT = "api_client"
    VIEWER = "viewer"


UNMASKED_ROLES = frozenset({Role.ADMIN, Role.MATCHMAKER})
#: Properties that are personal data under PIPL, on Person and Demand nodes.
PERSONAL_FIELDS = ("phone", "email", "id_number", "birth_date", "contact_phone")


class Principal(BaseModel):
    """Who is calling."""

    name: str
    role: Role
    token_id: str

    @property
    def sees_personal_data(self) -> bool:
        return self.role in UNMASKED_ROLES


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: GraphStore, name: str, role: Role | str) -> tuple[str, str]:
    """Create a token; returns (token id, the secret token — shown once)."""
    role = Role(role)
    if not name.strip():
        raise KGError("令牌持有人不能为空 (token holder name required)")
    token = "kg_" + secrets.token_urlsafe(32)
    digest = _digest(token)
    token_id = digest[:12]
    store.put_documents([Document(TOKENS, digest, {
        "token_id": token_id, "name": name.strip(), "role": role.value,
        "created_at": datetime.now(UTC).isoformat(), "revoked": False,
    }, tag=token_id)])
    return token_id, token


def revoke_token(store: GraphStore, token_id: str) -> None:
    docs = store.get_documents(TOKENS, tag=token_id)
    if not docs:
        raise NotFound(f"token:{token_id}")
    store.put_documents([Document(TOKENS, d.key, d.doc | {"revoked": True}, tag=d.tag) for d in docs.values()])


def list_tokens(store: GraphStore) -> list[dict[str, Any]]:
    return sorted((d.doc for d in store.get_documents(TOKENS).values()), key=lambda d: d["created_at"])


def authenticate(store: GraphStore, token: str) -> Principal | None:
    """The principal for a bearer token, or None if unknown or revoked."""
    if not token or len(token) > 200:
        return None
    doc = store.get_documents(TOKENS, keys=[_digest(token)]).get(_digest(token))
    if doc is None or doc.doc.get("revoked"):
        return None
    return Principal(name=doc.doc["name"], role=Role(doc.doc["role"]), token_id=doc.doc["token_id"])


def mask_value(field: str, value: Any) -> Any:
    """Mask one personal value: 138****1234, z***@hit.edu.cn, 2301**********1234, 19**-**."""
    if value is None:
        return None
    text = str(value)
    if field in ("phone", "contact_phone"):
        digits = "".join(ch for ch in text if ch.isdigit())
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"
    if field == "email":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    if field == "id_number":
        return f"{text[:4]}{'*' * max(0, len(text) - 8)}{text[-4:]}" if len(text) > 8 else "****"
    if field == "birth_date":
        return text[:2] + "**" + ("-**" if len(text) > 4 else "")
    return "****"


def mask_props(props: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy with personal fields masked, and the names of the fields that were masked."""
    out = dict(props)
    masked = []
    for f in PERSONAL_FIELDS:
        if out.get(f) is not None:
            out[f] = mask_value(f, out[f])
            masked.append(f)
    return out, masked
