"""Scores on the SemEval-2022 Task 8 dimensions, 1 (very similar) to 4 (very dissimilar).

Per dimension, the average of a ridge regression and a small gradient-boosted tree
ensemble (``trees``) over the channels of ``channels.FEATURES``, trained by
``python -m storylens.learn.train_dimensions`` on the task's labelled dev pairs and
shipped as ``dimension_weights-<embedder>.json`` (feature names, standardisation,
coefficients, trees and the out-of-fold Pearson measured at training). The ridge is a
``storylens.linear.LinearModel``. The ridge carries
the smooth trends, the trees the interactions between channels; their average beat either
alone out of fold. At run time a score is a dot product plus a few hundred tree look-ups,
all numpy. A weights file without trees gives the ridge alone (``LinearDimension``).

Each score comes with its evidence: the shared and unique places, entities and dates
behind it, so a reader can see why "geography" says 1.3 and not take the number on trust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.analysis import Analysis
from storylens.compare.channels import FEATURES
from storylens.errors import ConfigError
from storylens.linear import LinearModel
from storylens.trees import TreeEnsemble

DIMENSIONS: tuple[str, ...] = ("geography", "entities", "time", "narrative", "overall",
                               "style", "tone")
WEIGHTS_DIR = Path(__file__).resolve().parent


def weights_path(embedder: str) -> Path:
    """Shipped weights for channels computed with ``embedder``'s sentence vectors."""
    return WEIGHTS_DIR / f"dimension_weights-{embedder}.json"


class LinearDimension(LinearModel):
    """A dimension's ridge: ``LinearModel.decision`` (``(x - mean) / scale @ coef +
    intercept``) clipped to [1, 4], built as ``LinearDimension(mean, scale, coef,
    intercept, lo, hi)``.

    When ``lo``/``hi`` (the training range of each feature) are given, inputs are clipped
    to them first: a pair far outside the training data (e.g. a date gap of months when
    the training pairs span days) cannot push a score by many standard deviations.
    """

    __slots__ = ()

    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = np.clip(self.decision(x), 1.0, 4.0)
        return out

    def to_json(self) -> dict[str, Any]:
        """``LinearModel.to_json`` without the classifier's threshold (a ridge has none):
        the format of the shipped ``dimension_weights-*.json`` models."""
        d = super().to_json()
        d.pop("threshold", None)
        return d


@dataclass(frozen=True, slots=True)
class BlendedDimension:
    """``(1 - tree_weight) * linear + tree_weight * trees``, each on 1..4, inputs clipped
    to the training range first (as ``LinearDimension`` does)."""

    linear: LinearDimension
    trees: TreeEnsemble
    tree_weight: float = 0.5

    @property
    def lo(self) -> npt.NDArray[np.float64] | None:
        return self.linear.lo

    @property
    def hi(self) -> npt.NDArray[np.float64] | None:
        return self.linear.hi

    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x = np.atleast_2d(x)
        if self.lo is not None and self.hi is not None:
            x = np.clip(x, self.lo, self.hi)
        tree = np.clip(self.trees.predict(x), 1.0, 4.0)
        out: npt.NDArray[np.float64] = ((1 - self.tree_weight) * self.linear.predict(x)
                                        + self.tree_weight * tree)
        return out

    def to_json(self) -> dict[str, Any]:
        return {**self.linear.to_json(), "trees": self.trees.to_json(),
                "tree_weight": self.tree_weight}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BlendedDimension:
        return cls(LinearDimension.from_json(d), TreeEnsemble.from_json(d["trees"]),
                   float(d.get("tree_weight", 0.5)))


DimensionModel = LinearDimension | BlendedDimension


def model_from_json(d: dict[str, Any]) -> DimensionModel:
    """A dimension model from its JSON: blended when it has trees, else linear."""
    return BlendedDimension.from_json(d) if "trees" in d else LinearDimension.from_json(d)


