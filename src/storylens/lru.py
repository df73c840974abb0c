"""One bounded, thread-safe least-recently-used map, for every in-memory cache.

A thin layer over ``cachetools.LRUCache`` (the eviction policy is cachetools'): one lock
around each call, and batch access. Why batch access: the analysis caches must first
learn which keys are missing so the misses are computed in one batch (one embedding call
for all new sentences, one spaCy pass per language); ``functools.lru_cache`` can only be
asked by calling it, which computes each miss on the spot.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import cachetools

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``maxsize`` entries; a read or a write makes an entry the most recent.
    ``maxsize`` 0 keeps nothing (a caller that wants no memory tier). Every method holds
    one lock, so threads may share an instance."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 0:
            raise ValueError("maxsize must be 0 or more")
        self.maxsize = maxsize
        self._data: cachetools.LRUCache[K, V] = cachetools.LRUCache(max(1, maxsize))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def get(self, key: K) -> V | None:
        """The value of ``key`` (now the most recent), or None when absent."""
        with self._lock:
            return self._data.get(key)

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The entries present among ``keys`` (each now among the most recent)."""
        out: dict[K, V] = {}
        with self._lock:
            for k in keys:
                v = self._data.get(k)
                if v is not None:
                    out[k] = v
        return out

    def put(self, key: K, value: V) -> None:
        """Store ``value`` as the most recent entry, evicting the oldest beyond ``maxsize``."""
        self.put_many([(key, value)])

    def put_many(self, items: Iterable[tuple[K, V]]) -> None:
        """``put`` of each item, in order, under one lock."""
        if self.maxsize == 0:
            return
        with self._lock:
            for k, v in items:
                self._data[k] = v

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
