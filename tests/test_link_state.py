"""One event cluster's state (storylens.link.state) with hand-built articles: sums, counters,
the frequency thresholds the features read, pruning, times, copies and the packed cosine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.link.state import MAX_KEYS, EventState, packed_cosine
from storylens.represent.lexical import cosine, normalise
from tests.link_helpers import rep, unit

H = 3600.0


def test_start_takes_the_first_article() -> None:
    ev = EventState.start("ev-a", rep("a", (1, 0, 0), time=10 * H, names={"basel"}))
    assert (ev.id, ev.members, ev.size, ev.n_content, ev.title) == ("ev-a", ["a"], 1, 1,
                                                                     "title a")
    assert (ev.first_time, ev.last_time, ev.times) == (10 * H, 10 * H, [10 * H])
    assert ev.langs == {"en": 1} and ev.outlets == {"o.com": 1}
    assert np.allclose(ev.centroid(), unit(1, 0, 0))


def test_centroid_and_mean_similarity() -> None:
    ev = EventState.start("e", rep("a", (1, 0, 0)))
    ev.add(rep("b", (0, 1, 0)))
    assert np.allclose(ev.centroid(), unit(1, 1, 0))
    probe = unit(1, 0, 0)
    assert float(probe @ ev.centroid()) == pytest.approx(2 ** -0.5, abs=1e-6)
    assert ev.dense_mean(probe) == pytest.approx(0.5)  # mean of cos 1 and cos 0


def test_zero_centroid_stays_zero() -> None:
    ev = EventState.start("e", rep("a", (1, 0, 0)))
    ev.add(rep("b", (-1, 0, 0)))
    assert not ev.centroid().any()


def test_times_undated_and_gaps() -> None:
    ev = EventState.start("e", rep("a", time=None))
    assert ev.first_time is None and ev.nearest_gap_hours(5 * H) is None
    ev.add(rep("b", time=10 * H))
    ev.add(rep("c", time=4 * H))
    assert (ev.first_time, ev.last_time) == (4 * H, 10 * H)
    assert ev.nearest_gap_hours(6 * H) == pytest.approx(2.0)
    assert ev.nearest_gap_hours(None) is None


def test_many_times_are_subsampled_but_span_is_exact() -> None:
    ev = EventState.start("e", rep("a0", time=0.0))
    for i in range(1, 200):
        ev.add(rep(f"a{i}", time=i * H))
    assert len(ev.times) <= 65
    assert (ev.first_time, ev.last_time) == (0.0, 199 * H)
    assert ev.times == sorted(ev.times)


def test_frequent_names_need_a_third_of_the_members() -> None:
    ev = EventState.start("e", rep("a", names={"basel", "rhine"}))
    for i in range(5):
        ev.add(rep(f"b{i}", names={"basel"} | ({"rhine"} if i == 0 else set())))
    # 6 members: threshold 2; basel 6, rhine 2
    assert ev.frequent_names() == {"basel", "rhine"}
    ev.add(rep("c", names={"zurich"}))
    ev.add(rep("d"))
    ev.add(rep("e2"))
    # 9 members: threshold 3; rhine (2) and zurich (1) drop out
    assert ev.frequent_names() == {"basel"}


def test_frequent_keys_add_up_spellings_across_scripts() -> None:
    ev = EventState.start("e", rep("a", names={"biden"}))
    ev.add(rep("b", names={"байден"}))
    ev.add(rep("c", names={"バイデン"}))
    ev.add(rep("d", names={"macron"}))
    ev.add(rep("e", names={"putin"}))
    ev.add(rep("f", names={"zelensky"}))
    # 6 members: threshold 2; each spelling of Biden once, their key three times
    assert ev.frequent_names() == frozenset()
    assert ev.frequent_keys() == {"bdn"}


def test_frequent_numbers_need_a_quarter() -> None:
    ev = EventState.start("e", rep("a", numbers={"4200"}))
    for i in range(7):
        ev.add(rep(f"b{i}", numbers={"4200"} if i == 0 else {"17"} if i < 3 else set()))
    # 8 members: threshold 2
    assert ev.frequent_numbers() == {"4200", "17"}


def test_views_are_recomputed_after_a_change() -> None:
    ev = EventState.start("e", rep("a", names={"basel"}))
    assert ev.frequent_names() == {"basel"}
    ev.add(rep("b", names={"oslo"}))
    assert ev.frequent_names() == {"basel", "oslo"}  # 2 members: threshold 1


def test_name_counter_is_pruned_and_reports_what_it_dropped() -> None:
    ev = EventState.start("e", rep("a", names={f"common{i}" for i in range(10)}))
    ev.add(rep("b", names={f"common{i}" for i in range(10)}))
    dropped = ev.add(rep("c", names={f"rare{i}" for i in range(MAX_KEYS)}))
    assert len(ev.names) == MAX_KEYS // 2
    assert {f"common{i}" for i in range(10)} <= set(ev.names)
    assert dropped == {f"rare{i}" for i in range(MAX_KEYS)} - set(ev.names)
    assert ev.add(rep("d", names={"new"})) == set()


def test_a_copy_counts_as_a_member_but_adds_no_content() -> None:
    ev = EventState.start("e", rep("a", (1, 0, 0), names={"basel"}))
    ev.add_copy("a-copy")
    assert ev.size == 2 and ev.members == ["a", "a-copy"] and ev.n_content == 1
    assert ev.names == {"basel": 1} and ev.dense_mean(unit(1, 0, 0)) == pytest.approx(1.0)


def test_prior_members_count_in_the_size() -> None:
    ev = EventState.start("e", rep("a"))
    ev.prior_members = 10
    assert ev.size == 11


def test_lexical_cosine_against_the_centroids() -> None:
    ev = EventState.start("e", rep("a", title={1: 1.0}, body={1: 1.0, 2: 1.0}))
    ev.add(rep("b", title={2: 1.0}, body={2: 1.0}))
    q = normalise({2: 1.0})
    assert ev.lexical_cosine(0, q) == pytest.approx(cosine(q, normalise({1: 1.0, 2: 1.0})))
    assert ev.lexical_cosine(1, q) == pytest.approx(cosine(
        q, normalise({1: 2 ** -0.5, 2: 2 ** -0.5 + 1.0})))
    ev.compact()
    assert ev.lexical_cosine(1, q) == pytest.approx(cosine(
        q, normalise({1: 2 ** -0.5, 2: 2 ** -0.5 + 1.0})), abs=1e-6)


_acc = st.dictionaries(st.integers(0, 50), st.floats(0.01, 5), max_size=12)


@settings(max_examples=200, deadline=None)
@given(_acc, _acc)
def test_packed_cosine_equals_the_dict_cosine(acc: dict[int, float],
                                              q: dict[int, float]) -> None:
    keys = np.asarray(sorted(acc), dtype=np.int32)
    vals = np.asarray([acc[k] for k in sorted(acc)], dtype=np.float32)
    nq = normalise(q)
    assert packed_cosine((keys, vals), nq) == pytest.approx(cosine(nq, normalise(acc)),
                                                            abs=1e-5)
