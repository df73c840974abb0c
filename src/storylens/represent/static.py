"""A static (lookup-table) embedding distilled from a multilingual encoder: the fast default.

Why: the neural encoders manage 5-100 articles/s on two cores, the product needs >= 200.
A static model embeds a text as the sum of per-token vectors, which costs a dictionary
lookup per word (segmentations are cached) and one gather-and-sum in numpy. The table is
built by ``storylens.learn.distill`` from the encoder's own SentencePiece vocabulary,
so cross-lingual alignment is inherited from the encoder, and this module needs nothing
but numpy and the shipped ``.npz``.

Tokenisation mirrors SentencePiece closely enough for lookup: NFKC, lower-case
(``textnorm.nfkc_lower(text, full=False)``, the form the vocabulary was built in), split on
whitespace, prefix each chunk with U+2581 and segment it by unigram Viterbi over the kept
vocabulary using the encoder's own piece log-probabilities. Characters outside the kept
vocabulary are dropped (they carry no vector).

File format (``np.savez_compressed``, no pickles): ``tokens`` (uint8, UTF-8 of the pieces
joined by newlines), ``vectors`` (int8, N x D, already SIF-weighted), ``scales`` (float32,
per-row dequantisation factor), ``logp`` (float32, Viterbi scores) and ``meta`` (uint8,
UTF-8 JSON saying how the file was made).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.errors import ConfigError
from storylens.represent.base import FloatMatrix, l2_normalise
from storylens.textnorm import nfkc_lower

DEFAULT_MODEL = Path(__file__).with_name("static_use_v2.npz")
"""The shipped model: distilled (``learn.distill``), then refitted on teacher-embedded
text (``represent.tokenlearn``); registered as ``static``."""
SPACE = "\u2581"
_SPLIT = re.compile(r"\S+")
_UNK_PENALTY = 10.0


class StaticModelFile:
    """The arrays of a distilled model, read from or written to one ``.npz`` file."""

    def __init__(
        self,
        tokens: list[str],
        vectors: npt.NDArray[np.int8],
        scales: npt.NDArray[np.float32],
        logp: npt.NDArray[np.float32],
        meta: dict[str, Any],
    ) -> None:
        if not (len(tokens) == vectors.shape[0] == scales.shape[0] == logp.shape[0]):
            raise ValueError("tokens, vectors, scales and logp must have the same length")
        if any("\n" in t for t in tokens):
            raise ValueError("tokens must not contain newlines")
        self.tokens = tokens
        self.vectors = vectors
        self.scales = scales
        self.logp = logp
        self.meta = meta

    @classmethod
    def load(cls, path: Path) -> StaticModelFile:
        """Read a model file; ``ConfigError`` if it is missing or malformed."""
        try:
            with np.load(path, allow_pickle=False) as z:
                tokens = bytes(z["tokens"]).decode("utf-8").split("\n")
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
                return cls(
                    tokens,
                    z["vectors"].astype(np.int8, copy=False),
                    z["scales"].astype(np.float32, copy=False),
                    z["logp"].astype(np.float32, copy=False),
                    meta,
                )
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            # an empty file raises EOFError, a damaged zip BadZipFile: both are unusable
            raise ConfigError(f"{path}: not a usable static embedding model ({exc})") from exc

    def save(self, path: Path) -> None:
        """Write the model compressed, without pickles, so it can be loaded safely."""
        np.savez_compressed(
            path,
            tokens=np.frombuffer("\n".join(self.tokens).encode("utf-8"), dtype=np.uint8),
            vectors=self.vectors,
            scales=self.scales.astype(np.float32),
            logp=self.logp.astype(np.float32),
            meta=np.frombuffer(json.dumps(self.meta, sort_keys=True).encode(), dtype=np.uint8),
        )

    def dense(self) -> npt.NDArray[np.float32]:
        """The dequantised N x D table."""
        return self.vectors.astype(np.float32) * self.scales[:, None]


class Segmenter:
    """Unigram-Viterbi segmentation of one whitespace-free chunk into vocabulary ids.

    Unknown characters become id ``-1`` with a heavy penalty, so known pieces are always
    preferred; callers drop the ``-1`` ids.
    """

    def __init__(self, tokens: Sequence[str], logp: npt.NDArray[np.float32]) -> None:
        self._logp = [float(x) for x in logp]
        self._unk = (min(self._logp) if self._logp else 0.0) - _UNK_PENALTY
        self._max_len = max((len(t) for t in tokens), default=1)
        prefixes: dict[str, int] = {}
        for i, tok in enumerate(tokens):
            for k in range(1, len(tok)):
                prefixes.setdefault(tok[:k], -1)
            prefixes[tok] = i
        self._prefixes = prefixes

    def __call__(self, chunk: str) -> tuple[int, ...]:
        n = len(chunk)
        best = [0.0] + [-1e30] * n
        back = [0] * (n + 1)
        piece = [-1] * (n + 1)
        get = self._prefixes.get
        logp = self._logp
        for i in range(n):
            base = best[i]
            if base + self._unk > best[i + 1]:
                best[i + 1] = base + self._unk
                back[i + 1] = i
                piece[i + 1] = -1
            for j in range(i + 1, min(n, i + self._max_len) + 1):
                pid = get(chunk[i:j])
                if pid is None:
                    break
                if pid >= 0 and base + logp[pid] > best[j]:
                    best[j] = base + logp[pid]
                    back[j] = i
                    piece[j] = pid
        out: list[int] = []
        pos = n
        while pos > 0:
            out.append(piece[pos])
            pos = back[pos]
        out.reverse()
        return tuple(out)


def text_token_ids(text: str, segment: Callable[[str], Sequence[int]]) -> list[int]:
    """Vocabulary ids of ``text`` (unknown characters dropped): ``nfkc_lower(full=False)``,
    split on whitespace, each chunk prefixed with the word marker and segmented by
    ``segment`` (a ``Segmenter``, usually memoised). One copy for the embedder and for
    tokenlearn's refit, which must see text exactly as the embedder does."""
    ids: list[int] = []
    for chunk in _SPLIT.findall(nfkc_lower(text, full=False)):
        ids.extend(i for i in segment(SPACE + chunk) if i >= 0)
    return ids


