"""Evaluation: clustering metrics (B³, pairwise, cross-lingual pairwise), Pearson, and
helpers that build development streams from the shared data sets."""

from storylens.eval.metrics import (
    PRF,
    PairCounts,
    b_cubed,
    cross_lingual_pair_counts,
    cross_lingual_pairwise,
    encode_labels,
    pair_counts,
    pairwise,
    pearson,
)

__all__ = [
    "PRF",
    "PairCounts",
    "b_cubed",
    "cross_lingual_pair_counts",
    "cross_lingual_pairwise",
    "encode_labels",
    "pair_counts",
    "pairwise",
    "pearson",
]
