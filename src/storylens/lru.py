"""One bounded, thread-safe least-recently-used map, for caches that fill in batches.

Why not ``functools.lru_cache``: it memoises one call at a time, and the caches that use
this class must first learn which keys are missing so that the misses are computed in one
batch (one embedding call for all new sentences, one spaCy pass per language); an
``lru_cache`` can only be asked by calling it, which computes the miss on the spot.
``cachetools`` would fit but is not a dependency. So this is the one hand-written LRU:
``get_many`` to learn the hits, ``put_many`` to add the batch, the oldest entries evicted
beyond ``maxsize``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

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
        self._data: OrderedDict[K, V] = OrderedDict()
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
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The entries present among ``keys`` (each now among the most recent)."""
        out: dict[K, V] = {}
        with self._lock:
            for k in keys:
                if k in self._data:
                    self._data.move_to_end(k)
                    out[k] = self._data[k]
        return out

    def put(self, key: K, value: V) -> None:
        """Store ``value`` as the most recent entry, evicting the oldest beyond ``maxsize``."""
        self.put_many([(key, value)])

    def put_many(self, items: Iterable[tuple[K, V]]) -> None:
        """``put`` of each item, in order, under one lock."""
        with self._lock:
            for k, v in items:
                self._data[k] = v
                self._data.move_to_end(k)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
