"""Lexical vectors: hashed, sublinear-TF x IDF word vectors, title and body apart.

Feature hashing (blake-free: zlib.crc32, stable across processes) keeps the vocabulary
unbounded without a fitted dictionary, so a stream can start with zero documents. IDF
comes from a running document-frequency table the caller owns (``DocFreq``), updated as
articles arrive: early articles get flat IDF, which is what an online system can know.

Vectors are sparse dicts ``{feature: weight}``, L2-normalised, truncated to the top
``max_terms`` weights so a cluster centroid stays small however many members it has.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping

from storylens.textnorm import fold

SparseVec = dict[int, float]

_WORD = re.compile(r"\w+", re.UNICODE)
_N_FEATURES = 1 << 22


def tokens(text: str) -> list[str]:
    """Word tokens of ``textnorm.fold(text)`` (Erdoğan = erdogan, Łódź = lodz), digits
    kept, one-letter tokens dropped."""
    return [t for t in _WORD.findall(fold(text)) if len(t) > 1 or t.isdigit()]


def feature(token: str) -> int:
    """Stable hash of a token into the feature space."""
    return zlib.crc32(token.encode("utf-8")) % _N_FEATURES


def term_counts(text: str) -> Counter[int]:
    """Hashed term frequencies of ``text``."""
    return Counter(feature(t) for t in tokens(text))


class DocFreq:
    """Running document frequencies for IDF. Cheap to update, cheap to query."""

    __slots__ = ("df", "n_docs", "pending")

    def __init__(self, df: Mapping[int, int] | None = None, n_docs: int = 0) -> None:
        self.df: Counter[int] = Counter(df or {})
        self.n_docs = n_docs
        self.pending: Counter[int] = Counter()
        """Counts added since the last ``take_pending()``, for a store to persist."""

    def add(self, features: Iterable[int]) -> None:
        uniq = set(features)
        self.df.update(uniq)
        self.pending.update(uniq)
        self.n_docs += 1

    def take_pending(self) -> Counter[int]:
        out, self.pending = self.pending, Counter()
        return out

    def idf(self, f: int) -> float:
        return math.log((1 + self.n_docs) / (1 + self.df.get(f, 0))) + 1.0


def tfidf(counts: Mapping[int, int], df: DocFreq, *, max_terms: int = 200) -> SparseVec:
    """Sublinear TF x IDF, L2-normalised, the ``max_terms`` heaviest features kept."""
    w = {f: (1.0 + math.log(c)) * df.idf(f) for f, c in counts.items() if c > 0}
    if len(w) > max_terms:
        w = dict(sorted(w.items(), key=lambda kv: kv[1], reverse=True)[:max_terms])
    return normalise(w)


def normalise(vec: Mapping[int, float]) -> SparseVec:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {f: v / norm for f, v in vec.items()} if norm > 0 else {}


def cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    """Cosine of two L2-normalised sparse vectors (a dot product)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(f, 0.0) for f, v in a.items())


def add_into(acc: dict[int, float], vec: Mapping[int, float], *, max_terms: int = 300) -> None:
    """Add ``vec`` into a centroid accumulator, pruning it back to ``max_terms`` entries."""
    for f, v in vec.items():
        acc[f] = acc.get(f, 0.0) + v
    if len(acc) > max_terms * 2:
        keep = sorted(acc.items(), key=lambda kv: kv[1], reverse=True)[:max_terms]
        acc.clear()
        acc.update(keep)
