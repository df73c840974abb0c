"""Cluster states by id, where a restored storyline may stay a stored snapshot until the
clusterer first reads it.

A new process restores every storyline live in the 270-day window: tens of thousands at
a few hundred articles a day, of which a follow-up batch touches a few hundred (its
candidates). Retrieval needs only each storyline's centroid, placement span and names
(``Level.defer`` indexes those from the snapshot's header); the state itself — Counters,
times, lexical arrays — is built from the snapshot on first read, which gives exactly the
state an eager restore would have built, so decisions do not change.

Restored from the index columns (``snapshot_index``), a deferred storyline holds no
snapshot at all: the table fetches the snapshots of the storylines about to be read in
one query (``load``, or ``[]`` for one) through ``fetch``. A snapshot found damaged then
(it was checked when saved, not when restored) is logged and the storyline rebuilt from
its index entry alone — its centroid, names and span, no terms — rather than failing the
run; its next save replaces the damaged snapshot.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from storylens.errors import StoreError
from storylens.link.name_keys import Keys
from storylens.link.snapshot import from_snapshot
from storylens.link.snapshot_index import SnapshotIndex
from storylens.link.state import EventState

log = logging.getLogger(__name__)

_NO_KEYS: Keys = np.empty(0, dtype=np.int64)

Fetch = Callable[[Sequence[str]], Mapping[str, bytes]]
"""Snapshots by cluster id (those the store has)."""


@dataclass(frozen=True, slots=True)
class Deferred:
    """A stored snapshot not built yet.

    A storyline goes idle and is compacted, usually long after its last snapshot was
    saved (in its live form). A deferred one is compacted without being built: the names
    compacting drops (``compact_drops``, known from the snapshot's header) leave the name
    index at once, and ``compact_on_build`` makes its first read build the compacted
    state — the same state, since nothing changes a state that has not been read."""

    blob: bytes | None
    """The snapshot, or ``None`` until fetched (restored from the index columns)."""
    compact_noop: bool
    """Compacting the built state would change nothing (it is as small as a compact
    one)."""
    compact_drops: Keys = field(default_factory=lambda: _NO_KEYS)
    """Keys of the names compacting drops (``name_keys``)."""
    compact_on_build: bool = False
    index: SnapshotIndex | None = None
    """The index entry a snapshot not fetched yet was restored from (for a stand-in if
    the snapshot turns out damaged)."""


class StateTable(MutableMapping[str, EventState]):
    """``dict``-like map of live states; deferred ones are built on first ``[]`` (or
    ``get``/``pop``), while ``in``, ``len`` and iteration never build them."""

    __slots__ = ("_built", "_deferred", "fetch", "stood_in")

    def __init__(self, fetch: Fetch | None = None) -> None:
        self._built: dict[str, EventState] = {}
        self._deferred: dict[str, Deferred] = {}
        self.fetch = fetch
        """Where snapshots not held yet come from (set by whoever defers such states)."""
        self.stood_in: set[str] = set()
        """States built as a stand-in for a damaged snapshot (to be saved again)."""

    def __getitem__(self, cid: str) -> EventState:
        st = self._built.get(cid)
        if st is None:
            d = self._deferred[cid]  # KeyError: not a live state
            if d.blob is None:
                self.load([cid])
                d = self._deferred[cid]
            del self._deferred[cid]
            st = self._built[cid] = _build(cid, d, self.stood_in)
            if d.compact_on_build:
                st.compact()
        return st

    def load(self, cids: Iterable[str]) -> None:
        """Fetch, in one call, the snapshots of those of ``cids`` deferred without one,
        so that reading them next does not query the store once each."""
        want = [c for c in cids if (d := self._deferred.get(c)) is not None and d.blob is None]
        if not want:
            return
        got = self.fetch(want) if self.fetch is not None else {}
        for c in want:
            # a snapshot the store no longer has is a damaged one: b"" fails to parse
            self._deferred[c] = replace(self._deferred[c], blob=bytes(got.get(c, b"")))

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

    def compact_deferred(self, cid: str) -> Keys:
        """Compact deferred state ``cid`` without building it (see ``Deferred``); returns
        the keys of the names compacting drops."""
        d = self._deferred[cid]
        if d.compact_noop or d.compact_on_build:
            return _NO_KEYS
        self._deferred[cid] = replace(d, compact_on_build=True)
        return d.compact_drops

    @property
    def n_deferred(self) -> int:
        return len(self._deferred)


def _build(cid: str, d: Deferred, stood_in: set[str]) -> EventState:
    """The state of deferred ``d``: from its snapshot, or, when that is damaged and the
    index entry it was restored from is known, a stand-in built from that entry (its id
    added to ``stood_in``)."""
    try:
        return from_snapshot(cid, d.blob or b"")
    except StoreError as exc:
        if d.index is None:
            raise
        log.warning("%s; using its centroid and names alone from now on", exc)
        stood_in.add(cid)
        return stand_in(cid, d.index)


def stand_in(cid: str, idx: SnapshotIndex) -> EventState:
    """A storyline known only by its index entry: one member's worth of its centroid and
    names, at its span, no terms."""
    return EventState(id=cid, dense_sum=np.array(idx.centroid, dtype=np.float32),
                      names=Counter(dict.fromkeys(idx.name_list(), 1)), first_time=idx.first,
                      last_time=idx.last, times=[idx.last], span=(idx.first, idx.last),
                      prior_members=1, n_content=1)
