"""Cluster states as compact binary snapshots, so a new process restores its storylines
from the store instead of replaying months of articles.

A storyline stays a candidate for ``storyline_window_days`` (270 by default): rebuilding
it by replaying every article of that window costs about a millisecond an article, which
at a few hundred articles a day is minutes per ``storylens ingest``. A snapshot holds the
state as it is: a JSON header (counts, names, numbers, languages, outlets, times, the
placement span) followed by the dense sum and the lexical accumulators as arrays — a few
kilobytes for an idle, compact storyline (see ``EventState.compact``), whatever its
size; every term for a live one. It is restored in packed form either way.
"""

from __future__ import annotations

import json
import struct
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.errors import StoreError
from storylens.link.state import (
    COMPACT_BODY_TERMS,
    COMPACT_NAMES,
    COMPACT_NUMBERS,
    COMPACT_TIMES,
    COMPACT_TITLE_TERMS,
    EventState,
    _top,
)

VERSION = 1
_LEN = struct.Struct("<I")


def to_snapshot(st: EventState, span: tuple[float, float] | None = None) -> bytes:
    """Serialise ``st`` as it is — a compact cluster compactly, a live one with every
    term, name and time, so that restoring it and adding an article gives what the
    uninterrupted process would — with its placement ``span`` in the index. ``st`` is
    left unchanged."""
    (tk, tv), (bk, bv) = st.packed_lexical()
    header = {
        "v": VERSION, "size": st.size, "nc": st.n_content, "title": st.title,
        "storyline_id": st.storyline_id,
        "names": dict(st.names), "numbers": dict(st.numbers),
        "langs": dict(st.langs), "outlets": dict(st.outlets),
        "times": list(st.times), "first": st.first_time, "last": st.last_time,
        "span": list(span) if span is not None else None,
        "dim": int(st.dense_sum.shape[0]), "nt": int(tk.size), "nb": int(bk.size),
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"".join([
        _LEN.pack(len(head)), head, np.asarray(st.dense_sum, dtype=np.float32).tobytes(),
        tk.astype(np.int32).tobytes(), tv.astype(np.float32).tobytes(),
        bk.astype(np.int32).tobytes(), bv.astype(np.float32).tobytes(),
    ])


@dataclass(frozen=True, slots=True)
class Peek:
    """What retrieval needs of a stored state before it is built (``peek``)."""

    names: dict[str, int]
    dense_sum: npt.NDArray[np.float32]
    first: float | None
    last: float | None
    span: tuple[float, float] | None
    compact_noop: bool
    """Compacting the built state would change nothing (see ``lazy.Deferred``)."""
    compact_drops: frozenset[str]
    """The names compacting the built state would drop."""


def _parse(cid: str, blob: bytes) -> tuple[dict[str, Any], list[npt.NDArray[Any]]]:
    """The checked header and the five arrays of a snapshot; any damage is a StoreError
    naming the cluster."""
    try:
        (n,) = _LEN.unpack_from(blob, 0)
        header = json.loads(blob[4 : 4 + n].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError(f"header is a {type(header).__name__}, not an object")
        if header.get("v") != VERSION:
            raise ValueError(f"snapshot version {header.get('v')!r}, expected {VERSION}")
        off = 4 + n
        dim, nt, nb = int(header["dim"]), int(header["nt"]), int(header["nb"])
        arrays = []
        for count, dtype in ((dim, np.float32), (nt, np.int32), (nt, np.float32),
                             (nb, np.int32), (nb, np.float32)):
            arr = np.frombuffer(blob, dtype=dtype, count=count, offset=off)
            off += arr.nbytes
            arrays.append(arr)
        if off != len(blob):
            raise ValueError(f"{len(blob) - off} trailing bytes")
        _check(header)
    except (struct.error, ValueError, KeyError, TypeError, IndexError,
            UnicodeDecodeError) as exc:
        raise StoreError(f"cluster state {cid!r} is unreadable ({exc})") from exc
    return header, arrays


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _check(h: dict[str, Any]) -> None:
    """Raise ValueError unless every field has the shape ``from_snapshot`` builds from, so
    that a state checked by ``peek`` builds later without error."""
    for key in ("names", "numbers", "langs", "outlets"):
        if not isinstance(h[key], dict):
            raise ValueError(f"{key} is not an object")
    if not isinstance(h["times"], list) or not all(_number(t) for t in h["times"]):
        raise ValueError("times is not a list of numbers")
    for key in ("first", "last"):
        if h[key] is not None and not _number(h[key]):
            raise ValueError(f"{key} is not a number")
    if not isinstance(h["title"], str):
        raise ValueError("title is not a string")
    if h["storyline_id"] is not None and not isinstance(h["storyline_id"], str):
        raise ValueError("storyline_id is not a string")
    int(h["size"])
    int(h["nc"] if "nc" in h else h["size"])
    span = h.get("span")
    if span and (not isinstance(span, list) or len(span) != 2 or
                 not all(_number(t) for t in span)):
        raise ValueError("span is not two numbers")


def peek(cid: str, blob: bytes) -> Peek:
    """Check a snapshot as ``from_snapshot`` does and read only what indexing it needs:
    its names, dense sum (a view into ``blob``), times, whether compacting it would
    change anything and which names it would drop (as ``EventState.compact`` picks
    them: the same counts in the same order)."""
    h, (dense, tk, _, bk, _) = _parse(cid, blob)
    names: dict[str, int] = h["names"]
    drops = (frozenset(names) - frozenset(_top(Counter(names), COMPACT_NAMES))
             if len(names) > COMPACT_NAMES else frozenset())
    return Peek(names=names, dense_sum=dense, first=h["first"], last=h["last"],
                span=(float(h["span"][0]), float(h["span"][1])) if h.get("span") else None,
                compact_noop=(tk.size <= COMPACT_TITLE_TERMS and bk.size <= COMPACT_BODY_TERMS
                              and len(h["names"]) <= COMPACT_NAMES
                              and len(h["numbers"]) <= COMPACT_NUMBERS
                              and len(h["times"]) <= COMPACT_TIMES),
                compact_drops=drops)


def from_snapshot(cid: str, blob: bytes) -> EventState:
    """Rebuild a compact ``EventState`` from ``to_snapshot``'s bytes."""
    header, (dense, tk, tv, bk, bv) = _parse(cid, blob)
    f32 = np.float32
    st = EventState(
        id=cid, dense_sum=dense.astype(f32), names=Counter(header["names"]),
        numbers=Counter(header["numbers"]), langs=Counter(header["langs"]),
        outlets=Counter(header["outlets"]), times=[float(t) for t in header["times"]],
        first_time=header["first"], last_time=header["last"], title=header["title"],
        storyline_id=header["storyline_id"], prior_members=int(header["size"]),
        n_content=int(header["nc"] if "nc" in header else header["size"]),
        span=(float(header["span"][0]), float(header["span"][1])) if header.get("span")
        else None)
    # read-only views into the blob: a compact state costs its snapshot's bytes, no copies
    st.set_packed((tk.view(np.int32), tv.view(f32)), (bk.view(np.int32), bv.view(f32)))
    return st
