"""lru.LRUCache: the one bounded least-recently-used map (batch reads and writes)."""

from __future__ import annotations

import threading

import pytest

from storylens.lru import LRUCache


def test_reads_refresh_and_the_oldest_entry_goes_first() -> None:
    c: LRUCache[str, int] = LRUCache(3)
    c.put_many([("a", 1), ("b", 2), ("c", 3)])
    assert c.get("a") == 1  # "a" is now the most recent: "b" is the oldest
    c.put("d", 4)
    assert "b" not in c and len(c) == 3
    assert c.get_many(["c", "x", "a"]) == {"c": 3, "a": 1}  # misses are left out
    c.put_many([("e", 5)])
    assert "d" not in c and set(c.get_many("acde")) == {"a", "c", "e"}
    assert c.get("missing") is None


def test_overwrite_refreshes_and_a_batch_larger_than_the_cache_keeps_its_tail() -> None:
    c: LRUCache[int, str] = LRUCache(2)
    c.put_many([(1, "x"), (2, "y")])
    c.put(1, "z")
    c.put(3, "w")
    assert c.get_many([1, 2, 3]) == {1: "z", 3: "w"}
    c.put_many((i, str(i)) for i in range(10))
    assert c.get_many(range(10)) == {8: "8", 9: "9"}
    c.clear()
    assert len(c) == 0


def test_a_zero_bound_keeps_nothing_and_a_negative_one_is_refused() -> None:
    c: LRUCache[str, int] = LRUCache(0)
    c.put_many([("a", 1), ("b", 2)])
    assert len(c) == 0 and c.get("a") is None
    with pytest.raises(ValueError, match="maxsize"):
        LRUCache(-1)


def test_threads_share_one_cache() -> None:
    c: LRUCache[int, int] = LRUCache(50)

    def work(base: int) -> None:
        for i in range(500):
            c.put(base + i % 80, i)
            c.get_many(range(base, base + 80))

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(c) == 50
