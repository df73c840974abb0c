"""Cluster states by id, where a restored storyline may stay a stored snapshot until the
clusterer first reads it.

A new process restores every storyline live in the 270-day window: tens of thousands at
a few hundred articles a day, of which a follow-up batch touches a few hundred (its
candidates). Retrieval needs only each storyline's centroid, placement span and names
(``Level.defer`` indexes those from the snapshot's header); the state itself — Counters,
times, lexical arrays — is built from the snapshot on first read, which gives exactly the
state an eager restore would have built, so decisions do not change.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, replace

from storylens.link.snapshot import from_snapshot
from storylens.link.state import EventState


@dataclass(frozen=True, slots=True)
class Deferred:
    """A stored snapshot not built yet.

    A storyline goes idle and is compacted, usually long after its last snapshot was
    saved (in its live form). A deferred one is compacted without being built: the names
    compacting drops (``compact_drops``, known from the snapshot's header) leave the name
    index at once, and ``compact_on_build`` makes its first read build the compacted
    state — the same state, since nothing changes a state that has not been read."""

    blob: bytes
    compact_noop: bool
    """Compacting the built state would change nothing (it is as small as a compact
    one)."""
    compact_drops: frozenset[str] = frozenset()
    compact_on_build: bool = False


class StateTable(MutableMapping[str, EventState]):
    """``dict``-like map of live states; deferred ones are built on first ``[]`` (or
    ``get``/``pop``), while ``in``, ``len`` and iteration never build them."""

    __slots__ = ("_built", "_deferred")

    def __init__(self) -> None:
        self._built: dict[str, EventState] = {}
        self._deferred: dict[str, Deferred] = {}

    def __getitem__(self, cid: str) -> EventState:
        st = self._built.get(cid)
        if st is None:
            d = self._deferred.pop(cid)  # KeyError: not a live state
            st = self._built[cid] = from_snapshot(cid, d.blob)
            if d.compact_on_build:
                st.compact()
        return st

    def __setitem__(self, cid: str, st: EventState) -> None:
        self._deferred.pop(cid, None)
        self._built[cid] = st

    def __delitem__(self, cid: str) -> None:
        if self._built.pop(cid, None) is None:
            del self._deferred[cid]

    def __contains__(self, cid: object) -> bool:
        return cid in self._built or cid in self._deferred

    def __iter__(self) -> Iterator[str]:
        return iter([*self._built, *self._deferred])

    def __len__(self) -> int:
        return len(self._built) + len(self._deferred)

    def defer(self, cid: str, deferred: Deferred) -> None:
        """Hold ``cid`` as its snapshot until first read."""
        self._built.pop(cid, None)
        self._deferred[cid] = deferred

    def deferred(self, cid: str) -> Deferred | None:
        """``cid``'s snapshot if it is not built yet."""
        return self._deferred.get(cid)

    def compact_deferred(self, cid: str) -> frozenset[str]:
        """Compact deferred state ``cid`` without building it (see ``Deferred``); returns
        the names compacting drops."""
        d = self._deferred[cid]
        if d.compact_noop or d.compact_on_build:
            return frozenset()
        self._deferred[cid] = replace(d, compact_on_build=True)
        return d.compact_drops

    @property
    def n_deferred(self) -> int:
        return len(self._deferred)
