"""Linking's pair models: a ``linear.LinearModel`` read as P(same event / storyline).

Trained by ``storylens.learn.train_link`` (scipy at training time only); at run time it
is a dot product, so it costs nothing and needs no ML library. The JSON keeps the feature
names, so a model trained for other features fails loudly instead of silently misreading.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from storylens.linear import F64, LinearModel

MODEL_DIR = Path(__file__).resolve().parent / "models"
RETRAIN = "retrain with `python -m storylens.learn.train_link`"


class LogisticModel(LinearModel):
    """A pair model: ``LinearModel`` with feature names and a join threshold, built in the
    argument order linking has always used (features first)."""

    __slots__ = ()

    def __init__(self, features: Sequence[str], mean: F64, scale: F64, coef: F64,
                 intercept: float, threshold: float = 0.5,
                 meta: dict[str, Any] | None = None, *, lo: F64 | None = None,
                 hi: F64 | None = None) -> None:
        LinearModel.__init__(self, mean, scale, coef, intercept, lo, hi, tuple(features),
                             threshold, dict(meta or {}))

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> LogisticModel:
        """The model at ``path``; ``ConfigError`` when unreadable or for other features."""
        return cls.read(path, features=features, retrain=RETRAIN)
