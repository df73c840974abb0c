"""The pair features (storylens.link.features) computed by hand on hand-built articles and
events: every channel's value, the cross-lingual scaling and gates, and the decision-context
columns of candidate_features."""

from __future__ import annotations

import math

import numpy as np
import pytest

from storylens.link.features import FEATURES, NEGATIVE, POSITIVE, candidate_features, pair_features
from storylens.link.state import EventState
from tests.link_helpers import rep

H = 3600.0
i = FEATURES.index


def test_feature_groups_are_consistent() -> None:
    assert len(FEATURES) == len(set(FEATURES)) == 18
    assert set(FEATURES) >= POSITIVE and set(FEATURES) >= NEGATIVE
    assert not POSITIVE & NEGATIVE
    assert set(FEATURES) - POSITIVE - NEGATIVE == {"no_date", "xlang"}


def test_each_channel_by_hand() -> None:
    ev = EventState.start("e", rep("a", (1, 0, 0), time=0.0, names={"basel", "rhine"},
                                   numbers={"4200"}, title={1: 1.0}, body={5: 1.0}))
    ev.add(rep("b", (0, 1, 0), time=2 * H, names={"basel", "rhine"}, numbers={"4200"},
               title={1: 1.0}, body={5: 1.0}))
    art = rep("c", (1, 0, 0), time=5 * H, names={"basel", "zurich"}, numbers={"4200", "99"},
              title={1: 1.0}, body={5: 1.0, 6: 1.0})
    x = pair_features(art, ev)
    assert x.shape == (len(FEATURES),)
    assert x[i("dense_centroid")] == pytest.approx(2 ** -0.5, abs=1e-6)
    assert x[i("dense_mean")] == pytest.approx(0.5)
    assert x[i("dense_xlang")] == 0.0 and x[i("xlang")] == 0.0
    assert (x[i("dense_margin")], x[i("dense_top")], x[i("log_live")]) == (0.0, 1.0, 0.0)
    assert x[i("title_lex")] == pytest.approx(1.0)
    assert x[i("body_lex")] == pytest.approx(2 ** -0.5)
    # name keys: basel -> bsr, zurich -> srk, rhine -> rn; event keys {bsr, rn}
    assert x[i("names_cover")] == pytest.approx(0.5)
    assert x[i("names_jaccard")] == pytest.approx(1 / 3)  # {basel} / {basel, rhine, zurich}
    assert x[i("names_script")] == pytest.approx(math.log1p(1))
    assert x[i("numbers_shared")] == pytest.approx(math.log1p(1))
    assert x[i("log_gap_hours")] == pytest.approx(math.log1p(3.0))
    assert x[i("no_date")] == 0.0
    assert x[i("log_size")] == pytest.approx(math.log1p(2))


def test_no_date_on_either_side() -> None:
    ev = EventState.start("e", rep("a", time=None))
    x = pair_features(rep("b", time=3 * H), ev)
    assert (x[i("log_gap_hours")], x[i("no_date")]) == (0.0, 1.0)


def test_cross_lingual_gates() -> None:
    ev = EventState.start("e", rep("a", (1, 0, 0), lang="en", names={"biden"}))
    x = pair_features(rep("b", (1, 0, 0), lang="ru", names={"байден"}), ev)
    assert x[i("xlang")] == 1.0
    assert x[i("dense_xlang")] == pytest.approx(x[i("dense_centroid")])
    assert x[i("names_script")] == pytest.approx(math.log1p(1))  # bdn matches across scripts
    assert x[i("names_xlang")] == x[i("names_script")]
    assert x[i("names_jaccard")] == 0.0  # the spellings differ
    # unknown language on either side: never cross-lingual
    assert pair_features(rep("c", lang=None), ev)[i("xlang")] == 0.0


def test_lexical_channels_are_scaled_to_the_language_share() -> None:
    ev = EventState.start("e", rep("a", lang="en", body={1: 1.0}))
    for k in range(3):
        ev.add(rep(f"d{k}", lang="de", body={2: 1.0}))
    art = rep("b", lang="en", body={1: 1.0})
    raw = ev.lexical_cosine(1, art.body_vec)
    x = pair_features(art, ev)
    assert x[i("body_lex")] == pytest.approx(min(1.0, raw / math.sqrt(1 / 4)))
    assert x[i("body_lex")] <= 1.0


def test_candidate_features_margin_top_and_live() -> None:
    evs = [EventState.start("e1", rep("a", (1, 0, 0))),
           EventState.start("e2", rep("b", (1, 1, 0))),
           EventState.start("e3", rep("c", (0, 0, 1)))]
    art = rep("x", (1, 0.2, 0))
    x = candidate_features(art, evs, live=10)
    d = x[:, i("dense_centroid")]
    assert x[:, i("dense_top")].tolist() == [1.0, 0.0, 0.0]
    assert x[0, i("dense_margin")] == pytest.approx(d[0] - d[1])
    assert x[1, i("dense_margin")] == pytest.approx(d[1] - d[0])
    assert x[2, i("dense_margin")] == pytest.approx(d[2] - d[0])
    assert (x[:, i("log_live")] == math.log1p(10)).all()
    assert (x[:, i("margin_xlang")] == 0.0).all()
    # live never counts fewer clusters than the candidates themselves
    assert (candidate_features(art, evs, live=1)[:, i("log_live")] == math.log1p(3)).all()


def test_candidate_features_single_and_empty() -> None:
    ev = EventState.start("e1", rep("a"))
    one = candidate_features(rep("x"), [ev])
    assert np.allclose(one[0], np.r_[pair_features(rep("x"), ev)[:5],
                                     math.log1p(1), pair_features(rep("x"), ev)[6:]])
    assert candidate_features(rep("x"), []).shape == (0, len(FEATURES))
