"""The FastAPI application: the HTTP API under /api/v1 and the web explorer at /."""

from __future__ import annotations

from fastapi import FastAPI

from graph.config import get_settings

__all__ = ["create_app"]


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="校企图谱 XiaoQi Graph API", version="0.1.0")

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "backend": settings.backend}

    return app
