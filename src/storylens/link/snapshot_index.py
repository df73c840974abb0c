"""What retrieval needs of a stored storyline, kept in columns beside its snapshot, so a
new process indexes tens of thousands of storylines without parsing one snapshot.

A follow-up batch restores every storyline of the 540-day window to find its candidates
among them, and reads a few hundred. Indexing one needs its unit centroid, its placement
span (the index's time filter), its names (the name index) and what compacting it would
do (``lazy.Deferred``); reading those from the snapshot's JSON header cost ~0.1 ms per
storyline, ~6–8 CPU s at 10⁶ articles. Kept as columns (``cluster_state.centroid``,
``span_first``, ``span_last``, ``names``, ``drops``, ``compact_noop``) they cost a row
read; the snapshot itself is fetched when the storyline is first read.

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
"""Separates names in the ``names``/``drops`` columns (ASCII unit separator: no name
extracted from text holds it; a state with one that does is stored without columns)."""

IndexColumns = tuple[bytes, float, float, str, str, bool]
"""(centroid float32 bytes, span first, span last, names, drops, compact_noop)."""


@dataclass(frozen=True, slots=True)
class SnapshotIndex:
    """A stored storyline as the index sees it before it is built."""

    centroid: npt.NDArray[np.float32]
    """Unit centroid (float32), what ``EventState.centroid`` gives for the built state."""
    first: float
    last: float
    """Placement span in the centroid index."""
    names: tuple[str, ...]
    """Its names, in the state's counter order."""
    drops: frozenset[str]
    """The names compacting the built state would drop."""
    compact_noop: bool
    """Compacting the built state would change nothing."""


def _drops(names: Any) -> frozenset[str]:
    """What ``EventState.compact`` drops of a name counter (same counts, same order)."""
    if len(names) <= COMPACT_NAMES:
        return frozenset()
    return frozenset(names) - frozenset(_top(names, COMPACT_NAMES))


def index_of(st: EventState, span: tuple[float, float] | None, placed: float
             ) -> SnapshotIndex:
    """The index entry of live state ``st`` saved with placement ``span`` and last time
    ``placed``: what ``from_peek`` reads back from its snapshot."""
    (tk, _), (bk, _) = st.packed_lexical()
    if span is not None:
        first, last = span
    else:
        first = st.first_time if st.first_time is not None else placed
        last = st.last_time if st.last_time is not None else placed
    return SnapshotIndex(
        centroid=unit_centroid(np.asarray(st.dense_sum, dtype=np.float32)),
        first=float(first), last=float(last), names=tuple(st.names), drops=_drops(st.names),
        compact_noop=(tk.size <= COMPACT_TITLE_TERMS and bk.size <= COMPACT_BODY_TERMS
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
        last=float(last), names=tuple(seen.names), drops=seen.compact_drops,
        compact_noop=seen.compact_noop)


def to_columns(idx: SnapshotIndex) -> IndexColumns | None:
    """``idx`` as stored, or ``None`` when a name holds ``SEP`` (the row is then indexed
    from its snapshot, as before the columns existed)."""
    if any(SEP in n for n in idx.names):
        return None
    return (np.asarray(idx.centroid, dtype=np.float32).tobytes(), idx.first, idx.last,
            SEP.join(idx.names), SEP.join(sorted(idx.drops)), idx.compact_noop)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(SEP)) if text else ()


def from_columns(cid: str, cols: Sequence[Any], dim: int) -> SnapshotIndex:
    """Read stored columns back; any damage (a centroid of the wrong length, a span that
    is not two numbers, names that are not text) is a StoreError naming the cluster."""
    try:
        centroid, first, last, names, drops, noop = cols
        raw = bytes(centroid)
        if len(raw) != 4 * dim:
            raise ValueError(f"centroid of {len(raw)} bytes, expected {4 * dim}")
        if not isinstance(names, str) or not isinstance(drops, str):
            raise ValueError("names are not text")
        vec = np.frombuffer(raw, dtype=np.float32)
        return SnapshotIndex(centroid=vec, first=float(first), last=float(last),
                             names=_split(names), drops=frozenset(_split(drops)),
                             compact_noop=bool(noop))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"cluster state {cid!r}: unreadable index columns ({exc})") from exc
