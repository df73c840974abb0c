"""Pieces of the linker's training (storylens.learn.train_link) on hand-built rows: teacher
pairs, stream weights, thresholds, the fit's sign bounds, and online scoring."""

from __future__ import annotations

import numpy as np
import pytest

from storylens.learn.train_link import (
    _stream_weights,
    _with_threshold,
    fit,
    run_online,
    teacher_pairs,
)
from storylens.link.features import FEATURES, NEGATIVE, POSITIVE
from storylens.link.model import LogisticModel
from storylens.link.online import ClusterConfig
from tests.link_helpers import angle, rep

H = 3600.0



def _rows() -> list[tuple]:
    out = []
    for e, base in enumerate((0, 90)):
        for k in range(4):
            out.append((rep(f"e{e}a{k}", angle(base + 3 * k), time=(e * 10 + k) * H),
                        f"ev{e}", f"sl{e}"))
    return out


def test_teacher_pairs_one_gold_candidate_per_decision() -> None:
    rows = _rows()
    x, y = teacher_pairs(rows, level="event", window_days=3.0, top_k=4)
    assert x.shape == (len(y), len(FEATURES))
    # the first article of each event has no gold cluster yet: the other 3 of each do
    assert int(y.sum()) == 6
    # e0a1..e0a3 and e1a0 meet one live cluster each, e1a1..e1a3 meet two
    assert len(y) == 4 * 1 + 3 * 2
    pos = x[y == 1][:, FEATURES.index("dense_centroid")]
    neg = x[y == 0][:, FEATURES.index("dense_centroid")]
    assert pos.min() > neg.max()


def test_storyline_pairs_are_decided_once_per_event_without_time() -> None:
    rows = _rows()
    x, y = teacher_pairs(rows, level="storyline", window_days=270.0, top_k=4)
    # one decision per new event: the first event meets nothing, the second meets sl0
    assert len(y) == 1 and y.tolist() == [0]
    assert x[0, FEATURES.index("log_gap_hours")] == 0.0 and x[0, FEATURES.index("no_date")] == 0.0


def test_stream_weights_give_each_stream_the_same_total() -> None:
    w = _stream_weights([np.zeros(10, int), np.zeros(30, int), np.zeros(0, int)])
    # sizes 10, 30 and (at least) 1: every stream's rows sum to the mean size, 41 / 3
    assert len(w) == 40
    assert w[:10].sum() == pytest.approx(41 / 3) == w[10:].sum()
    assert np.allclose(w[:10], w[0]) and np.allclose(w[10:], w[10]) and w[0] == 3 * w[10]


def test_with_threshold_changes_only_the_threshold() -> None:
    m = LogisticModel(("a",), np.zeros(1), np.ones(1), np.ones(1), 0.0, 0.5, {"k": 1})
    t = _with_threshold(m, 0.3)
    assert t.threshold == 0.3 and t.to_json() | {"threshold": 0.5} == m.to_json()


def test_fit_respects_the_sign_bounds_and_separates() -> None:
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=(n, len(FEATURES)))
    i = FEATURES.index
    # the label follows dense_centroid up and log_gap_hours down
    y = ((x[:, i("dense_centroid")] - x[:, i("log_gap_hours")]) > 0).astype(int)
    # a similarity channel that anti-correlates with the label must still get weight >= 0
    x[:, i("body_lex")] = -x[:, i("dense_centroid")] + rng.normal(scale=0.1, size=n)
    m = fit(x, y, {"name": "t"}, unused=frozenset({"names_script"}))
    coef = dict(zip(FEATURES, m.coef, strict=True))
    assert all(coef[f] >= -1e-9 for f in POSITIVE)
    assert all(coef[f] <= 1e-9 for f in NEGATIVE)
    assert coef["names_script"] == 0.0 and coef["body_lex"] == pytest.approx(0.0, abs=1e-6)
    assert coef["dense_centroid"] > 0 and coef["log_gap_hours"] < 0
    assert ((m.proba(x) > 0.5) == (y == 1)).mean() > 0.9
    assert m.meta["name"] == "t" and m.meta["train_loss_per_pair"] > 0


def test_run_online_scores_against_gold() -> None:
    coef = np.zeros(len(FEATURES))
    coef[FEATURES.index("dense_centroid")] = 40.0
    ev = LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef,
                       -36.0, 0.5, {})
    got = run_online(_rows(), ev, ev, ClusterConfig())
    assert got["bcubed"]["f1"] == 1.0 and got["storyline_bcubed"]["f1"] == 1.0
    only_first = run_online(_rows(), ev, ev, ClusterConfig(), score=[True] * 4 + [False] * 4)
    assert only_first["pairwise"]["f1"] == 1.0
