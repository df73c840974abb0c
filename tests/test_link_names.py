"""Name retrieval: clusters that share a specific name with an article become candidates
even when dense retrieval ranks them low; common names do not; eviction and sweeps keep
the inverted index in step with the live clusters."""

from __future__ import annotations

from datetime import timedelta

from storylens.link.index import NameIndex
from tests.test_link_online import T0, new_clusterer, reps


def test_specific_names_score_higher_than_common_ones() -> None:
    idx = NameIndex(max_postings=3)
    idx.add("a", ["izmir", "ankara"])
    idx.add("b", ["ankara"])
    idx.add("c", ["ankara", "lyon"])
    idx.add("d", ["ankara"])  # "ankara" now in 4 clusters: above max_postings, ignored
    assert idx.search(["ankara"], 5, lambda c: True) == []
    assert idx.search(["izmir", "lyon", "ankara"], 5, lambda c: True) == ["a", "c"]
    assert idx.search(["izmir", "lyon"], 5, lambda c: c != "a") == ["c"]
    assert idx.search(["izmir", "lyon"], 1, lambda c: True) == ["a"]


def test_remove() -> None:
    idx = NameIndex()
    idx.add("a", ["x", "y"])
    idx.add("b", ["y"])
    idx.remove("a", ["x", "y"])
    assert idx.search(["x", "y"], 5, lambda c: True) == ["b"] and len(idx) == 1


def test_near_keeps_live_clusters_in_the_window_not_taken() -> None:
    import numpy as np

    from storylens.link.index import CentroidIndex

    dense = CentroidIndex(2)
    for cid, t in (("a", 0.0), ("b", 10.0), ("c", 1000.0)):
        dense.upsert(cid, np.array([1.0, 0.0], dtype=np.float32), t, t)
    idx = NameIndex()
    for cid in ("a", "b", "c", "gone"):
        idx.add(cid, ["izmir"])
    assert idx.near(["izmir"], 5, dense, 5.0, 20.0, taken=set()) == ["a", "b"]
    assert idx.near(["izmir"], 5, dense, 5.0, 20.0, taken={"a"}) == ["b"]


def test_level_offers_name_candidates_beyond_dense_top_k() -> None:
    cl = new_clusterer(top_k=1, name_candidates=2)
    rs = reps([("a1", "quake", T0), ("b1", "strike", T0 + timedelta(hours=1)),
               ("c1", "vote", T0 + timedelta(hours=1))])
    for r in rs:
        cl.add(r)
    probe = reps([("a2", "quake", T0 + timedelta(hours=2))])[0]
    dense_only = cl.events.index.search(probe.dense, probe.time or 0.0, cl.events.window, 1)
    cands = cl.events.candidates(probe, probe.time or 0.0)
    assert cands[0] == dense_only[0][0]
    assert "ev-a1" in cands, "the quake event shares Izmir with the probe"
    assert len(cands) == len(set(cands)) <= 3
    far = reps([("a3", "quake", T0 + timedelta(days=30))])[0]
    assert "ev-a1" not in cl.events.candidates(far, far.time or 0.0)[1:], "outside window"


def test_evicted_clusters_leave_the_name_index() -> None:
    cl = new_clusterer(event_window_days=1.0, storyline_window_days=2.0)
    for r in reps([(f"x{i}", ("quake", "strike", "vote")[i % 3], T0 + timedelta(days=i))
                   for i in range(40)]):
        cl.add(r)
    cl.evict()
    live = set(cl.events.states)
    for post in cl.events.names._post.values():
        assert post <= live
