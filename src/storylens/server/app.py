"""The FastAPI app factory behind ``storylens serve``.

Features plug in as router modules: write ``server/routes_<feature>.py`` exposing
``router`` (API routes under ``/api/v1``, pages at the root), append it to ``ROUTERS``,
and add a header link to ``templating.NAV_LINKS``. Everything else (auth, error shape,
security headers, body limit, per-request store) applies to it automatically.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from storylens import __version__
from storylens.errors import ConfigError
from storylens.fetch.safety import AllowList
from storylens.server import routes_api, routes_sources, routes_stories, routes_web
from storylens.server.cache_fast import CachedPageMiddleware
from storylens.server.deps import ServerConfig
from storylens.server.errors import install_error_handlers
from storylens.server.page_cache import PageCache
from storylens.server.security import (
    BodyLimitMiddleware,
    HeadMiddleware,
    HostCheckMiddleware,
    SecurityHeadersMiddleware,
)
from storylens.server.store_pool import StorePool
from storylens.settings import store_location
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
    page_cache_bytes: int = 64_000_000, reuse_connections: bool = True,
    allow_fetch: str | None = None,
) -> FastAPI:
    """Build the app over the store at ``db_path`` (a SQLite file or a database URL).

    ``token``: bearer token required by writes. ``allow_no_auth``: accept writes without
    one (the CLI permits it on loopback only). ``max_body_bytes``: larger request bodies
    get 413. ``allowed_hosts``: accepted Host header names (``None``: any); the CLI sets
    the loopback names when bound to loopback, against DNS rebinding.
    ``page_cache_bytes``: memory for computed pages kept while the store is unchanged
    (``server/page_cache.py``); 0 computes every request. ``reuse_connections``: each
    worker thread keeps its store connection (``server/store_pool.py``) rather than
    opening one per request. ``allow_fetch``:
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
        db_path=store_location(db_path), token=token, allow_no_auth=allow_no_auth,
        max_body_bytes=max_body_bytes,
        allowed_hosts=frozenset(h.lower() for h in allowed_hosts) if allowed_hosts else None,
        pages=PageCache(page_cache_bytes),
        stores=StorePool(store_location(db_path), reuse=reuse_connections),
        allow_fetch=AllowList.parse([allow_fetch or ""]),
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # add_middleware puts each one outside the previous: headers end up outermost.
    app.add_middleware(CachedPageMiddleware, pages=app.state.config.pages,
                       stores=app.state.config.stores)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(HostCheckMiddleware, allowed=app.state.config.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


APP_ENV = "STORYLENS_SERVE_APP"
"""Where ``storylens serve --workers N`` leaves ``create_app``'s arguments (JSON)."""


def app_from_env() -> FastAPI:
    """``create_app`` with the keyword arguments in ``$STORYLENS_SERVE_APP``: how each
    worker process of ``storylens serve --workers N`` builds its app (workers are
    spawned, so they inherit the environment and nothing else)."""
    raw = os.environ.get(APP_ENV, "")
    try:
        kwargs: dict[str, Any] = json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigError(f"${APP_ENV} {raw[:60]!r}: not the JSON `storylens serve "
                          "--workers` writes; start the server with `storylens serve`"
                          ) from None
    return create_app(**kwargs)
