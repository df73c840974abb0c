"""Small gradient-boosted regression trees stored as JSON and evaluated with numpy.

Why trees next to the ridge models: on the SemEval-2022 Task 8 dev pairs the similarity
channels interact (a shared name means more when the dense similarity is also high; the
date gap matters only when the dates are known), which a linear model cannot express.
A ridge + trees average raised the out-of-fold Pearson of "overall" by about 0.01 (USE)
and 0.03 (static) over the ridge alone on the same channels (``train_dimensions``).

Training uses scikit-learn's ``GradientBoostingRegressor`` (a test dependency only);
``from_sklearn`` exports it. Inference is this module's numpy code, so the run time needs
no ML library. Each tree is stored as a *complete* binary tree of depth ``depth`` in heap
order (node ``i`` has children ``2i+1`` and ``2i+2``): ``feature`` and ``threshold`` per
inner node and ``value`` per leaf. A branch that sklearn ended early is padded with inner
nodes of feature ``-1`` (always go left) whose leaves repeat its value, so prediction is
``depth`` vectorised steps over all trees and rows at once. Leaf values are stored already
multiplied by the learning rate.

Like sklearn, the comparison is done on the float32 value of the input (sklearn trees
split on float32 features), so the numpy prediction matches sklearn's to float rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """``base + sum over trees of the leaf value reached by x`` (a boosted regressor).

    ``feature`` and ``threshold`` have shape (trees, 2**depth - 1); ``value`` has shape
    (trees, 2**depth). An inner node sends a row right when ``x[feature] > threshold``.
    """

    base: float
    depth: int
    feature: IntArray
    threshold: FloatArray
    value: FloatArray

    def __post_init__(self) -> None:
        inner, leaves = 2 ** self.depth - 1, 2 ** self.depth
        n = self.feature.shape[0]
        if (self.feature.shape != (n, inner) or self.threshold.shape != (n, inner)
                or self.value.shape != (n, leaves)):
            raise ValueError(f"tree arrays do not describe {n} complete trees of depth "
                             f"{self.depth}")

    @property
    def n_trees(self) -> int:
        return int(self.feature.shape[0])

    def predict(self, x: FloatArray) -> FloatArray:
        """Raw prediction for each row of ``x`` (shape (rows, features) or (features,))."""
        xs = np.atleast_2d(np.asarray(x, dtype=np.float64))
        xs = xs.astype(np.float32).astype(np.float64)  # sklearn splits on float32 values
        rows = xs.shape[0]
        if self.n_trees == 0:
            return np.full(rows, self.base, dtype=np.float64)
        trees = np.arange(self.n_trees)
        node = np.zeros((rows, self.n_trees), dtype=np.int64)
        row_ix = np.arange(rows)[:, None]
        for _ in range(self.depth):
            f = self.feature[trees, node]           # (rows, trees)
            t = self.threshold[trees, node]
            right = (f >= 0) & (xs[row_ix, np.maximum(f, 0)] > t)
            node = 2 * node + 1 + right
        leaf = node - (2 ** self.depth - 1)
        out: FloatArray = self.base + self.value[trees, leaf].sum(axis=1)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "depth": self.depth, "feature": self.feature.tolist(),
                "threshold": self.threshold.tolist(),
                "value": np.round(self.value, 7).tolist()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TreeEnsemble:
        depth = int(d["depth"])
        inner, leaves = 2 ** depth - 1, 2 ** depth
        return cls(float(d["base"]), depth,
                   np.asarray(d["feature"], dtype=np.int64).reshape(-1, inner),
                   np.asarray(d["threshold"], dtype=np.float64).reshape(-1, inner),
                   np.asarray(d["value"], dtype=np.float64).reshape(-1, leaves))


def _pad_tree(tree: Any, depth: int, scale: float
              ) -> tuple[list[int], list[float], list[float]]:
    """One fitted sklearn ``Tree`` as complete heap arrays (see the module doc)."""
    inner, leaves = 2 ** depth - 1, 2 ** depth
    feature = [-1] * inner
    threshold = [0.0] * inner
    value = [0.0] * leaves
    left, right = tree.children_left, tree.children_right
    vals = tree.value.reshape(-1)

    def fill(node: int, heap: int, level: int) -> None:
        if level == depth:
            if left[node] != -1:
                raise ValueError(f"tree deeper than {depth}")
            value[heap - inner] = float(vals[node]) * scale
            return
        if left[node] == -1:  # early leaf: pad with always-left nodes, repeat its value
            feature[heap] = -1
            fill(node, 2 * heap + 1, level + 1)
            fill(node, 2 * heap + 2, level + 1)
            return
        feature[heap] = int(tree.feature[node])
        threshold[heap] = float(tree.threshold[node])
        fill(int(left[node]), 2 * heap + 1, level + 1)
        fill(int(right[node]), 2 * heap + 2, level + 1)

    fill(0, 0, 0)
    return feature, threshold, value


def from_sklearn(model: Any) -> TreeEnsemble:
    """Export a fitted ``GradientBoostingRegressor`` (squared error, constant init)."""
    depth = int(model.max_depth)
    init = model.init_
    if not hasattr(init, "constant_"):
        raise ValueError("only the default (mean) initial estimator can be exported")
    base = float(np.ravel(init.constant_)[0])
    lr = float(model.learning_rate)
    return _ensemble(base, depth, [_pad_tree(est.tree_, depth, lr)
                                   for est in model.estimators_[:, 0]])


def _ensemble(base: float, depth: int,
              trees: list[tuple[list[int], list[float], list[float]]]) -> TreeEnsemble:
    """A ``TreeEnsemble`` from padded heap arrays, one (features, thresholds, leaf values)
    per tree."""
    inner, leaves = 2 ** depth - 1, 2 ** depth
    feats, thrs, vals = zip(*trees, strict=True) if trees else ((), (), ())
    return TreeEnsemble(base, depth,
                        np.asarray(feats, dtype=np.int64).reshape(-1, inner),
                        np.asarray(thrs, dtype=np.float64).reshape(-1, inner),
                        np.asarray(vals, dtype=np.float64).reshape(-1, leaves))


def _pad_hist_tree(nodes: Any, depth: int) -> tuple[list[int], list[float], list[float]]:
    """One fitted ``HistGradientBoostingRegressor`` predictor's node array as complete heap
    arrays (see the module doc); its leaf values already carry the learning rate."""
    inner, leaves = 2 ** depth - 1, 2 ** depth
    feature = [-1] * inner
    threshold = [0.0] * inner
    value = [0.0] * leaves

    def fill(node: int, heap: int, level: int) -> None:
        rec = nodes[node]
        if level == depth:
            if not rec["is_leaf"]:
                raise ValueError(f"tree deeper than {depth}")
            value[heap - inner] = float(rec["value"])
            return
        if rec["is_leaf"]:
            fill(node, 2 * heap + 1, level + 1)
            fill(node, 2 * heap + 2, level + 1)
            return
        if rec["is_categorical"]:
            raise ValueError("categorical splits cannot be exported")
        feature[heap] = int(rec["feature_idx"])
        threshold[heap] = float(rec["num_threshold"])
        fill(int(rec["left"]), 2 * heap + 1, level + 1)
        fill(int(rec["right"]), 2 * heap + 2, level + 1)

    fill(0, 0, 0)
    return feature, threshold, value


def from_sklearn_hist(model: Any) -> TreeEnsemble:
    """Export a fitted ``HistGradientBoostingRegressor`` (squared error, numeric features,
    ``max_depth`` set).  Why: it fits the second look's 70,000 rows many times faster than
    ``GradientBoostingRegressor``, which is what lets deeper and more trees be chosen out of
    fold on a shared box.  sklearn sends a row left when ``x <= threshold`` on the float64
    value; ``TreeEnsemble`` compares float32 values, which differs only for a value within
    float32 rounding of a threshold (the bin thresholds lie between distinct training values)."""
    depth = model.max_depth
    if depth is None:
        raise ValueError("only trees of a fixed max_depth can be exported")
    depth = int(depth)
    base = float(np.ravel(model._baseline_prediction)[0])
    return _ensemble(base, depth, [_pad_hist_tree(pred.nodes, depth)
                                   for (pred,) in model._predictors])
