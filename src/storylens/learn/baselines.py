"""Naive references for the linker: dense cosine + a time window + average-link
agglomerative clustering, at the threshold best for the set being scored.

They need no training, see the whole set at once (offline, not online) and get an oracle
threshold, so they are upper bounds for what their method can do on that set: what the
learned online linker has to beat without peeking.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.eval.metrics import b_cubed, cross_lingual_pairwise

FAR = 4.0
"""Distance given to pairs outside the time window (cosine distances are <= 2)."""


@dataclass(frozen=True, slots=True)
class NaiveResult:
    threshold: float
    labels: list[int]
    scores: dict[str, Any]


def _linkage(dense: npt.NDArray[np.float32], times: Sequence[float | None],
             window_days: float | None) -> npt.NDArray[np.float64]:
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    x = np.asarray(dense, dtype=np.float64)
    dist = np.clip(1.0 - x @ x.T, 0.0, 2.0)
    if window_days is not None:
        t = np.array([np.nan if v is None else v for v in times], dtype=np.float64)
        gap = np.abs(t[:, None] - t[None, :]) / 86400.0
        dist[np.nan_to_num(gap, nan=0.0) > window_days] = FAR
    np.fill_diagonal(dist, 0.0)
    z: npt.NDArray[np.float64] = linkage(squareform(dist, checks=False), method="average")
    return z


def average_link(dense: npt.NDArray[np.float32], times: Sequence[float | None],
                 gold: Sequence[Hashable], langs: Sequence[Hashable], *,
                 window_days: float | None = 3.0,
                 grid: Sequence[float] | None = None) -> NaiveResult:
    """Average-link clusters of ``dense`` (unit rows) cut at the cosine threshold of
    ``grid`` that maximises B³ F1 against ``gold``; pairs more than ``window_days`` apart
    are never linked directly (``None``: no window)."""
    from scipy.cluster.hierarchy import fcluster

    z = _linkage(dense, times, window_days)
    best: NaiveResult | None = None
    for thr in grid or [round(x, 3) for x in np.arange(0.05, 0.96, 0.025)]:
        labels = [int(v) for v in fcluster(z, t=1.0 - thr, criterion="distance")]
        b3 = b_cubed(gold, labels)
        if best is None or b3.f1 > best.scores["bcubed"]["f1"]:
            best = NaiveResult(thr, labels, {
                "bcubed": b3.to_dict(),
                "crosslingual_pairwise": cross_lingual_pairwise(gold, labels, langs).to_dict(),
                "n_pred": len(set(labels)), "threshold": thr})
    assert best is not None
    return best
