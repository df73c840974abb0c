"""Pydantic models of the API's bodies: they document ``/openapi.json`` and fix the shape
of every response, so a field cannot appear or vanish by accident."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from storylens.records import Article


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str = Field(description="One line for people: what went wrong and the fix.")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="For validation errors: each bad field's `loc` and `msg`.")


class ErrorBody(BaseModel):
    """Every 4xx/5xx response has this body."""

    error: ErrorInfo


class Health(BaseModel):
    status: Literal["ok"]
    articles: int = Field(description="Articles in the store.")


class Version(BaseModel):
    name: Literal["storylens"]
    version: str
    api: Literal["v1"]
    store_schema: int = Field(description="Schema version of the SQLite store.")


class RemovedLineOut(BaseModel):
    line_no: int
    text: str
    reason: str = Field(description="Why the cleaner dropped the line.")


class ArticleMeta(BaseModel):
    """The metadata every article view carries."""

    id: str
    title: str
    url: str | None
    outlet: str | None
    lang: str | None
    lang_score: float
    published: datetime | None
    published_source: str
    ingested_at: datetime | None
    warnings: list[str]

    @staticmethod
    def fields_of(a: Article) -> dict[str, Any]:
        """The shared metadata of ``a``, as keyword arguments for any subclass."""
        return {"id": a.id, "title": a.title, "url": a.url, "outlet": a.outlet,
                "lang": a.lang, "lang_score": a.lang_score, "published": a.published,
                "published_source": a.published_source, "ingested_at": a.ingested_at,
                "warnings": a.warnings}


class ArticleSummary(ArticleMeta):
    """An article in a list: metadata and an excerpt, not the full text."""

    excerpt: str = Field(description="The first ~240 characters of the clean text.")
    removed_lines: int
    href: str = Field(description="This article's API URL.")

    @classmethod
    def of(cls, a: Article) -> ArticleSummary:
        text = " ".join(a.text.split())
        excerpt = text if len(text) <= 240 else text[:239].rsplit(" ", 1)[0] + "…"
        return cls(**cls.fields_of(a), excerpt=excerpt, removed_lines=len(a.removed),
                   href=f"/api/v1/articles/{a.id}")


class ArticleDetail(ArticleMeta):
    """One article in full: clean text, what the cleaner removed and why, warnings."""

    source: str
    text: str
    content_hash: str
    raw_format: str
    removed: list[RemovedLineOut]
    raw: str | None = Field(default=None, description="The raw input, with `raw=true` only.")

    @classmethod
    def of(cls, a: Article, *, include_raw: bool = False) -> ArticleDetail:
        return cls(**cls.fields_of(a), source=a.source, text=a.text,
                   content_hash=a.content_hash, raw_format=a.raw_format,
                   removed=[RemovedLineOut(line_no=r.line_no, text=r.text, reason=r.reason)
                            for r in a.removed],
                   raw=a.raw if include_raw else None)


class PageLinks(BaseModel):
    next: str | None = Field(description="URL of the next page, `null` on the last.")
    prev: str | None = Field(description="URL of the previous page, `null` on the first.")


class ArticlePage(BaseModel):
    total: int = Field(description="Articles matching the filters, over all pages.")
    limit: int
    offset: int
    articles: list[ArticleSummary]
    links: PageLinks


class ArticleIn(BaseModel):
    """One article to ingest: the JSONL ingest format. `text` or `html` is required."""

    text: str | None = None
    html: str | None = Field(default=None, description="Used instead of `text` when given.")
    title: str | None = None
    url: str | None = None
    outlet: str | None = Field(default=None, description="Default: from the URL's domain.")
    published: str | None = Field(default=None, description="Any date format; ISO preferred.")
    lang: str | None = Field(default=None, description="ISO code; default: detected.")
    id: str | None = Field(default=None, description="The article's id at its source.")


class IngestItem(BaseModel):
    index: int = Field(description="Position of the item in the request array.")
    status: Literal["ingested", "duplicate", "failed"]
    id: str | None = Field(default=None, description="The article id (not for failures).")
    reason: str | None = Field(default=None, description="Why it failed.")


class IngestResult(BaseModel):
    ingested: int
    duplicates: int
    failed: int
    warnings: int = Field(description="Extraction warnings over all ingested articles.")
    items: list[IngestItem]


class SourceOut(BaseModel):
    """A followed source (feed, sitemap or page listing articles) and its last poll."""

    id: int
    url: str
    kind: Literal["feed", "sitemap", "page"]
    title: str | None
    added_at: datetime
    interval: float = Field(description="Seconds between two polls.")
    last_fetch: datetime | None
    last_status: str | None = Field(description='"ok", "not modified", "error: ..." '
                                                "of the last poll; `null` before it.")
    articles: int = Field(description="Articles this source brought in, all polls together.")
    next_due: datetime


class SourceIn(BaseModel):
    """A URL to follow. With `kind` `auto` the server fetches it once (with the same
    address checks, robots.txt and limits as `storylens sources add`): a feed or a
    sitemap is added as such, an HTML page adds the feeds it links to, else itself."""

    url: str = Field(min_length=1, max_length=2000, description="http or https URL.")
    kind: Literal["auto", "feed", "sitemap", "page"] = "auto"
    interval: float = Field(default=900.0, ge=60.0, le=30 * 86400.0,
                            description="Seconds between two polls.")
