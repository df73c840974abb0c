"""A candidate is the decision's best (``dense_top``) only when it is also closer than the
article's unrelated background neighbours (``features.candidate_features``'s ``hub``,
``ClusterConfig.background_top``): the background stands in for the competitors a sparse
window lacks."""

from __future__ import annotations

import numpy as np

from storylens.link.calibration import Background, default_background
from storylens.link.features import FEATURES, candidate_features
from storylens.link.model import LogisticModel
from storylens.link.online import ClusterConfig, OnlineClusterer
from storylens.link.state import EventState
from tests.link_helpers import angle, rep

TOP = FEATURES.index("dense_top")



def _event(cid: str, deg: float) -> EventState:
    return EventState.start(cid, rep(cid, angle(deg)))


def test_a_lone_candidate_is_top_only_when_closer_than_the_background() -> None:
    a = rep("a", angle(0))
    near, far = _event("near", 10), _event("far", 80)  # cosines 0.98 and 0.17
    assert candidate_features(a, [far])[0, TOP] == 1.0  # alone: the best, however far
    assert candidate_features(a, [far], hub=0.4)[0, TOP] == 0.0
    assert candidate_features(a, [near], hub=0.4)[0, TOP] == 1.0
    x = candidate_features(a, [near, far], hub=0.99)  # the best, but not beyond the hub
    assert x[:, TOP].tolist() == [0.0, 0.0]


def _top_model() -> LogisticModel:
    """Joins exactly when the candidate is ``dense_top``."""
    coef = np.zeros(len(FEATURES))
    coef[TOP] = 10.0
    return LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef,
                         -5.0, 0.5, {})


def _clusterer(background: Background | None) -> OnlineClusterer:
    cl = OnlineClusterer(_top_model(), _top_model(), 3,
                         ClusterConfig(background_top=False, storyline_second_look=0))
    cl.events.background = cl.storylines.background = background
    return cl


def test_the_clusterer_refuses_a_lone_candidate_no_closer_than_unrelated_news() -> None:
    # background: ten unrelated articles at 50 degrees from the stream's first article
    bg = Background(np.array([angle(50)] * 10), k=10)
    for background, joined in ((None, True), (bg, False)):
        cl = _clusterer(background)
        cl.add(rep("a", angle(0), time=0.0))
        x = cl.add(rep("x", angle(70), time=3600.0))  # cos 0.34 to a; 0.94 to the bg
        assert (x.event_id == "ev-a") is joined
    cl = _clusterer(bg)
    cl.add(rep("a", angle(0), time=0.0))
    assert cl.add(rep("y", angle(5), time=3600.0)).event_id == "ev-a"  # cos 1.0 > 0.77


def test_the_shipped_background_is_used_for_its_embedder_only() -> None:
    from storylens.represent.base import get_embedder

    dim = get_embedder("static").dim
    bg = default_background(dim)
    assert bg is not None and bg.dim == dim and bg.vectors.shape[0] >= bg.k
    assert default_background(dim + 1) is None  # another embedder: decided without it
    cl = OnlineClusterer(_top_model(), _top_model(), dim)
    assert cl.events.background is bg and cl.storylines.background is bg
    off = OnlineClusterer(_top_model(), _top_model(), dim,
                          ClusterConfig(background_top=False))
    assert off.events.background is None and off.events.hub(rep("a")) is None
