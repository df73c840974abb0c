"""Benchmark the embedders on the SemEval-2022 Task 8 **dev** split (multilingual news pairs).

For each backend: throughput on two cores (title + lead = first 500 characters, and the
full text), Pearson correlation of the cosine with ``-overall`` (overall and per language
pair; 1 = very similar ... 4 = very dissimilar), and a same-event check: ROC-AUC of the
cosine separating pairs with overall <= 1.5 (same event) from pairs with overall >= 3.5
(unrelated). Skips (exit 0) when the data file is absent.

    python benchmarks/embedders.py                       # all backends, markdown table
    python benchmarks/embedders.py --backends static,use --json
    python benchmarks/embedders.py --backends e5 --modes lead   # e5 full text is slow

Numbers are for this split only: dev was also looked at when picking the static model's
size and weighting, so treat its static-model scores as slightly optimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DEFAULT_DATA = Path(os.environ.get("STORYLENS_SHARED", "/work/shared")) / (
    "data/semeval2022-task8/dev.jsonl"
)
SPLIT = "semeval2022-task8 dev"
LEAD_CHARS = 500
SAME_MAX, UNRELATED_MIN = 1.5, 3.5
MODES = ("lead", "full")


@dataclass
class Pair:
    """One annotated article pair."""

    lang: str
    text_a: str
    text_b: str
    overall: float


@dataclass
class Result:
    """Scores of one backend on one input mode."""

    backend: str
    mode: str
    docs_per_s: float
    pearson: float
    auc: float
    per_lang: dict[str, float] = field(default_factory=dict)
    n_pairs: int = 0


def load_pairs(path: Path, limit: int | None = None) -> list[Pair]:
    """Read the dev pairs (texts are one line: title, two spaces, body)."""
    pairs: list[Pair] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row: dict[str, Any] = json.loads(line)
            a, b = row["a"], row["b"]
            pairs.append(Pair(f"{a['lang']}-{b['lang']}", a["text"], b["text"],
                              float(row["overall"])))
            if limit and len(pairs) >= limit:
                break
    return pairs


def pearson(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    """Pearson r (NaN when either side is constant or there are fewer than 3 points)."""
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def roc_auc(pos: npt.NDArray[np.float64], neg: npt.NDArray[np.float64]) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    scores = np.concatenate([pos, neg])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):  # average ranks of ties
        tied = scores == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def score_pairs(pairs: Sequence[Pair], cosines: npt.NDArray[np.float64]) -> tuple[
    float, float, dict[str, float]
]:
    """Pearson vs -overall, same-event AUC and per-language-pair Pearson."""
    target = -np.array([p.overall for p in pairs])
    overall = np.array([p.overall for p in pairs])
    auc = roc_auc(cosines[overall <= SAME_MAX], cosines[overall >= UNRELATED_MIN])
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_lang[p.lang].append(i)
    per_lang = {lang: pearson(cosines[idx], target[idx]) for lang, idx in by_lang.items()}
    return pearson(cosines, target), auc, per_lang


def run_backend(name: str, pairs: Sequence[Pair], mode: str) -> Result:
    """Embed both sides of every pair with backend ``name`` and score the cosines."""
    from storylens.represent import get_embedder

    embedder = get_embedder(name)
    cut = LEAD_CHARS if mode == "lead" else None
    texts = [t[:cut] for p in pairs for t in (p.text_a, p.text_b)]
    embedder.embed(texts[:8])  # warm-up: lazy weights, caches of the first batch
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    elapsed = time.perf_counter() - started
    cos = np.einsum("ij,ij->i", vectors[0::2], vectors[1::2]).astype(np.float64)
    r, auc, per_lang = score_pairs(pairs, cos)
    return Result(name, mode, len(texts) / elapsed, r, auc, per_lang, len(pairs))


def markdown(results: Sequence[Result], langs: Sequence[str]) -> str:
    """The results as one markdown table."""
    head = ["backend", "input", "docs/s", "Pearson", "AUC same-vs-unrelated", *langs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [r.backend, r.mode, f"{r.docs_per_s:.0f}", f"{r.pearson:.3f}", f"{r.auc:.3f}"]
        cells += [f"{r.per_lang.get(lang, float('nan')):.3f}" for lang in langs]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--backends", default="hashing,static,use,e5")
    parser.add_argument("--modes", default="lead,full", help="comma list of lead,full")
    parser.add_argument("--limit", type=int, default=None, help="first N pairs only")
    parser.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    args = parser.parse_args(argv)

    if not args.data.exists():
        print(f"skipped: {args.data} not found (SemEval-2022 Task 8 dev split)")
        return 0
    pairs = load_pairs(args.data, args.limit)
    counts: dict[str, int] = defaultdict(int)
    for p in pairs:
        counts[p.lang] += 1
    langs = sorted(counts, key=lambda lang: -counts[lang])
    results: list[Result] = []
    for name in args.backends.split(","):
        for mode in args.modes.split(","):
            if mode not in MODES:
                parser.error(f"unknown mode {mode!r}")
            results.append(run_backend(name.strip(), pairs, mode))
            print(f"done {name} {mode}", file=sys.stderr)
    n_same = sum(p.overall <= SAME_MAX for p in pairs)
    n_unrel = sum(p.overall >= UNRELATED_MIN for p in pairs)
    if args.json:
        print(json.dumps({"split": SPLIT, "data": str(args.data), "pairs": len(pairs),
                          "lead_chars": LEAD_CHARS, "cores": os.cpu_count(),
                          "results": [asdict(r) for r in results]}, indent=2))
    else:
        print(f"Split: {SPLIT} ({len(pairs)} pairs; {n_same} same-event <= {SAME_MAX}, "
              f"{n_unrel} unrelated >= {UNRELATED_MIN}); lead = first {LEAD_CHARS} chars; "
              f"{os.cpu_count()} cores. Per-language columns are Pearson (pairs: "
              + ", ".join(f"{lang} {counts[lang]}" for lang in langs) + ").\n")
        print(markdown(results, langs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
