"""`storylens watch` as a real process stopped by SIGTERM (issue 14): the source in hand
is finished (its page that was in flight when the signal came is stored), what was stored
is committed, the next source is not polled, and the process exits 0 after one line on
stderr saying it is stopping."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storylens.api import sources as api_sources
from storylens.fetch.client import Fetcher, Limits
from storylens.fetch.safety import AllowList
from storylens.store import open_store
from tests.conftest import ROOT
from tests.http_server import LocalServer, Reply
from tests.web_fixtures import page, rss

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def test_sigterm_finishes_the_source_in_hand_commits_and_exits_0(tmp_path: Path) -> None:
    in_flight, release = threading.Event(), threading.Event()

    def slow_page(headers: dict[str, str]) -> Reply:
        in_flight.set()  # the watcher is fetching this page now
        release.wait(20)
        return page("/news/floods.html")

    srv = LocalServer({})
    base = srv.url("").rstrip("/")
    srv.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\n"),
        "/news/budget.html": page("/news/budget.html"),
        "/news/floods.html": slow_page,
        "/news/strike.html": page("/news/strike.html"),
        "/a.xml": (200, {"Content-Type": "application/rss+xml"},
                   rss(base, ["/news/budget.html", "/news/floods.html"])),
        "/b.xml": (200, {"Content-Type": "application/rss+xml"},
                   rss(base, ["/news/strike.html"])),
    })
    db = tmp_path / "watch.db"
    env = {**os.environ, "STORYLENS_DB": str(db), "STORYLENS_ALLOW_HOSTS": "127.0.0.1",
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with srv:
        with open_store(db) as store, Fetcher(AllowList.parse(["127.0.0.1"]),
                                              Limits(delay=0), sleep=lambda s: None) as f:
            api_sources.add_source(store, f, srv.url("/a.xml"))
            api_sources.add_source(store, f, srv.url("/b.xml"))
        before = len(srv.log)  # adding the sources fetched both feeds
        proc = subprocess.Popen(
            [sys.executable, "-c", "from storylens.cli.app import main; main()", "watch",
             "--delay", "0", "--no-cluster", "--interval", "0", "--no-progress"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert in_flight.wait(60), "the watcher never fetched the slow page"
            proc.send_signal(signal.SIGTERM)
            release.set()
            out, err = proc.communicate(timeout=60)
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        fetched = [p for _, p, _ in srv.log[before:]]
    assert proc.returncode == 0, err
    assert err.strip().splitlines() == ["stopping after the batch in hand (again to stop "
                                        "now)"]
    assert "Traceback" not in err
    assert "polled 1 sources: new articles 2" in out
    assert "/a.xml" in fetched  # the watcher polled the first source...
    assert "/b.xml" not in fetched and "/news/strike.html" not in fetched  # ...not the next
    with sqlite3.connect(db) as con:  # committed: another connection sees both articles
        urls = {row[0] for row in con.execute("SELECT url FROM articles")}
    assert urls == {srv.url("/news/budget.html"), srv.url("/news/floods.html")}
