"""Following sources (storylens.api.sources, `storylens sources`, `storylens watch`)
against a local server: feeds, sitemap indexes with news and gzipped sitemaps, feed
discovery from a home page, robots.txt, 304s, 429 with Retry-After, a redirect to a
private address and hostile bodies; a second poll fetches nothing new."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from storylens.api import sources as api_sources
from storylens.cli.app import app
from storylens.errors import InputError
from storylens.fetch.client import Fetcher, Limits
from storylens.fetch.safety import AllowList
from storylens.fetch.sources import discover_feeds, page_links, parse_feed, parse_sitemap
from storylens.store import Store, open_store
from tests.http_server import LocalServer
from tests.web_fixtures import (
    HTML,
    PAGES,
    flaky,
    gzip_bomb,
    news_sitemap,
    page,
    plain_sitemap,
    rss,
    sitemap_index,
    with_etag,
)

XML = "application/xml"
ROBOTS = b"User-agent: *\nDisallow: /members/\n"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer({})
    base = srv.url("").rstrip("/")
    home = (b"<html><head><link rel='alternate' type='application/rss+xml' "
            b"href='/feed.xml'></head><body><p>Welcome</p></body></html>")
    srv.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS),
        **{p: page(p) for p in PAGES},
        "/members/paywalled.html": page("/news/budget.html"),
        "/news/busy.html": flaky(1, page("/news/election.html"), retry_after="1"),
        "/news/bomb.html": gzip_bomb(),
        "/news/to-private.html": (302, {"Location": "http://10.0.0.7/x.html"}, b""),
        "/feed.xml": with_etag(rss(base, ["/news/budget.html", "/news/floods.html",
                                          "/members/paywalled.html", "/news/busy.html"]),
                               "application/rss+xml"),
        "/home.html": (200, HTML, home),
        "/sitemap_index.xml": (200, {"Content-Type": XML}, sitemap_index(
            base, ["/sitemap-pages.xml.gz", "/sitemap-news.xml", "/sitemap-broken.xml"])),
        "/sitemap-news.xml": (200, {"Content-Type": XML}, news_sitemap(
            base, ["/news/strike.html", "/news/bomb.html"])),
        "/sitemap-pages.xml.gz": (200, {"Content-Type": "application/gzip"}, gzip.compress(
            plain_sitemap(base, ["/news/budget.html", "/news/to-private.html"]))),
        "/sitemap-broken.xml": (200, {"Content-Type": XML}, b"<urlset><url><loc>"),
        "/bad-feed.xml": (200, {"Content-Type": "application/rss+xml"},
                          b"<rss><channel><item><title>x</ti"),
    })
    with srv:
        yield srv


def _fetcher() -> Fetcher:
    return Fetcher(AllowList.parse(["127.0.0.1"]), Limits(delay=0, max_bytes=1_000_000),
                   sleep=lambda s: None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "s.db") as s:
        yield s


# --- parsers ----------------------------------------------------------------------------


def test_parse_feed_and_malformed_feed() -> None:
    refs, title = parse_feed(rss("https://n.example", ["/a", "/b"]), "https://n.example/f")
    assert title == "Local news" and [r.url for r in refs] == ["https://n.example/a",
                                                               "https://n.example/b"]
    assert refs[0].published and refs[0].title == "Item /a"
    with pytest.raises(InputError, match="malformed feed") as e:
        parse_feed(b"<rss><channel><item><title>x</ti", "https://n.example/bad")
    assert e.value.source == "https://n.example/bad"


def test_parse_sitemaps() -> None:
    refs, children = parse_sitemap(news_sitemap("https://n.example", ["/a"]), "https://n.example/s")
    assert children == [] and refs[0].title == "News /a"
    assert refs[0].published == "2024-03-06T09:00:00Z"
    _, children = parse_sitemap(sitemap_index("https://n.example", ["/p.xml", "/news.xml"]),
                                "https://n.example/i")
    assert children == ["https://n.example/news.xml", "https://n.example/p.xml"]
    with pytest.raises(InputError, match="malformed sitemap"):
        parse_sitemap(b"<urlset><url>", "https://n.example/s")
    bomb = (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'>"
            b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]><urlset><url><loc>&b;</loc>"
            b"</url></urlset>")
    refs, _ = parse_sitemap(bomb, "https://n.example/s")  # entities are never expanded
    assert all("aaaaaaaaaa" not in r.url for r in refs)


def test_discovery_and_page_links() -> None:
    html = ("<html><head><link rel='alternate' type='application/atom+xml' href='/atom'>"
            "<link rel='stylesheet' href='/s.css'></head><body>"
            "<a href='/world/2024/story-one'>One</a><a href='/about'>About</a>"
            "<a href='https://elsewhere.example/x/y'>Out</a></body></html>")
    assert discover_feeds(html, "https://n.example/") == ["https://n.example/atom"]
    assert [r.url for r in page_links(html, "https://n.example/")] == [
        "https://n.example/world/2024/story-one"]


# --- sources and polls ------------------------------------------------------------------


def test_add_detects_kinds_and_discovers_feeds(server: LocalServer, store: Store) -> None:
    with _fetcher() as f:
        [feed] = api_sources.add_source(store, f, server.url("/feed.xml"))
        [smap] = api_sources.add_source(store, f, server.url("/sitemap_index.xml"))
        [found] = api_sources.add_source(store, f, server.url("/home.html"))
        assert (feed.kind, feed.title, smap.kind) == ("feed", "Local news", "sitemap")
        assert found.id == feed.id, "the home page's feed is the one already followed"
        with pytest.raises(InputError, match="malformed feed"):
            api_sources.add_source(store, f, server.url("/bad-feed.xml"))
        with pytest.raises(InputError, match="HTTP 404"):
            api_sources.add_source(store, f, server.url("/nothing.xml"))
    assert [s.kind for s in store.list_sources()] == ["feed", "sitemap"]


def test_poll_fetches_new_pages_then_nothing_new(server: LocalServer, store: Store) -> None:
    with _fetcher() as f:
        api_sources.add_source(store, f, server.url("/feed.xml"))
        api_sources.add_source(store, f, server.url("/sitemap_index.xml"))
        api_sources.add_source(store, f, server.url("/bad-feed.xml"), "feed")
        first = api_sources.poll(store, f)
        stored = {a.url for a in store.get_articles(first.ingest.ingested)}
        assert stored == {server.url(p) for p in ("/news/budget.html", "/news/floods.html",
                                                  "/news/busy.html", "/news/strike.html")}
        failed = dict(first.ingest.failed)
        assert "disallowed by the site's robots.txt" in failed[
            server.url("/members/paywalled.html")]
        assert "MB limit" in failed[server.url("/news/bomb.html")]
        assert "10.0.0.7 is a private address; refused" in failed[
            server.url("/news/to-private.html")]
        assert "malformed sitemap" in failed[server.url("/sitemap-broken.xml")]
        assert "malformed feed" in failed[server.url("/bad-feed.xml")]
        assert server.hits("/news/busy.html") == 2  # 429 with Retry-After, then the page
        assert server.hits("/members/paywalled.html") == 0
        statuses = {s.url.rsplit("/", 1)[-1]: s for s in store.list_sources()}
        assert statuses["feed.xml"].articles == 3
        assert statuses["feed.xml"].last_status == "ok, 1 failed"  # robots.txt said no
        assert statuses["bad-feed.xml"].last_status.startswith("error: malformed feed")
        assert statuses["sitemap_index.xml"].last_status == "ok, 3 failed"

        assert api_sources.poll(store, f).polled == [], "nothing is due yet"
        log_before = len(server.log)
        second = api_sources.poll(store, f, interval=0)
        assert second.ingest.ingested == []
        assert second.polled[0]["status"] == "not modified"  # the feed answered 304
        pages = [p for _, p, _ in server.log[log_before:] if p.startswith("/news/")]
        assert pages == [], "the failed pages are left alone for now (the fetch log)"
        assert second.ingest.skipped["failed recently"] == 2
        log_before = len(server.log)
        later = api_sources.poll(store, f, interval=0,
                                 now=datetime.now(UTC) + timedelta(days=2))
        pages = [p for _, p, _ in server.log[log_before:] if p.startswith("/news/")]
        assert pages == ["/news/bomb.html", "/news/to-private.html"]  # only the failed ones
        assert later.ingest.ingested == []
        assert {server.url("/news/bomb.html"), server.url("/news/to-private.html")} <= \
            dict(later.ingest.failed).keys()
        assert store.fetch_failures([server.url("/news/bomb.html")])[
            server.url("/news/bomb.html")].failures == 2
        assert store.count_articles() == 4


def test_poll_stops_between_sources_when_asked(server: LocalServer, store: Store) -> None:
    with _fetcher() as f:
        api_sources.add_source(store, f, server.url("/feed.xml"))
        api_sources.add_source(store, f, server.url("/sitemap_index.xml"))
        asked = iter([False, True])
        report = api_sources.poll(store, f, should_stop=lambda: next(asked))
    assert [p["url"] for p in report.polled] == [server.url("/feed.xml")]


# --- the CLI ----------------------------------------------------------------------------


def test_cli_sources_and_watch_once_twice(server: LocalServer, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLENS_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("STORYLENS_DB", str(tmp_path / "cli.db"))

    def run(*args: str, rc: int | None = 0) -> Result:
        result = CliRunner().invoke(app, list(args))
        if rc is not None:
            assert result.exit_code == rc, (result.stdout, result.stderr)
        return result

    run("sources", "add", server.url("/home.html"))
    run("sources", "add", server.url("/sitemap-news.xml"), "--kind", "sitemap")
    listed = json.loads(run("sources", "list", "--json").stdout)
    assert [(s["id"], s["kind"], s["last_fetch"]) for s in listed] == [
        (1, "feed", None), (2, "sitemap", None)]
    first = run("watch", "--once", "--delay", "0", "--no-cluster", "--interval", "0",
                "--no-progress", rc=1)  # robots.txt and the bomb: one line each
    assert "new articles 4" in first.stdout
    errors = [ln for ln in first.stderr.splitlines() if ln.startswith("failed:")]
    assert len(errors) == 2 and "Traceback" not in first.stderr
    pages_before = sum(1 for _, p, _ in server.log if p.startswith("/news/"))
    second = run("watch", "--once", "--delay", "0", "--no-cluster", "--interval", "0",
                 "--json", rc=0)  # the bomb failed recently: not fetched again yet
    report = json.loads(second.stdout)
    assert report["ingested"] == 0 and report["skipped"] == {"already stored": 1,
                                                             "failed recently": 1}
    assert [s["status"] for s in report["sources"]] == ["not modified", "ok"]
    assert sum(1 for _, p, _ in server.log if p.startswith("/news/")) == pages_before
    assert server.hits("/robots.txt") == 1, "the store keeps it: each run does not ask"
    table = run("sources", "list").stdout
    assert "feed" in table and "not modified" in table
    assert "removed source 2" in run("sources", "remove", "2").stdout
    gone = run("sources", "remove", "2", rc=2)
    assert "source 2: no such source" in gone.stderr
