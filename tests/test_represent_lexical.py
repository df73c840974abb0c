"""Hashed TF-IDF vectors (storylens.represent.lexical): tokens, running document frequencies,
normalisation, cosine and the pruned centroid accumulator."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.represent.lexical import (
    DocFreq,
    add_into,
    cosine,
    feature,
    normalise,
    term_counts,
    tfidf,
    tokens,
)


def test_tokens_fold_case_and_diacritics_and_drop_single_letters() -> None:
    assert tokens("Erdoğan a vu l'ÉTÉ 3 fois, à 12h") == ["erdogan", "vu", "ete", "3", "fois",
                                                         "12h"]


def test_feature_is_stable_and_in_range() -> None:
    assert feature("erdogan") == feature("erdogan")
    assert 0 <= feature("x" * 1000) < 1 << 22
    assert feature("a") == 3904355907 % (1 << 22)  # zlib.crc32(b"a"): fixed across processes


def test_term_counts() -> None:
    c = term_counts("Basel basel Bâle dam")
    assert c[feature("basel")] == 2 and c[feature("bale")] == 1 and sum(c.values()) == 4


def test_docfreq_idf_and_pending() -> None:
    df = DocFreq()
    assert df.idf(1) == 1.0  # flat before any document
    df.add([1, 1, 2])
    df.add([1])
    assert df.n_docs == 2 and df.df[1] == 2 and df.df[2] == 1
    assert df.idf(1) == pytest.approx(math.log(3 / 3) + 1)
    assert df.idf(2) == pytest.approx(math.log(3 / 2) + 1)
    assert df.idf(99) == pytest.approx(math.log(3) + 1)
    assert df.take_pending() == {1: 2, 2: 1} and df.take_pending() == {}
    restored = DocFreq({1: 2, 2: 1}, n_docs=2)
    assert restored.idf(2) == df.idf(2)


def test_tfidf_is_unit_sublinear_and_pruned() -> None:
    df = DocFreq()
    v = tfidf({1: 1, 2: math.e ** 0 * 1, 3: 0}, df)
    assert set(v) == {1, 2} and sum(x * x for x in v.values()) == pytest.approx(1.0)
    w = tfidf({1: 1, 2: 10}, df)
    assert w[2] / w[1] == pytest.approx(1 + math.log(10))
    big = tfidf({f: f for f in range(1, 50)}, df, max_terms=5)
    assert set(big) == {45, 46, 47, 48, 49}


def test_normalise_and_cosine() -> None:
    assert normalise({}) == {} and normalise({1: 0.0}) == {}
    a, b = normalise({1: 3.0, 2: 4.0}), normalise({2: 1.0})
    assert a == pytest.approx({1: 0.6, 2: 0.8})
    assert cosine(a, b) == pytest.approx(0.8) == cosine(b, a)
    assert cosine(a, {}) == 0.0


def test_add_into_prunes_to_the_heaviest() -> None:
    acc: dict[int, float] = {}
    add_into(acc, {1: 1.0, 2: 0.5}, max_terms=2)
    add_into(acc, {1: 1.0, 3: 0.1}, max_terms=2)
    assert acc == {1: 2.0, 2: 0.5, 3: 0.1}  # not over 2 * max_terms yet
    add_into(acc, {4: 0.3, 5: 0.05}, max_terms=2)
    assert acc == {1: 2.0, 2: 0.5}


_vec = st.dictionaries(st.integers(0, 20), st.floats(-5, 5, allow_nan=False), max_size=8)


@settings(max_examples=200, deadline=None)
@given(_vec, _vec)
def test_cosine_of_normalised_vectors_is_bounded_and_symmetric(a: dict[int, float],
                                                               b: dict[int, float]) -> None:
    na, nb = normalise(a), normalise(b)
    c = cosine(na, nb)
    assert -1 - 1e-9 <= c <= 1 + 1e-9
    assert c == pytest.approx(cosine(nb, na))
    if na:
        assert cosine(na, na) == pytest.approx(1.0)
