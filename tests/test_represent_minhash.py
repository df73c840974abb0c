"""MinHash signatures and the banded LSH index (storylens.represent.minhash)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.represent.minhash import NUM_PERM, LSHIndex, jaccard, shingles, signature

BASE = " ".join(f"word{i}" for i in range(60))


def test_shingles() -> None:
    assert shingles("") == set()
    assert len(shingles("one two three")) == 1  # fewer than k words: the whole text
    assert len(shingles(BASE)) == 56
    assert shingles("A b-c D E f") == shingles("a B C d e F")  # same tokens


def test_signature_shape_and_empty() -> None:
    s = signature(BASE)
    assert s.shape == (NUM_PERM,) and s.dtype == np.uint32
    assert jaccard(signature(""), signature("")) == 0.0
    assert jaccard(signature(""), s) == 0.0


def test_identical_and_disjoint_texts() -> None:
    assert jaccard(signature(BASE), signature(BASE)) == 1.0
    other = " ".join(f"other{i}" for i in range(60))
    assert jaccard(signature(BASE), signature(other)) < 0.1


def test_estimate_is_close_to_the_true_jaccard() -> None:
    a = " ".join(f"w{i}" for i in range(200))
    b = " ".join(f"w{i}" for i in range(100, 300))
    sa, sb = shingles(a), shingles(b)
    true = len(sa & sb) / len(sa | sb)
    assert abs(jaccard(signature(a), signature(b)) - true) < 0.2


def test_lsh_finds_near_duplicates_and_forgets_removed_keys() -> None:
    idx = LSHIndex()
    near = BASE.replace("word59", "changed")
    idx.add("a", signature(BASE))
    idx.add("b", signature(" ".join(f"other{i}" for i in range(60))))
    assert len(idx) == 2
    hits = idx.query(signature(near), threshold=0.8)
    assert [k for k, _ in hits] == ["a"] and hits[0][1] >= 0.8
    assert idx.query(signature("")) == []
    idx.remove("a")
    idx.remove("missing")
    assert len(idx) == 1 and idx.query(signature(near)) == []
    assert all("a" not in keys for band in idx._buckets for keys in band.values())


def test_bands_must_divide_the_permutations() -> None:
    with pytest.raises(ValueError, match="divide 64"):
        LSHIndex(bands=7)
    assert LSHIndex(bands=16).rows == 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a1", "b2", "c3", "d4", "e5", "f6", "g7"]), min_size=5,
                max_size=30))
def test_query_results_are_sorted_and_above_threshold(words: list[str]) -> None:
    idx = LSHIndex()
    text = " ".join(words)
    for k in range(3):
        idx.add(str(k), signature(" ".join(words[k:])))
    hits = idx.query(signature(text), threshold=0.5)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and all(s >= 0.5 for s in scores)
    assert ("0", 1.0) in hits
