"""Responses computed from the store, kept while the store is unchanged.

The stories page, a story page and the API lists are pure functions of their URL and of
the store's content, and computing one costs milliseconds to seconds (a 300-article story
reads 300 articles and renders them), while answering from memory costs microseconds.
So each is kept under its URL and the store's ``change_count()``: a commit by anyone
(the CLI's ingest, ``POST /api/v1/articles``, another server process) moves the count,
and the next request recomputes. Nothing is ever served from an older store state than
the count read at the start of the request.

Two things keep a busy server fast when a page is missing:

- single flight: concurrent requests for one missing page wait for the one computing it
  instead of each computing it (200 clients asking for a new story page would otherwise
  run 200 copies of the same work);
- a byte budget: the entries kept are bounded by their total size, least recently used
  first out, so a crawl over every story cannot grow the server without limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Page:
    """A response body and its media type."""

    body: bytes
    media_type: str


@dataclass(slots=True)
class _Flight:
    """One computation in progress that others may wait for."""

    done: threading.Event = field(default_factory=threading.Event)
    page: Page | None = None


class PageCache:
    """Pages by key for the store state ``version``; thread-safe. ``max_bytes`` 0 keeps
    nothing (every request computes), which is what ``serve --no-page-cache`` does."""

    def __init__(self, max_bytes: int = 64_000_000) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes {max_bytes}: give 0 (no cache) or more")
        self.max_bytes = max_bytes
        self.version: int | None = None
        self.size = 0
        self.hits = self.misses = 0
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)

    def peek(self, key: Hashable, version: int) -> Page | None:
        """The kept page of ``key`` if it was computed at store state ``version``."""
        with self._lock:
            page = self._pages.get(key) if version == self.version else None
            if page is not None:
                self._pages.move_to_end(key)
                self.hits += 1
            return page

    def get(self, key: Hashable, version: int, compute: Callable[[], Page]) -> Page:
        """The page of ``key`` at store state ``version``: kept, or computed once by
        ``compute`` while concurrent callers for the same key wait. An error in
        ``compute`` reaches its caller; those waiting then compute on their own."""
        if self.max_bytes == 0:
            return compute()
        with self._lock:
            if self.version is None or version > self.version:
                self._pages.clear()
                self._flights.clear()  # their results are for an older state: not kept
                self.size, self.version = 0, version
            current = version == self.version
            page = self._pages.get(key) if current else None
            if page is not None:
                self._pages.move_to_end(key)
                self.hits += 1
                return page
            self.misses += 1
            flight = self._flights.get(key) if current else None
            leader = flight is None
            if flight is None:
                flight = _Flight()
                if current:
                    self._flights[key] = flight
        if not leader:
            flight.done.wait()
            return flight.page if flight.page is not None else compute()
        try:
            flight.page = compute()
        finally:
            flight.done.set()
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
                    if flight.page is not None and version == self.version:
                        self._keep(key, flight.page)
        return flight.page

    def _keep(self, key: Hashable, page: Page) -> None:
        """Store ``page`` (lock held), evicting the least recently used beyond the
        budget; a page bigger than the whole budget is not kept."""
        if len(page.body) > self.max_bytes:
            return
        old = self._pages.pop(key, None)
        self.size -= len(old.body) if old is not None else 0
        self._pages[key] = page
        self.size += len(page.body)
        while self.size > self.max_bytes:
            _, old = self._pages.popitem(last=False)
            self.size -= len(old.body)
