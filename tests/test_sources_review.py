"""Defects found in review of sources and polls, each pinned: malformed links in a feed,
sitemap or page leave that link out (no traceback), a gzipped feed can be added, a
sitemap index is read whole every poll (its children change, it does not), and a page
that failed for a passing reason is listed and tried again even when the feed would
answer 304."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storylens.api import sources as api_sources
from storylens.fetch.client import Fetcher, Limits
from storylens.fetch.safety import AllowList
from storylens.fetch.sources import discover_feeds, page_links, parse_feed, parse_sitemap
from storylens.store import open_store
from storylens.store.base import Store
from tests.http_server import LocalServer, Reply
from tests.web_fixtures import PAGES, page, plain_sitemap, rss, sitemap_index, with_etag

BAD = "http://[::1/oops"


def test_malformed_links_are_left_out_not_raised() -> None:
    base = "https://n.example"
    feed = rss(base, ["/a"]).replace(b"</channel>", f"<item><link>{BAD}</link></item>"
                                     "</channel>".encode())
    refs, _ = parse_feed(feed, base + "/f")
    assert [r.url for r in refs] == [base + "/a"]
    smap = plain_sitemap(base, ["/a"]).replace(b"</urlset>", f"<url><loc>{BAD}</loc></url>"
                                               "</urlset>".encode())
    assert [r.url for r in parse_sitemap(smap, base + "/s")[0]] == [base + "/a"]
    index = sitemap_index(base, ["/x.xml"]).replace(
        b"</sitemapindex>", f"<sitemap><loc>{BAD}</loc></sitemap></sitemapindex>".encode())
    assert parse_sitemap(index, base + "/i")[1] == [base + "/x.xml"]
    html = (f"<html><head><link rel='alternate' type='application/rss+xml' href='{BAD}'>"
            f"</head><body><a href='{BAD}'>x</a><a href='/world/2024/ok'>ok</a></body></html>")
    assert discover_feeds(html, base + "/") == []
    assert [r.url for r in page_links(html, base + "/")] == [base + "/world/2024/ok"]


class Switch:
    """A page that answers 503 until ``up`` is set."""

    def __init__(self, reply: Reply) -> None:
        self.up, self.reply = False, reply

    def __call__(self, headers: dict[str, str]) -> Reply:
        return self.reply if self.up else (503, {"Content-Type": "text/plain"}, b"down")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "s.db") as s:
        yield s


def _fetcher() -> Fetcher:
    return Fetcher(AllowList.parse(["127.0.0.1"]), Limits(delay=0, retries=0),
                   sleep=lambda s: None)


def test_a_page_that_failed_for_now_is_retried_though_the_feed_is_unchanged(
        store: Store) -> None:
    srv = LocalServer({})
    base = srv.url("").rstrip("/")
    busy = Switch(page("/news/floods.html"))
    srv.routes.update({
        "/robots.txt": (404, {}, b""),
        "/news/budget.html": page("/news/budget.html"), "/news/floods.html": busy,
        "/feed.xml": with_etag(rss(base, ["/news/budget.html", "/news/floods.html"]),
                               "application/rss+xml")})
    with srv, _fetcher() as f:
        api_sources.add_source(store, f, srv.url("/feed.xml"))
        first = api_sources.poll(store, f)
        assert len(first.ingest.ingested) == 1 and "HTTP 503" in first.ingest.failed[0][1]
        assert store.list_sources()[0].etag is None, "validators not saved: a page failed"
        busy.up = True
        soon = api_sources.poll(store, f, interval=0)
        assert soon.ingest.skipped["failed recently"] == 1, "not retried at once"
        assert store.list_sources()[0].etag is None
        second = api_sources.poll(store, f, interval=0,
                                  now=datetime.now(UTC) + timedelta(hours=1))
        assert len(second.ingest.ingested) == 1, "the page that was down is stored now"
        assert store.list_sources()[0].etag == '"v1"'
        third = api_sources.poll(store, f, interval=0)
        assert third.polled[0]["status"] == "not modified"


def test_a_sitemap_index_is_read_whole_every_poll(store: Store) -> None:
    srv = LocalServer({})
    base = srv.url("").rstrip("/")
    child = {"body": plain_sitemap(base, ["/news/budget.html"])}
    srv.routes.update({
        "/robots.txt": (404, {}, b""), **{p: page(p) for p in PAGES},
        "/index.xml": with_etag(sitemap_index(base, ["/news-sitemap.xml"]), "application/xml"),
        "/news-sitemap.xml": lambda h: (200, {"Content-Type": "application/xml"},
                                        child["body"])})
    with srv, _fetcher() as f:
        api_sources.add_source(store, f, srv.url("/index.xml"))
        assert len(api_sources.poll(store, f).ingest.ingested) == 1
        child["body"] = plain_sitemap(base, ["/news/budget.html", "/news/strike.html"])
        again = api_sources.poll(store, f, interval=0)
    assert len(again.ingest.ingested) == 1, "the child's new page is found"
    assert all("if-none-match" not in h for _, path, h in srv.log if path == "/index.xml")


def test_a_gzipped_feed_can_be_added(store: Store) -> None:
    srv = LocalServer({})
    base = srv.url("").rstrip("/")
    srv.routes.update({
        "/robots.txt": (404, {}, b""),
        "/feed.xml.gz": (200, {"Content-Type": "application/gzip"},
                         gzip.compress(rss(base, ["/news/budget.html"])))})
    with srv, _fetcher() as f:
        [added] = api_sources.add_source(store, f, srv.url("/feed.xml.gz"))
    assert (added.kind, added.title) == ("feed", "Local news")
