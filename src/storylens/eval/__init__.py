"""Evaluation behind ``storylens eval``: clustering metrics (B³, pairwise, cross-lingual
pairwise), Pearson, a labelled stream clustered end to end (``clustering``) and labelled
article pairs scored on the SemEval dimensions (``pairs``). Building development streams
and training are offline tooling (``storylens.learn``)."""

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
