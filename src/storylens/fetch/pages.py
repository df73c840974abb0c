"""Fetched article pages -> ``RawDoc``: what ingest reads, whatever the transport.

A ``PageRef`` is a URL to fetch with what a feed or sitemap said about it (title,
published date), which wins over what extraction guesses, as JSONL fields do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from storylens.errors import InputError
from storylens.fetch.client import Fetcher, FetchError, FetchResult
from storylens.fetch.urls import normalize_url
from storylens.ingest.bounds import clean_str
from storylens.ingest.httpbody import HTML_TYPES, decode_body, media_type
from storylens.records import RawDoc


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


def fetch_pages(refs: Iterable[PageRef | str], fetcher: Fetcher,
                known: Callable[[list[str]], set[str]], skipped: Counter[str],
                transient: list[str] | None = None) -> Iterator[RawDoc | InputError]:
    """Fetch each page not already stored (``known`` answers which normalised URLs
    are); one ``InputError`` per URL that fails, the others go on. URLs stored already,
    or given twice, are counted in ``skipped``; URLs that failed in a way that may pass
    later (timeouts, 5xx) are appended to ``transient``."""
    seen: set[str] = set()
    for item in refs:
        ref = item if isinstance(item, PageRef) else PageRef(item)
        try:
            url = normalize_url(ref.url)
        except InputError as e:
            yield e
            continue
        if url in seen:
            skipped["given twice"] += 1
            continue
        seen.add(url)
        if known([url]):
            skipped["already stored"] += 1
            continue
        try:
            yield page_doc(fetcher.get(url), ref)
        except InputError as e:
            if transient is not None and getattr(e, "transient", False):
                transient.append(url)
            yield e
