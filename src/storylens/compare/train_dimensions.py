"""Train the per-dimension ridge models on labelled pairs and write the shipped weights.

    python -m storylens.compare.train_dimensions \\
        --data ../shared/data/semeval2022-task8/dev.jsonl

Reports out-of-fold Pearson per dimension from k-fold cross-validation (folds by pair,
shuffled with a fixed seed) — never the in-sample fit — then fits on all pairs and writes
``dimension_weights-<embedder>.json`` with those numbers in its ``meta``. Ridge is solved in closed
form with numpy, so training needs no ML library.

``--tune-threshold`` prints, for a grid of alignment thresholds, the Pearson between the
alignment coverage and the "overall" label: how ``channels.COVERAGE_THRESHOLD`` was chosen.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.channels import FEATURES
from storylens.compare.dimensions import DIMENSIONS, LinearDimension, weights_path
from storylens.compare.evaluate import (
    DEFAULT_EMBEDDER,
    LabelledPair,
    analyse_pairs,
    channel_matrix,
    load_pairs,
    pearson,
)

Matrix = npt.NDArray[np.float64]


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


def fold_ids(n: int, k: int, seed: int = 0) -> npt.NDArray[np.int64]:
    """Fold number of each row: a seeded shuffle cut into ``k`` near-equal folds."""
    order = np.random.default_rng(seed).permutation(n)
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % k
    return folds


def out_of_fold(x: Matrix, y: Matrix, alpha: float, k: int) -> Matrix:
    """Predictions for every row from a model that never saw that row."""
    folds = fold_ids(len(y), k)
    pred = np.zeros_like(y)
    for f in range(k):
        tr, te = folds != f, folds == f
        pred[te] = fit_ridge(x[tr], y[tr], alpha).predict(x[te])
    return pred


def train(pairs: list[LabelledPair], *, embedder: str, alpha: float, k: int
          ) -> tuple[dict[str, Any], dict[str, float]]:
    """Fit all dimensions; returns (weights JSON, out-of-fold Pearson per dimension)."""
    x = channel_matrix(pairs, embedder=embedder)
    models: dict[str, Any] = {}
    oof: dict[str, float] = {}
    for d in DIMENSIONS:
        rows = [i for i, p in enumerate(pairs) if d in p.labels]
        if len(rows) < 2 * k:
            continue
        xd = x[rows]
        yd = np.array([pairs[i].labels[d] for i in rows], dtype=np.float64)
        oof[d] = round(pearson(out_of_fold(xd, yd, alpha, k), yd), 4)
        models[d] = fit_ridge(xd, yd, alpha).to_json()
    weights = {
        "features": list(FEATURES), "models": models,
        "meta": {"embedder": embedder, "alpha": alpha, "folds": k, "n_pairs": len(pairs),
                 "oof_pearson": oof,
                 "trained_on": "SemEval-2022 Task 8 dev pairs (scale 1 = very similar)"},
    }
    return weights, oof


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="labelled pairs JSONL")
    ap.add_argument("--embedder", default=DEFAULT_EMBEDDER)
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--folds", type=int, default=5)
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
    weights, oof = train(pairs, embedder=args.embedder, alpha=args.alpha, k=args.folds)
    for d, r in oof.items():
        print(f"{d:<10} out-of-fold Pearson {r:.4f}")
    out = args.out or weights_path(args.embedder)
    out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
