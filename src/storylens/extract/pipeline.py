"""RawDoc -> Article: the extract/clean and first enrich steps for one article.

A pure function of its inputs (``now`` and the outlet's line counts are passed in), so it
runs the same in the CLI, the HTTP API, tests and any distributed engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from storylens.enrich.dates import date_from_text, date_from_url, parse_date
from storylens.enrich.language import detect
from storylens.enrich.outlets import outlet_of
from storylens.errors import InputError
from storylens.extract.html import HtmlExtract, extract_html, visible_text
from storylens.extract.plaintext import CleanedText, clean_text, line_key
from storylens.records import Article, DateSource, RawDoc, article_id

SiteLines = Callable[[str, list[str]], Mapping[str, int]]
"""Lookup: (outlet, line keys) -> in how many stored articles of that outlet each occurs."""


MAX_BODY_CHARS = 1_000_000
"""Longest text an article may have (the longest news reports are ~100,000 characters):
the bound on what cleaning, language identification and later stages read per item."""


SecondPass = Literal["confident", "full", "off"]


@dataclass(frozen=True, slots=True)
class HtmlSteps:
    """The steps of the HTML path, each switchable so that ``benchmarks/extraction_eval.py``
    can measure what it adds; the defaults are what storylens runs.  Chosen on the tune half
    of trafilatura-eval-dev (issue 14; numbers in BENCHMARKS.md).

    ``tables``: keep table text.  ``favor_precision``: trafilatura's stricter mode.
    ``second_pass``: what the plain-text cleaner does to trafilatura's output: ``confident``
    (only captions, copyright lines, outlet-repeated lines and the repeated title go),
    ``full`` (the whole-page cleaner, as before issue 14) or ``off``.
    ``short_fallback``: when trafilatura keeps under ``SHORT_EXTRACT_CHARS`` characters and
    the cleaned visible text of the page is over ``FALLBACK_RATIO`` times longer, use that
    (trafilatura sometimes keeps a teaser or a caption and misses the article).  Off: with
    the other steps on it lowered the tune half's F1 (0.932 -> 0.931), so it is kept only
    as a measured option."""

    tables: bool = True
    favor_precision: bool = True
    second_pass: SecondPass = "confident"
    short_fallback: bool = False


DEFAULT_STEPS = HtmlSteps()
BEFORE_ISSUE_14 = HtmlSteps(tables=False, favor_precision=False, second_pass="full",
                            short_fallback=False)
SHORT_EXTRACT_CHARS = 300
FALLBACK_RATIO = 3.0


def raw_line_keys(raw_text: str) -> list[str]:
    """Keys of the non-empty lines of a text, as counted for outlet repetition."""
    return [line_key(ln) for ln in raw_text.splitlines() if ln.strip()]


@dataclass(slots=True)
class Prepared:
    """An input after the steps that need nothing but the input itself (HTML extraction,
    outlet, a first language guess): what ``finish_article`` cleans once the outlet's
    line counts are known. Splitting here lets a distributed batch run the expensive,
    order-free part anywhere and feed the order-dependent counts in afterwards."""

    raw: RawDoc
    body: str
    url: str | None
    title: str | None
    page_date: str | None
    outlet: str | None
    first: tuple[str | None, float]
    warnings: list[str]
    html: HtmlExtract | None = None
    """The HTML extraction (``None`` for other formats)."""
    steps: HtmlSteps = DEFAULT_STEPS

    def line_keys(self) -> list[str]:
        """The keys looked up in the outlet's line counts (none without an outlet)."""
        return raw_line_keys(self.body) if self.outlet else []


