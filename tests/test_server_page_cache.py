"""The page cache (``server/page_cache.py``): kept per store state, computed once under
concurrency, bounded by bytes, errors never kept."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from storylens.server.page_cache import Page, PageCache


def page(text: str) -> Page:
    return Page(text.encode(), "text/plain")


def test_kept_while_the_version_holds_and_dropped_when_it_moves() -> None:
    cache = PageCache()
    calls: list[str] = []

    def compute(text: str) -> Page:
        calls.append(text)
        return page(text)

    assert cache.get("/", 1, lambda: compute("a")).body == b"a"
    assert cache.get("/", 1, lambda: compute("b")).body == b"a", "kept"
    assert cache.get("/x", 1, lambda: compute("x")).body == b"x", "other keys compute"
    assert cache.get("/", 2, lambda: compute("c")).body == b"c", "the store changed"
    assert len(cache) == 1 and cache.get("/x", 2, lambda: compute("y")).body == b"y"
    assert calls == ["a", "x", "c", "y"]


def test_an_older_version_is_computed_and_not_kept() -> None:
    cache = PageCache()
    cache.get("/", 5, lambda: page("new"))
    assert cache.get("/", 4, lambda: page("old")).body == b"old"
    assert cache.get("/", 5, lambda: page("other")).body == b"new"
    assert cache.version == 5


def test_errors_reach_the_caller_and_are_not_kept() -> None:
    cache = PageCache()

    def boom() -> Page:
        raise LookupError("no such story")

    with pytest.raises(LookupError):
        cache.get("/s", 1, boom)
    assert cache.get("/s", 1, lambda: page("ok")).body == b"ok"


def test_concurrent_misses_compute_once() -> None:
    cache = PageCache()
    calls = 0
    lock = threading.Lock()

    def slow() -> Page:
        nonlocal calls
        with lock:
            calls += 1
        time.sleep(0.2)
        return page("story")

    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(lambda _: cache.get("/s", 1, slow).body, range(16)))
    assert got == [b"story"] * 16 and calls == 1


def test_waiters_compute_themselves_when_the_leader_fails() -> None:
    cache = PageCache()
    started = threading.Event()

    def failing() -> Page:
        started.set()
        time.sleep(0.1)
        raise LookupError("gone")

    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(cache.get, "/s", 1, failing)
        started.wait()
        follower = pool.submit(cache.get, "/s", 1, lambda: page("mine"))
        with pytest.raises(LookupError):
            leader.result()
        assert follower.result().body == b"mine"


def test_bounded_by_bytes_least_recent_out() -> None:
    cache = PageCache(max_bytes=10)
    cache.get("a", 1, lambda: page("aaaa"))
    cache.get("b", 1, lambda: page("bbbb"))
    cache.get("a", 1, lambda: page("new"))  # a is now the most recent
    cache.get("c", 1, lambda: page("cccc"))  # over 10 bytes: b goes
    assert cache.size == 8 and len(cache) == 2
    assert cache.get("b", 1, lambda: page("b2")).body == b"b2"
    assert cache.get("huge", 1, lambda: page("x" * 11)).body == b"x" * 11
    assert "huge" not in cache._pages, "bigger than the budget: served, not kept"


def test_zero_bytes_keeps_nothing() -> None:
    cache = PageCache(max_bytes=0)
    n = 0

    def count() -> Page:
        nonlocal n
        n += 1
        return page(str(n))

    assert [cache.get("/", 1, count).body for _ in range(3)] == [b"1", b"2", b"3"]
    with pytest.raises(ValueError, match="max_bytes -1"):
        PageCache(-1)
