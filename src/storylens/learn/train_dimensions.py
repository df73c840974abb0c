"""Train the per-dimension models (ridge + boosted trees) and write the shipped weights.

    python -m storylens.learn.train_dimensions \\
        --data ../shared/data/semeval2022-task8/dev.jsonl [--embedder use|static]

Reports out-of-fold Pearson per dimension from k-fold cross-validation (folds by pair,
shuffled with fixed seeds, ``--seeds 0,1,2``: mean and spread over the seeds) — never the
in-sample fit — then fits on all pairs and writes ``dimension_weights-<embedder>.json``
with those numbers in its ``meta`` (also the ridge-only numbers, for comparison).

Each dimension is the weighted average (``--tree-weight``, default ``TREE_WEIGHT``) of a
ridge regression, solved in closed form with numpy, and a gradient-boosted tree ensemble
(``--trees`` trees of depth ``--tree-depth``), trained with scikit-learn (a test
dependency) and exported to JSON for the numpy inference of ``trees``. ``--trees 0``
trains the ridge alone, without scikit-learn. The tree settings were chosen out of fold on
the dev pairs: 100 trees of depth 3, learning rate 0.1, subsample 0.8 scored like 200-400
trees at lower rates (within 0.001); depth 2 or 4, a small MLP and stacking the other
dimensions' predictions did not do better.

Before the channels, the word table of ``word_weights`` (document frequencies of the most
frequent words of the training texts; no labels) is rebuilt from ``--data`` and written,
unless ``--keep-word-table``: retrain both embedders' weights after it changes.

``--tune-threshold`` prints, for a grid of alignment thresholds, the Pearson between the
alignment coverage and the "overall" label: how ``channels.COVERAGE_THRESHOLD`` was chosen.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.channels import FEATURES, head
from storylens.compare.dimensions import (
    DIMENSIONS,
    BlendedDimension,
    DimensionModel,
    LinearDimension,
    weights_path,
)
from storylens.compare.word_weights import DocFreqTable, write_table
from storylens.eval.pairs import (
    DEFAULT_EMBEDDER,
    LabelledPair,
    analyse_pairs,
    channel_matrix,
    load_pairs,
    pearson,
)
from storylens.trees import from_sklearn

Matrix = npt.NDArray[np.float64]
Fit = Callable[[Matrix, Matrix], DimensionModel]


@dataclass(frozen=True, slots=True)
class TreeSettings:
    """Gradient boosting settings (see the module doc for how they were chosen)."""

    n_trees: int = 100
    depth: int = 3
    learning_rate: float = 0.1
    subsample: float = 0.8
    weight: float = 0.5
    seed: int = 0


DEFAULT_TREES = TreeSettings()
TREE_WEIGHT: dict[str, float] = {"use": 0.4, "static": 0.5}
"""Default share of the trees in the blend, per embedder, chosen out of fold on the dev
pairs (5 folds, seeds 0-2, "overall"): USE 0.7480 / 0.7492 / 0.7490 at tree weight
0.5 / 0.4 / 0.3 (every dimension at least as good at 0.4), static 0.7023 / 0.7002 /
0.6962. A ridge-leaning blend also extrapolates better to what the dev excerpts lack (real
publication dates, long articles): on the French example pair, eight months apart, the
USE trees alone say "overall" 1.65, the ridge 2.61."""

def fit_ridge(x: Matrix, y: Matrix, alpha: float) -> LinearDimension:
    """Ridge on standardised features, intercept unpenalised (closed form); the model
    clips its inputs to the training range of each feature."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    y0 = float(y.mean())
    coef = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - y0))
    return LinearDimension(mean, scale, coef, y0, x.min(axis=0), x.max(axis=0))


