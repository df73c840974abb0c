"""The ``Fetcher``: one polite, bounded HTTP GET at a time.

Every request: http/https only; the address checked on connection (``safety``);
robots.txt honoured (fetched once per site and cached for a day, in a store when given
one so the next process need not ask again; an unreachable robots.txt means "do not
crawl", as RFC 9309 says, retried after 15 minutes: ``robots``); one request at a time
per host with a delay (raised to the site's Crawl-delay, capped); a User-Agent naming storylens;
conditional GET (``If-None-Match``/``If-Modified-Since``, 304 reported as not
modified); retries with exponential backoff on 429 and 5xx, honouring Retry-After up
to a cap; redirects followed by hand (each hop re-checked) up to a limit; bodies read
in chunks and decompressed by us with a bound, so a huge, endless or gzip-bomb
response costs at most ``max_bytes`` of memory and ``max_seconds`` of time.

Every failure is a ``FetchError`` (an ``InputError``) naming the URL and the reason
in one line; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from storylens.errors import InputError
from storylens.fetch.robots import (
    ROBOTS_RETRY,
    ROBOTS_TTL,
    RobotsCache,
    RobotsMemo,
    SiteRules,
)
from storylens.fetch.safety import AllowList, BlockedAddress, resolve_checked
from storylens.fetch.transport import GuardedTransport
from storylens.fetch.urls import join_url, normalize_url, origin
from storylens.ingest.httpbody import HTML_TYPES, media_type
from storylens.records_source import RobotsEntry


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("storylens")
    except PackageNotFoundError:  # run from a source tree
        return "dev"


USER_AGENT = (f"storylens/{_version()} (news story engine; "
              "+https://github.com/storylens/storylens)")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/x-rss+xml", "application/feed+json", "text/plain",
    "application/gzip", "application/x-gzip", "application/octet-stream",
})
"""Media types a feed or sitemap may come as (servers label sitemaps loosely)."""
ANY_TYPE: frozenset[str] = frozenset({"*"})


class FetchError(InputError):
    """One URL could not be fetched; ``source`` is the URL, ``reason`` one line.

    ``transient`` is True when trying again later may work (a timeout, no connection,
    HTTP 429 or 5xx): a poll then keeps the listing's old validators so the URL is
    listed, and tried, again; the fetch log waits less before the next try."""

    def __init__(self, source: str, reason: str, *, transient: bool = False) -> None:
        super().__init__(source, reason)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Limits:
    """What one fetch may cost."""

    max_bytes: int = 10_000_000
    max_seconds: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 60.0
    delay: float = 1.0
    """Seconds between two requests to the same host (raised to its Crawl-delay)."""
    max_crawl_delay: float = 30.0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A response that passed every check."""

    url: str
    """The normalised URL asked for."""
    final_url: str
    """Where it ended after redirects (normalised)."""
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Sequential, polite HTTP client. Use as a context manager (closes connections).

    ``sleep`` and ``clock`` are injectable so tests check the waits asked for, not time.
    robots.txt answers are used for ``robots_ttl`` seconds (an unreachable one keeps
    its site off limits for ``robots_retry``), judged by the wall clock ``now``
    (injectable too); with ``robots_store`` (the store) they outlive the process.
    """

    def __init__(self, allow: AllowList | None = None, limits: Limits | None = None, *,
                 respect_robots: bool = True, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 robots_store: RobotsMemo | None = None, robots_ttl: float = ROBOTS_TTL,
                 robots_retry: float = ROBOTS_RETRY,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.allow = allow or AllowList()
        self.limits = limits or Limits()
        self.respect_robots = respect_robots
        self.sleep, self.clock = sleep, clock
        self._robots = RobotsCache(robots_store, robots_ttl, robots_retry, now)
        self._last: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}
        transport = GuardedTransport(self.allow)  # address check per connection
        lim = self.limits
        self._client = httpx.Client(
            transport=transport, trust_env=False, follow_redirects=False,
            timeout=httpx.Timeout(lim.read_timeout, connect=lim.connect_timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- public --------------------------------------------------------------------------
    def get(self, url: str, *, accept: frozenset[str] = HTML_TYPES,
            etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` with every check; raises ``FetchError`` naming it."""
        try:
            start = normalize_url(url)
        except InputError as e:
            raise FetchError(e.source, e.reason) from None
        deadline = self.clock() + self.limits.max_seconds
        current = start
        for _hop in range(self.limits.max_redirects + 1):
            self._check_address(start, current)
            rules = self._site_rules(start, current, deadline)
            refusal = rules.refusal(current) if rules else ""
            if rules and refusal:
                where = "" if current == start else f" (redirected to {current})"
                raise FetchError(start, f"{refusal}{where}; not fetched",
                                 transient=rules.unreachable)
            headers = {}
            if etag and current == start:
                headers["If-None-Match"] = etag
            if last_modified and current == start:
                headers["If-Modified-Since"] = last_modified
            result = self._get_once(start, current, headers, accept, deadline)
            if isinstance(result, FetchResult):
                return result
            try:
                current = normalize_url(result)
            except InputError as e:
                raise FetchError(start, f"redirected to {e.source}: {e.reason}") from None
        raise FetchError(start, f"more than {self.limits.max_redirects} redirects; stopped")

    # -- steps ---------------------------------------------------------------------------
    def _check_address(self, start: str, url: str) -> None:
        """Refuse early, with the clearest message; the connection checks again."""
        p = urlsplit(url)
        try:
            resolve_checked(p.hostname or "", p.port or (443 if p.scheme == "https" else 80),
                            self.allow)
        except BlockedAddress as e:
            hop = "" if url == start else f"redirected to {url}: "
            raise FetchError(start, f"{hop}{e}") from None

    def _site_rules(self, start: str, url: str, deadline: float) -> SiteRules | None:
        """The robots.txt rules of ``url``'s site (None when robots.txt is not
        respected): cached while fresh, else fetched. Sets the host's Crawl-delay."""
        if not self.respect_robots:
            return None
        site = origin(url)
        rules = self._robots.get(site)
        if rules is None:
            rules = self._robots.put(self._load_robots(site, deadline))
        delay = rules.crawl_delay()  # (a changed robots.txt may have dropped it)
        self._host_delay[urlsplit(site).netloc] = min(delay or 0.0,
                                                      self.limits.max_crawl_delay)
        return rules

    def _load_robots(self, site: str, deadline: float) -> RobotsEntry:
        """Fetch ``site``'s robots.txt, following up to ``max_redirects`` redirects
        (RFC 9309 §2.3.1.2: a site moved to https keeps its rules): its rules, "none"
        (a 4xx, or too many redirects: no rules) or "unreachable" (5xx, 429, no
        answer: the whole site off limits)."""
        url = current = site + "/robots.txt"
        when = self._robots.now()
        for _hop in range(self.limits.max_redirects + 1):
            try:
                res = self._get_once(url, current, {}, ANY_TYPE, deadline,
                                     max_bytes=500_000)
                if isinstance(res, str):
                    current = normalize_url(res)
                    continue
            except InputError as e:  # a FetchError, or a malformed redirect target
                status = _status_of(e.reason)
                if status is not None and 400 <= status < 500 and status != 429:
                    return RobotsEntry(site, "none", when)
                why = (f"robots.txt answered HTTP {status}" if status is not None else
                       f"robots.txt unreachable ({e.reason})")
                return RobotsEntry(site, "unreachable", when, f"{why}; the site is not "
                                                              "crawled until it answers "
                                                              "(RFC 9309)")
            text = res.body.decode("utf-8", "replace").replace("\x00", "")
            return RobotsEntry(site, "rules", when, text)
        return RobotsEntry(site, "none", when)

    def _wait_turn(self, host: str) -> None:
        gap = max(self.limits.delay, self._host_delay.get(host, 0.0))
        last = self._last.get(host)
        if last is not None:
            wait = last + gap - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def _get_once(self, start: str, url: str, headers: dict[str, str],
                  accept: frozenset[str], deadline: float, max_bytes: int | None = None
                  ) -> FetchResult | str:
        """One request (with retries): a result, or the redirect target to follow."""
        host = urlsplit(url).netloc
        for attempt in range(self.limits.retries + 1):
            self._wait_turn(host)
            try:
                with self._client.stream("GET", url, headers=headers) as resp:
                    status = resp.status_code
                    if status in RETRY_STATUSES:
                        wait = _retry_wait(resp.headers.get("Retry-After"),
                                           self.limits.backoff * 2 ** attempt)
                        if attempt >= self.limits.retries:
                            raise FetchError(start, f"HTTP {status} after "
                                                    f"{attempt + 1} tries; giving up",
                                             transient=True)
                        if wait > self.limits.max_retry_wait:
                            raise FetchError(start, f"HTTP {status}, asked to retry after "
                                                    f"{wait:.0f} s (over the "
                                                    f"{self.limits.max_retry_wait:.0f} s "
                                                    "storylens waits); try later",
                                             transient=True)
                        self.sleep(wait)
                        continue
                    if 300 <= status < 400 and status != 304:
                        loc = resp.headers.get("Location")
                        if not loc:
                            raise FetchError(start, f"HTTP {status} without a Location")
                        target = join_url(url, loc)
                        if target is None:
                            raise FetchError(start, f"HTTP {status} to a malformed Location "
                                                    f"{loc.strip()[:100]!r}")
                        return target
                    if status == 304:
                        return FetchResult(start, url, 304, "", b"",
                                           resp.headers.get("ETag"),
                                           resp.headers.get("Last-Modified"))
                    if status >= 400:
                        raise FetchError(start, f"HTTP {status} {resp.reason_phrase}".strip())
                    ctype = resp.headers.get("Content-Type", "")
                    if "*" not in accept and ctype and media_type(ctype) not in accept:
                        raise FetchError(start, f"content type {media_type(ctype)} is not "
                                                "what was asked for; skipped")
                    body = self._read(start, resp, deadline, max_bytes or self.limits.max_bytes)
                    return FetchResult(start, url, status, ctype, body,
                                       resp.headers.get("ETag"),
                                       resp.headers.get("Last-Modified"))
            except BlockedAddress as e:
                raise FetchError(start, str(e)) from None
            except httpx.TimeoutException:
                raise FetchError(start, "timed out", transient=True) from None
            except httpx.ConnectError as e:
                raise FetchError(start, f"cannot connect ({_short(e)})",
                                 transient=True) from None
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as e:
                raise FetchError(start, f"{type(e).__name__}: {_short(e)}") from None
        raise FetchError(start, "no response")  # not reached: the loop returns or raises

    def _read(self, start: str, resp: httpx.Response, deadline: float, limit: int) -> bytes:
        """The decoded body, stopping at ``limit`` bytes or the deadline."""
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit * 4:
            raise FetchError(start, f"body of {int(declared) / 1e6:.1f} MB announced, over "
                                    f"the {limit / 1e6:.1f} MB limit; skipped")
        coding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        decoder = _decoder(coding, start)
        out = bytearray()
        for chunk in _raw_chunks(resp):
            if self.clock() > deadline:
                raise FetchError(start, f"took over {self.limits.max_seconds:.0f} s; "
                                        "stopped (endless or too slow)", transient=True)
            out += decoder(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise FetchError(start, f"over the {limit / 1e6:.1f} MB limit (after "
                                        "decompression); skipped")
        return bytes(out)


def _raw_chunks(resp: httpx.Response) -> Iterator[bytes]:
    """The body as the network delivers it. No chunk size: httpx would gather 64 KB
    before yielding, so a server dripping a byte now and then (each read within the
    read timeout) would never meet the deadline check between chunks."""
    yield from resp.iter_raw()


class _Inflater:
    """A bounded gzip/deflate decoder: never returns more than asked for. Fewer bytes
    than ``room`` only when all input was used; exactly ``room`` means the limit is
    reached and the caller stops, so no input is silently dropped."""

    def __init__(self, coding: str, start: str) -> None:
        self.coding, self.start = coding, start
        gz = coding != "deflate"
        self.d = zlib.decompressobj(16 + zlib.MAX_WBITS if gz else zlib.MAX_WBITS)
        self.raw_tried = gz  # "deflate" is sometimes sent raw, without the zlib header

    def __call__(self, data: bytes, room: int) -> bytes:
        try:
            out = self.d.decompress(data, max(1, room))
        except zlib.error as e:
            if not self.raw_tried:
                self.raw_tried = True
                self.d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self(data, room)
            raise FetchError(self.start, f"corrupt {self.coding} body ({e}); skipped"
                             ) from None
        self.raw_tried = True
        return out


def _decoder(coding: str, start: str) -> Callable[[bytes, int], bytes]:
    """The bounded decoder of a Content-Encoding."""
    if coding in ("identity", ""):
        return lambda data, room: data
    if coding in ("gzip", "x-gzip", "deflate"):
        return _Inflater(coding, start)
    raise FetchError(start, f"content encoding {coding!r} not supported; skipped")


def _retry_wait(header: str | None, default: float) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date), else
    ``default``."""
    if not header:
        return default
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return default
    if when.tzinfo is None:
        return default
    return max(0.0, when.timestamp() - time.time())


def _status_of(reason: str) -> int | None:
    parts = reason.split()
    return int(parts[1]) if len(parts) > 1 and parts[0] == "HTTP" and parts[1].isdigit() \
        else None


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:160]
