"""What a source lists: article URLs from RSS/Atom feeds, sitemaps (indexes and Google
News sitemaps included) and HTML pages, and feeds discovered from a home page.

Parsers take bytes already fetched (bounded by the ``Fetcher``) and never touch the
network; XML is parsed with entities, DTDs and network access off, so a hostile feed
costs no more than its size. A malformed feed or sitemap is one ``InputError`` naming
its URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from storylens.errors import InputError
from storylens.fetch.client import FEED_TYPES, Fetcher, FetchError, FetchResult
from storylens.fetch.pages import PageRef
from storylens.fetch.urls import join_url, normalize_url
from storylens.ingest.bounds import gunzip_bounded
from storylens.ingest.httpbody import HTML_TYPES, decode_body, media_type
from storylens.records_source import Source, SourceKind

SOURCE_TYPES = FEED_TYPES | HTML_TYPES
MAX_CHILD_SITEMAPS = 20
"""Sitemaps of an index read per poll (news sitemaps and the newest first)."""
MAX_REFS = 500
"""Article URLs taken from one source per poll (a sitemap may list a million)."""
_NS_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NS_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass(slots=True)
class Listing:
    """What one poll of a source found."""

    refs: list[PageRef] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    problems: list[InputError] = field(default_factory=list)
    """Child sitemaps that failed (the others were read)."""


def sniff_kind(result: FetchResult) -> SourceKind | None:
    """``feed``, ``sitemap`` or ``page`` (HTML) from a response's type and first bytes."""
    body = maybe_gunzip(result)
    head = body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if media_type(result.content_type) in HTML_TYPES or b"<html" in head:
        return "page"
    return None


def parse_feed(body: bytes, url: str) -> tuple[list[PageRef], str | None]:
    """The entries of an RSS/Atom feed as ``PageRef`` (link, title, published) and the
    feed's title."""
    import feedparser

    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    refs = []
    for e in entries:
        link = e.get("link")
        if not isinstance(link, str) or not link.strip():
            continue
        published = e.get("published") or e.get("updated")
        target = join_url(url, link)
        if target is None:  # a malformed link: that entry only is left out
            continue
        refs.append(PageRef(target, _text(e.get("title")),
                            published if isinstance(published, str) else None))
    if parsed.get("bozo") and not refs:  # broken and nothing usable in it
        why = str(parsed.get("bozo_exception") or "").splitlines()[0:1]
        raise InputError(url, f"malformed feed ({(why[0] if why else 'unreadable')[:100]}); "
                              "nothing listed")
    if not parsed.get("version") and not refs:
        raise InputError(url, "not an RSS or Atom feed; nothing listed")
    title = _text((parsed.get("feed") or {}).get("title"))
    return refs, title


