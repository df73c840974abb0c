"""Train the plain-text cleaner's logistic model and write ``cleaner_weights.json``.

    python -m storylens.learn.train_cleaner --data ../shared/data/article-extraction \
        --dev ../shared/data/trafilatura-eval-dev

With ``--dev`` the second look (``train_cleaner_stack``) is trained next, over the new
first-pass model's verdicts, and written to ``cleaner_stack.json``; ``--dev DIR
--stack-only`` trains the second look alone over the installed first-pass weights (how the
shipped ``cleaner_stack.json`` was made).

Reads only the TRAIN half of the article-extraction pages (split by a hash of the page id,
see ``line_dataset.split_of``), so the benchmark's test half stays unseen.  scikit-learn is
used here only; inference (``plaintext``) is plain numpy over the stored JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storylens.extract.line_features import all_feature_names, feature_matrix, measure_document
from storylens.extract.plaintext import WEIGHTS_FILE
from storylens.learn.line_dataset import LabelledPage, data_available, iter_pages

WEIGHTS_PATH = WEIGHTS_FILE


def build_xy(pages: list[LabelledPage]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_],
                                                 npt.NDArray[np.int_]]:
    """Feature matrix, labels and page index (for grouped cross-validation) of ``pages``."""
    xs, ys, gs = [], [], []
    for gi, page in enumerate(pages):
        if not page.lines:
            continue
        doc = measure_document(page.lines)
        xs.append(feature_matrix(doc.infos))
        ys.append(np.asarray(page.labels, dtype=np.int_))
        gs.append(np.full(len(page.lines), gi, dtype=np.int_))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(gs)


def train(data_dir: Path, out: Path = WEIGHTS_PATH, c: float = 1.0) -> dict[str, object]:
    """Fit the model on the train half and write the weights JSON; returns it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pages = [p for p in iter_pages(data_dir) if p.split == "train"]
    x, y, groups = build_xy(pages)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000,
                                                               class_weight="balanced"))
    proba = cross_val_predict(model, x, y, groups=groups, cv=GroupKFold(5),
                              method="predict_proba")[:, 1]
    best = (0.0, 0.5)
    for t in np.arange(0.3, 0.9, 0.025):
        pred = proba >= t
        tp = float(np.sum(pred & (y == 1)))
        prec = tp / max(float(pred.sum()), 1.0)
        rec = tp / max(float(y.sum()), 1.0)
        f1 = 2 * prec * rec / max(prec + rec, 1e-9)
        best = max(best, (f1, float(t)))
    model.fit(x, y)
    scaler, lr = model[0], model[1]
    weights: dict[str, object] = {
        "features": all_feature_names(),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 6),
        "cv_f1": round(best[0], 4),
        "cv_threshold": round(best[1], 3),
        "train_pages": len(pages),
        "train_lines": len(y),
    }
    out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    return weights


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/article-extraction"))
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("-C", type=float, default=1.0)
    ap.add_argument("--dev", type=Path, default=None,
                    help="trafilatura-eval-dev folder: also train the second look")
    ap.add_argument("--stack-out", type=Path, default=None)
    ap.add_argument("--stack-only", action="store_true",
                    help="with --dev: keep the installed first-pass weights, train the "
                    "second look only")
    args = ap.parse_args(argv)
    if not data_available(args.data):
        print(f"skip: no article-extraction data at {args.data}", file=sys.stderr)
        return 0
    from storylens.learn import extraction_dev

    if args.dev is not None and not extraction_dev.data_available(args.dev):
        print(f"error: --dev {args.dev}: no trafilatura-eval-dev data there", file=sys.stderr)
        return 2
    if args.stack_only and args.dev is None:
        print("error: --stack-only needs --dev", file=sys.stderr)
        return 2
    if not args.stack_only:
        _train_first_pass(args.data, args.out, args.C)
    if args.dev is not None:
        _train_second_look(args.data, args.dev, args.out, args.stack_out)
    return 0


def _train_first_pass(data: Path, out: Path, c: float) -> None:
    w = train(data, out, c)
    print(f"wrote {out} (cv F1 {w['cv_f1']} at threshold {w['cv_threshold']}, "
          f"{w['train_pages']} pages, {w['train_lines']} lines)")
    for name, coef in sorted(zip(w["features"], w["coef"], strict=True),  # type: ignore[call-overload]
                             key=lambda t: -abs(t[1])):
        print(f"  {name:20s} {coef:+.3f}")


def _train_second_look(data: Path, dev: Path, out: Path, stack_out: Path | None) -> None:
    from storylens.extract import plaintext
    from storylens.extract.line_stack import STACK_FILE
    from storylens.learn.train_cleaner_stack import train_stack

    plaintext._model.cache_clear()  # the second look reads the first pass just written
    if out.resolve() != WEIGHTS_PATH.resolve():
        print("note: the second look is trained over the INSTALLED first-pass weights "
              f"({WEIGHTS_PATH}), not {out}", file=sys.stderr)
    target = stack_out or STACK_FILE
    s = train_stack(data, dev, target)
    m = s["meta"]
    print(f"wrote {target} (out-of-fold tune-half segment F1 {m['oof_tune_segment_f1']} at "
          f"threshold {s['threshold']}; {m['tune_lines']} tune lines of which "
          f"{m['gold_lines']} gold-labelled, {m['ae_lines']} article-extraction lines)")


if __name__ == "__main__":
    raise SystemExit(main())
