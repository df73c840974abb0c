"""Fetching pages into the store (storylens.api.fetch, `storylens fetch`): pages become
articles, a stored URL is never fetched again, every bad URL is one line and the batch
goes on, and loopback is refused unless allowed, storing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storylens import api
from storylens.cli.app import app
from storylens.fetch.client import Fetcher, Limits
from storylens.fetch.pages import PageRef
from storylens.fetch.safety import AllowList
from storylens.store import open_store
from tests.conftest import RunCli
from tests.http_server import LocalServer
from tests.web_fixtures import HTML, PAGES, gzip_bomb, page


@pytest.fixture
def server() -> Iterator[LocalServer]:
    nested = b"<html><body>" + b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000
    routes = {
        **{p: page(p) for p in PAGES},
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
        "/latin1.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                         PAGES["/news/floods.html"].replace(b"Porto", "Besançon".encode(
                             "cp1252"))),
        "/nested.html": (200, HTML, nested),
        "/bomb.html": gzip_bomb(),
        "/feed.rss": (200, {"Content-Type": "application/rss+xml"}, b"<rss/>"),
        "/to-private": (302, {"Location": "http://192.168.0.10/"}, b""),
    }
    with LocalServer(routes) as srv:
        yield srv


def _fetcher() -> Fetcher:
    return Fetcher(AllowList.parse(["127.0.0.1"]), Limits(delay=0, max_bytes=2_000_000),
                   sleep=lambda s: None)


def test_pages_are_stored_once_and_bad_urls_are_one_line_each(server: LocalServer,
                                                              tmp_path: Path) -> None:
    good = [server.url(p) for p in ("/news/budget.html", "/news/floods.html")]
    bad = [server.url("/missing.html"), server.url("/bomb.html"), server.url("/feed.rss"),
           server.url("/to-private"), "ftp://example.org/x"]
    with open_store(tmp_path / "s.db") as store, _fetcher() as f:
        report = api.fetch([*good, *bad, good[0] + "?utm_source=rss"], store, f)
        assert len(report.ingested) == 2
        assert {s for s, _ in report.failed} == {*bad}
        reasons = dict(report.failed)
        assert "HTTP 404" in reasons[bad[0]] and "MB limit" in reasons[bad[1]]
        assert "not what was asked for" in reasons[bad[2]]
        assert "192.168.0.10 is a private address; refused" in reasons[bad[3]]
        assert all("\n" not in r for r in reasons.values())
        assert report.skipped == {"given twice": 1}
        arts = store.get_articles(report.ingested)
        assert {a.url for a in arts} == set(good) and {a.source for a in arts} == set(good)
        assert any("Lyon" in a.title for a in arts)
        hits = len(server.log)
        again = api.fetch([good[0], good[1] + "#comments"], store, f)
        assert again.ingested == [] and again.skipped == {"already stored": 2}
        assert len(server.log) == hits  # nothing was requested


def test_feed_metadata_wins_and_hostile_pages_never_stop_the_batch(server: LocalServer,
                                                                   tmp_path: Path) -> None:
    refs = [PageRef(server.url("/nested.html")), PageRef(server.url("/latin1.html")),
            PageRef(server.url("/news/strike.html"), title="Strike: trains halted",
                    published="2024-04-01T08:00:00Z")]
    with open_store(tmp_path / "s.db") as store, _fetcher() as f:
        report = api.fetch(refs, store, f)
        assert report.internal_errors == 0
        by_url = {a.url: a for a in store.get_articles(report.ingested)}
        strike = by_url[server.url("/news/strike.html")]
        assert strike.title == "Strike: trains halted"
        assert strike.published is not None and strike.published.month == 4
        latin = by_url[server.url("/latin1.html")]
        # the charset lied: the page is still stored, with a note on the encoding used
        assert "Besan" in latin.text and any("not valid UTF-8" in w or "decoded as" in w
                                             for w in latin.warnings)


def test_cli_fetch_loopback_is_refused_without_the_allowance(
        server: LocalServer, run_cli: RunCli, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYLENS_ALLOW_HOSTS", raising=False)
    proc = run_cli("fetch", server.url("/"), server.url("/news/budget.html"), "--no-cluster")
    assert proc.returncode == 1, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2 and all("loopback address; refused" in ln for ln in lines)
    assert "Traceback" not in proc.stderr
    assert server.log == []
    with open_store(tmp_path / "store.db") as store:
        assert store.count_articles() == 0


def test_cli_fetch_with_the_allowance_stores_and_skips_on_rerun(
        server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLENS_ALLOW_HOSTS", "10.0.0.0/8, 127.0.0.1")
    monkeypatch.setenv("STORYLENS_DB", str(tmp_path / "cli.db"))
    url = server.url("/news/election.html")
    args = ["fetch", url, "--delay", "0", "--no-cluster", "--no-progress"]
    first = CliRunner().invoke(app, [*args, "--json"])
    assert first.exit_code == 0 and json.loads(first.stdout)["ingested"] == 1
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "already stored 1" in again.stdout
    assert server.hits("/news/election.html") == 1
    bad = CliRunner().invoke(app, [*args, "--allow-host", "10.0.0.0/99"])
    assert bad.exit_code == 2 and "'10.0.0.0/99'" in bad.stderr


def test_a_failed_url_is_left_alone_then_retried_and_cleared(server: LocalServer,
                                                             tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    url = server.url("/later.html")
    t0 = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    with open_store(tmp_path / "s.db") as store, _fetcher() as f:
        first = api.fetch([url], store, f, now=t0)
        assert "HTTP 404" in dict(first.failed)[url]
        again = api.fetch([url], store, f, now=t0 + timedelta(hours=1))
        assert again.failed == [] and again.skipped == {"failed recently": 1}
        assert server.hits("/later.html") == 1, "not fetched while it failed recently"
        server.routes["/later.html"] = page("/news/strike.html")
        later = api.fetch([url], store, f, now=t0 + timedelta(days=2))
        assert len(later.ingested) == 1 and server.hits("/later.html") == 2
        assert store.fetch_failures([url]) == {}, "a success clears the log"


def test_a_page_that_is_no_article_is_logged_too(server: LocalServer, tmp_path: Path) -> None:
    server.routes["/empty-article.html"] = (200, HTML, b"<html><body><img src=a.png></body>"
                                                       b"</html>")
    url = server.url("/empty-article.html")
    with open_store(tmp_path / "s.db") as store, _fetcher() as f:
        first = api.fetch([url], store, f)
        assert [s for s, _ in first.failed] == [url]
        entry = store.fetch_failures([url])[url]
        assert not entry.transient and entry.failures == 1
        assert api.fetch([url], store, f).skipped == {"failed recently": 1}
