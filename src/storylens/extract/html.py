"""Main text and metadata from an HTML page: trafilatura (which runs htmldate for the
date), with a visible-text fallback when trafilatura finds no article body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from storylens.errors import InputError


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    text: str
    title: str | None
    date: str | None
    site_name: str | None
    url: str | None
    warnings: tuple[str, ...] = ()
    whole_page: bool = False
    """True when ``text`` is the page's visible text (trafilatura found no article body):
    it still holds the page furniture, so it needs the full plain-text cleaning."""


_BLOCK = re.compile(
    r"</?(p|div|br|li|h[1-6]|tr|section|article|blockquote|header|footer|ul|ol|table|figure|"
    r"figcaption|aside|nav)\b[^>]*>",
    re.IGNORECASE,
)


MAX_TAGS = 50_000
"""Pages with more tags than this (real news pages have under 20,000; the largest of
trafilatura's evaluation pages 19,437) skip the full extraction, whose cost grows
faster than the page (100,000 paragraphs: 20 s), and use the visible text (linear, about
a second): a hostile or broken page costs bounded time."""


def extract_html(html: str, *, url: str | None, source: str, include_tables: bool = True,
                 favor_precision: bool = True) -> HtmlExtract:
    """Extract the article from ``html``. Raises ``InputError`` when the page holds no text.

    ``include_tables``: keep the text of tables inside the article (one line per row), as
    trafilatura's own evaluation does: tables hold story text (results, schedules, figures).
    ``favor_precision``: trafilatura's stricter mode (less text, fewer furniture lines);
    both defaults were chosen on the tune half of trafilatura-eval-dev (BENCHMARKS.md,
    issue 14)."""
    doc: Any
    tags = html.count("<")
    if tags > MAX_TAGS:
        doc = None
        warn: tuple[str, ...] = (f"page too large for full extraction ({tags:,} tags); used "
                                 "its visible text",)
    else:
        doc, warn = _bare(html, url, include_tables, favor_precision)
    if doc is not None and getattr(doc, "text", None):
        return HtmlExtract(
            text=str(doc.text), title=_s(doc.title), date=_s(doc.date),
            site_name=_s(doc.sitename), url=_s(doc.url) or url, warnings=warn,
        )
    text = visible_text(html)
    if not text.strip():
        raise InputError(source, "HTML page holds no readable text; skipped")
    return HtmlExtract(
        text=text, title=_title_tag(html), date=None, site_name=None, url=url, whole_page=True,
        warnings=warn if tags > MAX_TAGS else (
            *warn, "no article body found by trafilatura; used all visible text"),
    )


def _bare(html: str, url: str | None, include_tables: bool,
          favor_precision: bool) -> tuple[Any, tuple[str, ...]]:
    """trafilatura's extraction, or None with a warning when it fails."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False,
            include_tables=include_tables, deduplicate=False, favor_precision=favor_precision,
        )
    except Exception as e:  # trafilatura/lxml raise many types on broken markup
        return None, (f"HTML extraction failed ({type(e).__name__}); used page text",)
    return doc, ()


def visible_text(html: str) -> str:
    """All visible text of a page, one line per block element."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(_BLOCK.sub("\n", html) or "<p></p>")
    except Exception:
        return ""
    for bad in tree.xpath("//script|//style|//noscript|//template|//svg|//head"):
        if bad.getparent() is not None:
            bad.drop_tree()  # keeps the element's tail text, unlike remove()
    lines = (" ".join(ln.split()) for ln in tree.text_content().splitlines())
    return "\n".join(ln for ln in lines if ln)


def _title_tag(html: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(m.group(1).split()) if m else None


def _s(v: object) -> str | None:
    return str(v).strip() if v not in (None, "", "None") else None