def fit_blend(x: Matrix, y: Matrix, alpha: float, trees: TreeSettings) -> BlendedDimension:
    """Ridge and boosted trees on the same rows, averaged (``trees.weight`` on the trees)."""
    try:
        from sklearn.ensemble import GradientBoostingRegressor
    except ImportError as e:  # pragma: no cover - scikit-learn is a test dependency
        raise SystemExit("training the trees needs scikit-learn (pip install "
                         "scikit-learn), or pass --trees 0 for the ridge alone") from e
    gbr = GradientBoostingRegressor(
        n_estimators=trees.n_trees, max_depth=trees.depth, learning_rate=trees.learning_rate,
        subsample=trees.subsample, random_state=trees.seed).fit(x, y)
    return BlendedDimension(fit_ridge(x, y, alpha), from_sklearn(gbr), trees.weight)


def fold_ids(n: int, k: int, seed: int = 0) -> npt.NDArray[np.int64]:
    """Fold number of each row: a seeded shuffle cut into ``k`` near-equal folds."""
    order = np.random.default_rng(seed).permutation(n)
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % k
    return folds


def out_of_fold(x: Matrix, y: Matrix, alpha: float, k: int, seed: int = 0,
                fit: Fit | None = None) -> Matrix:
    """Predictions for every row from a model that never saw that row (``fit``: the
    ridge with ``alpha`` by default)."""
    fit = fit or (lambda xs, ys: fit_ridge(xs, ys, alpha))
    folds = fold_ids(len(y), k, seed)
    pred = np.zeros_like(y)
    for f in range(k):
        tr, te = folds != f, folds == f
        pred[te] = fit(x[tr], y[tr]).predict(x[te])
    return pred


def _oof_stats(x: Matrix, y: Matrix, fit: Fit, k: int, seeds: Sequence[int]
               ) -> dict[str, Any]:
    rs = [pearson(out_of_fold(x, y, 0.0, k, s, fit), y) for s in seeds]
    return {"mean": round(float(np.mean(rs)), 4), "std": round(float(np.std(rs)), 4),
            "per_seed": [round(r, 4) for r in rs]}


def train(pairs: list[LabelledPair], *, embedder: str, alpha: float, k: int,
          seeds: Sequence[int] = (0,), trees: TreeSettings | None = None,
          x: Matrix | None = None) -> tuple[dict[str, Any], dict[str, float]]:
    """Fit all dimensions; returns (weights JSON, mean out-of-fold Pearson per dimension).

    ``trees`` None: ridge alone. ``x``: the channel matrix when already computed."""
    if x is None:
        x = channel_matrix(pairs, embedder=embedder)
    models: dict[str, Any] = {}
    oof: dict[str, float] = {}
    detail: dict[str, Any] = {}
    ridge_oof: dict[str, float] = {}

    def ridge(xs: Matrix, ys: Matrix) -> DimensionModel:
        return fit_ridge(xs, ys, alpha)

    fit: Fit = ridge
    if trees is not None:
        settings = trees

        def blend(xs: Matrix, ys: Matrix) -> DimensionModel:
            return fit_blend(xs, ys, alpha, settings)

        fit = blend
    for d in DIMENSIONS:
        rows = [i for i, p in enumerate(pairs) if d in p.labels]
        if len(rows) < 2 * k:
            continue
        xd = x[rows]
        yd = np.array([pairs[i].labels[d] for i in rows], dtype=np.float64)
        detail[d] = _oof_stats(xd, yd, fit, k, seeds)
        oof[d] = detail[d]["mean"]
        if trees is not None:
            ridge_oof[d] = _oof_stats(xd, yd, ridge, k, seeds)["mean"]
        models[d] = fit(xd, yd).to_json()
    meta: dict[str, Any] = {
        "embedder": embedder, "alpha": alpha, "folds": k, "fold_seeds": list(seeds),
        "n_pairs": len(pairs), "oof_pearson": oof, "oof_pearson_detail": detail,
        "trained_on": "SemEval-2022 Task 8 dev pairs (scale 1 = very similar)"}
    if trees is not None:
        meta["trees"] = {"n_trees": trees.n_trees, "depth": trees.depth,
                         "learning_rate": trees.learning_rate, "subsample": trees.subsample,
                         "weight": trees.weight, "seed": trees.seed}
        meta["oof_pearson_ridge_only"] = ridge_oof
    return {"features": list(FEATURES), "models": models, "meta": meta}, oof


