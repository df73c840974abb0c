"""A small logistic-regression decision model stored as JSON, evaluated with numpy.

Trained by ``storylens.learn.train_link`` (scikit-learn at training time only); at run time it
is a dot product, so it costs nothing and needs no ML library. The JSON keeps the feature
names, so a model trained for other features fails loudly instead of silently misreading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.errors import ConfigError

MODEL_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True, slots=True)
class LogisticModel:
    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    intercept: float
    threshold: float
    meta: dict[str, Any]

    def proba(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """P(positive) for each row of ``x`` (or for one vector)."""
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef + self.intercept
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features), "mean": self.mean.tolist(),
            "scale": self.scale.tolist(), "coef": self.coef.tolist(),
            "intercept": self.intercept, "threshold": self.threshold, "meta": self.meta,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> LogisticModel:
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"{path}: cannot read the model ({e}); retrain it with "
                              "`python -m storylens.learn.train_link`") from e
        if tuple(d["features"]) != features:
            raise ConfigError(f"{path}: trained for features {d['features']}, code has "
                              f"{list(features)}; retrain with "
                              "`python -m storylens.learn.train_link`")
        return cls(
            features=features, mean=np.asarray(d["mean"], dtype=np.float64),
            scale=np.asarray(d["scale"], dtype=np.float64),
            coef=np.asarray(d["coef"], dtype=np.float64), intercept=float(d["intercept"]),
            threshold=float(d["threshold"]), meta=dict(d.get("meta", {})),
        )