def parse_sitemap(body: bytes, url: str) -> tuple[list[PageRef], list[str]]:
    """``(pages, child sitemaps)`` of a sitemap or sitemap index; news sitemap titles
    and publication dates are kept."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as e:
        raise InputError(url, f"malformed sitemap ({str(e)[:100]}); nothing listed"
                         ) from None
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        children = [(_child(s, "loc"), _child(s, "lastmod")) for s in root
                    if isinstance(s.tag, str) and etree.QName(s).localname == "sitemap"]
        found = [(j, lm or "") for loc, lm in children if loc
                 for j in [join_url(url, loc)] if j]
        # news sitemaps first, then the most recently modified
        found.sort(key=lambda c: ("news" not in c[0].lower(), _neg(c[1])))
        return [], [c for c, _ in found]
    if tag != "urlset":
        raise InputError(url, f"not a sitemap (root element <{tag}>); nothing listed")
    refs = []
    for u in root:
        if not isinstance(u.tag, str) or etree.QName(u).localname != "url":
            continue
        loc = _child(u, "loc")
        if not loc:
            continue
        news = u.find(f"{_NS_NEWS}news")
        title = _child(news, "title") if news is not None else None
        date = (_child(news, "publication_date") if news is not None else None)
        target = join_url(url, loc)
        if target:
            refs.append(PageRef(target, title, date or None))
    return refs, []


def discover_feeds(html: str, url: str) -> list[str]:
    """Feed URLs a page links to (``<link rel="alternate" type="application/rss+xml">``
    and Atom), in page order."""
    from lxml import html as lhtml

    try:
        doc = lhtml.document_fromstring(html[:2_000_000])
    except Exception:  # lxml raises several types on junk; a page with no feed then
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in ("application/rss+xml", "application/atom+xml",
                                            "application/rdf+xml") and href:
            u = join_url(url, href)
            if u and u not in found:
                found.append(u)
    return found


def page_links(html: str, url: str) -> list[PageRef]:
    """Links of a page (a section front) to other pages of the same site that look like
    articles: a path of two or more segments or a long last segment."""
    from lxml import html as lhtml

    try:
        doc = lhtml.document_fromstring(html[:2_000_000])
    except Exception:  # lxml raises several types on junk
        return []
    host = urlsplit(url).netloc.lower()
    seen: dict[str, PageRef] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        target = join_url(url, href)
        if target is None:
            continue
        p = urlsplit(target)
        if p.netloc.lower() != host or p.scheme not in ("http", "https"):
            continue
        segments = [s for s in p.path.split("/") if s]
        if len(segments) >= 2 or (segments and len(segments[-1]) >= 25):
            seen.setdefault(target, PageRef(target, _text(a.text_content()) or None))
    return list(seen.values())


def list_source(fetcher: Fetcher, source: Source) -> Listing:
    """Poll ``source``: a conditional GET, then the article URLs it lists (at most
    ``MAX_REFS``). Raises ``InputError`` naming the source URL when it cannot be read."""
    res = fetcher.get(source.url, accept=SOURCE_TYPES, etag=source.etag,
                      last_modified=source.last_modified)
    listing = Listing(etag=res.etag, last_modified=res.last_modified)
    if res.not_modified:
        listing.not_modified = True
        return listing
    kind = source.kind
    if kind == "feed":
        listing.refs, listing.title = parse_feed(maybe_gunzip(res), source.url)
    elif kind == "sitemap":
        refs, children = parse_sitemap(maybe_gunzip(res), source.url)
        if children:  # an index rarely changes when its sitemaps do: never send its
            listing.etag = listing.last_modified = None  # validators, read them all
        for child in children[:MAX_CHILD_SITEMAPS]:
            if len(refs) >= MAX_REFS:
                break
            try:
                more, _ = parse_sitemap(maybe_gunzip(
                    fetcher.get(child, accept=FEED_TYPES)), child)
            except InputError as e:
                listing.problems.append(e)
                continue
            refs.extend(more)
        listing.refs = refs
    else:
        text, _ = decode_body(res.body, res.content_type, source.url)
        listing.refs = page_links(text, res.final_url)
    listing.refs = _dedupe(listing.refs)[:MAX_REFS]
    return listing


def _dedupe(refs: Iterable[PageRef]) -> list[PageRef]:
    out: dict[str, PageRef] = {}
    for r in refs:
        try:
            key = normalize_url(r.url)
        except InputError:
            continue
        out.setdefault(key, PageRef(key, r.title, r.published))
    return list(out.values())


def maybe_gunzip(res: FetchResult) -> bytes:
    """The body, gunzipped when the file itself is gzip (``sitemap.xml.gz``)."""
    if res.body[:2] == b"\x1f\x8b":
        try:
            return gunzip_bounded(res.body, 50_000_000, res.url)
        except InputError as e:
            raise FetchError(res.url, e.reason) from None
    return res.body


def _child(el: object, name: str) -> str | None:
    if el is None:
        return None
    for ns in (_NS_SITEMAP, _NS_NEWS, ""):
        found = el.find(f"{ns}{name}")  # type: ignore[attr-defined]
        if found is not None and found.text:
            return str(found.text).strip()
    return None


def _neg(lastmod: str) -> str:
    """A sort key putting later ISO dates first (empty last)."""
    return "".join(chr(0x10FFFF - ord(c)) for c in lastmod) if lastmod else "\U0010ffff"


def _text(value: object) -> str | None:
    return " ".join(value.split())[:500] or None if isinstance(value, str) else None
