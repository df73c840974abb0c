"""What every route needs: the server's config and a store connection for one request.

A connection is opened per request and closed when it ends, inside the one worker thread
that serves the request (``sqlite3`` connections must not cross threads). SQLite in WAL
mode lets these readers run while the CLI or another request writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import cast

from starlette.requests import Request

from storylens.errors import StoreError
from storylens.records import Article
from storylens.server.errors import ApiError
from storylens.store.base import ArticleQuery
from storylens.store.sqlite import SQLiteStore, open_store

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Settings fixed when the app is created; stored on ``app.state.config``."""

    db_path: Path
    token: str | None
    allow_no_auth: bool
    max_body_bytes: int
    allowed_hosts: frozenset[str] | None
    """Host header values accepted (DNS-rebinding guard); ``None`` accepts any."""


def config_of(request: Request) -> ServerConfig:
    """The ``ServerConfig`` of the app serving ``request``."""
    return cast(ServerConfig, request.app.state.config)


@contextmanager
def request_store(request: Request) -> Iterator[SQLiteStore]:
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
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, "invalid_parameter",
                       f"{name} {value[:40]!r}: not an ISO 8601 date; use e.g. 2022-10-24") \
            from None


def run_query(store: SQLiteStore, query: ArticleQuery, *, lenient: bool
              ) -> tuple[list[Article], int, ArticleQuery]:
    """The page of articles for ``query``, the total, and the query actually run.

    ``search`` is FTS5 syntax. A malformed one is a 400 for API clients; for people
    typing in the web search box (``lenient``) it is retried as plain words instead.
    """
    try:
        return store.list_articles(query), store.count_articles(query), query
    except StoreError:
        if not query.search:
            raise
        if not lenient:
            raise ApiError(400, "invalid_query",
                           f"q {query.search[:80]!r}: not a valid full-text query "
                           '(FTS5 syntax; quote words with special characters: "a-b")') from None
    plain = replace(query, search=plain_words_query(query.search))
    if not plain.search:
        return [], 0, plain
    return store.list_articles(plain), store.count_articles(plain), plain


def plain_words_query(text: str) -> str:
    """``text`` as an FTS5 query matching all its words, each quoted so no character of
    the input is read as query syntax."""
    return " ".join(f'"{w}"' for w in _WORD.findall(text))
