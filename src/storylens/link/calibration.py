"""Calibrated dense similarity: a cosine read against what the same vectors score with
unrelated news (cross-domain similarity local scaling, CSLS).

Why: a raw cosine means different things for different articles. Some articles (short
ones, generic wording, languages the static table knows less well) sit close to
everything, so 0.45 is an ordinary score for them; others sit far from everything, so
0.45 is a strong one. A linker reading raw cosines either over-merges the first kind or
never merges the second. CSLS subtracts each side's *hubness*, its mean cosine with its
``k`` nearest neighbours in a fixed background sample of unrelated news:

    calibrated(a, e) = cos(a, e) - (hub(a) + hub(e)) / 2

On the multilingual story set it lifts the ROC-AUC of same-event vs other pairs from
0.916 to 0.930 (cross-lingual pairs alike) with no training at all
(``python benchmarks/dense_channels.py --runs static,static+csls``).

Status: the linker reads the hubness of each article (``default_background``) to decide
whether its best candidate is closer than unrelated news (``features.candidate_features``,
``dense_top``); the calibrated cosine itself is measured, not read by the linker. A pair
model retrained with this cosine as a feature (and with a content-only plausibility
gate) scored lower out of fold than the shipped one (events 0.956 vs 0.969 with real
dates, 0.703 vs 0.752 mixed into a dense stream; BENCHMARKS.md, issue 11), so the
shipped models do not use it yet.

The background is a small matrix of unit vectors made by
``python -m storylens.learn.background`` from development text that is never scored
(the SemEval-2022 dev articles, minus the README sample), shipped as
``link/models/background-static.npy``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storylens.errors import ConfigError
from storylens.link.model import MODEL_DIR

F32 = npt.NDArray[np.float32]
HUB_K = 10
"""Neighbours averaged for an item's hubness (the CSLS paper's k)."""


class Background:
    """Unit vectors of unrelated news; ``hub`` of a vector is its mean cosine with its
    ``k`` nearest of them."""

    __slots__ = ("k", "vectors")

    def __init__(self, vectors: npt.ArrayLike, k: int = HUB_K) -> None:
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[0] < k:
            raise ValueError(f"a background needs a 2-D matrix of at least {k} rows, "
                             f"got shape {v.shape}")
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        self.vectors: F32 = (v / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        self.k = k

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def hub(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Hubness of each row of ``x`` (one value per row; a 1-D ``x`` is one row)."""
        m = np.atleast_2d(np.asarray(x, dtype=np.float32))
        if m.shape[1] != self.dim:
            raise ValueError(f"vectors of {m.shape[1]} dimensions against a background "
                             f"of {self.dim}")
        sims = m @ self.vectors.T
        top = np.partition(sims, sims.shape[1] - self.k, axis=1)[:, -self.k:]
        out: npt.NDArray[np.float64] = top.mean(axis=1).astype(np.float64)
        return out

    def save(self, path: Path) -> None:
        np.save(path, self.vectors.astype(np.float16))

    @classmethod
    def load(cls, path: Path) -> Background:
        """The background at ``path``; ``ConfigError`` naming the file when unreadable."""
        try:
            return cls(np.load(path, allow_pickle=False))
        except (OSError, ValueError) as e:
            raise ConfigError(f"{path}: cannot read the linker's background vectors ({e}); "
                              "rebuild with `python -m storylens.learn.background`") from e


@lru_cache(maxsize=4)
def default_background(dim: int) -> Background | None:
    """The shipped background for vectors of ``dim`` dimensions (the static embedder's),
    or ``None`` when there is none of that size (another embedder): linking then decides
    without it, as before it existed."""
    path = MODEL_DIR / "background-static.npy"
    if not path.is_file():
        return None
    bg = Background.load(path)
    return bg if bg.dim == dim else None
