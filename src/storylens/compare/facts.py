"""What two articles both report, and what only one of them does: sentence alignment.

Each sentence of A is compared with each sentence of B by a hybrid similarity: the cosine
of their multilingual embeddings (cross-lingual, since the embedder is aligned across
languages), blended with the overlap of the entity names and numbers the two sentences
carry when both carry some. Names are what tells "Herzog meets Erdoğan" from "Gantz meets
Erdoğan", which embeddings alone rate as near-paraphrases.

Matching is greedy one-to-one: all pairs in decreasing similarity, a pair is kept when
neither sentence is matched yet and the similarity reaches ``threshold``. Matched pairs
are the shared core; the rest is unique to A or to B.

Threshold: on the SemEval-2022 Task 8 dev pairs the Pearson between alignment coverage and
the human "overall" similarity keeps rising as the threshold falls, down to 0.3
(``train_dimensions --tune-threshold``) — a soft coverage is a good *feature*, and the
dimension models use it at 0.3 (``channels.COVERAGE_THRESHOLD``). A list of shared facts
shown to a reader needs precision instead, so ``DEFAULT_THRESHOLD`` is set higher, at the
point where pairs stop being paraphrases/same-fact sentences on the French example pair
and a sample of dev pairs read by eye (USE 0.45, static 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.analysis import Analysis

DEFAULT_THRESHOLD: dict[str, float] = {"static": 0.5, "use": 0.45}
"""Per embedder registry name; other embedders use ``FALLBACK_THRESHOLD``."""
FALLBACK_THRESHOLD = 0.55
NAME_WEIGHT = 0.35
"""Weight of the name/number Jaccard in the similarity when both sentences carry names."""


@dataclass(slots=True)
class FactSentence:
    """A sentence with what it mentions: the unit of a "fact"."""

    index: int
    text: str
    start: int
    end: int
    entities: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "start": self.start, "end": self.end,
                "entities": self.entities, "numbers": self.numbers}


@dataclass(slots=True)
class AlignedPair:
    """One shared fact: a sentence of A and the sentence of B that reports it."""

    a: FactSentence
    b: FactSentence
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(),
                "similarity": round(self.similarity, 4)}


@dataclass(slots=True)
class Facts:
    """Shared core and the sentences unique to each side."""

    shared: list[AlignedPair]
    only_a: list[FactSentence]
    only_b: list[FactSentence]
    threshold: float
    coverage_a: float
    """Share of A's sentences that are aligned (0 when A has none)."""
    coverage_b: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold, "coverage_a": round(self.coverage_a, 4),
            "coverage_b": round(self.coverage_b, 4),
            "shared": [p.to_dict() for p in self.shared],
            "only_a": [s.to_dict() for s in self.only_a],
            "only_b": [s.to_dict() for s in self.only_b],
        }


def threshold_for(embedder_name: str) -> float:
    return DEFAULT_THRESHOLD.get(embedder_name, FALLBACK_THRESHOLD)


def hybrid_similarity(dense: npt.NDArray[np.float64], keys_a: Sequence[frozenset[str]],
                      keys_b: Sequence[frozenset[str]]) -> npt.NDArray[np.float64]:
    """``dense`` (embedding cosines, rows ``keys_a``, columns ``keys_b``) blended with the
    Jaccard of the sentences' names and numbers where both sentences carry some.

    Vectorised through an inverted index (key -> sentences holding it), so the cost is
    the size of the matrix plus the co-occurring pairs, not a Python loop over all pairs.
    """
    out = dense.astype(np.float64, copy=True)
    if out.size == 0:
        return out
    post_a: dict[str, list[int]] = {}
    post_b: dict[str, list[int]] = {}
    for i, ka in enumerate(keys_a):
        for k in ka:
            post_a.setdefault(k, []).append(i)
    for j, kb in enumerate(keys_b):
        for k in kb:
            post_b.setdefault(k, []).append(j)
    inter = np.zeros(out.shape, dtype=np.float64)
    for k, rows in post_a.items():
        cols = post_b.get(k)
        if cols:
            inter[np.ix_(rows, cols)] += 1.0
    size_a = np.array([len(k) for k in keys_a], dtype=np.float64)
    size_b = np.array([len(k) for k in keys_b], dtype=np.float64)
    both = (size_a[:, None] > 0) & (size_b[None, :] > 0)
    union = size_a[:, None] + size_b[None, :] - inter
    jac = np.divide(inter, union, out=np.zeros_like(inter), where=both)
    out[both] = (1 - NAME_WEIGHT) * out[both] + NAME_WEIGHT * jac[both]
    return out


def sentence_keys(an: Analysis) -> list[frozenset[str]]:
    """Per sentence of ``an``: its folded names and numbers (what ``hybrid_similarity``
    compares)."""
    return [n | m for n, m in zip(an.sent_names, an.sent_numbers, strict=True)]


def similarity_matrix(a: Analysis, b: Analysis) -> npt.NDArray[np.float64]:
    """Hybrid sentence similarity, shape (len(A sentences), len(B sentences))."""
    if not a.sentences or not b.sentences:
        return np.zeros((len(a.sentences), len(b.sentences)), dtype=np.float64)
    dense = (a.vectors @ b.vectors.T).astype(np.float64)
    return hybrid_similarity(dense, sentence_keys(a), sentence_keys(b))


def greedy_align(sim: npt.NDArray[np.float64], threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs (i, j) in decreasing similarity, each with ``sim >= threshold``."""
    if sim.size == 0:
        return []
    order = np.argsort(-sim, axis=None)
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[int, int]] = []
    n_max = min(sim.shape)
    for flat in order:
        i, j = divmod(int(flat), sim.shape[1])
        if sim[i, j] < threshold:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j))
        if len(pairs) == n_max:
            break
    return sorted(pairs)


def _fact(an: Analysis, i: int) -> FactSentence:
    s = an.sentences[i]
    return FactSentence(s.index, s.text, s.start, s.end, sorted(an.sent_names[i]),
                        sorted(an.sent_numbers[i]))


def align_facts(a: Analysis, b: Analysis, *, threshold: float) -> Facts:
    """Shared core (aligned pairs, in A's order) and the unaligned rest of each side."""
    sim = similarity_matrix(a, b)
    pairs = greedy_align(sim, threshold)
    ia = {i for i, _ in pairs}
    ib = {j for _, j in pairs}
    return Facts(
        shared=[AlignedPair(_fact(a, i), _fact(b, j), float(sim[i, j])) for i, j in pairs],
        only_a=[_fact(a, i) for i in range(len(a.sentences)) if i not in ia],
        only_b=[_fact(b, j) for j in range(len(b.sentences)) if j not in ib],
        threshold=threshold,
        coverage_a=len(ia) / len(a.sentences) if a.sentences else 0.0,
        coverage_b=len(ib) / len(b.sentences) if b.sentences else 0.0,
    )
