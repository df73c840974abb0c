"""Fetched article pages -> ``RawDoc``: what ingest reads, whatever the transport.

A ``PageRef`` is a URL to fetch with what a feed or sitemap said about it (title,
published date), which wins over what extraction guesses, as JSONL fields do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from storylens.errors import InputError
from storylens.fetch.client import Fetcher, FetchError, FetchResult
from storylens.fetch.urls import normalize_url
from storylens.ingest.bounds import clean_str
from storylens.ingest.httpbody import HTML_TYPES, decode_body, media_type
from storylens.records import RawDoc
from storylens.records_source import FetchFailure


@dataclass(frozen=True, slots=True)
class PageRef:
    """An article URL and what its listing (feed entry, sitemap ``<url>``) said."""

    url: str
    title: str | None = None
    published: str | None = None


def page_doc(result: FetchResult, ref: PageRef | None = None) -> RawDoc:
    """The ``RawDoc`` of a fetched HTML page: source is the URL asked for, url where it
    ended. Raises ``InputError`` naming the URL for a body that is not an HTML page."""
    ctype = result.content_type
    if ctype and media_type(ctype) not in HTML_TYPES:
        raise FetchError(result.url, f"not HTML ({media_type(ctype)}); skipped")
    text, note = decode_body(result.body, ctype, result.url)
    if not text.strip():
        raise FetchError(result.url, "empty page; nothing to ingest")
    head = text.lstrip()[:2000].lower()
    if not ctype and "<html" not in head and "<body" not in head and "<p" not in head:
        raise FetchError(result.url, "not an HTML page (no content type, no HTML); skipped")
    return RawDoc(source=result.url, content=clean_str(text), fmt="html",
                  url=result.final_url, title=ref.title if ref else None,
                  published=ref.published if ref else None, encoding_note=note)


class PageLog(Protocol):
    """What ``fetch_pages`` asks the store before fetching a URL."""

    def known_urls(self, urls: Sequence[str]) -> set[str]: ...

    def fetch_failures(self, urls: Sequence[str]) -> dict[str, FetchFailure]: ...


@dataclass(slots=True)
class PageTally:
    """What ``fetch_pages`` did besides yielding pages, for the caller's bookkeeping."""

    skipped: Counter[str] = field(default_factory=Counter)
    """URLs not fetched, by reason: already stored, given twice, failed recently."""
    attempted: list[str] = field(default_factory=list)
    """Normalised URLs a fetch was tried for."""
    transient: set[str] = field(default_factory=set)
    """URLs that failed in a way that may pass later (timeouts, 429, 5xx), now or last
    time: a source listing them must list them again (no 304) until they are fetched."""


def fetch_pages(refs: Iterable[PageRef | str], fetcher: Fetcher, log: PageLog,
                tally: PageTally, now: datetime) -> Iterator[RawDoc | InputError]:
    """Fetch each page not already stored and not failed recently (the fetch log's
    ``retry_at`` still ahead of ``now``); one ``InputError`` per URL that fails, the
    others go on. What was skipped, tried and failed for now goes in ``tally``."""
    seen: set[str] = set()
    for item in refs:
        ref = item if isinstance(item, PageRef) else PageRef(item)
        try:
            url = normalize_url(ref.url)
        except InputError as e:
            yield e
            continue
        if url in seen:
            tally.skipped["given twice"] += 1
            continue
        seen.add(url)
        if log.known_urls([url]):
            tally.skipped["already stored"] += 1
            continue
        failed = log.fetch_failures([url]).get(url)
        if failed is not None and failed.retry_at > now:
            tally.skipped["failed recently"] += 1
            if failed.transient:
                tally.transient.add(url)
            continue
        tally.attempted.append(url)
        try:
            yield page_doc(fetcher.get(url), ref)
        except InputError as e:
            if getattr(e, "transient", False):
                tally.transient.add(url)
            yield e
