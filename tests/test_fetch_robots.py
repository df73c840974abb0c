"""robots.txt cached with an expiry (storylens.fetch.robots, the Fetcher), in the process
and in the store, against a real server on 127.0.0.1 and a real SQLite store: a new
Fetcher on the same store (what the next ``watch --once`` from cron is) does not ask
for robots.txt again within a day, does after it and then honours the changed rules;
an unreachable robots.txt keeps the site off limits for minutes, not a day, without
being asked again for every page meanwhile; a redirected one is followed. The wall
clock is injected."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storylens.fetch.client import Fetcher, FetchError, Limits
from storylens.fetch.robots import ROBOTS_RETRY, ROBOTS_TTL
from storylens.fetch.safety import AllowList
from storylens.fetch.urls import origin
from storylens.records_source import RobotsEntry
from storylens.store import Store, open_store
from tests.http_server import LocalServer
from tests.web_fixtures import PAGES, page

LOOPBACK = AllowList.parse(["127.0.0.1"])
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TEXT = {"Content-Type": "text/plain"}
V1 = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 4\n"
V2 = b"User-agent: *\nDisallow: /news/\n"


class Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer({"/robots.txt": (200, TEXT, V1),
                      "/news/budget.html": page("/news/budget.html"),
                      "/news/floods.html": page("/news/floods.html"),
                      "/private/secret.html": page("/news/floods.html")}) as srv:
        yield srv


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "s.db"


def fetcher(clock: Clock, store: Store | None = None, waits: list[float] | None = None,
            **kw: float) -> Fetcher:
    return Fetcher(LOOPBACK, Limits(delay=0.0, retries=0, max_bytes=1_000_000),
                   sleep=(waits if waits is not None else []).append, robots_store=store,
                   now=clock, **kw)


def get(f: Fetcher, server: LocalServer, path: str) -> bytes:
    return f.get(server.url(path)).body


# --- freshness --------------------------------------------------------------------------


def test_an_entry_is_fresh_for_its_ttl_and_an_unavailable_one_for_the_retry() -> None:
    ttl, retry = timedelta(days=1), timedelta(minutes=15)
    rules = RobotsEntry("https://x.org", "rules", T0, "User-agent: *\n")
    assert rules.fresh(T0, ttl, retry) and rules.fresh(T0 + ttl - timedelta(seconds=1),
                                                       ttl, retry)
    assert not rules.fresh(T0 + ttl, ttl, retry)
    assert not rules.fresh(T0 - timedelta(seconds=1), ttl, retry), \
        "fetched 'in the future' (the clock set back): stale, not good for longer"
    down = RobotsEntry("https://x.org", "unreachable", T0, "robots.txt answered HTTP 503")
    assert down.fresh(T0 + timedelta(minutes=14), ttl, retry)
    assert not down.fresh(T0 + timedelta(minutes=15), ttl, retry)
    assert (ROBOTS_TTL, ROBOTS_RETRY) == (86_400.0, 900.0)


# --- one process --------------------------------------------------------------------------


def test_one_fetcher_asks_again_after_the_expiry_and_honours_changed_rules(
        server: LocalServer) -> None:
    clock = Clock()
    with fetcher(clock) as f:
        assert get(f, server, "/news/budget.html") == PAGES["/news/budget.html"]
        clock.advance(hours=23, minutes=59)
        get(f, server, "/news/floods.html")
        assert server.hits("/robots.txt") == 1, "within the day: the cached rules"
        server.routes["/robots.txt"] = (200, TEXT, V2)
        clock.advance(minutes=2)
        with pytest.raises(FetchError, match=r"disallowed by the site's robots\.txt"):
            get(f, server, "/news/budget.html")
        assert server.hits("/robots.txt") == 2
        assert get(f, server, "/private/secret.html"), "no longer disallowed"
    assert server.hits("/news/budget.html") == 1


def test_a_shorter_ttl_is_a_fetcher_argument(server: LocalServer) -> None:
    clock = Clock()
    with fetcher(clock, robots_ttl=60.0) as f:
        get(f, server, "/news/budget.html")
        clock.advance(seconds=61)
        get(f, server, "/news/budget.html")
    assert server.hits("/robots.txt") == 2


# --- across processes (the store) ---------------------------------------------------------


def test_the_store_keeps_robots_txt_for_the_next_fetcher(server: LocalServer,
                                                         store_path: Path) -> None:
    clock = Clock()
    site = origin(server.url("/"))
    with open_store(store_path) as store, fetcher(clock, store) as f:
        get(f, server, "/news/budget.html")
    with open_store(store_path) as store:
        assert store.get_robots(site) == RobotsEntry(site, "rules", T0, V1.decode())
    clock.advance(hours=20)
    waits: list[float] = []
    with open_store(store_path) as store, fetcher(clock, store, waits) as f:
        with pytest.raises(FetchError, match=r"disallowed by the site's robots\.txt"):
            get(f, server, "/private/secret.html")
        get(f, server, "/news/budget.html")
        get(f, server, "/news/floods.html")
    assert server.hits("/robots.txt") == 1, "the next run read it from the store"
    assert server.hits("/private/secret.html") == 0
    assert len(waits) == 1 and 3.0 < waits[0] <= 4.0, "the stored Crawl-delay applies"

    server.routes["/robots.txt"] = (200, TEXT, V2)
    clock.advance(hours=5)  # 25 h after it was fetched
    waits.clear()
    with open_store(store_path) as store, fetcher(clock, store, waits) as f:
        with pytest.raises(FetchError, match=r"disallowed by the site's robots\.txt"):
            get(f, server, "/news/budget.html")
        assert get(f, server, "/private/secret.html")
        assert get(f, server, "/private/secret.html")
        assert store.get_robots(site) == RobotsEntry(site, "rules", clock.at, V2.decode())
    assert server.hits("/robots.txt") == 2
    assert waits == [], "the new robots.txt has no Crawl-delay"


def test_no_robots_txt_is_remembered_a_day_too(server: LocalServer, store_path: Path) -> None:
    del server.routes["/robots.txt"]  # the server answers 404: no rules
    clock = Clock()
    for _ in range(3):
        with open_store(store_path) as store, fetcher(clock, store) as f:
            assert get(f, server, "/private/secret.html")
        clock.advance(hours=6)
    assert server.hits("/robots.txt") == 1
    with open_store(store_path) as store:
        assert store.get_robots(origin(server.url("/"))) == RobotsEntry(
            origin(server.url("/")), "none", T0)


def test_an_unavailable_robots_txt_is_retried_in_minutes_not_a_day(
        server: LocalServer, store_path: Path) -> None:
    server.routes["/robots.txt"] = (503, TEXT, b"busy")
    clock = Clock()
    with open_store(store_path) as store, fetcher(clock, store) as f:
        for path in ("/news/budget.html", "/news/floods.html"):
            with pytest.raises(FetchError, match=r"robots\.txt answered HTTP 503; the site "
                                                 r"is not crawled until it answers") as e:
                get(f, server, path)
            assert e.value.transient and e.value.source == server.url(path)
    assert server.hits("/robots.txt") == 1, "a struggling site is not asked for every page"
    clock.advance(minutes=10)
    with open_store(store_path) as store, fetcher(clock, store) as f, \
            pytest.raises(FetchError, match="HTTP 503"):
        get(f, server, "/news/budget.html")
    assert server.hits("/robots.txt") == 1, "the next run within the retry delay: not asked"
    server.routes["/robots.txt"] = (200, TEXT, V1)
    clock.advance(minutes=6)
    with open_store(store_path) as store, fetcher(clock, store) as f:
        assert get(f, server, "/news/budget.html") == PAGES["/news/budget.html"]
        assert store.get_robots(origin(server.url("/"))).verdict == "rules"  # type: ignore[union-attr]
    assert server.hits("/robots.txt") == 2 and server.hits("/news/budget.html") == 1


def test_an_unreachable_site_is_left_alone_for_the_retry_delay(store_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url, site = f"http://127.0.0.1:{port}/a.html", f"http://127.0.0.1:{port}"
    clock = Clock()
    with open_store(store_path) as store, fetcher(clock, store) as f:
        with pytest.raises(FetchError, match=r"robots\.txt unreachable \(cannot connect") as e:
            f.get(url)
        assert e.value.transient and e.value.source == url and "\n" not in str(e.value)
        clock.advance(minutes=5)
        with pytest.raises(FetchError, match=r"robots\.txt unreachable"):
            f.get(url)
        entry = store.get_robots(site)
        assert entry is not None and (entry.verdict, entry.fetched_at) == ("unreachable", T0)
        clock.advance(minutes=11)
        with pytest.raises(FetchError, match=r"robots\.txt unreachable"):
            f.get(url)
        entry = store.get_robots(site)
        assert entry is not None and entry.fetched_at == clock.at, "asked again after 15 min"


def test_a_nul_in_robots_txt_and_robots_not_respected(server: LocalServer,
                                                      store_path: Path) -> None:
    server.routes["/robots.txt"] = (200, TEXT, b"User-agent: *\x00\nDisallow: /private/\n")
    clock = Clock()
    with open_store(store_path) as store:
        with fetcher(clock, store) as f:
            get(f, server, "/news/budget.html")
        with fetcher(clock, store) as f, pytest.raises(FetchError, match="disallowed"):
            get(f, server, "/private/secret.html")
        entry = store.get_robots(origin(server.url("/")))
        assert entry is not None and "\x00" not in entry.body
    assert server.hits("/robots.txt") == 1

    with open_store(store_path.with_name("other.db")) as store:
        with Fetcher(LOOPBACK, Limits(delay=0.0), respect_robots=False, robots_store=store,
                     now=clock) as f:
            assert get(f, server, "/private/secret.html")
        assert store.get_robots(origin(server.url("/"))) is None
    assert server.hits("/robots.txt") == 1


def test_a_redirected_robots_txt_is_followed_and_a_loop_means_no_rules(
        server: LocalServer, store_path: Path) -> None:
    server.routes["/robots.txt"] = (301, {"Location": "/moved/robots.txt"}, b"")
    server.routes["/moved/robots.txt"] = (302, {"Location": "/robots-now.txt"}, b"")
    server.routes["/robots-now.txt"] = (200, TEXT, V1)
    clock = Clock()
    with open_store(store_path) as store, fetcher(clock, store) as f:
        with pytest.raises(FetchError, match=r"disallowed by the site's robots\.txt"):
            get(f, server, "/private/secret.html")
        entry = store.get_robots(origin(server.url("/")))
        assert entry is not None and entry.verdict == "rules" and entry.body == V1.decode()
    server.routes["/robots.txt"] = (302, {"Location": "/robots.txt"}, b"")
    clock.advance(days=2)
    with fetcher(clock) as f:  # more than 5 redirects: as if absent (RFC 9309 §2.3.1.2)
        assert get(f, server, "/private/secret.html")
    assert server.hits("/robots.txt") == 1 + 6
