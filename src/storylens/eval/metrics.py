"""Clustering and correlation metrics over plain, index-aligned label sequences.

Everything here is a pure function of ``gold`` and ``pred`` label sequences (any hashable
labels, aligned by item index) so the same code scores a benchmark run, a unit test or a
notebook. All counting goes through contingency tables (how many items share a gold label
and a predicted label, optionally also a language), never through item pairs, so scoring
10⁵–10⁶ items is linear-time after a sort.

Conventions, chosen so that degenerate cases are defined and documented rather than NaN:

* Empty input raises :class:`ValueError` (there is nothing to score; a silent 1.0 would
  hide a broken pipeline).
* Pairwise precision is 1.0 when the prediction links no pair (nothing claimed, nothing
  wrong); pairwise recall is 1.0 when the gold links no pair (nothing to find). F1 is the
  harmonic mean, 0.0 when precision + recall is 0. So an all-singletons prediction against
  gold with real clusters scores P=1, R=0, F1=0, and any prediction equal to the gold
  scores 1.0 everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

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


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and their harmonic mean, each in [0, 1]."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def from_pr(cls, precision: float, recall: float) -> PRF:
        """Build from precision and recall, computing F1 (0.0 when both are 0)."""
        denom = precision + recall
        f1 = 0.0 if denom == 0 else 2.0 * precision * recall / denom
        return cls(precision=precision, recall=recall, f1=f1)

    def to_dict(self) -> dict[str, float]:
        """JSON-ready ``{"precision", "recall", "f1"}``."""
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True, slots=True)
class PairCounts:
    """Pair counts behind pairwise scores: the evidence, for reports and debugging.

    ``true_positive`` pairs are linked in both gold and prediction; ``predicted`` pairs are
    linked in the prediction; ``gold`` pairs are linked in the gold.
    """

    true_positive: int
    predicted: int
    gold: int

    def prf(self) -> PRF:
        """Pairwise precision/recall/F1 under the module's zero-pair conventions."""
        precision = 1.0 if self.predicted == 0 else self.true_positive / self.predicted
        recall = 1.0 if self.gold == 0 else self.true_positive / self.gold
        return PRF.from_pr(precision, recall)


def encode_labels(labels: Sequence[Hashable]) -> IntArray:
    """Map arbitrary hashable labels to dense int codes 0..k-1 in first-seen order.

    Uses a dict rather than ``np.unique`` so labels need not be mutually comparable
    (``1`` and ``"a"`` can coexist); equal labels (by ``==``/hash) share a code.
    """
    index: dict[Hashable, int] = {}
    codes = np.empty(len(labels), dtype=np.int64)
    for i, label in enumerate(labels):
        codes[i] = index.setdefault(label, len(index))
    return codes


def _check(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}")
    if len(gold) == 0:
        raise ValueError("cannot score an empty clustering")


def _group_counts(*columns: IntArray) -> IntArray:
    """Sizes of the non-empty cells of the contingency table over the given code columns."""
    if len(columns) == 1:
        return np.bincount(columns[0]).astype(np.int64)
    stacked = np.stack(columns, axis=1)
    _, counts = np.unique(stacked, axis=0, return_counts=True)
    return counts.astype(np.int64)


