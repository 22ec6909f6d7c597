"""Typed dependencies: the store, the caller and the roles a route allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.audit import AuditLog
from api.security import Principal, Role, authenticate
from graph.store.base import GraphStore

__all__ = ["StoreDep", "AuditDep", "CurrentUser", "require_roles", "ALL_ROLES"]

ALL_ROLES = tuple(Role)
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>` (kg tokens create)")


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def get_audit(request: Request) -> AuditLog:
    return request.app.state.audit


StoreDep = Annotated[GraphStore, Depends(get_store)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]


def get_principal(
    request: Request,
    store: StoreDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "需要登录令牌 (bearer token required)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = authenticate(store, creds.credentials)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "令牌无效或已吊销 (invalid or revoked token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only the given roles through (403 for the others)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            names = "、".join(sorted(r.value for r in allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"角色 {user.role.value} 无权访问 (forbidden); allowed roles: {names}",
            )
        return user

    check.allowed_roles = allowed  # type: ignore[attr-defined]
    return check
