"""Name postings of many restored clusters, added at once as 64-bit name keys.

A follow-up batch restores every storyline of the 540-day window (~55k at 10⁶ articles,
~70 names each). Adding their names one by one to ``NameIndex``'s dict of sets costs
~0.6 µs a name — seconds at 10⁶, for a batch that looks up a few thousand names. Here
each restored cluster brings its names as an array of keys (``name_key``: 8 bytes of
BLAKE2b, saved beside its snapshot), and the postings are one sorted array: built with
one ``argsort``, looked up with ``searchsorted``. ``NameIndex`` answers from the union of
its own postings and these, so a decision sees the same clusters per name as if every
name had been added one by one (two names whose keys collide — odds ~2⁻⁶⁴ a pair —
would share postings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

Keys = npt.NDArray[np.int64]


def name_key(name: str) -> int:
    """The 64-bit key of ``name``."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(),
                          "little", signed=True)


def name_keys(names: Iterable[str]) -> Keys:
    """Keys of ``names``, in their order."""
    return np.fromiter((name_key(n) for n in names), dtype=np.int64)


class FrozenPostings:
    """(key, cluster) postings added in bulk (``add``), removed one cluster's keys at a
    time (``remove``), looked up by key (``holders``). Built on first lookup or removal
    after an ``add``."""

    __slots__ = ("_alive", "_end", "_ids", "_inv", "_keys", "_owner", "_pending", "_slot",
                 "_start")

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._slot: dict[str, int] = {}
        self._pending: list[Keys] = []
        self._keys: Keys = np.empty(0, dtype=np.int64)
        """All keys, sorted."""
        self._owner = np.empty(0, dtype=np.int32)
        """Slot of each sorted key."""
        self._alive = np.empty(0, dtype=bool)
        self._inv = np.empty(0, dtype=np.int64)
        """Sorted position of each key in slot order."""
        self._start = np.empty(0, dtype=np.int64)
        self._end = np.empty(0, dtype=np.int64)
        """Each slot's keys in slot order: ``[start, end)``."""

    def __contains__(self, cid: str) -> bool:
        return cid in self._slot

    def add(self, cid: str, keys: Keys) -> None:
        """Post ``cid`` under each of ``keys`` (once per cluster id)."""
        if cid in self._slot:
            raise ValueError(f"{cid}: already posted")
        self._slot[cid] = len(self._ids)
        self._ids.append(cid)
        self._pending.append(np.asarray(keys, dtype=np.int64))

    def build(self) -> None:
        """Sort in what ``add`` posted since the last build (else done on first use)."""
        self._build()

    def _build(self) -> None:
        if not self._pending:
            return
        first_new = len(self._ids) - len(self._pending)
        old = np.flatnonzero(self._alive[self._inv]) if self._inv.size else np.empty(0, int)
        # keys in slot order: the live ones of earlier slots, then the new slots'
        old_keys = self._keys[self._inv[old]] if old.size else np.empty(0, dtype=np.int64)
        old_owner = (self._owner[self._inv[old]] if old.size
                     else np.empty(0, dtype=np.int32))
        counts = np.fromiter((k.size for k in self._pending), dtype=np.int64,
                             count=len(self._pending))
        new_keys = np.concatenate(self._pending) if self._pending else old_keys[:0]
        new_owner = np.repeat(np.arange(first_new, len(self._ids), dtype=np.int32), counts)
        keys = np.concatenate([old_keys, new_keys])
        owner = np.concatenate([old_owner, new_owner])
        self._pending = []
        n_slots = len(self._ids)
        self._start = np.searchsorted(owner, np.arange(n_slots), "left")
        self._end = np.searchsorted(owner, np.arange(n_slots), "right")
        order = np.argsort(keys)  # a posting is a set: ties in any order
        self._keys, self._owner = keys[order], owner[order]
        self._alive = np.ones(keys.size, dtype=bool)
        self._inv = np.empty(keys.size, dtype=np.int64)
        self._inv[order] = np.arange(keys.size)

    def remove(self, cid: str, keys: Keys) -> None:
        """Take ``cid`` off each of ``keys`` (those it is posted under)."""
        slot = self._slot.get(cid)
        if slot is None or not len(keys):
            return
        self._build()
        pos = self._inv[self._start[slot]:self._end[slot]]
        hit = pos[np.isin(self._keys[pos], keys)]
        self._alive[hit] = False

    def holders(self, key: int, limit: int) -> list[str] | None:
        """Clusters posted under ``key``; ``None`` when there are more than ``limit``."""
        self._build()
        lo = int(np.searchsorted(self._keys, key, "left"))
        hi = int(np.searchsorted(self._keys, key, "right"))
        if lo == hi:
            return []
        alive = self._alive[lo:hi]
        if int(alive.sum()) > limit:
            return None
        return [self._ids[s] for s in self._owner[lo:hi][alive].tolist()]

    def postings(self) -> dict[int, set[str]]:
        """Every live (key, clusters) posting (for tests and checks)."""
        self._build()
        out: dict[int, set[str]] = {}
        for k, s in zip(self._keys[self._alive].tolist(),
                        self._owner[self._alive].tolist(), strict=True):
            out.setdefault(k, set()).add(self._ids[s])
        return out
