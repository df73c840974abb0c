"""Snapshot bytes of a cluster (storylens.link.snapshot): exact round trip of every field, and
that any damage — truncation, flipped bytes, a header of the wrong shape — is one StoreError
naming the cluster."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.errors import StoreError
from storylens.link.snapshot import VERSION, from_snapshot, to_snapshot
from storylens.link.state import EventState
from tests.link_helpers import rep

H = 3600.0


def _state() -> EventState:
    ev = EventState.start("sl-a", rep("a", (1, 0, 0), time=0.0, names={"basel", "bâle"},
                                      numbers={"4200"}, title={1: 1.0, 7: 0.5},
                                      body={2: 1.0, 9: 0.25}, lang="fr", outlet="x.fr"))
    ev.add(rep("b", (0, 1, 0), time=5 * H, names={"basel"}, lang="de", outlet="y.de",
               body={2: 0.5}))
    ev.add_copy("b-copy")
    ev.storyline_id = "sl-a"
    return ev


def test_round_trip_keeps_every_field() -> None:
    ev = _state()
    blob = to_snapshot(ev, span=(-H, 9 * H))
    back = from_snapshot("sl-a", blob)
    assert back.compacted and back.members == [] and back.size == ev.size == 3
    assert back.n_content == 2 and back.prior_members == 3
    assert (back.names, back.numbers, back.langs, back.outlets) == (
        ev.names, ev.numbers, ev.langs, ev.outlets)
    assert (back.times, back.first_time, back.last_time) == (ev.times, 0.0, 5 * H)
    assert (back.title, back.storyline_id, back.span) == (ev.title, "sl-a", (-H, 9 * H))
    np.testing.assert_array_equal(back.dense_sum, ev.dense_sum)
    for (ka, va), (kb, vb) in zip(back.packed_lexical(), ev.packed_lexical(), strict=True):
        np.testing.assert_array_equal(ka, kb)
        np.testing.assert_array_equal(va, vb)
    assert to_snapshot(back, span=(-H, 9 * H)) == blob  # a fixed point
    assert from_snapshot("x", to_snapshot(ev)).span is None


def test_snapshot_leaves_the_state_unchanged() -> None:
    ev = _state()
    to_snapshot(ev)
    assert not ev.compacted and ev.members == ["a", "b", "b-copy"]


def _blob_with_header(header: object, tail: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return struct.pack("<I", len(head)) + head + tail


@pytest.mark.parametrize(
    "header",
    [[], "x", None, {"v": VERSION + 1}, {"v": VERSION, "dim": None, "nt": 0, "nb": 0},
     {"v": VERSION, "dim": 0, "nt": 0, "nb": 0},
     {"v": VERSION, "dim": 0, "nt": 0, "nb": 0, "names": {}, "numbers": {}, "langs": {},
      "outlets": {}, "times": [], "first": None, "last": None, "title": "", "storyline_id":
      None, "size": 1, "span": [1.0]}],
    ids=["list", "string", "null", "version", "null-dim", "missing-fields", "short-span"],
)
def test_malformed_headers_are_store_errors(header: object) -> None:
    # Fixed bug: a header of the wrong shape escaped as AttributeError, TypeError, KeyError
    # or IndexError instead of the StoreError the store falls back on.
    with pytest.raises(StoreError, match="cluster state 'c9' is unreadable"):
        from_snapshot("c9", _blob_with_header(header))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_damage_is_a_store_error_or_a_state(data: st.DataObject) -> None:
    blob = bytearray(to_snapshot(_state()))
    how = data.draw(st.sampled_from(["truncate", "flip", "append"]))
    if how == "truncate":
        blob = blob[: data.draw(st.integers(0, len(blob) - 1))]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] ^= data.draw(st.integers(1, 255))
    else:
        blob += data.draw(st.binary(min_size=1, max_size=8))
    try:
        got = from_snapshot("c1", bytes(blob))
    except StoreError as e:
        assert "'c1'" in str(e)
    else:
        assert isinstance(got, EventState) and got.id == "c1"