def _pairs(counts: IntArray) -> int:
    """Number of unordered pairs within groups of the given sizes: Σ n(n-1)/2."""
    return int((counts * (counts - 1) // 2).sum())


def b_cubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """B³ precision/recall/F1 (Bagga & Baldwin 1998), averaged over items.

    For item i with gold cluster G(i) and predicted cluster C(i):
    precision_i = |G(i) ∩ C(i)| / |C(i)|, recall_i = |G(i) ∩ C(i)| / |G(i)|. Every item in a
    contingency cell (g, c) of size n_gc has the same overlap n_gc, so the per-item sums
    collapse to Σ_cells n_gc² / |c| and Σ_cells n_gc² / |g|. F1 is the harmonic mean of the
    averaged precision and recall (the usual reporting, not a mean of per-item F1s).
    """
    _check(gold, pred)
    g = encode_labels(gold)
    p = encode_labels(pred)
    gold_sizes = np.bincount(g)
    pred_sizes = np.bincount(p)
    cells, cell_counts = np.unique(np.stack([g, p], axis=1), axis=0, return_counts=True)
    sq = cell_counts.astype(np.float64) ** 2
    n = float(len(g))
    precision = float((sq / pred_sizes[cells[:, 1]]).sum()) / n
    recall = float((sq / gold_sizes[cells[:, 0]]).sum()) / n
    # Guard float drift (e.g. 0.9999999999999999 vs 1.0 on perfect input) within [0, 1].
    return PRF.from_pr(min(1.0, precision), min(1.0, recall))


def pair_counts(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> PairCounts:
    """Count linked pairs over all n(n-1)/2 item pairs via the gold×pred contingency table."""
    _check(gold, pred)
    g = encode_labels(gold)
    p = encode_labels(pred)
    return PairCounts(
        true_positive=_pairs(_group_counts(g, p)),
        predicted=_pairs(_group_counts(p)),
        gold=_pairs(_group_counts(g)),
    )


def pairwise(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """Pairwise precision/recall/F1: a pair is positive when its two items share a cluster."""
    return pair_counts(gold, pred).prf()


def cross_lingual_pair_counts(
    gold: Sequence[Hashable], pred: Sequence[Hashable], langs: Sequence[Hashable]
) -> PairCounts:
    """Pair counts restricted to pairs whose two items have different languages.

    Linked cross-lingual pairs = all linked pairs − linked pairs within one language, and
    the within-language part is a contingency count too: e.g. true positives are
    Σ_{g,p} C(n_gp, 2) − Σ_{g,p,l} C(n_gpl, 2). Linear after a sort; no pair loop.
    """
    _check(gold, pred)
    if len(langs) != len(gold):
        raise ValueError(f"langs has {len(langs)} items but gold has {len(gold)}")
    g = encode_labels(gold)
    p = encode_labels(pred)
    lang = encode_labels(langs)
    return PairCounts(
        true_positive=_pairs(_group_counts(g, p)) - _pairs(_group_counts(g, p, lang)),
        predicted=_pairs(_group_counts(p)) - _pairs(_group_counts(p, lang)),
        gold=_pairs(_group_counts(g)) - _pairs(_group_counts(g, lang)),
    )


def cross_lingual_pairwise(
    gold: Sequence[Hashable], pred: Sequence[Hashable], langs: Sequence[Hashable]
) -> PRF:
    """Pairwise precision/recall/F1 over cross-lingual pairs only (see module conventions).

    Check :func:`cross_lingual_pair_counts` too: with no gold cross-lingual pair the recall
    is vacuously 1.0, which says nothing about cross-lingual linking.
    """
    return cross_lingual_pair_counts(gold, pred, langs).prf()


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson correlation of two equal-length samples, or ``None`` when it is undefined.

    The coefficient is undefined when either sample is constant (zero variance); returning
    ``None`` (rather than NaN or 0.0) forces callers to handle that case explicitly under
    mypy. Constancy is tested exactly (max == min), so tiny but real variation still gets a
    coefficient. Raises :class:`ValueError` for fewer than 2 items, mismatched lengths or
    non-finite values.
    """
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} items but y has {len(y)}")
    if len(x) < 2:
        raise ValueError("pearson needs at least 2 items")
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise ValueError("pearson needs finite values")
    if xa.max() == xa.min() or ya.max() == ya.min():
        return None
    xc = xa - xa.mean()
    yc = ya - ya.mean()
    # Rescale to unit max so sums of squares neither underflow nor overflow (r is invariant).
    xc = xc / np.abs(xc).max()
    yc = yc / np.abs(yc).max()
    denom = math.sqrt(float(xc @ xc)) * math.sqrt(float(yc @ yc))
    if denom == 0.0:  # unreachable after rescaling; kept as a guard
        return None
    return max(-1.0, min(1.0, float(xc @ yc) / denom))
