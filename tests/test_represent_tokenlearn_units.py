"""Units of the static model's refit (storylens.learn.tokenlearn) beside
test_tokenlearn.py: the CSR counts against dense matrices, the tokenizer it shares with the
embedder, windows, the corpus reader and the array cache."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.learn.tokenlearn import (
    _cached,
    count_tokens,
    fitting_chunks,
    static_tokenizer,
    token_features,
    windows,
)
from storylens.represent.static import SPACE, StaticEmbedder, StaticModelFile

_docs = st.lists(st.lists(st.integers(0, 5), max_size=6), min_size=1, max_size=7)


def _dense(docs: list[list[int]], n_tok: int = 6) -> np.ndarray:
    m = np.zeros((len(docs), n_tok), dtype=np.float32)
    for d, ids in enumerate(docs):
        for t in ids:
            m[d, t] += 1
    return m


@settings(max_examples=100, deadline=None)
@given(_docs, st.integers(1, 3), st.integers(0, 2**31))
def test_counts_match_dense_algebra(docs: list[list[int]], block: int, seed: int) -> None:
    c = count_tokens([" ".join(map(str, d)) for d in docs],
                     lambda text: [int(w) for w in text.split()])
    dense = _dense(docs)
    assert c.n_docs == len(docs)
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(6, 3)).astype(np.float32)
    np.testing.assert_allclose(c.matmul(table, block=block), dense @ table, atol=1e-4)
    grads = rng.normal(size=(len(docs), 3)).astype(np.float32)
    expected = ((dense.T @ grads) * table).sum(axis=1)
    np.testing.assert_allclose(c.token_dots(grads, table, 6, block=block), expected, atol=1e-4)
    keep = rng.random(len(docs)) < 0.5
    sub = c.rows(keep)
    np.testing.assert_allclose(sub.matmul(table), dense[keep] @ table, atol=1e-4)


def test_rows_of_nothing() -> None:
    c = count_tokens(["1 2"], lambda t: [int(w) for w in t.split()])
    empty = c.rows(np.array([False]))
    assert empty.n_docs == 0 and empty.tok.size == 0


def test_static_tokenizer_agrees_with_the_embedder(tmp_path: Path) -> None:
    tokens = [SPACE, SPACE + "rail", SPACE + "strike", "s", "a", "i", "l", "r"]
    logp = np.log(np.full(len(tokens), 1 / len(tokens), dtype=np.float32))
    path = tmp_path / "m.npz"
    StaticModelFile(tokens, np.ones((len(tokens), 2), np.int8),
                    np.ones(len(tokens), np.float32), logp, {}).save(path)
    emb = StaticEmbedder(path)
    tok = static_tokenizer(tokens, logp)
    for text in ["Rail strikes", "rails RAIL", "ñ strike", ""]:
        assert tok(text) == emb.token_ids(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["rail", "strike", "lyon", "unions", "x", "pensions"]),
                max_size=300), st.integers(120, 400))
def test_windows_are_ordered_pieces_of_the_text(words: list[str], size: int) -> None:
    text = " ".join(words)
    chunks = windows(text, size=size)
    pos = 0
    for c in chunks:
        assert 0 < len(c) <= size
        found = text.find(c, pos)
        assert found >= pos
        pos = found + len(c)
    if len(text) <= 150:
        assert chunks == []


def test_windows_limit() -> None:
    assert len(windows("word " * 1000, size=200, limit=3)) == 3


def test_fitting_chunks_reads_what_is_there(tmp_path: Path) -> None:
    assert fitting_chunks(tmp_path) == []
    body = " ".join(f"word{i}" for i in range(400))
    (tmp_path / "semeval2022-task8").mkdir()
    (tmp_path / "semeval2022-task8" / "dev.jsonl").write_text(
        json.dumps({"a": {"text": body}, "b": {"text": body}}) + "\n", encoding="utf-8")
    (tmp_path / "french-headline-clusters").mkdir()
    (tmp_path / "french-headline-clusters" / "headlines.jsonl").write_text(
        json.dumps({"title": "Grève à Lyon"}) + "\n\n", encoding="utf-8")
    (tmp_path / "trafilatura-eval-dev").mkdir()
    with gzip.open(tmp_path / "trafilatura-eval-dev" / "pages-text.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"text": "  line one  \n\n" + body.replace("word", "page")}) + "\n")
    chunks = fitting_chunks(tmp_path, chunk_chars=600, short_share=1.0)
    sources = [s for s, _ in chunks]
    assert sources.count("semeval") == 2  # two windows per side, the same text deduplicated
    assert ("headlines", "Grève à Lyon") in chunks
    assert "trafilatura" in sources
    texts = [t for _, t in chunks]
    assert len(texts) == len(set(texts))
    shorts = [t for s, t in chunks if s.endswith("-short")]
    assert shorts and all(len(t) <= 200 for t in shorts)
    assert chunks == fitting_chunks(tmp_path, chunk_chars=600, short_share=1.0)  # deterministic


def test_cached_computes_once(tmp_path: Path) -> None:
    calls = []

    def make() -> np.ndarray:
        calls.append(1)
        return np.arange(6, dtype=np.float32).reshape(2, 3)

    first = _cached(tmp_path / "c", "k", make)
    again = _cached(tmp_path / "c", "k", make)
    np.testing.assert_array_equal(first, again)
    assert len(calls) == 1 and (tmp_path / "c" / "k.npy").is_file()
    _cached(None, "k", make)
    assert len(calls) == 2


def test_token_features_never_name_the_token() -> None:
    tokens = [SPACE + "a", "bc", SPACE + "defgh", "ijklmn"]
    logp = np.log(np.array([0.4, 0.3, 0.2, 0.1], dtype=np.float32))
    centred = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    f = token_features(tokens, logp, centred)
    assert f.shape[0] == 4 and np.isfinite(f).all()
    # the same shape of token gives the same features whatever its letters
    g = token_features([SPACE + "z", "xy", SPACE + "vwxyz", "uvwxyz"], logp, centred)
    np.testing.assert_array_equal(f, g)
    # columns: hat functions of log p, word start, 5 length buckets, log-norm, log-norm x word
    assert f[:, :-8].sum(axis=1) == pytest.approx([1.0] * 4)  # hat functions sum to one
    assert f[:, -8].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert f[:, -7:-2].tolist() == [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 1, 0],
                                    [0, 0, 0, 0, 1]]
