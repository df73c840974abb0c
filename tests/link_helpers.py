"""Hand-built ``ArticleRep`` values for link-stage unit tests: every channel set explicitly,
so a feature's expected value can be computed by hand."""

from __future__ import annotations

import math

import numpy as np

from storylens.link.features import FEATURES
from storylens.link.model import LogisticModel
from storylens.represent.article import ArticleRep
from storylens.represent.lexical import normalise
from storylens.represent.minhash import signature


def unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def rep(aid: str, dense: tuple[float, ...] = (1.0, 0.0, 0.0), *, time: float | None = 0.0,
        lang: str | None = "en", outlet: str | None = "o.com", names: set[str] = frozenset(),
        numbers: set[str] = frozenset(), title: dict[int, float] | None = None,
        body: dict[int, float] | None = None) -> ArticleRep:
    return ArticleRep(id=aid, time=time, lang=lang, outlet=outlet, dense=unit(*dense),
                      title_vec=normalise(title or {}), body_vec=normalise(body or {}),
                      names=frozenset(names), numbers=frozenset(numbers),
                      minhash=signature(aid), title=f"title {aid}")


def angle(deg: float) -> tuple[float, float, float]:
    """A unit vector in the first plane at ``deg`` degrees: cosines between reps are read
    off the angle between them."""
    return (math.cos(math.radians(deg)), math.sin(math.radians(deg)), 0.0)


def cosine_model(cut: float) -> LogisticModel:
    """A pair model reading only the dense cosine: P(join) = sigmoid(40 * (cos - cut)),
    above 0.5 exactly when the cosine with the centroid is above ``cut``."""
    coef = np.zeros(len(FEATURES))
    coef[FEATURES.index("dense_centroid")] = 40.0
    return LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef,
                         -40.0 * cut, 0.5, {})
