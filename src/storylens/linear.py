"""One standardised linear model, evaluated with numpy and stored as JSON.

``z = ((clip(x, lo, hi) - mean) / scale) @ coef + intercept``: read as a probability
(``proba``, the logistic of ``z``) by the classifiers, or as a score (``decision``) by the
regressions. Three stages use it, and each used to carry its own copy of the same
arithmetic and JSON reading:

- linking's pair models (``link.model.LogisticModel``): P(the article belongs to this
  event / storyline), joined at ``threshold``; trained by ``learn.train_link``.
- the plain-text cleaner (``extract.plaintext``): P(a line is story text), the logit
  shifted so that the model's own best threshold maps to 0.5 (``proba(centred=True)``);
  trained by ``extract.train_cleaner``, which names the threshold ``cv_threshold``.
- the comparison's dimension ridges (``compare.dimensions.LinearDimension``): a 1..4
  score, inputs clipped to the training range (``lo``/``hi``) so a pair far outside the
  training data cannot push a score by many standard deviations.

Training stays in those modules (scipy, scikit-learn or closed form, at training time); at
run time a model is a dot product and needs no ML library. A zero ``scale`` (a feature
constant in training) is read as 1, the convention of scikit-learn's ``StandardScaler``.

JSON (one object): ``mean``, ``scale``, ``coef``, ``intercept``, ``threshold`` (0.5 when
absent), and when set ``features`` (names, checked on load so a model trained for other
features fails loudly), ``lo``/``hi`` and ``meta`` (training facts). Other keys are
ignored, so the files the three trainers wrote all load as they are.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from storylens.errors import ConfigError

F64 = npt.NDArray[np.float64]

Z_CLIP = 30.0
"""``proba`` clips the logit to ±this before the logistic: exp never overflows, and
probabilities within 1e-13 of 0 or 1 are as good as exact for any threshold."""


def sigmoid(z: npt.ArrayLike) -> F64:
    """The logistic function of ``z`` (clipped to ±``Z_CLIP``)."""
    out: F64 = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=np.float64), -Z_CLIP, Z_CLIP)))
    return out


def _array(v: Any) -> F64:
    return np.asarray(v, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class LinearModel:
    """Standardisation, weights and bias of a linear model; see the module docstring.
    (``eq=False``: field-wise ``==`` is ambiguous on numpy arrays; compare ``to_json()``.)"""

    mean: F64
    scale: F64
    coef: F64
    intercept: float
    lo: F64 | None = None
    """Training minimum of each feature: inputs are clipped to [lo, hi] when both are set."""
    hi: F64 | None = None
    features: tuple[str, ...] = ()
    """Feature names, in column order; empty when the caller checks them elsewhere."""
    threshold: float = 0.5
    """Decision threshold on ``proba`` (a classifier's, chosen at training)."""
    meta: dict[str, Any] = field(default_factory=dict)

    def decision(self, x: npt.ArrayLike) -> F64:
        """The linear score ``z`` of each row of ``x`` (or of one vector)."""
        rows = np.atleast_2d(_array(x))
        if self.lo is not None and self.hi is not None:
            rows = np.clip(rows, self.lo, self.hi)
        scale = np.where(self.scale == 0, 1.0, self.scale)
        out: F64 = ((rows - self.mean) / scale) @ self.coef + self.intercept
        return out

    def proba(self, x: npt.ArrayLike, *, centred: bool = False) -> F64:
        """P(positive) of each row of ``x`` (or of one vector). ``centred`` shifts the logit
        by the threshold's, so that the threshold maps to 0.5."""
        z = self.decision(x)
        if centred:
            z = z - math.log(self.threshold / (1.0 - self.threshold))
        return sigmoid(z)

    def to_json(self) -> dict[str, Any]:
        """The JSON object (see the module docstring); unset ``features``, ``lo``/``hi``
        and ``meta`` are left out."""
        d: dict[str, Any] = {}
        if self.features:
            d["features"] = list(self.features)
        d.update({"mean": self.mean.tolist(), "scale": self.scale.tolist(),
                  "coef": self.coef.tolist(), "intercept": self.intercept})
        if self.lo is not None and self.hi is not None:
            d["lo"], d["hi"] = self.lo.tolist(), self.hi.tolist()
        d["threshold"] = self.threshold
        if self.meta:
            d["meta"] = self.meta
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any], *, threshold_key: str = "threshold") -> Self:
        """The model of a JSON object; ``threshold_key`` names the threshold's key in
        formats that call it something else (the cleaner's ``cv_threshold``); 0.5 when
        the object has none."""
        lo, hi, thr = d.get("lo"), d.get("hi"), d.get(threshold_key)
        return cls(
            mean=_array(d["mean"]), scale=_array(d["scale"]), coef=_array(d["coef"]),
            intercept=float(d["intercept"]),
            lo=None if lo is None else _array(lo), hi=None if hi is None else _array(hi),
            features=tuple(str(f) for f in d.get("features", ())),
            threshold=0.5 if thr is None else float(thr), meta=dict(d.get("meta", {})),
        )

    @classmethod
    def read(cls, path: Path, *, features: tuple[str, ...] | None = None,
             threshold_key: str = "threshold", retrain: str = "") -> Self:
        """The model stored at ``path``. ``ConfigError`` (ending with ``retrain``, the
        command that rebuilds the file) when it cannot be read, or when ``features`` is
        given and the file was trained for other features."""
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            model = cls.from_json(d, threshold_key=threshold_key)
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"{path}: cannot read the model ({e}); {retrain}".rstrip("; ")
                              ) from e
        if features is not None and model.features != features:
            raise ConfigError(f"{path}: trained for features {list(model.features)}, code has "
                              f"{list(features)}; {retrain}".rstrip("; "))
        return model

    def save(self, path: Path) -> None:
        """Write ``to_json()`` to ``path`` (indented: the shipped files diff readably)."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
