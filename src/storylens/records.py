"""Plain typed records passed between pipeline stages.

Stages exchange these slotted dataclasses, never dicts of dicts: a ``RawDoc`` is what
ingest read (bytes decoded, nothing interpreted), an ``Article`` is what extract/enrich
made of it and what the store keeps. Each record converts to and from JSON-ready dicts
so the CLI, the HTTP API and the store share one serialisation.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

RawFormat = Literal["text", "html"]
"""How the raw input of an article is to be read."""

DateSource = Literal["input", "html", "url", "fetched", "text", "none"]
"""Where a published date came from: given in the input, found in HTML metadata
(htmldate), in the URL, the capture time of a crawl archive (WARC-Date), in the text
itself (dateparser), or not found."""


@dataclass(slots=True, frozen=True)
class RawDoc:
    """One article as ingest read it, before any extraction.

    ``content`` is decoded text (plain text or HTML per ``fmt``); the optional fields
    are metadata the input itself supplied (JSONL fields), which win over anything
    extraction guesses.
    """

    source: str
    """Where it came from: a file path, ``path:line`` for JSONL, ``<stdin>`` or a URL."""
    content: str
    fmt: RawFormat
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    lang: str | None = None
    given_id: str | None = None
    encoding_note: str | None = None
    """Set when the bytes were not valid UTF-8 and another encoding was used."""
    fetched: str | None = None
    """When a crawler captured the page (a WARC-Date): the published date of last
    resort before guessing from the text, since news crawls capture pages as they appear."""


@dataclass(slots=True, frozen=True)
class RemovedLine:
    """A line the cleaner dropped from the text, with its position and the reason."""

    line_no: int
    text: str
    reason: str


@dataclass(slots=True)
class Article:
    """An extracted, cleaned article: the unit every later stage reads."""

    id: str
    source: str
    title: str
    text: str
    raw: str
    raw_format: RawFormat
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    published_source: DateSource = "none"
    lang: str | None = None
    lang_score: float = 0.0
    removed: list[RemovedLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ingested_at: datetime | None = None

    @property
    def content_hash(self) -> str:
        """Hash of the clean text, for exact-duplicate detection across sources."""
        return hashlib.blake2b(self.text.encode("utf-8"), digest_size=12).hexdigest()

    @property
    def body(self) -> str:
        """The text, stripped, without a leading copy of the title (extractors often keep
        it): the one place that decides what the title repeats."""
        title, text = (self.title or "").strip(), (self.text or "").strip()
        if starts_with_title(text, title):
            text = text[len(title):].lstrip()
        return text

    @property
    def doc(self) -> str:
        """Title, blank line, body: the document compare, coverage and the story pages
        analyse."""
        title, body = (self.title or "").strip(), self.body
        return f"{title}\n\n{body}" if title else body

    @property
    def outlet_label(self) -> str:
        """The outlet, or for an article without one a stand-in made from its file name
        (else its id), so two articles without an outlet are never merged into one row
        of a coverage matrix. The one label every view uses."""
        if self.outlet:
            return self.outlet
        src = (self.source.rsplit("/", 1)[-1] if self.source and "://" not in self.source
               else self.id[:10])
        src = src.removesuffix(".txt").removesuffix(".html")
        return f"unknown ({src if len(src) <= 60 else src[:59] + '…'})"

    def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
        """JSON-ready dict; datetimes as ISO 8601 strings, the raw input only on request."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["ingested_at"] = self.ingested_at.isoformat() if self.ingested_at else None
        d["content_hash"] = self.content_hash
        if not include_raw:
            d.pop("raw")
        return d


def starts_with_title(text: str, title: str) -> bool:
    """Whether ``text`` opens with a copy of ``title`` (extractors often keep it): the
    title followed by a non-word character or the end, so title "Vote" is not cut from
    a text opening "Voters ..."."""
    return bool(title) and text.startswith(title) and not (
        text[len(title):len(title) + 1].isalnum() and title[-1:].isalnum())


def article_id(raw: RawDoc) -> str:
    """Stable id from the article's source identity and its content.

    The same input (same URL or given id, same content) always gets the same id, so
    re-ingesting is a no-op; the file path is deliberately not part of it, so a copy of
    a file elsewhere is recognised too. A JSONL ``id`` names the article within its
    source, so it replaces the content in the hash.
    """
    h = hashlib.blake2b(digest_size=8)
    h.update((raw.url or "").strip().encode("utf-8"))
    h.update(b"\x00")
    if raw.given_id:
        h.update(b"id:" + raw.given_id.encode("utf-8"))
    else:
        h.update(raw.content.strip().encode("utf-8"))
    return h.hexdigest()
