"""The record of a followed source (a feed, a sitemap or a page listing articles) as the
store keeps it, with what its last poll found; the fetch log's entries; and the cached
robots.txt of each site."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

SourceKind = Literal["feed", "sitemap", "page"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("feed", "sitemap", "page")


@dataclass(slots=True, frozen=True)
class Source:
    """A followed URL. ``id`` is 0 until the store assigns one."""

    url: str
    kind: SourceKind
    added_at: datetime
    interval: float = 900.0
    """Seconds between two polls."""
    id: int = 0
    title: str | None = None
    last_fetch: datetime | None = None
    last_status: str | None = None
    """"ok", "not modified" or "error: <reason>" of the last poll."""
    articles: int = 0
    """Articles this source brought in, all polls together."""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def next_due(self) -> datetime:
        """When the source is next polled: its interval after the last poll (at once
        for a source never polled)."""
        return self.last_fetch + timedelta(seconds=self.interval) if self.last_fetch \
            else self.added_at

    def polled(self, when: datetime, status: str, new_articles: int, *,
               etag: str | None = None, last_modified: str | None = None) -> Source:
        """This source after a poll at ``when``; validators kept unless new ones came."""
        return replace(self, last_fetch=when, last_status=status,
                       articles=self.articles + new_articles, etag=etag or self.etag,
                       last_modified=last_modified or self.last_modified)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "url": self.url, "kind": self.kind, "title": self.title,
            "added_at": self.added_at.isoformat(), "interval": self.interval,
            "last_fetch": self.last_fetch.isoformat() if self.last_fetch else None,
            "last_status": self.last_status, "articles": self.articles,
            "next_due": self.next_due.isoformat(),
        }


TRANSIENT_RETRY = timedelta(minutes=15)
"""Wait before retrying a URL after its first failure that may pass (timeout, 5xx)."""
PERMANENT_RETRY = timedelta(days=1)
"""Wait after a first failure that will likely stay (404, refused, not an article)."""
MAX_RETRY = {True: timedelta(days=1), False: timedelta(days=30)}
"""The longest wait, for transient and for lasting failures."""


def retry_delay(failures: int, transient: bool) -> timedelta:
    """How long to leave a URL alone after its ``failures``-th failure in a row: the
    first wait doubled each time, capped, so a page that is down is retried soon and a
    dead one rarely, and neither on every poll."""
    first = TRANSIENT_RETRY if transient else PERMANENT_RETRY
    return min(first * (1 << max(0, min(failures, 20) - 1)), MAX_RETRY[transient])


@dataclass(slots=True, frozen=True)
class FetchFailure:
    """The fetch log's entry for a URL that failed (fetching it, or making an article
    of it): not fetched again before ``retry_at``."""

    url: str
    failures: int
    """Failures in a row (a success removes the entry)."""
    last_failure: datetime
    retry_at: datetime
    reason: str
    transient: bool = False
    """The last failure may pass (timeout, 5xx): a source listing the URL is re-read in
    full (no 304) until it is fetched."""

    def again(self, when: datetime, reason: str, transient: bool) -> FetchFailure:
        """This entry after one more failure at ``when``."""
        n = self.failures + 1
        return FetchFailure(self.url, n, when, when + retry_delay(n, transient), reason,
                            transient)

    @staticmethod
    def first(url: str, when: datetime, reason: str, transient: bool) -> FetchFailure:
        """The entry of a URL's first failure."""
        return FetchFailure(url, 1, when, when + retry_delay(1, transient), reason,
                            transient)


RobotsVerdict = Literal["rules", "none", "unreachable"]
ROBOTS_VERDICTS: tuple[RobotsVerdict, ...] = ("rules", "none", "unreachable")


@dataclass(slots=True, frozen=True)
class RobotsEntry:
    """What a site's robots.txt said when it was last asked, as the store keeps it so
    the next process (a ``watch --once`` from cron) need not ask again before it
    expires: ``"rules"`` (``body`` is the robots.txt text), ``"none"`` (no robots.txt:
    a 4xx, or over 5 redirects; everything allowed) or ``"unreachable"`` (5xx, 429 or no
    answer; ``body`` says why; the whole site is off limits until it is asked again,
    soon)."""

    site: str
    """``scheme://host[:port]``: the unit robots.txt applies to."""
    verdict: RobotsVerdict
    fetched_at: datetime
    body: str = ""

    @property
    def lasting(self) -> bool:
        """Whether the answer is kept the whole expiry (a day), not retried soon."""
        return self.verdict != "unreachable"

    def fresh(self, now: datetime, ttl: timedelta, retry: timedelta) -> bool:
        """Whether it may still be used at ``now``: for ``ttl`` after it was fetched
        (``retry`` for an unreachable one). A fetch time in the future (the clock set
        back) does not make it good for longer: it is stale."""
        return self.fetched_at <= now < self.fetched_at + (ttl if self.lasting else retry)