def prepare_article(raw: RawDoc, steps: HtmlSteps = DEFAULT_STEPS) -> Prepared:
    """The order-free first half of ``extract_article``. Raises ``InputError`` when there
    is no article."""
    warnings: list[str] = []
    if raw.encoding_note:
        warnings.append(raw.encoding_note)
    url, title = raw.url, raw.title
    page_date: str | None = None
    site_name: str | None = None
    h: HtmlExtract | None = None
    if raw.fmt == "html":
        h = extract_html(raw.content, url=raw.url, source=raw.source, include_tables=steps.tables,
                         favor_precision=steps.favor_precision)
        body: str = h.text
        url = raw.url or h.url
        title = title or h.title
        page_date, site_name = h.date, h.site_name
        warnings.extend(h.warnings)
    else:
        body = raw.content
    if not body.strip():
        raise InputError(raw.source, "no text in the input; skipped")
    if len(body) > MAX_BODY_CHARS:
        cut = body.rfind("\n", 0, MAX_BODY_CHARS)
        body = body[: cut if cut > MAX_BODY_CHARS // 2 else MAX_BODY_CHARS]
        warnings.append(f"text cut at {MAX_BODY_CHARS:,} characters (a news article is far "
                        "shorter; the rest was not read)")
    outlet = outlet_of(raw.outlet, site_name, url)
    first = (raw.lang, 1.0) if raw.lang else detect(body)
    return Prepared(raw=raw, body=body, url=url, title=title, page_date=page_date,
                    outlet=outlet, first=first, warnings=warnings, html=h, steps=steps)


def extract_article(raw: RawDoc, *, now: datetime, site_lines: SiteLines | None = None,
                    steps: HtmlSteps = DEFAULT_STEPS) -> Article:
    """Build the ``Article`` for ``raw``. Raises ``InputError`` when there is no article.
    ``steps``: how an HTML page is extracted (the defaults; other values for measuring)."""
    p = prepare_article(raw, steps)
    counts = site_lines(p.outlet, p.line_keys()) if (site_lines and p.outlet) else None
    return finish_article(p, now=now, counts=counts)


def finish_article(p: Prepared, *, now: datetime, counts: Mapping[str, int] | None) -> Article:
    """The second half of ``extract_article``: clean with the outlet's line ``counts``
    (key -> how many earlier articles of the outlet hold that line), then title, language
    and date."""
    raw, body, title, url, h, steps = p.raw, p.body, p.title, p.url, p.html, p.steps
    warnings = list(p.warnings)
    doc_lang = p.first[0]
    page = h is not None and not h.whole_page  # an article trafilatura found in a page
    if page and steps.second_pass == "off":
        cleaned = CleanedText(title=title, paragraphs=[ln.strip() for ln in body.splitlines()
                                                       if ln.strip()])
    else:
        cleaned = clean_text(body, lang=doc_lang, title=title, site_lines=counts,
                             extracted=page and steps.second_pass == "confident")
    if h is not None and page and steps.short_fallback:
        cleaned = _short_fallback(raw.content, h, cleaned, doc_lang, counts, warnings)
    warnings.extend(cleaned.warnings)
    text = cleaned.text
    final_title = (cleaned.title or "").strip() or _fallback_title(text)
    if not text.strip():
        warnings.append("no story text left after cleaning")

    lang: str | None
    if raw.lang:
        lang, score = raw.lang.lower(), 1.0
    elif p.first[0] is not None and len(text) >= 0.9 * len(body):
        lang, score = p.first  # cleaning kept the text: the same answer, not asked twice
    else:
        lang, score = detect(f"{final_title}\n{text}" if text else final_title)
        if lang is None:
            warnings.append("too little text to identify the language")

    published, provenance = _published(raw, p.page_date, url, body, lang, now, warnings)
    return Article(
        id=article_id(raw), source=raw.source, title=final_title, text=text, raw=raw.content,
        raw_format=raw.fmt, url=url, outlet=p.outlet, published=published,
        published_source=provenance, lang=lang, lang_score=round(score, 4),
        removed=list(cleaned.removed), warnings=warnings, ingested_at=now,
    )


def _short_fallback(html: str, h: HtmlExtract, cleaned: CleanedText, lang: str | None,
                    counts: Mapping[str, int] | None, warnings: list[str]) -> CleanedText:
    """``cleaned``, or the cleaned visible text of the page when trafilatura kept little
    (under ``SHORT_EXTRACT_CHARS``) and the page's cleaned text is far longer."""
    kept = len(cleaned.text)
    if kept >= SHORT_EXTRACT_CHARS:
        return cleaned
    page = visible_text(html)
    if len(page) <= FALLBACK_RATIO * kept:
        return cleaned
    other = clean_text(page, lang=lang, title=h.title, site_lines=counts)
    if len(other.text) <= FALLBACK_RATIO * kept:
        return cleaned
    warnings.append(f"the article extractor kept {kept} characters; used the cleaned visible "
                    f"text of the page ({len(other.text)} characters)")
    return other


def _published(
    raw: RawDoc, page_date: str | None, url: str | None, body: str, lang: str | None,
    now: datetime, warnings: list[str],
) -> tuple[datetime | None, DateSource]:
    found: datetime | None = None
    source: DateSource = "none"
    if raw.published:
        found = parse_date(raw.published, lang=lang, now=now)
        if found is None:
            warnings.append(f"published {raw.published!r} is not a date; ignored")
        else:
            source = "input"
    if found is None and page_date:
        found = parse_date(page_date, now=now)
        source = "html" if found else "none"
    if found is None:
        found = date_from_url(url)
        source = "url" if found else "none"
    if found is None and raw.fetched:
        found = parse_date(raw.fetched, now=now)
        source = "fetched" if found else "none"
    if found is None:
        lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
        found = date_from_text(lines, lang=lang, now=now)
        source = "text" if found else "none"
    if found is None:
        warnings.append("no publication date found; ordered by ingest time")
    elif found > now + timedelta(days=1):
        warnings.append(f"published date {found.date().isoformat()} is in the future")
    return found, source


def _fallback_title(text: str) -> str:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return first[:120].strip() or "(untitled)"