@dataclass(frozen=True, slots=True)
class DimensionModels:
    models: dict[str, DimensionModel]
    meta: dict[str, Any]

    def predict(self, x: npt.NDArray[np.float64]) -> dict[str, float]:
        return {d: float(m.predict(x)[0]) for d, m in self.models.items()}


@lru_cache(maxsize=4)
def load_dimension_models(embedder: str = "static") -> DimensionModels:
    """The shipped dimension models; ``ConfigError`` when missing or for other features."""
    path = weights_path(embedder)
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the dimension weights ({e}); retrain with "
                          "`python -m storylens.learn.train_dimensions`") from e
    if tuple(d.get("features", ())) != FEATURES:
        raise ConfigError(f"{path}: trained for other features; retrain with "
                          "`python -m storylens.learn.train_dimensions`")
    return DimensionModels({k: model_from_json(v) for k, v in d["models"].items()},
                           dict(d.get("meta", {})))


@dataclass(slots=True)
class DimensionScore:
    """One dimension: score on 1..4 (1 = very similar) and its evidence."""

    name: str
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return ("very similar", "somewhat similar", "somewhat dissimilar",
                "very dissimilar")[min(3, max(0, round(self.score) - 1))]

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 3), "label": self.label, "evidence": self.evidence}


def _split(x: set[str], y: set[str], limit: int = 15) -> dict[str, list[str]]:
    return {"shared": sorted(x & y)[:limit], "only_a": sorted(x - y)[:limit],
            "only_b": sorted(y - x)[:limit]}


def evidence(a: Analysis, b: Analysis, ch: dict[str, float]) -> dict[str, dict[str, Any]]:
    """What each dimension's score rests on, readable without the model."""
    places_a = {k for k, v in a.entity_labels.items() if v in ("LOC", "GPE")}
    places_b = {k for k, v in b.entity_labels.items() if v in ("LOC", "GPE")}
    ents_a = {k for k, v in a.entity_labels.items() if v not in ("LOC", "GPE")}
    ents_b = {k for k, v in b.entity_labels.items() if v not in ("LOC", "GPE")}
    if not a.enriched or not b.enriched:
        ents_a, ents_b = set(a.entities), set(b.entities)
    pa, pb = a.article.published, b.article.published
    ev: dict[str, dict[str, Any]] = {
        "geography": {"countries": _split(set(a.countries), set(b.countries)),
                      "places": _split(places_a, places_b),
                      "countries_cosine": round(ch["countries_cos"], 3)},
        "entities": {"entities": _split(ents_a, ents_b),
                     "names_jaccard": round(ch["names_jaccard"], 3)},
        "time": {"published_a": pa.isoformat() if pa else None,
                 "published_b": pb.isoformat() if pb else None,
                 "years": _split({str(y) for y in a.years}, {str(y) for y in b.years}),
                 "numbers": _split(set(a.numbers), set(b.numbers))},
        "narrative": {"aligned_share": round(ch["align_cov"], 3),
                      "dense_similarity": round(ch["dense_full"], 3)},
        "overall": {"dense_similarity": round(ch["dense_full"], 3),
                    "lexical_similarity": round(ch["lex_cos"], 3),
                    "aligned_share_full_text": round(ch.get("full_cov", ch["align_cov"]), 3)},
        "style": {"length_ratio": round(float(np.exp(ch["log_len_ratio"])), 2),
                  "same_language": bool(ch["same_lang"])},
        "tone": {"tone_difference": round(ch["tone_diff"], 3)},
    }
    return ev


def score_dimensions(a: Analysis, b: Analysis, ch: dict[str, float],
                     models: DimensionModels | None = None, embedder: str = "static"
                     ) -> dict[str, DimensionScore]:
    """Scores of all dimensions with evidence; models default to the shipped ones."""
    from storylens.compare.channels import vector

    m = models or load_dimension_models(embedder)
    scores = m.predict(vector(ch))
    ev = evidence(a, b, ch)
    return {d: DimensionScore(d, scores[d], ev.get(d, {})) for d in DIMENSIONS if d in scores}
