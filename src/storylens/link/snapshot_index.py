"""What retrieval needs of a stored storyline, kept in columns beside its snapshot, so a
new process indexes tens of thousands of storylines without parsing one snapshot.

A follow-up batch restores every storyline of the 540-day window to find its candidates
among them, and reads a few hundred. Indexing one needs its unit centroid, its placement
span (the index's time filter), its names (the name index) and what compacting it would
do (``lazy.Deferred``); reading those from the snapshot's JSON header cost ~0.1 ms per
storyline, ~6–8 CPU s at 10⁶ articles. Kept as columns of ``cluster_index`` (centroid,
span, names with their keys, ``name_keys.name_key``, for the name index, and the keys
compacting drops) they cost a row read and no string work; the snapshot itself is
fetched when the storyline is first read.

``index_of`` (from a live state, when it is saved) and ``from_peek`` (from its snapshot,
for rows saved before the columns existed) give the same values, so either way the
restored clusterer is the one an eager restore builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.errors import StoreError
from storylens.link.name_keys import Keys, name_keys
from storylens.link.snapshot import Peek
from storylens.link.state import (
    COMPACT_BODY_TERMS,
    COMPACT_NAMES,
    COMPACT_NUMBERS,
    COMPACT_TIMES,
    COMPACT_TITLE_TERMS,
    EventState,
    _top,
    unit_centroid,
)

SEP = "\x1f"
"""Separates names in the ``names`` column (ASCII unit separator: no name
extracted from text holds it; a state with one that does is stored without columns)."""

IndexColumns = tuple[bytes, float, float, str, bytes, bytes, bool]
"""(centroid float32 bytes, span first, span last, names, name keys int64 bytes, keys
of the names compacting drops, compact_noop)."""


@dataclass(frozen=True, slots=True)
class SnapshotIndex:
    """A stored storyline as the index sees it before it is built."""

    centroid: npt.NDArray[np.float32]
    """Unit centroid (float32), what ``EventState.centroid`` gives for the built state."""
    first: float
    last: float
    """Placement span in the centroid index."""
    names: str
    """Its names, in the state's counter order, ``SEP``-joined (read for a stand-in
    only: ``lazy.stand_in``)."""
    keys: Keys
    """Its names' keys (``name_keys``), in the same order: what the name index posts."""
    drop_keys: Keys
    """Keys of the names compacting the built state would drop, sorted."""
    compact_noop: bool
    """Compacting the built state would change nothing."""

    def name_list(self) -> tuple[str, ...]:
        return tuple(self.names.split(SEP)) if self.names else ()


def _drops(names: Any) -> frozenset[str]:
    """What ``EventState.compact`` drops of a name counter (same counts, same order)."""
    if len(names) <= COMPACT_NAMES:
        return frozenset()
    return frozenset(names) - frozenset(_top(names, COMPACT_NAMES))


def index_of(st: EventState, span: tuple[float, float] | None, placed: float
             ) -> SnapshotIndex:
    """The index entry of live state ``st`` saved with placement ``span`` and last time
    ``placed``: what ``from_peek`` reads back from its snapshot."""
    n_title, n_body = st.lexical_sizes()
    if span is not None:
        first, last = span
    else:
        first = st.first_time if st.first_time is not None else placed
        last = st.last_time if st.last_time is not None else placed
    return SnapshotIndex(
        centroid=unit_centroid(np.asarray(st.dense_sum, dtype=np.float32)),
        first=float(first), last=float(last), names=SEP.join(st.names),
        keys=name_keys(st.names), drop_keys=np.sort(name_keys(_drops(st.names))),
        compact_noop=(n_title <= COMPACT_TITLE_TERMS and n_body <= COMPACT_BODY_TERMS
                      and len(st.names) <= COMPACT_NAMES
                      and len(st.numbers) <= COMPACT_NUMBERS
                      and len(st.times) <= COMPACT_TIMES))


def from_peek(seen: Peek, placed: float) -> SnapshotIndex:
    """The index entry of a snapshot (``snapshot.peek``) saved with last time ``placed``."""
    if seen.span is not None:
        first, last = seen.span
    else:
        first = seen.first if seen.first is not None else placed
        last = seen.last if seen.last is not None else placed
    return SnapshotIndex(
        centroid=unit_centroid(seen.dense_sum.astype(np.float32)), first=float(first),
        last=float(last), names=SEP.join(seen.names), keys=name_keys(seen.names),
        drop_keys=np.sort(name_keys(seen.compact_drops)), compact_noop=seen.compact_noop)


def to_columns(idx: SnapshotIndex) -> IndexColumns | None:
    """``idx`` as stored, or ``None`` when a name holds ``SEP`` (the row is then indexed
    from its snapshot, as before the columns existed)."""
    if len(idx.name_list()) != idx.keys.size:  # a name holds SEP
        return None
    return (np.asarray(idx.centroid, dtype=np.float32).tobytes(), idx.first, idx.last,
            idx.names, idx.keys.astype("<i8").tobytes(),
            idx.drop_keys.astype("<i8").tobytes(), idx.compact_noop)


def from_columns(cid: str, cols: Sequence[Any], dim: int) -> SnapshotIndex:
    """Read stored columns back; any damage (a centroid of the wrong length, a span that
    is not two numbers, names that are not text, keys not whole int64s) is a StoreError
    naming the cluster."""
    try:
        centroid, first, last, names, keys, drop_keys, noop = cols
        raw = bytes(centroid)
        if len(raw) != 4 * dim:
            raise ValueError(f"centroid of {len(raw)} bytes, expected {4 * dim}")
        if not isinstance(names, str):
            raise ValueError("names are not text")
        return SnapshotIndex(centroid=np.frombuffer(raw, dtype=np.float32),
                             first=float(first), last=float(last), names=names,
                             keys=np.frombuffer(bytes(keys), dtype="<i8"),
                             drop_keys=np.frombuffer(bytes(drop_keys), dtype="<i8"),
                             compact_noop=bool(noop))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"cluster state {cid!r}: unreadable index columns ({exc})") from exc
