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

import numpy as np

from storylens.errors import StoreError
from storylens.link.state import EventState

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


def from_snapshot(cid: str, blob: bytes) -> EventState:
    """Rebuild a compact ``EventState`` from ``to_snapshot``'s bytes."""
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
        dense, tk, tv, bk, bv = arrays
        f32 = np.float32
        # inside the try: a damaged header can lack a field or hold the wrong type
        st = EventState(
            id=cid, dense_sum=dense.astype(f32), names=Counter(header["names"]),
            numbers=Counter(header["numbers"]), langs=Counter(header["langs"]),
            outlets=Counter(header["outlets"]), times=[float(t) for t in header["times"]],
            first_time=header["first"], last_time=header["last"], title=header["title"],
            storyline_id=header["storyline_id"], prior_members=int(header["size"]),
            n_content=int(header["nc"] if "nc" in header else header["size"]),
            span=(float(header["span"][0]), float(header["span"][1])) if header.get("span")
            else None)
    except (struct.error, ValueError, KeyError, TypeError, IndexError,
            UnicodeDecodeError) as exc:
        raise StoreError(f"cluster state {cid!r} is unreadable ({exc})") from exc
    # read-only views into the blob: a compact state costs its snapshot's bytes, no copies
    st.set_packed((tk.view(np.int32), tv.view(f32)), (bk.view(np.int32), bv.view(f32)))
    return st
