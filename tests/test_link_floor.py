"""The storyline content floor (``ClusterConfig.storyline_floor``): a storyline join needs
a name key in common or a dense cosine of at least the floor, whatever the pair model's
score; trained floors come from the storyline model's meta and are chosen by
``train_link.choose_floor`` on tuning streams. Hand-made models keep each case exact."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from storylens.learn.train_link import FLOOR_GRID, choose_floor
from storylens.link.features import FEATURES
from storylens.link.model import LogisticModel
from storylens.link.online import ClusterConfig, OnlineClusterer
from tests.link_helpers import angle, cosine_model, rep

H = 3600.0



def _always(meta: dict[str, object] | None = None) -> LogisticModel:
    """A storyline model that joins any candidate (P = 0.98)."""
    return LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)),
                         np.zeros(len(FEATURES)), 4.0, 0.5, dict(meta or {}))



def _cl(floor: float | None, meta: dict[str, object] | None = None) -> OnlineClusterer:
    return OnlineClusterer(cosine_model(0.9), _always(meta), 3,
                           ClusterConfig(storyline_floor=floor, storyline_second_look=0))


def test_without_a_floor_the_model_score_alone_decides() -> None:
    cl = _cl(0.0)
    cl.add(rep("a", angle(0), time=0.0))
    x = cl.add(rep("x", angle(65), time=30 * 24 * H))  # cos 0.42: a new event
    assert x.event_id == "ev-x" and x.storyline_id == "sl-a"


def test_a_weak_storyline_join_with_no_name_in_common_is_refused() -> None:
    cl = _cl(0.5)
    cl.add(rep("a", angle(0), time=0.0))
    x = cl.add(rep("x", angle(65), time=30 * 24 * H))  # cos 0.42 < 0.5, no names
    assert (x.event_id, x.storyline_id) == ("ev-x", "sl-x") and x.new_storyline
    y = cl.add(rep("y", angle(20), time=31 * 24 * H))  # cos 0.94 with sl-a: above it
    assert y.event_id == "ev-y" and y.storyline_id == "sl-a"


def test_a_name_in_common_clears_the_floor_whatever_the_cosine() -> None:
    cl = _cl(0.5)
    cl.add(rep("a", angle(0), time=0.0, names={"Zelensky"}))
    x = cl.add(rep("x", angle(65), time=30 * 24 * H, names={"Zelensky"}))
    assert x.event_id == "ev-x" and x.storyline_id == "sl-a"


def test_the_floor_comes_from_the_model_unless_the_config_sets_one() -> None:
    trained = _always({"floor": 0.6})
    assert ClusterConfig().floor(trained) == 0.6
    assert ClusterConfig(storyline_floor=0.0).floor(trained) == 0.0
    assert ClusterConfig().floor(_always()) == 0.0  # models from before the floor: none
    cl = _cl(None, {"floor": 0.5})
    cl.add(rep("a", angle(0), time=0.0))
    assert cl.add(rep("x", angle(65), time=30 * 24 * H)).storyline_id == "sl-x"


def test_choose_floor_picks_a_floor_only_where_it_mends_a_storyline() -> None:
    rows = [(rep("a", angle(0), time=0.0), "e1", "s1"),
            (rep("b", angle(2), time=H), "e1", "s1"),
            (rep("x", angle(65), time=30 * 24 * H), "e2", "s2"),  # cos 0.42: another one
            (rep("y", angle(63), time=30 * 24 * H + H), "e2", "s2")]
    ev, sl = cosine_model(0.9), _always()
    assert choose_floor([rows], ev, sl, ClusterConfig()) == FLOOR_GRID[1]
    # where the weak join is right, no floor is chosen (ties go to the weaker one)
    same = [(r, e, "s1") for r, e, _ in rows]
    assert choose_floor([same], ev, sl, ClusterConfig()) == 0.0
    assert replace(ClusterConfig(), storyline_floor=0.7).floor(sl) == 0.7
