"""Train the plain-text cleaner's second look (``storylens.extract.line_stack``) and write
``cleaner_stack.json``.

    python -m storylens.learn.train_cleaner --data ../shared/data/article-extraction \\
        --dev ../shared/data/trafilatura-eval-dev

(``train_cleaner`` fits the first-pass line model, then calls ``train_stack`` here.)

Rows: every line of the TRAIN half of article-extraction (labelled against the gold body,
``line_dataset``) and the lines of the TUNE half of trafilatura-eval-dev that its gold speaks
about (a line holding a must-have segment is story, one holding a must-not-have segment
furniture; ``extraction_dev.segment_labels``).  Neither set's other half is read.  The
article-extraction lines weigh ``AE_SHARE`` of the dev lines in all: they are many, all news,
and labelled line by line; the dev lines are few but from the kinds of pages the cleaner
missed (blogs, forums, shops, recipes).  Features are the first pass's own verdicts
(``plaintext.first_pass``), so the first-pass model must be in place before this runs.

The threshold is chosen out of fold: 5 folds by dev page (article-extraction rows always in
training), line F1 on the dev rows' out-of-fold predictions.  Trees: scikit-learn's
``GradientBoostingRegressor`` on 0/1 labels (squared error), exported for the numpy inference
of ``storylens.trees``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.extract.line_stack import STACK_FILE, stack_feature_names, stack_matrix
from storylens.extract.plaintext import first_pass
from storylens.learn import extraction_dev
from storylens.learn.line_dataset import iter_pages
from storylens.trees import from_sklearn

AE_SHARE = 0.5
N_TREES = 100
DEPTH = 3
LEARNING_RATE = 0.1
SUBSAMPLE = 0.8
SEED = 0
Rows = tuple[npt.NDArray[np.float64], npt.NDArray[np.int_], npt.NDArray[np.int_]]


def _rows(lines: list[str], labels: list[bool | None]) -> tuple[npt.NDArray[np.float64],
                                                                 npt.NDArray[np.int_]] | None:
    """Second-look features and labels of the labelled lines of one page."""
    fp = first_pass("\n".join(lines))
    if fp is None or len(fp.lines) != len(lines):
        return None
    x = stack_matrix(fp.infos, fp.p, fp.kept, fp.reasons)
    keep = [i for i, lab in enumerate(labels) if lab is not None]
    return x[keep], np.asarray([int(bool(labels[i])) for i in keep], dtype=np.int_)


def dev_rows(dev_dir: Path) -> Rows:
    """Rows of trafilatura-eval-dev's tune half (labelled lines only) and their page index."""
    norm = extraction_dev.load_scorer(dev_dir).norm
    xs, ys, gs = [], [], []
    for gi, page in enumerate(extraction_dev.load_pages(dev_dir, "tune")):
        lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
        got = _rows(lines, list(extraction_dev.segment_labels(lines, page, norm)))
        if got is not None and len(got[1]):
            xs.append(got[0])
            ys.append(got[1])
            gs.append(np.full(len(got[1]), gi, dtype=np.int_))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(gs)


def ae_rows(data_dir: Path) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]:
    """Rows of every line of article-extraction's train half."""
    xs, ys = [], []
    for page in iter_pages(data_dir):
        if page.split != "train" or not page.lines:
            continue
        got = _rows(page.lines, list(page.labels))
        if got is not None:
            xs.append(got[0])
            ys.append(got[1])
    return np.vstack(xs), np.concatenate(ys)


def _fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.int_],
         w: npt.NDArray[np.float64]) -> Any:
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(n_estimators=N_TREES, max_depth=DEPTH,
                                     learning_rate=LEARNING_RATE, subsample=SUBSAMPLE,
                                     random_state=SEED).fit(x, y, sample_weight=w)


def best_threshold(score: npt.NDArray[np.float64], y: npt.NDArray[np.int_]
                   ) -> tuple[float, float]:
    """(line F1, threshold) of the best cut of ``score`` for ``y`` on a 0.2..0.7 grid."""
    best = (0.0, 0.5)
    for t in np.arange(0.2, 0.701, 0.025):
        pred = score >= t
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / max(float(pred.sum()) + float(y.sum()), 1.0)
        best = max(best, (round(f1, 4), round(float(t), 3)))
    return best


def train_stack(data_dir: Path, dev_dir: Path, out: Path = STACK_FILE) -> dict[str, Any]:
    """Fit the second look, choose its threshold out of fold, write ``out``; returns it."""
    from sklearn.model_selection import GroupKFold

    dx, dy, dg = dev_rows(dev_dir)
    ax, ay = ae_rows(data_dir)
    aw = np.full(len(ay), AE_SHARE * len(dy) / max(len(ay), 1))
    oof = np.zeros(len(dy))
    for tr, te in GroupKFold(5).split(dx, dy, dg):
        m = _fit(np.vstack([dx[tr], ax]), np.concatenate([dy[tr], ay]),
                 np.concatenate([np.ones(len(tr)), aw]))
        oof[te] = m.predict(dx[te])
    f1, threshold = best_threshold(oof, dy)
    model = _fit(np.vstack([dx, ax]), np.concatenate([dy, ay]),
                 np.concatenate([np.ones(len(dy)), aw]))
    result: dict[str, Any] = {
        "features": stack_feature_names(),
        "threshold": threshold,
        "trees": from_sklearn(model).to_json(),
        "meta": {"oof_dev_line_f1": f1, "dev_lines": len(dy), "dev_pages": len(set(dg)),
                 "ae_lines": len(ay), "ae_share": AE_SHARE, "trees": N_TREES, "depth": DEPTH,
                 "learning_rate": LEARNING_RATE, "subsample": SUBSAMPLE, "seed": SEED},
    }
    out.write_text(json.dumps(result, separators=(",", ":")) + "\n", encoding="utf-8")
    return result
