"""The FastAPI app factory behind ``storylens serve``.

Features plug in as router modules: write ``server/routes_<feature>.py`` exposing
``router`` (API routes under ``/api/v1``, pages at the root), append it to ``ROUTERS``,
and add a header link to ``templating.NAV_LINKS``. Everything else (auth, error shape,
security headers, body limit, per-request store) applies to it automatically.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from storylens import __version__
from storylens.fetch.safety import AllowList
from storylens.server import routes_api, routes_sources, routes_stories, routes_web
from storylens.server.deps import ServerConfig
from storylens.server.errors import install_error_handlers
from storylens.server.security import (
    BodyLimitMiddleware,
    HeadMiddleware,
    HostCheckMiddleware,
    SecurityHeadersMiddleware,
)
from storylens.store import open_store
from storylens.web import STATIC_DIR

ROUTERS: tuple[APIRouter, ...] = (routes_api.router, routes_sources.router,
                                  routes_stories.router, routes_web.router)
"""Routers included in the app, API first so ``/api/...`` never falls to a page route."""

DESCRIPTION = """\
Read and add news articles, list the stories they were clustered into, and compare how
two articles tell a story.

Errors always have the body `{"error": {"code": ..., "message": ...}}`. Writes need
`Authorization: Bearer <token>` (the token given to `storylens serve`)."""


def create_app(
    db_path: str | Path, *, token: str | None, allow_no_auth: bool,
    max_body_bytes: int = 5_000_000, allowed_hosts: Iterable[str] | None = None,
    allow_fetch: str | None = None,
) -> FastAPI:
    """Build the app over the SQLite store at ``db_path``.

    ``token``: bearer token required by writes. ``allow_no_auth``: accept writes without
    one (the CLI permits it on loopback only). ``max_body_bytes``: larger request bodies
    get 413. ``allowed_hosts``: accepted Host header names (``None``: any); the CLI sets
    the loopback names when bound to loopback, against DNS rebinding. ``allow_fetch``:
    hosts or networks, comma-separated, that adding a source may fetch although they
    are not public (``STORYLENS_ALLOW_HOSTS``); a malformed entry is a ``ConfigError``.

    The store is opened (created and migrated if needed) once here, so a bad path fails
    at startup with ``StoreError`` rather than on the first request.
    """
    if token is not None and not token.strip():
        token = None
    open_store(db_path).close()
    app = FastAPI(
        title="storylens", version=__version__, description=DESCRIPTION,
        openapi_url="/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.config = ServerConfig(
        db_path=Path(db_path), token=token, allow_no_auth=allow_no_auth,
        max_body_bytes=max_body_bytes,
        allowed_hosts=frozenset(h.lower() for h in allowed_hosts) if allowed_hosts else None,
        allow_fetch=AllowList.parse([allow_fetch or ""]),
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # add_middleware puts each one outside the previous: headers end up outermost.
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(HostCheckMiddleware, allowed=app.state.config.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
