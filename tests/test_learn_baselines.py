"""The naive average-link baseline (storylens.learn.baselines): oracle threshold, time window,
and the reported scores."""

from __future__ import annotations

import numpy as np
import pytest

from storylens.learn.baselines import average_link

DAY = 86400.0


def _two_topics(jitter: float = 0.05, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.eye(8, dtype=np.float32)[:2]
    rows = np.vstack([base[k % 2] + rng.normal(scale=jitter, size=8) for k in range(10)])
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_separated_topics_are_found_at_some_threshold() -> None:
    x = _two_topics()
    gold = [k % 2 for k in range(10)]
    res = average_link(x, [0.0] * 10, gold, ["en"] * 10)
    assert res.scores["bcubed"]["f1"] == 1.0
    assert res.scores["n_pred"] == 2 and res.scores["threshold"] == res.threshold
    assert len(set(res.labels)) == 2
    assert all((res.labels[i] == res.labels[j]) == (gold[i] == gold[j])
               for i in range(10) for j in range(10))


def test_the_window_keeps_far_apart_copies_apart() -> None:
    x = np.vstack([_two_topics()[0]] * 4)  # four identical vectors
    times = [0.0, 0.5 * DAY, 10 * DAY, 10.5 * DAY]
    gold = [0, 0, 1, 1]
    windowed = average_link(x, times, gold, ["en"] * 4, window_days=3.0)
    assert windowed.scores["bcubed"]["f1"] == 1.0
    unwindowed = average_link(x, times, gold, ["en"] * 4, window_days=None)
    assert unwindowed.scores["bcubed"]["f1"] < 1.0  # identical vectors always merge


def test_an_undated_item_is_within_every_window() -> None:
    x = np.vstack([_two_topics()[0]] * 3)
    res = average_link(x, [0.0, None, 30 * DAY], [0, 0, 0], ["en", "fr", "de"],
                       window_days=3.0, grid=[0.5])
    # the undated item is at distance 0 from both dated ones, which are FAR apart: it joins
    # the first, and the average distance of that pair to the third (FAR + 0) / 2 = 2 is
    # beyond any cut, so the far one stays alone
    assert res.labels[0] == res.labels[1] != res.labels[2]
    assert res.scores["bcubed"]["recall"] == pytest.approx(5 / 9)
    assert res.scores["crosslingual_pairwise"]["recall"] == pytest.approx(1 / 3)


def test_a_one_value_grid_is_used_as_given() -> None:
    x = _two_topics()
    res = average_link(x, [0.0] * 10, [k % 2 for k in range(10)], ["en"] * 10, grid=[0.999])
    assert res.threshold == 0.999 and res.scores["n_pred"] == 10  # nothing that close
