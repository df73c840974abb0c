"""Dense top-k retrieval in a time window and the name index (storylens.link.index), checked
against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.link.index import CentroidIndex, NameIndex


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_upsert_search_remove_and_reuse_slots() -> None:
    idx = CentroidIndex(dim=3, capacity=2)
    idx.upsert("a", np.array([1, 0, 0], np.float32), 0.0, 10.0)
    idx.upsert("b", np.array([0, 1, 0], np.float32), 100.0, 200.0)
    idx.upsert("c", np.array([0.6, 0.8, 0], np.float32), 0.0, 0.0)  # grows past capacity
    assert len(idx) == 3 and "c" in idx and set(idx.ids()) == {"a", "b", "c"}
    q = np.array([1, 0, 0], np.float32)
    assert [c for c, _ in idx.search(q, t=5.0, window=10.0, k=5)] == ["a", "c"]
    assert idx.last_count == 2
    assert [c for c, _ in idx.search(q, t=5.0, window=1000.0, k=1)] == ["a"]
    assert idx.last_count == 3
    idx.remove("a")
    idx.remove("a")
    assert "a" not in idx and idx.span("a") is None
    assert [c for c, _ in idx.search(q, t=5.0, window=10.0, k=5)] == ["c"]
    idx.upsert("d", q, 5.0, 5.0)
    assert len(idx) == 3


def test_upsert_updates_vector_and_span() -> None:
    idx = CentroidIndex(dim=2)
    idx.upsert("a", np.array([1, 0], np.float32), 0.0, 0.0)
    idx.upsert("a", np.array([0, 1], np.float32), 50.0, 60.0)
    assert idx.span("a") == (50.0, 60.0)
    (hit,) = idx.search(np.array([0, 1], np.float32), t=55.0, window=0.0, k=3)
    assert hit == ("a", pytest.approx(1.0))
    assert idx.near("a", 70.0, 10.0) and not idx.near("a", 71.0, 10.0)
    assert not idx.near("missing", 0.0, 1e9)


def test_stale() -> None:
    idx = CentroidIndex(dim=2)
    idx.upsert("old", np.array([1, 0], np.float32), 0.0, 10.0)
    idx.upsert("new", np.array([1, 0], np.float32), 0.0, 100.0)
    assert idx.stale(50.0) == ["old"]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 8), st.floats(0, 50), st.integers(0, 2**31))
def test_search_equals_brute_force(n: int, k: int, window: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    idx = CentroidIndex(dim=8, capacity=4)
    spans = {}
    vecs = {}
    for j in range(n):
        first = float(rng.uniform(0, 100))
        last = first + float(rng.uniform(0, 20))
        vecs[f"c{j}"], spans[f"c{j}"] = _unit(rng, 8), (first, last)
        idx.upsert(f"c{j}", vecs[f"c{j}"], first, last)
    q, t = _unit(rng, 8), float(rng.uniform(0, 120))
    ok = [c for c, (f, la) in spans.items() if f - window <= t <= la + window]
    expect = sorted(ok, key=lambda c: -float(vecs[c] @ q))[:k]
    got = idx.search(q, t, window, k)
    assert idx.last_count == len(ok)
    assert [s for _, s in got] == pytest.approx([float(vecs[c] @ q) for c in expect], abs=1e-5)


def test_name_index_scores_specific_names_first() -> None:
    ni = NameIndex(max_postings=2)
    ni.add("e1", ["basel", "trump"])
    ni.add("e2", ["trump", "oslo"])
    ni.add("e3", ["trump"])
    # trump is held by 3 > max_postings clusters: ignored; basel 1/1, oslo 1/1
    assert ni.search(["trump", "basel", "oslo"], 5, lambda c: True) == ["e1", "e2"]
    assert ni.search(["basel", "oslo"], 1, lambda c: True) == ["e1"]  # ties by id
    assert ni.search(["basel"], 5, lambda c: c != "e1") == []
    ni.remove("e1", ["basel", "unknown"])
    assert ni.search(["basel"], 5, lambda c: True) == [] and len(ni) == 2  # trump, oslo


def test_name_index_near_filters_by_window_and_taken() -> None:
    idx = CentroidIndex(dim=2)
    idx.upsert("e1", np.array([1, 0], np.float32), 0.0, 0.0)
    idx.upsert("e2", np.array([1, 0], np.float32), 1000.0, 1000.0)
    idx.upsert("e3", np.array([1, 0], np.float32), 0.0, 0.0)
    ni = NameIndex()
    for c in ("e1", "e2", "e3"):
        ni.add(c, ["basel"])
    assert ni.near(["basel"], 5, idx, t=0.0, window=10.0, taken={"e3"}) == ["e1"]
