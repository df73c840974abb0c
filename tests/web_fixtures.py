"""Pages, feeds, sitemaps and hostile bodies served by the local test server."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from functools import cache

from tests.http_server import Handler, Reply

HTML = {"Content-Type": "text/html; charset=utf-8"}


def article(title: str, body: str, date: str = "2024-03-05") -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title>"
            f"<meta property='article:published_time' content='{date}'></head><body>"
            f"<article><h1>{title}</h1><p>{body}</p><p>Officials said the work would "
            "continue through the spring, and a public meeting is planned for next month "
            "to hear residents.</p></article></body></html>").encode()


PAGES = {
    "/news/budget.html": article("Lyon votes its budget", "The city council of Lyon voted "
                                 "the budget on Monday after a long debate about transport."),
    "/news/floods.html": article("Floods hit Porto", "Heavy rain flooded the lower town of "
                                 "Porto and the river rose to a twenty-year high."),
    "/news/strike.html": article("Rail strike in Milan", "Rail workers in Milan walked out "
                                 "on Thursday over pay, halting most regional trains."),
    "/news/election.html": article("Election in Gdansk", "Voters in Gdansk chose a new "
                                   "mayor on Sunday in a race decided by a few hundred votes."),
}


def page(path: str) -> Reply:
    return 200, HTML, PAGES[path]


def with_etag(body: bytes, ctype: str, etag: str = '"v1"') -> Handler:
    """A resource that answers 304 to a matching If-None-Match."""
    def handle(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": ctype, "ETag": etag,
                     "Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT"}, body
    return handle


def flaky(after: int, reply: Reply, retry_after: str = "2") -> Handler:
    """429 with Retry-After for the first ``after`` requests, then ``reply``."""
    count = {"n": 0}

    def handle(headers: dict[str, str]) -> Reply:
        count["n"] += 1
        if count["n"] <= after:
            return 429, {"Retry-After": retry_after, "Content-Type": "text/plain"}, b"slow down"
        return reply
    return handle


def endless() -> Reply:
    def chunks() -> Iterator[bytes]:
        yield b"<html><body>"
        while True:
            yield b"<p>" + b"more " * 2000 + b"</p>"
    return 200, HTML, chunks()


@cache
def _bomb(mb: int) -> bytes:
    return gzip.compress(b"\0" * (mb << 20), 6)


def gzip_bomb(mb: int = 60) -> Reply:
    """``mb`` MB of zeros in about ``mb`` × 1 KB of gzip."""
    return 200, {**HTML, "Content-Encoding": "gzip"}, _bomb(mb)


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>Item {p}</title><link>{base}{p}</link>"
                    f"<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>" for p in paths)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Local news</title>"
            f"<link>{base}/</link>{items}</channel></rss>").encode()


def sitemap_index(base: str, children: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{base}{c}</loc></sitemap>" for c in children)
    return ("<?xml version='1.0' encoding='UTF-8'?><sitemapindex "
            f"xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</sitemapindex>"
            ).encode()


def news_sitemap(base: str, paths: list[str]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{p}</loc><news:news><news:publication><news:name>Local"
        f"</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>2024-03-06T09:00:00Z</news:publication_date>"
        f"<news:title>News {p}</news:title></news:news></url>" for p in paths)
    return ("<?xml version='1.0' encoding='UTF-8'?><urlset "
            "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
            f"{urls}</urlset>").encode()


def plain_sitemap(base: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>2024-03-01</lastmod></url>"
                   for p in paths)
    return ("<?xml version='1.0' encoding='UTF-8'?><urlset "
            f"xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>").encode()
