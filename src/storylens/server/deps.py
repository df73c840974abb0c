"""What every route needs: the server's config, a store connection for one request
(each worker thread keeps its own: ``store_pool``) and the page cache."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from storylens.api.articles import search_articles
from storylens.errors import StoreError
from storylens.fetch.safety import AllowList
from storylens.records import Article
from storylens.server.cache_fast import page_key
from storylens.server.errors import ApiError
from storylens.server.page_cache import Page, PageCache
from storylens.server.params import iso_datetime
from storylens.server.store_pool import StorePool
from storylens.store import Store
from storylens.store.base import ArticleQuery


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Settings fixed when the app is created, and the page cache; stored on
    ``app.state.config``."""

    db_path: Path | str
    token: str | None
    allow_no_auth: bool
    max_body_bytes: int
    allowed_hosts: frozenset[str] | None
    """Host header values accepted (DNS-rebinding guard); ``None`` accepts any."""
    pages: PageCache
    """Computed pages and API lists, kept while the store is unchanged."""
    stores: StorePool
    """The store connections of the worker threads."""
    allow_fetch: AllowList = field(default_factory=AllowList)
    """Non-public hosts the server may fetch when a source is added
    (``STORYLENS_ALLOW_HOSTS``); none by default."""


def config_of(request: Request) -> ServerConfig:
    """The ``ServerConfig`` of the app serving ``request``."""
    return cast(ServerConfig, request.app.state.config)


def request_store(request: Request) -> AbstractContextManager[Store]:
    """The store for the duration of one request: this thread's connection. Use it from
    a sync route (or a function run in the threadpool), never across threads."""
    return config_of(request).stores.store()


def cached_page(request: Request, compute: Callable[[Store], Page]) -> Response:
    """The response of this URL for the store as it is now: from the page cache while
    the store's ``change_count()`` stays the same, else ``compute(store)`` (once, however
    many requests ask at the same time). ``compute`` must depend only on the URL and the
    store; its errors (a 404, a 422) are raised, never kept."""
    pages = config_of(request).pages
    key = page_key(request.scope)  # the key cache_fast looks kept pages up by
    with request_store(request) as store:
        page = pages.get(key, store.change_count(), lambda: compute(store))
    return Response(page.body, media_type=page.media_type)


def json_page(model: BaseModel) -> Page:
    """An API response model as a cacheable JSON ``Page``."""
    return Page(model.model_dump_json().encode("utf-8"), "application/json")


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
