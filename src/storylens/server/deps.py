"""What every route needs: the server's config and a store connection for one request.

A connection is opened per request and closed when it ends, inside the one worker thread
that serves the request (``sqlite3`` connections must not cross threads). SQLite in WAL
mode lets these readers run while the CLI or another request writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

from starlette.requests import Request

from storylens.api.articles import search_articles
from storylens.errors import StoreError
from storylens.fetch.safety import AllowList
from storylens.records import Article
from storylens.server.errors import ApiError
from storylens.server.params import iso_datetime
from storylens.store import Store, open_store
from storylens.store.base import ArticleQuery


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Settings fixed when the app is created; stored on ``app.state.config``."""

    db_path: Path
    token: str | None
    allow_no_auth: bool
    max_body_bytes: int
    allowed_hosts: frozenset[str] | None
    """Host header values accepted (DNS-rebinding guard); ``None`` accepts any."""
    allow_fetch: AllowList = field(default_factory=AllowList)
    """Non-public hosts the server may fetch when a source is added
    (``STORYLENS_ALLOW_HOSTS``); none by default."""


def config_of(request: Request) -> ServerConfig:
    """The ``ServerConfig`` of the app serving ``request``."""
    return cast(ServerConfig, request.app.state.config)


@contextmanager
def request_store(request: Request) -> Iterator[Store]:
    """Open the store for the duration of one request. Use it from a sync route (or a
    function run in the threadpool) so open, use and close stay on one thread."""
    store = open_store(config_of(request).db_path)
    try:
        yield store
    finally:
        store.close()


def parse_when(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 date or datetime query parameter (``2022-10-24``, ``...T08:00:00Z``);
    naive values are taken as UTC by the store. Raises a 422 ``ApiError`` otherwise."""
    if value is None or not value.strip():
        return None
    try:
        return iso_datetime(value)
    except ValueError as e:
        raise ApiError(422, "invalid_parameter", f"{name} {value[:40]!r}: {e}") from None


def run_query(store: Store, query: ArticleQuery, *, lenient: bool
              ) -> tuple[list[Article], int, ArticleQuery]:
    """``api.search_articles``; a malformed full-text query is a 400 for API clients
    (``lenient`` False) and is retried as plain words for the web search box."""
    try:
        return search_articles(store, query, lenient=lenient)
    except StoreError:
        if not query.search:
            raise
        raise ApiError(400, "invalid_query",
                       f"q {query.search[:80]!r}: not a valid full-text query "
                       '(FTS5 syntax; quote words with special characters: "a-b")') from None
