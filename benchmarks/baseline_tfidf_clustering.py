"""Floor for story clustering: TF-IDF cosine + single-pass threshold clustering.

Reads streams written by ``benchmarks/make_dev_streams.py`` (or any JSONL in the storylens
ingest format with an ``event`` field) and processes articles in file order (= arrival
order). Each article joins the existing cluster whose centroid is most cosine-similar to it
if that similarity reaches the threshold, else it opens a new cluster. Dates are ignored.

Honest split: events are divided deterministically into a TRAIN and a DEV half by a stable
hash of the event id (even -> train, odd -> dev). The analyzer and threshold are chosen on
TRAIN only (best B³ F1, or pairwise F1 with ``--select-by pairwise``); all reported scores
are on the DEV half, which is clustered as its own stream. The TF-IDF vocabulary and IDF
are fitted on each half's own texts (unsupervised; no labels involved).

Usage: python benchmarks/baseline_tfidf_clustering.py [--devdata DIR] [--stream NAME ...]
       [--select-by b3|pairwise] [--json]
Needs scikit-learn (the ``test`` extra). Exits 0 with a note when the streams are absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

from storylens.eval import (
    b_cubed,
    cross_lingual_pair_counts,
    pairwise,
)
from storylens.learn.streams import StreamArticle, read_stream, stable_hash

REPO = Path(__file__).resolve().parents[1]
DEFAULT_STREAMS = [
    "semeval-dev-stream.jsonl",
    "semeval-dev-stream-nodates.jsonl",
    "headlines-fr.jsonl",
    "mixed-stream.jsonl",
]
ANALYZERS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 1), "sublinear_tf": True, "min_df": 1},
    "char_wb3-5": {"analyzer": "char_wb", "ngram_range": (3, 5), "sublinear_tf": True},
}
THRESHOLDS = [round(t, 3) for t in np.arange(0.05, 0.951, 0.025)]
FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Config:
    """One point of the grid searched on the train half."""

    analyzer: str
    threshold: float


def split_half(articles: list[StreamArticle], half: int) -> list[StreamArticle]:
    """Articles whose event hashes into ``half`` (0 = train, 1 = dev), in stream order."""
    return [a for a in articles if stable_hash(a.event) % 2 == half]


def gram_matrix(articles: list[StreamArticle], analyzer: str) -> FloatMatrix:
    """Dense cosine-similarity matrix of title + text TF-IDF vectors (rows L2-normalised)."""
    vec = TfidfVectorizer(lowercase=True, norm="l2", **ANALYZERS[analyzer])
    x = vec.fit_transform([f"{a.title}\n{a.text}" for a in articles])
    return np.asarray((x @ x.T).toarray(), dtype=np.float64)


def single_pass(sim: FloatMatrix, threshold: float) -> list[int]:
    """Cluster items 0..n-1 in order; join the most similar centroid if ≥ threshold.

    Centroid cosine without storing centroids: for cluster c with member-vector sum s_c,
    cos(x, s_c) = Σ_{j∈c} x·x_j / ‖s_c‖, and ‖s_c‖² grows by 2·x·s_c + ‖x‖² when x joins.
    """
    n = sim.shape[0]
    labels = np.empty(n, dtype=np.int64)
    norm2: list[float] = []
    for i in range(n):
        k = len(norm2)
        self_sim = float(sim[i, i])
        if k:
            dots = np.bincount(labels[:i], weights=sim[i, :i], minlength=k)
            norms = np.sqrt(np.asarray(norm2))
            cos = np.divide(dots, norms, out=np.zeros(k), where=norms > 0)
            best = int(np.argmax(cos))
            if cos[best] >= threshold and self_sim > 0:
                labels[i] = best
                norm2[best] += 2.0 * float(dots[best]) + self_sim
                continue
        labels[i] = k
        norm2.append(self_sim)
    return labels.tolist()


def score(articles: list[StreamArticle], pred: list[int]) -> dict[str, Any]:
    """B³, pairwise and cross-lingual pairwise scores (with pair counts) against gold events."""
    gold = [a.event for a in articles]
    langs = [a.lang for a in articles]
    xc = cross_lingual_pair_counts(gold, pred, langs)
    return {
        "b3": b_cubed(gold, pred).to_dict(),
        "pairwise": pairwise(gold, pred).to_dict(),
        "cross_lingual_pairwise": xc.prf().to_dict(),
        "cross_lingual_pairs": {
            "true_positive": xc.true_positive,
            "predicted": xc.predicted,
            "gold": xc.gold,
        },
        "predicted_clusters": len(set(pred)),
        "gold_events": len(set(gold)),
    }


def evaluate_stream(articles: list[StreamArticle], select_by: str) -> dict[str, Any]:
    """Grid-search on the train half, report the chosen config on the dev half."""
    train, dev = split_half(articles, 0), split_half(articles, 1)
    key = "b3" if select_by == "b3" else "pairwise"
    best: tuple[float, Config] | None = None
    for analyzer in ANALYZERS:
        sim = gram_matrix(train, analyzer)
        for t in THRESHOLDS:
            f1 = score(train, single_pass(sim, t))[key]["f1"]
            if best is None or f1 > best[0]:
                best = (f1, Config(analyzer, t))
    assert best is not None
    train_f1, cfg = best
    dev_scores = score(dev, single_pass(gram_matrix(dev, cfg.analyzer), cfg.threshold))
    singletons = score(dev, list(range(len(dev))))
    return {
        "split": "config chosen on TRAIN half (stable_hash(event) % 2 == 0), scored on DEV half",
        "train_articles": len(train),
        "dev_articles": len(dev),
        "chosen": {"analyzer": cfg.analyzer, "threshold": cfg.threshold},
        f"train_{key}_f1": round(train_f1, 4),
        "dev": dev_scores,
        "dev_all_singletons": {k: singletons[k] for k in ("b3", "pairwise")},
    }


def _fmt(d: dict[str, float]) -> str:
    return f"{d['precision']:.3f} {d['recall']:.3f} {d['f1']:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devdata", type=Path, default=REPO / ".devdata")
    ap.add_argument("--stream", action="append", help="stream file name(s) under --devdata")
    ap.add_argument("--select-by", choices=["b3", "pairwise"], default="b3")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    names: list[str] = args.stream or DEFAULT_STREAMS
    results: dict[str, Any] = {}
    for name in names:
        path = args.devdata / name
        if not path.is_file():
            print(f"skip {name}: not found (run benchmarks/make_dev_streams.py)", file=sys.stderr)
            continue
        results[name] = evaluate_stream(read_stream(path), args.select_by)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"TF-IDF + single-pass centroid clustering; selected by {args.select_by} F1 on TRAIN;")
    print("all numbers below are on the DEV half (events with odd stable hash). P R F1 each.\n")
    head = f"{'stream':34}{'analyzer/thr':>17}  {'B3 P R F1':>17}  {'pair P R F1':>17}"
    print(head + f"  {'x-ling pair P R F1':>18}  x-ling TP/pred/gold  | singletons B3 F1")
    for name, r in results.items():
        d, c = r["dev"], r["dev"]["cross_lingual_pairs"]
        cfg = f"{r['chosen']['analyzer']}/{r['chosen']['threshold']}"
        print(
            f"{name:34}{cfg:>17}  {_fmt(d['b3']):>17}  {_fmt(d['pairwise']):>17}"
            f"  {_fmt(d['cross_lingual_pairwise']):>18}"
            f"  {c['true_positive']:>4}/{c['predicted']}/{c['gold']:<8}"
            f"  | {r['dev_all_singletons']['b3']['f1']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
