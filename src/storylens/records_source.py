"""The record of a followed source (a feed, a sitemap or a page listing articles) as the
store keeps it, with what its last poll found."""

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
