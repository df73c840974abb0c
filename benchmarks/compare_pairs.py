"""Benchmark ``eval pairs`` on the SemEval-2022 Task 8 dev pairs.

    python benchmarks/compare_pairs.py [--embedder use|static] [--data PATH]

Prints Pearson per dimension and pairs/s. Caveat printed with the numbers: the shipped
dimension models were trained on these very dev pairs, so this run is IN-SAMPLE; the honest
numbers are the out-of-fold Pearson stored in the weights' meta at training time, printed
beside them. Skips (exit 0) when the data is absent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "semeval2022-task8" / "dev.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--embedder", default="use")
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"skip: {args.data} is absent")
        return 0
    from storylens.compare.dimensions import load_dimension_models
    from storylens.eval.pairs import evaluate_pairs

    meta = load_dimension_models(args.embedder).meta
    r = evaluate_pairs(args.data, embedder=args.embedder)
    oof = meta.get("oof_pearson", {})
    print(f"{r['n_pairs']} pairs, embedder {args.embedder}, {r['seconds']} s, "
          f"{r['pairs_per_s']} pairs/s (extraction + analysis + scoring, this machine)")
    print(f"{'dimension':<11}{'out-of-fold':>12}{'in-sample':>11}")
    for d, v in r["pearson"].items():
        o = oof.get(d)
        print(f"{d:<11}{'n/a' if o is None else f'{o:.4f}':>12}"
              f"{'n/a' if v is None else f'{v:.4f}':>11}")
    print("out-of-fold = 5-fold CV at training (the honest number); in-sample = shipped "
          "model on its own training pairs (optimistic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
