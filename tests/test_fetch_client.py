"""The Fetcher (storylens.fetch.client) against a local server on 127.0.0.1: address
checks (refused unless allowed, redirects re-checked), robots.txt, conditional GET,
retries honouring Retry-After, redirects, content types, and hostile bodies (huge,
endless, gzip bomb) that cost bounded memory and time."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from storylens.errors import ConfigError
from storylens.fetch.client import FEED_TYPES, USER_AGENT, Fetcher, FetchError, Limits
from storylens.fetch.safety import AllowList, BlockedAddress, blocked_kind, resolve_checked
from storylens.fetch.urls import normalize_url
from tests.http_server import LocalServer
from tests.web_fixtures import HTML, PAGES, endless, flaky, gzip_bomb, page, with_etag

LOOPBACK = AllowList.parse(["127.0.0.1"])


@pytest.fixture
def server() -> Iterator[LocalServer]:
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"},
                        b"User-agent: *\nDisallow: /private/\n"),
        "/news/budget.html": page("/news/budget.html"),
        "/private/secret.html": page("/news/floods.html"),
        "/etag.xml": with_etag(b"<rss/>", "application/rss+xml"),
        "/flaky.html": flaky(1, page("/news/floods.html"), retry_after="7"),
        "/down.html": (503, {"Content-Type": "text/plain"}, b"down"),
        "/too-long.html": flaky(5, page("/news/floods.html"), retry_after="3600"),
        "/moved": (301, {"Location": "/news/budget.html"}, b""),
        "/to-private": (302, {"Location": "http://10.1.2.3/x.html"}, b""),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/gone.html": (410, HTML, b"gone"),
        "/huge.html": (200, HTML, b"<html><body>" + b"x" * 3_000_000),
        "/endless.html": endless(),
        "/bomb.html": gzip_bomb(),
        "/gzip.html": (200, {**HTML, "Content-Encoding": "gzip"},
                       __import__("gzip").compress(PAGES["/news/budget.html"])),
    }
    with LocalServer(routes) as srv:
        yield srv


def fetcher(allow: AllowList = LOOPBACK, **limits: float) -> tuple[Fetcher, list[float]]:
    waits: list[float] = []
    lim = Limits(**{"delay": 0.0, "max_bytes": 1_000_000, **limits})  # type: ignore[arg-type]
    return Fetcher(allow, lim, sleep=waits.append), waits


# --- safety -----------------------------------------------------------------------------


@pytest.mark.parametrize(("ip", "kind"), [
    ("127.0.0.1", "loopback"), ("10.0.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"),
    ("240.0.0.1", "reserved"), ("::1", "loopback"), ("fe80::1", "link-local"),
    ("::ffff:10.0.0.1", "private"), ("fc00::1", "private"), ("8.8.8.8", None),
    ("2606:4700::1111", None),
    # IPv6 addresses carrying an IPv4 one a relay would reach: judged by that address
    ("2002:7f00:1::", "loopback"), ("2002:a9fe:a9fe::1", "link-local"),
    ("2002:0808:0808::1", None), ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),
    ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::a9fe:a9fe", "link-local"),
    ("64:ff9b::808:808", None)])
def test_blocked_kinds(ip: str, kind: str | None) -> None:
    assert blocked_kind(ipaddress.ip_address(ip)) == kind


def test_allow_list_parses_hosts_and_networks() -> None:
    allow = AllowList.parse(["localhost, 10.0.0.0/8", "", "[::1]"])
    assert allow.allows_host("LOCALHOST") and allow.allows_host("::1")
    assert allow.allows_ip(ipaddress.ip_address("10.9.8.7"))
    assert not allow.allows_ip(ipaddress.ip_address("192.168.0.1"))
    with pytest.raises(ConfigError, match=r"'10\.0\.0\.0/99'"):
        AllowList.parse(["10.0.0.0/99"])
    with pytest.raises(ConfigError, match="not a host name"):
        AllowList.parse(["a b"])


def test_resolve_checked_refuses_loopback_unless_allowed() -> None:
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is a loopback address; refused"):
        resolve_checked("127.0.0.1", 80, AllowList())
    with pytest.raises(BlockedAddress, match="localhost resolves to"):
        resolve_checked("localhost", 80, AllowList())
    assert resolve_checked("127.0.0.1", 80, AllowList.parse(["127.0.0.0/8"])) == ["127.0.0.1"]
    assert "127.0.0.1" in resolve_checked("localhost", 80, AllowList.parse(["localhost"]))
    with pytest.raises(BlockedAddress, match=r"DNS lookup of no-such-host\.invalid failed"):
        resolve_checked("no-such-host.invalid", 80, AllowList())


def test_loopback_is_refused_without_the_allowance_and_nothing_is_sent(
        server: LocalServer) -> None:
    f, _ = fetcher(AllowList())
    with f, pytest.raises(FetchError) as e:
        f.get(server.url("/news/budget.html"))
    assert e.value.source == server.url("/news/budget.html")
    assert "loopback address; refused" in e.value.reason
    assert server.log == []


@pytest.mark.parametrize(("url", "why"), [
    ("http://news.example:99999/a", "bad port"), ("http://news.example:abc/a", "bad port"),
    ("http://exa mple.com/a", "characters a host cannot have")])
def test_malformed_urls_are_one_line_errors(url: str, why: str) -> None:
    f, _ = fetcher()
    with f, pytest.raises(FetchError, match=why) as e:
        f.get(url)
    assert e.value.source == url and "\n" not in str(e.value)


def test_malformed_location_is_one_line(server: LocalServer) -> None:
    server.routes["/bad-location"] = (302, {"Location": "http://[::1/x"}, b"")
    f, _ = fetcher()
    with f, pytest.raises(FetchError, match=r"(?i)location") as e:
        f.get(server.url("/bad-location"))
    assert e.value.source == server.url("/bad-location") and "\n" not in str(e.value)


def test_only_http_and_https() -> None:
    f, _ = fetcher()
    with f:
        for url in ("file:///etc/passwd", "ftp://example.org/a", "gopher://x/"):
            with pytest.raises(FetchError, match="only http and https"):
                f.get(url)


# --- fetching ---------------------------------------------------------------------------


def test_a_page_with_user_agent_and_robots_checked_once(server: LocalServer) -> None:
    f, _ = fetcher()
    with f:
        res = f.get(server.url("/news/budget.html"))
        f.get(server.url("/news/budget.html"))
    assert res.status == 200 and res.body == PAGES["/news/budget.html"]
    assert server.hits("/robots.txt") == 1
    assert all(h["user-agent"] == USER_AGENT for _, _, h in server.log)
    assert "storylens" in USER_AGENT


def test_robots_disallow_is_honoured(server: LocalServer) -> None:
    f, _ = fetcher()
    with f, pytest.raises(FetchError, match=r"disallowed by the site's robots\.txt"):
        f.get(server.url("/private/secret.html"))
    assert server.hits("/private/secret.html") == 0


def test_conditional_get_reports_not_modified(server: LocalServer) -> None:
    f, _ = fetcher()
    with f:
        first = f.get(server.url("/etag.xml"), accept=FEED_TYPES)
        again = f.get(server.url("/etag.xml"), accept=FEED_TYPES, etag=first.etag,
                      last_modified=first.last_modified)
    assert first.etag == '"v1"' and not first.not_modified
    assert again.not_modified and again.body == b""
    sent = [h for _, p, h in server.log if p == "/etag.xml"][1]
    assert sent["if-none-match"] == '"v1"' and "if-modified-since" in sent


def test_429_waits_as_retry_after_says_then_succeeds(server: LocalServer) -> None:
    f, waits = fetcher()
    with f:
        res = f.get(server.url("/flaky.html"))
    assert res.status == 200 and waits == [7.0]
    assert server.hits("/flaky.html") == 2


def test_5xx_backs_off_then_gives_up(server: LocalServer) -> None:
    f, waits = fetcher(backoff=0.5)
    with f, pytest.raises(FetchError, match="HTTP 503 after 3 tries"):
        f.get(server.url("/down.html"))
    assert waits == [0.5, 1.0] and server.hits("/down.html") == 3


def test_retry_after_too_long_gives_up_without_waiting(server: LocalServer) -> None:
    f, waits = fetcher()
    with f, pytest.raises(FetchError, match="retry after 3600 s"):
        f.get(server.url("/too-long.html"))
    assert waits == []


def test_redirects_followed_and_rechecked(server: LocalServer) -> None:
    f, _ = fetcher()
    with f:
        res = f.get(server.url("/moved"))
        assert res.final_url == server.url("/news/budget.html")
        assert res.url == server.url("/moved")
        with pytest.raises(FetchError, match=r"redirected to http://10.1.2.3/x.html: "
                                             r"10.1.2.3 is a private address; refused"):
            f.get(server.url("/to-private"))
        with pytest.raises(FetchError, match="link-local address; refused"):
            f.get(server.url("/to-metadata"))
        with pytest.raises(FetchError, match="only http and https"):
            f.get(server.url("/to-file"))
        with pytest.raises(FetchError, match="more than 3 redirects"):
            Fetcher(LOOPBACK, Limits(delay=0, max_redirects=3)).get(server.url("/loop"))


def test_status_and_content_type_errors_name_the_url(server: LocalServer) -> None:
    f, _ = fetcher()
    with f:
        with pytest.raises(FetchError, match="HTTP 410") as e:
            f.get(server.url("/gone.html"))
        assert e.value.source == server.url("/gone.html")
        with pytest.raises(FetchError, match="content type image/png"):
            f.get(server.url("/image.png"))
        with pytest.raises(FetchError, match="HTTP 404"):
            f.get(server.url("/nowhere.html"))


def test_gzip_bodies_are_decoded(server: LocalServer) -> None:
    f, _ = fetcher()
    with f:
        assert f.get(server.url("/gzip.html")).body == PAGES["/news/budget.html"]


@pytest.mark.parametrize("path", ["/huge.html", "/endless.html", "/bomb.html"])
def test_hostile_bodies_stop_at_the_limit(server: LocalServer, path: str) -> None:
    f, _ = fetcher(max_bytes=500_000)
    with f, pytest.raises(FetchError, match=r"over the 0.5 MB limit"):
        f.get(server.url(path))


def test_endless_body_stops_at_the_deadline(server: LocalServer) -> None:
    ticks = iter(range(0, 10_000, 10))
    f = Fetcher(LOOPBACK, Limits(delay=0, max_bytes=10**9, max_seconds=35),
                clock=lambda: float(next(ticks)), sleep=lambda s: None)
    with f, pytest.raises(FetchError, match="took over 35 s; stopped"):
        f.get(server.url("/endless.html"))


def test_a_body_dripped_in_small_pieces_meets_the_deadline(server: LocalServer) -> None:
    """Each piece the network delivers is checked against the deadline: a server that
    sends a little now and then cannot keep a fetch going (httpx gathering 64 KB
    before yielding would check this 2 KB body once, at its end, and accept it)."""
    def drip() -> Iterator[bytes]:
        yield b"<html><body>"
        for _ in range(20):
            __import__("time").sleep(0.05)
            yield b"<p>" + b"x" * 100 + b"</p>"

    server.routes["/drip.html"] = lambda headers: (200, HTML, drip())
    ticks = iter(range(0, 10_000, 10))
    f = Fetcher(LOOPBACK, Limits(delay=0, max_seconds=75),
                clock=lambda: float(next(ticks)), sleep=lambda s: None)
    with f, pytest.raises(FetchError, match="took over 75 s; stopped") as e:
        f.get(server.url("/drip.html"))
    assert e.value.transient


def test_unreachable_host_is_one_line(server: LocalServer) -> None:
    f, _ = fetcher()
    port = server.port
    server.__exit__()  # nothing listens there now
    with f, pytest.raises(FetchError, match="cannot connect") as e:
        f.get(f"http://127.0.0.1:{port}/x.html")
    assert "\n" not in str(e.value)


def test_per_host_delay_waits_between_requests(server: LocalServer) -> None:
    now = [100.0]
    waits: list[float] = []
    f = Fetcher(LOOPBACK, Limits(delay=2.0), sleep=waits.append, clock=lambda: now[0])
    with f:
        f.get(server.url("/news/budget.html"))  # robots.txt then the page: one wait
        f.get(server.url("/moved"))  # the redirect, then its target: two more
    assert waits == [2.0, 2.0, 2.0]


def test_normalize_url() -> None:
    assert normalize_url("HTTP://Example.COM:80/a?utm_source=x&b=2&a=1#top") == \
        "http://example.com/a?a=1&b=2"
    assert normalize_url("https://example.com") == "https://example.com/"
