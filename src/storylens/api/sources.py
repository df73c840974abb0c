"""Followed sources: add (with kind detection and feed discovery), list, remove, and
poll the due ones, fetching and ingesting the new article URLs they list.

A source that fails (unreachable, malformed, refused) records the error in its status
and the poll goes on with the next source; each failure is one line in the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from storylens.api.fetching import fetch_and_ingest
from storylens.api.ingestion import IngestReport, Progress
from storylens.errors import InputError
from storylens.fetch.client import Fetcher, FetchError
from storylens.fetch.sources import (
    SOURCE_TYPES,
    discover_feeds,
    list_source,
    maybe_gunzip,
    parse_feed,
    sniff_kind,
)
from storylens.fetch.urls import normalize_url
from storylens.ingest.httpbody import decode_body
from storylens.records_source import Source, SourceKind
from storylens.store.base import Store

DEFAULT_INTERVAL = 900.0


def add_source(store: Store, fetcher: Fetcher, url: str, kind: str = "auto", *,
               interval: float = DEFAULT_INTERVAL, now: datetime | None = None
               ) -> list[Source]:
    """Follow ``url``. With ``kind="auto"`` it is fetched once: a feed or a sitemap is
    added as such; an HTML page adds the feeds it links to, or itself as a page whose
    article links are followed. Raises ``InputError`` naming the URL when it cannot be
    used."""
    when = now or datetime.now(UTC)
    norm = normalize_url(url)
    if kind in ("feed", "sitemap", "page"):
        chosen: SourceKind = kind  # type: ignore[assignment]
        return [store.add_source(Source(norm, chosen, when, interval))]
    if kind != "auto":
        raise InputError(url, f"unknown kind {kind!r}; choose auto, feed, sitemap or page")
    res = fetcher.get(norm, accept=SOURCE_TYPES)
    sniffed = sniff_kind(res)
    if sniffed is None:
        raise InputError(norm, f"neither a feed, a sitemap nor an HTML page "
                               f"({res.content_type or 'no content type'}); not added")
    if sniffed == "feed":
        _, title = parse_feed(maybe_gunzip(res), norm)  # refuse a malformed feed now, not later
        return [store.add_source(Source(norm, "feed", when, interval, title=title))]
    if sniffed == "sitemap":
        return [store.add_source(Source(norm, "sitemap", when, interval))]
    text, _ = decode_body(res.body, res.content_type, norm)
    feeds = discover_feeds(text, res.final_url)
    added = []
    for feed in feeds[:5]:
        try:
            added.append(store.add_source(Source(normalize_url(feed), "feed", when,
                                                 interval)))
        except InputError:
            continue
    return added or [store.add_source(Source(norm, "page", when, interval))]


@dataclass(slots=True)
class PollReport:
    """What one poll of the due sources did."""

    polled: list[dict[str, Any]] = field(default_factory=list)
    """Per source: id, url, status, listed, new articles."""
    ingest: IngestReport = field(default_factory=IngestReport)
    """Every page fetched, all sources together (failed: one line per URL or source)."""

    @property
    def ok(self) -> bool:
        return self.ingest.ok

    def to_dict(self) -> dict[str, Any]:
        return {"sources": self.polled, **self.ingest.to_dict()}


def next_due(source: Source, interval: float | None = None) -> datetime:
    """When ``source`` is next polled (``interval`` overrides its own)."""
    if interval is None or source.last_fetch is None:
        return source.next_due
    return source.last_fetch + timedelta(seconds=interval)


def due_sources(store: Store, now: datetime, interval: float | None = None) -> list[Source]:
    """Sources whose next poll is due at ``now`` (``interval`` overrides each source's)."""
    return [s for s in store.list_sources() if next_due(s, interval) <= now]


def poll(store: Store, fetcher: Fetcher, *, interval: float | None = None,
         now: datetime | None = None, progress: Progress | None = None,
         on_source: Callable[[Source, int], None] | None = None,
         should_stop: Callable[[], bool] = lambda: False,
         batch_size: int = 200) -> PollReport:
    """Poll every due source: list its article URLs (conditional GET), fetch those not
    stored yet and ingest them. ``should_stop`` is asked between sources (a stop request
    finishes the source in hand). ``on_source`` is told (source, URLs listed)."""
    report = PollReport()
    skipped: Counter[str] = Counter()
    at = now or datetime.now(UTC)
    for source in due_sources(store, at, interval):
        if should_stop():
            break
        when = datetime.now(UTC)
        try:
            listing = list_source(fetcher, source)
        except InputError as e:
            reason = e.reason
            report.ingest.failed.append((source.url, reason))
            store.update_source(source.polled(when, f"error: {reason}", 0))
            report.polled.append({"id": source.id, "url": source.url,
                                  "status": f"error: {reason}", "listed": 0, "new": 0})
            continue
        for problem in listing.problems:
            report.ingest.failed.append((problem.source, problem.reason))
        if on_source:
            on_source(source, len(listing.refs))
        part, tally = fetch_and_ingest(listing.refs, store, fetcher, batch_size=batch_size,
                                       progress=progress, now=now)
        skipped.update(part.skipped)
        if tally.transient or any(getattr(p, "transient", False) for p in listing.problems):
            # keep the old validators: a 304 next time would hide the URLs to retry
            listing.etag = listing.last_modified = None
        _merge(report.ingest, part)
        status = "not modified" if listing.not_modified else "ok" if part.ok and \
            not listing.problems else f"ok, {len(part.failed) + len(listing.problems)} failed"
        updated = source.polled(when, status, len(part.ingested), etag=listing.etag,
                                last_modified=listing.last_modified)
        if listing.title and not source.title:
            updated = replace(updated, title=listing.title)
        store.update_source(updated)
        report.polled.append({"id": source.id, "url": source.url, "status": status,
                              "listed": len(listing.refs), "new": len(part.ingested)})
    report.ingest.skipped = dict(sorted(skipped.items()))
    return report


def _merge(into: IngestReport, part: IngestReport) -> None:
    into.ingested += part.ingested
    into.duplicates += part.duplicates
    into.failed += part.failed
    into.warnings += part.warnings
    into.internal_errors += part.internal_errors


__all__ = ["DEFAULT_INTERVAL", "FetchError", "PollReport", "add_source", "due_sources",
           "next_due", "poll"]
