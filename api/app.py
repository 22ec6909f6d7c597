"""The FastAPI application: the HTTP API under /api/v1 and the web explorer at /."""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.audit import AuditLog
from api.schemas import ERROR_RESPONSES
from graph.config import Settings, get_settings
from graph.errors import (
    KGError,
    NotFound,
    QueryError,
    SchemaError,
    StoreUnavailable,
    ValidationFailed,
)
from graph.store.base import GraphStore

__all__ = ["create_app"]

log = logging.getLogger("xiaoqi.api")

TAGS = [
    {"name": "search", "description": "搜索与实体详情 (search and entity detail)"},
    {"name": "paths", "description": "合作路径与引荐人 (collaboration paths, who can introduce)"},
    {"name": "matching", "description": "供需对接 (demand matching and the reverse)"},
    {"name": "alliances", "description": "创新联合体候选 (alliance candidates)"},
    {"name": "roles", "description": "产业教授、技术导师、高校联络员推荐 (people for roles)"},
    {"name": "licensing", "description": "开放许可匹配 (open licensing)"},
    {"name": "ingest", "description": "文件导入任务 (file upload for ingest, as jobs)"},
    {"name": "people", "description": "人员合并与拆分 (people merge and split)"},
    {"name": "ledger", "description": "管理台账与统计 (outcomes and statistics)"},
    {"name": "system", "description": "系统 (health)"},
]


class BodyLimit:
    """Refuse request bodies over a size (413), whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_bytes if scope["path"].startswith("/api/v1/ingest") else self.max_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        refused = False

        # Past the limit the app is told the client went away (a raised error would reach
        # FastAPI's body parser, which turns any error into a 400); its reply is dropped and the
        # 413 sent instead.
        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"请求体过大 (request body too large); limit {limit} bytes"},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """Requests per token (or client address) on /api, over the limit → 429 with Retry-After.

    The limits and their storage are slowapi's (``app.state.limiter``); the check is made here
    for every request because slowapi's middleware looks a route's endpoint up in
    ``app.routes``, where FastAPI keeps included routers unexpanded — it found no endpoint and
    let every request through.
    """

    def __init__(self, app: ASGIApp, *, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        key = _rate_key(Request(scope))
        for group in self.limiter._default_limits:
            for limit in group:
                if not self.limiter.limiter.hit(limit.limit, key):
                    reset, _ = self.limiter.limiter.get_window_stats(limit.limit, key)
                    await _too_many(send, str(limit.limit), max(1, int(reset - time.time()) + 1))
                    return
        await self.app(scope, receive, send)


async def _too_many(send: Send, limit: str, retry_after: int) -> None:
    body = json.dumps({"detail": f"请求过于频繁 (rate limit exceeded): {limit}"}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(retry_after).encode())]})
    await send({"type": "http.response.body", "body": body})


def _rate_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and len(auth) < 300:
        return "t:" + auth[7:][-16:]
    return "ip:" + (request.client.host if request.client else "unknown")


class HeadAsGet:
    """Answers ``HEAD`` on every ``GET`` route with the ``GET`` reply's status and headers, no body.

    RFC 9110 says a server answering GET should answer HEAD the same way; FastAPI routes are GET-only,
    so link checkers, monitors and proxies probing with HEAD got 405.  The request is handled as
    a GET (same authorisation, audit and limits) and its body chunks are sent empty, so the
    Content-Length stays the one a GET would get.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


_GC_FROZEN = False


