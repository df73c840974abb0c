"""Idle storylines are compacted: a few kilobytes each, read by the pair features exactly
as live ones (up to the pruned tail), thawed by the next article, and the clusterer's
decisions do not change for the small stories of these tests."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from storylens.link.features import FEATURES, pair_features
from storylens.link.index import CentroidIndex
from storylens.link.state import COMPACT_BODY_TERMS, COMPACT_TIMES, EventState
from storylens.represent.lexical import cosine
from tests.test_link_online import T0, new_clusterer, reps


def _grown_state(n: int = 12) -> EventState:
    rs = reps([(f"q{i}", ("quake", "strike", "vote")[i % 3], T0 + timedelta(hours=i))
               for i in range(n)])
    st = EventState.start("sl-q0", rs[0])
    for r in rs[1:]:
        st.add(r)
    return st


def test_compact_keeps_what_the_features_read() -> None:
    st = _grown_state()
    probe = reps([("p", "quake", T0 + timedelta(hours=3))])[0]
    before = pair_features(probe, st)
    size, centroid = st.size, st.centroid().copy()
    st.compact()
    assert st.compacted and st.title_acc == {} and st.body_acc == {}
    after = pair_features(probe, st)
    assert st.size == size and np.allclose(st.centroid(), centroid)
    i = FEATURES.index
    for f in ("dense_centroid", "names_cover", "numbers_shared", "log_size", "log_gap_hours"):
        assert after[i(f)] == before[i(f)], f
    # the lexical tail is pruned, so the cosines move a little, never a lot
    assert abs(after[i("body_lex")] - before[i("body_lex")]) < 0.1
    assert len(st.body_centroid()) <= COMPACT_BODY_TERMS
    assert len(st.times) <= COMPACT_TIMES
    assert min(st.times) == st.first_time and max(st.times) == st.last_time


def test_compact_is_idempotent_and_add_thaws() -> None:
    st = _grown_state()
    st.compact()
    st.compact()
    extra = reps([("late", "quake", T0 + timedelta(days=30))])[0]
    st.add(extra)
    assert not st.compacted and st.body_acc and st.members[-1] == "late"
    assert st.last_time == extra.time


def test_clusterer_compacts_idle_storylines_and_still_links_to_them() -> None:
    cl = new_clusterer(storyline_compact_days=2.0)
    first = cl.add(reps([("a1", "quake", T0)])[0])
    # other stories keep the clock moving for ten days
    filler = reps([(f"f{i}", ("strike", "vote")[i % 2], T0 + timedelta(hours=12 * i))
                   for i in range(1, 21)])
    for r in filler:
        cl.add(r)
    cl.evict()
    assert cl.storylines.states[first.storyline_id].compacted
    # the Lyon strike storyline is still active: it stays uncompacted
    latest = cl.add(reps([("f99", "strike", T0 + timedelta(days=10, hours=1))])[0])
    assert not cl.storylines.states[latest.storyline_id].compacted
    back = cl.add(reps([("a2", "quake", T0 + timedelta(days=10, hours=2))])[0])
    assert back.new_event and back.storyline_id == first.storyline_id
    assert not cl.storylines.states[first.storyline_id].compacted


def test_restore_compacts_as_it_replays() -> None:
    src = new_clusterer(storyline_compact_days=1.0)
    # the quake storyline goes quiet after a day; the others run for 25 days
    items = [(f"x{i}", "quake" if i < 12 else ("strike", "vote")[i % 2],
              T0 + timedelta(hours=2 * i)) for i in range(300)]
    rs = reps(items)
    out = [src.add(r) for r in rs]
    fresh = new_clusterer(storyline_compact_days=1.0)
    for r, a in zip(rs, out, strict=True):
        fresh.restore(r, a.event_id, a.storyline_id, a.duplicate_of)
    compact = [s for s in fresh.storylines.states.values() if s.compacted]
    assert set(fresh.storylines.states) == set(src.storylines.states)
    assert len(compact) >= 1
    assert fresh.storylines.states[out[0].storyline_id].compacted


def test_index_search_agrees_on_both_paths() -> None:
    rng = np.random.default_rng(1)
    idx = CentroidIndex(16, capacity=64)
    vecs = rng.normal(size=(200, 16)).astype(np.float32)
    for j, v in enumerate(vecs):
        idx.upsert(f"c{j}", v / np.linalg.norm(v), float(j), float(j))
    q = vecs[7] / np.linalg.norm(vecs[7])
    wide = idx.search(q, 100.0, 1000.0, 5)      # most slots qualify: whole-matrix product
    narrow = idx.search(q, 100.0, 10.0, 5)      # few qualify: gathered rows
    assert wide[0][0] == "c7" and len(wide) == 5
    assert all(90 <= int(c[1:]) <= 110 for c, _ in narrow)
    full = sorted(((float(v @ q) / float(np.linalg.norm(v)), f"c{j}")
                   for j, v in enumerate(vecs)), reverse=True)[:5]
    assert [c for _, c in full] == [c for c, _ in wide]


def test_retrieval_does_not_memoise_views_of_compact_storylines() -> None:
    cl = new_clusterer(storyline_compact_days=1.0)
    first = cl.add(reps([("a1", "quake", T0)])[0])
    for r in reps([(f"f{i}", ("strike", "vote")[i % 2], T0 + timedelta(hours=12 * i))
                   for i in range(1, 8)]):
        cl.add(r)
    cl.evict()
    st = cl.storylines.states[first.storyline_id]
    assert st.compacted
    probe = reps([("p", "quake", T0 + timedelta(days=4))])[0]
    cl.storylines.best(probe, probe.time or 0.0)
    assert "title" not in st._views and "body" not in st._views
    assert st.compacted


def test_packed_cosine_equals_the_dict_cosine() -> None:
    st = _grown_state(15)
    probes = reps([("p1", "quake", T0), ("p2", "strike", T0), ("p3", "vote", T0)])
    st.compact()
    for p in probes:
        for slot, vec in ((0, p.title_vec), (1, p.body_vec)):
            want = cosine(vec, st.title_centroid() if slot == 0 else st.body_centroid())
            assert abs(st.lexical_cosine(slot, vec) - want) < 1e-6
    assert st.lexical_cosine(1, {}) == 0.0
    keys = set(st.packed_lexical()[1][0].tolist())
    absent = next(f for f in range(1, 10_000) if f not in keys)
    assert st.lexical_cosine(1, {absent: 1.0}) == 0.0
    assert st.lexical_cosine(1, {max(keys) + 1: 1.0}) == 0.0  # past the last key