def tune_threshold(pairs: list[LabelledPair], embedder: str) -> dict[float, float]:
    """Pearson(alignment coverage, overall) for a grid of thresholds."""
    y = np.array([p.labels.get("overall", np.nan) for p in pairs])
    keep = ~np.isnan(y)
    col = FEATURES.index("align_cov")
    out: dict[float, float] = {}
    prepared = analyse_pairs(pairs, embedder)
    for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        x = channel_matrix(pairs, threshold=t, prepared=prepared)
        out[t] = round(pearson(x[keep, col], y[keep]), 4)
    return out


def dumps_weights(weights: dict[str, Any]) -> str:
    """The weights JSON, one line per model (tree arrays make an indented file huge)."""
    models = weights["models"]
    lines = [f" {json.dumps(name)}: {json.dumps(m, separators=(',', ':'))}"
             for name, m in models.items()]
    return ("{\n" f' "features": {json.dumps(weights["features"])},\n'
            f' "meta": {json.dumps(weights["meta"])},\n'
            ' "models": {\n' + ",\n".join(lines) + "\n }\n}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="labelled pairs JSONL")
    ap.add_argument("--embedder", default=DEFAULT_EMBEDDER)
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", default="0,1,2",
                    help="fold shuffles to report out-of-fold Pearson for (comma-separated)")
    ap.add_argument("--trees", type=int, default=DEFAULT_TREES.n_trees,
                    help="boosted trees per dimension (0: ridge alone)")
    ap.add_argument("--tree-depth", type=int, default=DEFAULT_TREES.depth)
    ap.add_argument("--learning-rate", type=float, default=DEFAULT_TREES.learning_rate)
    ap.add_argument("--tree-weight", type=float, default=None,
                    help="share of the trees in the blend (default: TREE_WEIGHT of the "
                         f"embedder, else {DEFAULT_TREES.weight})")
    ap.add_argument("--keep-word-table", action="store_true",
                    help="use the shipped word table instead of rebuilding it from --data")
    ap.add_argument("--out", type=Path, default=None,
                    help="default: the package's dimension_weights-<embedder>.json")
    ap.add_argument("--tune-threshold", action="store_true")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"error: {args.data}: no such file", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    pairs, failed = load_pairs(args.data)
    print(f"{len(pairs)} pairs ({len(failed)} unreadable) in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if args.tune_threshold:
        for t, r in tune_threshold(pairs, args.embedder).items():
            print(f"threshold {t:.2f}: Pearson(coverage, overall) = {r:+.4f}")
        return 0
    prepared = analyse_pairs(pairs, args.embedder)
    if not args.keep_word_table:
        write_table(DocFreqTable.build(head(an).doc for an in prepared[0].values()))
    x = channel_matrix(pairs, prepared=prepared)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    weight = (args.tree_weight if args.tree_weight is not None
              else TREE_WEIGHT.get(args.embedder, DEFAULT_TREES.weight))
    trees = (TreeSettings(args.trees, args.tree_depth, args.learning_rate, weight=weight)
             if args.trees > 0 else None)
    weights, oof = train(pairs, embedder=args.embedder, alpha=args.alpha, k=args.folds,
                         seeds=seeds, trees=trees, x=x)
    detail = weights["meta"]["oof_pearson_detail"]
    ridge = weights["meta"].get("oof_pearson_ridge_only", {})
    for d, r in oof.items():
        extra = f"  (ridge alone {ridge[d]:.4f})" if d in ridge else ""
        print(f"{d:<10} out-of-fold Pearson {r:.4f} ± {detail[d]['std']:.4f} over fold "
              f"seeds {seeds}{extra}")
    out = args.out or weights_path(args.embedder)
    out.write_text(dumps_weights(weights), encoding="utf-8")
    print(f"wrote {out} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