class WarmUp:
    """Builds the per-generation query caches in a background thread at server start.

    At province scale the first matching or recommendation request would otherwise pay for the
    BM25 index, the people directory, the tie index and the role arrays (tens of seconds to
    minutes on the embedded store), and
    the first alliance request of a key industry for its collaboration projection.
    Requests are served meanwhile; one that needs a cache still being built waits for it (the
    builders hold a lock), so answers never differ.  ``state`` is shown by ``/health``.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.state = "pending"
        self.seconds: float | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="kg-warm-up", daemon=True)

    def start(self) -> WarmUp:
        self._thread.start()
        return self

    def _run(self) -> None:
        from graph.queries.alliances import warm_up as alliances_warm_up
        from graph.queries.licensing import warm_up as licensing_warm_up
        from graph.queries.profiles import profile_directory, tie_index
        from graph.queries.roles import warm_up as roles_warm_up
        from graph.queries.text import text_index
        from nlp.segment import warm_up as segmenter_warm_up

        self.state = "running"
        t0 = time.perf_counter()
        try:
            segmenter_warm_up()
            if self.store.backend == "embedded":
                self.store.graph()
            text_index(self.store)
            profile_directory(self.store)
            tie_index(self.store)
            roles_warm_up(self.store)
            licensing_warm_up(self.store)
            alliances_warm_up(self.store)
            # The caches just built (millions of objects at province scale) live as long as
            # the store generation: keep them out of the cyclic collector's full passes, which
            # otherwise rescan all of them (0.7–0.9 s of CPU each, landing on whichever request
            # happens to trigger one).  Unreferenced caches are still freed by reference count.
            # Once per process: later generations' caches are fewer than the first.
            global _GC_FROZEN
            if not _GC_FROZEN:
                _GC_FROZEN = True
                gc.collect()
                gc.freeze()
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only means a slower first request
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
            log.warning("warm-up failed (the first requests will build the caches): %s", self.error)
        else:
            self.state = "done"
        self.seconds = round(time.perf_counter() - t0, 1)
        log.info("warm-up %s in %.1f s", self.state, self.seconds)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app.  ``store`` defaults to the configured one (opened at start-up)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        own = store is None
        if own:
            from graph.store import open_store

            app.state.store = open_store(settings)
        else:
            app.state.store = store
        app.state.audit = AuditLog(settings.data_dir / "audit.sqlite3")
        from api.jobs import JobRunner

        app.state.jobs = JobRunner(app.state.store, settings)
        # Only a server that opened its own store warms up (tests pass theirs in).
        app.state.warm_up = WarmUp(app.state.store).start() if own and settings.warm_up else None
        try:
            yield
        finally:
            app.state.jobs.shutdown()
            app.state.audit.close()
            if own:
                app.state.store.close()

    app = FastAPI(
        title="校企图谱 XiaoQi Graph API",
        version="1.0.0",
        description=(
            "高校与企业协同创新知识图谱 API：搜索、合作路径、供需对接、创新联合体、人员推荐、开放许可、台账统计。\n\n"
            "API of XiaoQi Graph: search, collaboration paths, demand matching, alliance candidates, "
            "people for roles, open licensing, ledger and statistics. Authenticate with "
            "`Authorization: Bearer <token>` (tokens from `kg tokens create`)."
        ),
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets: FastAPI's default loads a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    limiter = Limiter(key_func=_rate_key, default_limits=[settings.rate_limit])
    app.state.limiter = limiter
    app.add_middleware(RateLimit, limiter=limiter)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(HeadAsGet)
    _install_error_handlers(app)

    from api.routes import core

    app.include_router(core.router, prefix="/api/v1", responses=ERROR_RESPONSES)
    for name in ("queries", "ledger"):
        try:
            module = __import__(f"api.routes.{name}", fromlist=["router"])
        except ModuleNotFoundError as exc:
            if exc.name != f"api.routes.{name}":
                raise
            continue
        app.include_router(module.router, prefix="/api/v1", responses=ERROR_RESPONSES)
    swagger = Path(__file__).resolve().parent / "web" / "vendor" / "swagger-ui"
    if (swagger / "swagger-ui-bundle.js").is_file():
        from fastapi.openapi.docs import get_swagger_ui_html
        from fastapi.responses import HTMLResponse

        @app.get("/docs", include_in_schema=False)
        def docs() -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url="/openapi.json", title="校企图谱 API 文档",
                swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                swagger_favicon_url="/favicon.ico",
            )

    web = Path(__file__).resolve().parent / "web"
    if (web / "index.html").is_file():
        from api.routes import web as web_routes

        app.include_router(web_routes.router)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    def reply(status: int, message: str, **extra: Any) -> JSONResponse:
        return JSONResponse({"detail": message, **extra}, status_code=status)

    # Our errors, most specific first: the status each one means for a caller.
    statuses: list[tuple[type[KGError], int]] = [
        (NotFound, 404), (QueryError, 422), (ValidationFailed, 422), (SchemaError, 422),
        (StoreUnavailable, 503), (KGError, 400),
    ]

    async def domain_error(_: Request, exc: Exception) -> JSONResponse:
        status = next(code for kind, code in statuses if isinstance(exc, kind))
        return reply(status, str(exc))

    for kind, _status in statuses:
        app.add_exception_handler(kind, domain_error)

    @app.exception_handler(RateLimitExceeded)
    async def too_many(_: Request, exc: RateLimitExceeded) -> JSONResponse:
        return reply(429, f"请求过于频繁 (rate limit exceeded): {exc.detail}")

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return reply(422, "请求参数不合法 (invalid request)", errors=errors)
