"""Hashed bag of words and character n-grams: no model, no dependencies, fully deterministic.

Why it exists: it is the fallback when no encoder is installed, and the fake that tests
and the distillation tests use as a teacher. It captures surface overlap only (shared
names, numbers, cognates), so two translations of one article score low unless they share
proper nouns. Features go through a signed feature hash keyed by BLAKE2b, never Python's
salted ``hash()``, so the same text gives the same vector in every process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from storylens.represent.base import FloatMatrix, l2_normalise
from storylens.textnorm import nfkc_lower

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Signed feature hashing of lower-cased words plus their character n-grams.

    Each word contributes its own feature (weight ``word_weight``) and the n-grams of
    ``<word>`` for every n in ``ngrams``; a document is the sublinear (``1 + log tf``)
    sum of its features. Per-word feature sets are cached, so news-sized vocabularies
    cost one hashing pass per distinct word.
    """

    def __init__(
        self,
        dim: int = 512,
        ngrams: tuple[int, ...] = (3, 4),
        word_weight: float = 2.0,
        cache_size: int = 1 << 17,
    ) -> None:
        if dim <= 0:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.name = f"hashing-{dim}"
        self._ngrams = tuple(ngrams)
        self._word_weight = float(word_weight)
        self._features = lru_cache(maxsize=cache_size)(self._word_features)

    def _hash(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, (1.0 if (value >> 63) & 1 else -1.0)

    def _word_features(self, word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Bucket indices and signed weights of one (already lower-cased) word."""
        index, sign = self._hash("w:" + word)
        idx = [index]
        val = [sign * self._word_weight]
        padded = f"<{word}>"
        for n in self._ngrams:
            for i in range(max(1, len(padded) - n + 1)):
                index, sign = self._hash(f"{n}:{padded[i : i + n]}")
                idx.append(index)
                val.append(sign)
        return np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=np.float32)

    def _embed_one(self, text: str) -> npt.NDArray[np.float32]:
        counts: dict[str, int] = {}
        for word in _WORD.findall(nfkc_lower(text)):
            counts[word] = counts.get(word, 0) + 1
        if not counts:
            return np.zeros(self.dim, dtype=np.float32)
        feats = [self._features(word) for word in counts]
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        scale = np.repeat(1.0 + np.log(tf), [len(idx) for idx, _ in feats])
        idx = np.concatenate([i for i, _ in feats])
        val = np.concatenate([v for _, v in feats]) * scale
        return np.bincount(idx, weights=val, minlength=self.dim).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """One unit-length row per text (a text without words gets a zero row)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._embed_one(text)
        return l2_normalise(out)