class StaticEmbedder:
    """Embeds a text as the L2-normalised sum of its (SIF-weighted) token vectors.

    ``max_chars`` truncates texts first (``None`` keeps everything); ``cache_size`` bounds
    the per-chunk segmentation cache that makes repeated words nearly free.
    """

    def __init__(
        self,
        path: Path | str = DEFAULT_MODEL,
        max_chars: int | None = None,
        cache_size: int = 1 << 18,
    ) -> None:
        model = StaticModelFile.load(Path(path))
        self.meta = model.meta
        self.tokens = model.tokens
        self.name = str(model.meta.get("name", Path(path).stem))
        self.dim = int(model.vectors.shape[1])
        self._table = model.dense()
        self._max_chars = max_chars
        self._segment = lru_cache(maxsize=cache_size)(Segmenter(model.tokens, model.logp))

    def token_ids(self, text: str) -> list[int]:
        """Vocabulary ids of ``text`` (unknown characters dropped); useful for debugging."""
        if self._max_chars:
            text = text[: self._max_chars]
        return text_token_ids(text, self._segment)

    def embed(self, texts: Sequence[str], batch_size: int = 256) -> FloatMatrix:
        """One unit-length row per text; a text with no known token gets a zero row."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            ids_per_text = [self.token_ids(t) for t in batch]
            lengths = np.fromiter((len(ids) for ids in ids_per_text), np.int64, len(batch))
            flat = np.fromiter(
                (i for ids in ids_per_text for i in ids), np.int64, int(lengths.sum())
            )
            nonempty = lengths > 0
            if not nonempty.any():
                continue
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
            sums = np.add.reduceat(self._table[flat], starts, axis=0)
            out[start : start + len(batch)][nonempty] = sums
        return l2_normalise(out)
