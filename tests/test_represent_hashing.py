"""The hashing embedder (storylens.represent.hashing) beyond test_represent.py: Unicode
normalisation, bag-of-words order independence, sublinear term frequency, dimensions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.represent.hashing import HashingEmbedder

EMB = HashingEmbedder(dim=128)


def test_dim_and_name() -> None:
    e = HashingEmbedder(dim=32)
    assert (e.dim, e.name) == (32, "hashing-32")
    assert e.embed(["a b", ""]).shape == (2, 32)
    assert e.embed([]).shape == (0, 32)
    with pytest.raises(ValueError, match="positive"):
        HashingEmbedder(dim=0)


def test_case_width_and_compatibility_forms_do_not_matter() -> None:
    a, b = EMB.embed(["Ｂａｓｅｌ DAM ﬁnal", "basel dam final"])
    assert np.allclose(a, b)


def test_punctuation_only_is_a_zero_row() -> None:
    assert not EMB.embed(["... !!! ---"]).any()


def test_repetition_is_sublinear() -> None:
    one, many = EMB.embed(["dam basel", "dam dam dam dam basel"])
    assert 0.7 < float(one @ many) < 1.0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["dam", "basel", "rhine", "flood", "1200", "ébullition"]),
                min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_word_order_does_not_matter(words: list[str], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = words[:]
    rnd.shuffle(shuffled)
    a, b = EMB.embed([" ".join(words), " ".join(shuffled)])
    assert np.allclose(a, b, atol=1e-6)
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)
