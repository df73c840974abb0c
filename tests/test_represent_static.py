"""The static embedder's parts (storylens.represent.static): the Viterbi segmenter against
brute force, the model file's checks and round trip, and embedding as a sum of token rows."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.errors import ConfigError
from storylens.learn.distill import pca, quantise
from storylens.represent.static import (
    SPACE,
    Segmenter,
    StaticEmbedder,
    StaticModelFile,
)
from storylens.textnorm import nfkc_lower

TOKENS = [SPACE, SPACE + "un", SPACE + "unit", "ed", SPACE + "united", "e", "d", "t", "it",
          "n", "u", "i"]
LOGP = np.log(np.array([0.2, 0.1, 0.1, 0.1, 0.05, 0.2, 0.25, 0.1, 0.05, 0.1, 0.1, 0.1],
                       dtype=np.float32))
UNK = float(LOGP.min()) - 10.0


def _best_score(chunk: str) -> float:
    """Best total log-probability over every segmentation (unknown char = UNK)."""
    best = -np.inf
    for cuts in itertools.product([False, True], repeat=max(len(chunk) - 1, 0)):
        pieces, start = [], 0
        for i, cut in enumerate(cuts, 1):
            if cut:
                pieces.append(chunk[start:i])
                start = i
        pieces.append(chunk[start:])
        score = 0.0
        for p in pieces:
            if p in TOKENS:
                score += float(LOGP[TOKENS.index(p)])
            elif len(p) == 1:
                score += UNK
            else:
                score = -np.inf
                break
        best = max(best, score)
    return best


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=[SPACE, "u", "n", "i", "t", "e", "d", "x"], min_size=1, max_size=8))
def test_segmenter_finds_the_best_segmentation(chunk: str) -> None:
    ids = Segmenter(TOKENS, LOGP)(chunk)
    pieces = [TOKENS[i] if i >= 0 else None for i in ids]
    # the pieces cover the chunk in order; an unknown covers exactly one character
    pos = 0
    score = 0.0
    for p in pieces:
        if p is None:
            pos += 1
            score += UNK
        else:
            assert chunk.startswith(p, pos)
            pos += len(p)
            score += float(LOGP[TOKENS.index(p)])
    assert pos == len(chunk)
    assert score == pytest.approx(_best_score(chunk), abs=1e-4)


def test_empty_chunk_and_empty_vocabulary() -> None:
    assert Segmenter(TOKENS, LOGP)("") == ()
    assert Segmenter([], np.zeros(0, dtype=np.float32))("ab") == (-1, -1)


def test_normalise_text() -> None:
    assert nfkc_lower("ＰＡＲＩＳ ﬁn", full=False) == "paris fin"


def _model(tmp_path: Path, name: str = "tiny") -> Path:
    rng = np.random.default_rng(0)
    table = rng.normal(size=(len(TOKENS), 6)).astype(np.float32)
    q, s = quantise(table)
    path = tmp_path / "m.npz"
    StaticModelFile(TOKENS, q, s, LOGP, {"name": name}).save(path)
    return path


def test_model_file_round_trip_and_checks(tmp_path: Path) -> None:
    path = _model(tmp_path)
    m = StaticModelFile.load(path)
    assert m.tokens == TOKENS and m.meta == {"name": "tiny"}
    assert m.dense().shape == (len(TOKENS), 6) and m.dense().dtype == np.float32
    with pytest.raises(ValueError, match="same length"):
        StaticModelFile(TOKENS[:-1], m.vectors, m.scales, m.logp, {})
    with pytest.raises(ValueError, match="newlines"):
        StaticModelFile(["a\nb"], m.vectors[:1], m.scales[:1], m.logp[:1], {})


@pytest.mark.parametrize("content", [b"", b"not an npz", b"PK\x03\x04damaged zip"])
def test_unusable_model_file_is_a_config_error_naming_it(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    # Fixed bug: an empty file escaped as EOFError and a damaged zip as BadZipFile.
    with pytest.raises(ConfigError, match=r"bad\.npz: not a usable static embedding model"):
        StaticModelFile.load(bad)


def test_embedding_is_the_normalised_sum_of_token_rows(tmp_path: Path) -> None:
    path = _model(tmp_path)
    emb = StaticEmbedder(path)
    table = StaticModelFile.load(path).dense()
    assert (emb.name, emb.dim) == ("tiny", 6)
    ids = emb.token_ids("United UNIT xyz")
    # "xyz" is the word-start piece and three unknown characters, which are dropped
    assert ids == [TOKENS.index(SPACE + "united"), TOKENS.index(SPACE + "unit"),
                   TOKENS.index(SPACE)]
    v = emb.embed(["United UNIT xyz", "xyz", ""])
    expected = table[ids].sum(axis=0)
    np.testing.assert_allclose(v[0], expected / np.linalg.norm(expected), atol=1e-5)
    np.testing.assert_allclose(v[1], table[0] / np.linalg.norm(table[0]), atol=1e-5)
    assert not v[2].any()
    # batching does not change anything
    np.testing.assert_allclose(emb.embed(["united", "un it", "d"] * 3, batch_size=2),
                               emb.embed(["united", "un it", "d"] * 3), atol=1e-6)


def test_max_chars_truncates(tmp_path: Path) -> None:
    emb = StaticEmbedder(_model(tmp_path), max_chars=4)
    assert emb.token_ids("unit united") == [TOKENS.index(SPACE + "unit")]


def test_pca_and_quantise() -> None:
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(40, 1)) @ rng.normal(size=(1, 5))).astype(np.float32)  # rank 1
    p = pca(x, 3)
    assert p.shape == (40, 3)
    assert np.allclose(p[:, 1:], 0.0, atol=1e-4)  # all the variance on the first axis
    assert pca(x, 99).shape == (40, 5)
    q, s = quantise(np.zeros((2, 3), dtype=np.float32))
    assert not q.any() and (s == 1.0).all()
