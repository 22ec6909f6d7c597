"""The web explorer (网页浏览器): ``/`` serves ``api/web/index.html``, ``/static/…`` its files.

Everything is served from the package — scripts, styles and the vendored graph library — so the
explorer works on networks with no internet.  Replies carry a Content-Security-Policy that
allows only this origin (no inline script or style, no eval, no framing), the right MIME type
per file extension (module scripts are refused by browsers otherwise) and ``nosniff``.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import FileResponse, RedirectResponse

__all__ = ["router", "WEB_DIR", "CSP", "MEDIA_TYPES"]

router = APIRouter(include_in_schema=False)

WEB_DIR = (FilePath(__file__).resolve().parent.parent / "web").resolve()

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

#: The only files served, by extension.  Anything else under api/web (LICENSE, README) is not.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".woff2": "font/woff2",
}

_SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _reply(path: FilePath, *, cache: str) -> FileResponse:
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix.lower()],
                        headers={**_SECURITY_HEADERS, "Cache-Control": cache})


@router.get("/")
def index() -> FileResponse:
    # The page itself is never cached: a new deployment takes effect on reload.
    return _reply(WEB_DIR / "index.html", cache="no-cache")


@router.get("/index.html")
def index_alias() -> RedirectResponse:
    return RedirectResponse("/", status_code=308)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return _reply(WEB_DIR / "favicon.svg", cache="max-age=86400")


@router.get("/static/{file_path:path}")
def static(file_path: Annotated[str, Path(max_length=200)]) -> FileResponse:
    """A file of the explorer; 404 for anything outside api/web or of another type."""
    target = (WEB_DIR / file_path).resolve()
    if (
        not target.is_relative_to(WEB_DIR)
        or target.suffix.lower() not in MEDIA_TYPES
        or not target.is_file()
    ):
        raise HTTPException(404, "没有该文件 (no such file)")
    # Revalidate each time (ETag/Last-Modified make that cheap): no stale script after an upgrade.
    return _reply(target, cache="no-cache")
