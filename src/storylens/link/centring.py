"""Per-language centring of the dense vectors the linker compares.

Why: a static table's document vector carries a strong "which language / which script"
direction that a sum of token vectors piles up; two unrelated Japanese articles share
it, a Japanese and an English report of one event do not. Subtracting each language's
mean document vector (Libovický et al., "On the language neutrality of pre-trained
multilingual representations", 2020) takes that direction out and leaves what the
article is about. It needs no labels and no training: the means are running sums of the
vectors of the stream being linked, so a store learns its own languages as it grows.

A language seen ``n`` times is centred on ``(sum + w * prior) / (n + w)``: the prior (the
mean of the shipped background of unrelated news, ``calibration.default_background``)
stands in while few articles of the language have been seen, so the first article of a
new language is centred as if on the global mean. The background is centred on the same
prior, so hubness (``dense_top``) is read in the same space.

Measured (``benchmarks/dense_channels.py --runs static,static+centre --centre-folds 5``;
BENCHMARKS.md, issue 11): on the multilingual story set, same-event vs other ROC-AUC
0.916 raw, 0.956 centred on the set's own means (0.948 with 2,051 unrelated articles in
them; USE-m3 0.943); on pairs inside storyline folds, centred on the other folds' means
only, 0.904 against 0.877 raw (USE-m3 0.909).

Status: opt-in. The clusterer centres when its event model was trained to
(``python -m storylens.learn.train_link --centring``; ``meta["centring"]``) or when
``ClusterConfig.language_centring`` says so; the shipped models are not, because models
trained with it, although better in the busy week out of fold, join unrelated
cross-lingual reports in the README sample (see ``ClusterConfig.language_centring``).

State: ``LanguageCentring`` is plain sums and counts; ``to_json``/``load_json`` keep it in
the store with each batch of assignments, so a restart continues with the same means
(the live window it replays is centred on them, not counted again).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.link.calibration import Background, default_background
from storylens.represent.article import ArticleRep

F64 = npt.NDArray[np.float64]
UNKNOWN = "und"
"""The language key of an article whose language is unknown."""
PRIOR_WEIGHT = 10.0
"""How many articles' worth the prior counts for: a language's own mean takes over once
about this many of its articles have been seen, so a small store (the README sample has
2-6 articles a language) is not centred on the topics of its few articles. Same-event
ROC-AUC on the story set is flat from 1 to 10 (0.959 / 0.958 / 0.956)."""


def _unit(x: F64) -> npt.NDArray[np.float32]:
    n = float(np.linalg.norm(x))
    return (x / n if n > 0 else x).astype(np.float32)


class LanguageCentring:
    """Running per-language sums of dense vectors, and the centring they define."""

    __slots__ = ("counts", "prior", "sums", "weight")

    def __init__(self, prior: npt.ArrayLike, weight: float = PRIOR_WEIGHT) -> None:
        self.prior: F64 = np.asarray(prior, dtype=np.float64).ravel()
        self.weight = float(weight)
        self.sums: dict[str, F64] = {}
        self.counts: dict[str, int] = {}

    @classmethod
    def from_background(cls, bg: Background, weight: float = PRIOR_WEIGHT
                        ) -> LanguageCentring:
        """Centring whose prior is the mean of the background's vectors."""
        return cls(bg.vectors.astype(np.float64).mean(axis=0), weight)

    @classmethod
    def shipped(cls, dim: int) -> LanguageCentring | None:
        """A fresh centring for vectors of ``dim`` whose prior is the shipped background's
        mean, or ``None`` when there is no background of that size (another embedder)."""
        bg = default_background(dim)
        return None if bg is None else cls.from_background(bg)

    @property
    def dim(self) -> int:
        return int(self.prior.shape[0])

    def mean(self, lang: str | None) -> F64:
        """The mean that ``lang``'s vectors are centred on now."""
        key = lang or UNKNOWN
        n = self.counts.get(key, 0)
        if n == 0:
            return self.prior
        return (self.sums[key] + self.weight * self.prior) / (n + self.weight)

    def observe(self, lang: str | None, x: npt.ArrayLike) -> None:
        """Count one more vector of ``lang``."""
        key = lang or UNKNOWN
        v = np.asarray(x, dtype=np.float64).ravel()
        s = self.sums.get(key)
        self.sums[key] = v.copy() if s is None else s + v
        self.counts[key] = self.counts.get(key, 0) + 1

    def centre(self, rep: ArticleRep) -> ArticleRep:
        """``rep`` with its dense vector centred on its language's current mean (unit)."""
        x = np.asarray(rep.dense, dtype=np.float64)
        return replace(rep, dense=_unit(x - self.mean(rep.lang)))

    def add(self, rep: ArticleRep) -> ArticleRep:
        """Count ``rep`` and return it centred (itself included in its language's mean)."""
        self.observe(rep.lang, rep.dense)
        return self.centre(rep)

    def background(self, bg: Background) -> Background:
        """The background centred on the prior, to compare centred vectors with."""
        v = bg.vectors.astype(np.float64) - self.prior
        return Background(v.astype(np.float32), bg.k)

    def to_json(self) -> str:
        """The state (sums and counts per language) as a JSON string."""
        return json.dumps({"dim": self.dim, "weight": self.weight,
                           "langs": {k: [self.counts[k], self.sums[k].tolist()]
                                     for k in sorted(self.counts)}})

    def load_json(self, text: str) -> None:
        """Replace the sums and counts by those of ``to_json``'s ``text``; ``ValueError``
        when it is not such a state for vectors of this dimension."""
        data: dict[str, Any] = json.loads(text)
        if int(data.get("dim", -1)) != self.dim:
            raise ValueError(f"centring state for {data.get('dim')} dimensions, "
                             f"not {self.dim}")
        sums: dict[str, F64] = {}
        counts: dict[str, int] = {}
        for lang, (n, s) in dict(data["langs"]).items():
            vec = np.asarray(s, dtype=np.float64)
            if vec.shape != (self.dim,) or int(n) < 1:
                raise ValueError(f"centring state: bad entry for language {lang!r}")
            sums[str(lang)], counts[str(lang)] = vec, int(n)
        self.sums, self.counts = sums, counts
