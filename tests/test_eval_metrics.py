"""Tests for storylens.eval.metrics: hand-computed cases, extremes, properties, brute force."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Hashable, Sequence
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.eval import (
    PRF,
    b_cubed,
    cross_lingual_pair_counts,
    cross_lingual_pairwise,
    pair_counts,
    pairwise,
    pearson,
)

# Tiny example used by the hand computations below (items 0..5).
#   gold A={0,1,2}  B={3,4}  C={5}
#   pred 1={0,1}    2={2,3,4,5}
#   lang en de en en de de
GOLD = ["A", "A", "A", "B", "B", "C"]
PRED = [1, 1, 2, 2, 2, 2]
LANGS = ["en", "de", "en", "en", "de", "de"]


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-12)


def test_b_cubed_hand_computed() -> None:
    # Per-item precision |G∩C|/|C|: i0 2/2, i1 2/2, i2 1/4, i3 2/4, i4 2/4, i5 1/4
    #   sum = 1 + 1 + 1/4 + 1/2 + 1/2 + 1/4 = 7/2  -> P = 7/2 / 6 = 7/12
    # Per-item recall |G∩C|/|G|: i0 2/3, i1 2/3, i2 1/3, i3 2/2, i4 2/2, i5 1/1
    #   sum = 5/3 + 3 = 14/3                         -> R = 14/3 / 6 = 7/9
    # F1 = 2PR/(P+R) = 2·(49/108) / (49/36) = 2/3
    r = b_cubed(GOLD, PRED)
    assert r.precision == approx(7 / 12)
    assert r.recall == approx(7 / 9)
    assert r.f1 == approx(2 / 3)
    assert r.to_dict() == {"precision": r.precision, "recall": r.recall, "f1": r.f1}


def test_pairwise_hand_computed() -> None:
    # Gold pairs: A gives C(3,2)=3, B gives 1, C gives 0            -> 4
    # Pred pairs: 1 gives 1, 2 gives C(4,2)=6                        -> 7
    # Linked in both: (0,1) [A∩1] and (3,4) [B∩2]                    -> 2
    # P = 2/7, R = 2/4 = 1/2, F1 = 2·(1/7)/(2/7 + 1/2) = (2/7)/(11/14) = 4/11
    c = pair_counts(GOLD, PRED)
    assert (c.true_positive, c.predicted, c.gold) == (2, 7, 4)
    r = pairwise(GOLD, PRED)
    assert r.precision == approx(2 / 7)
    assert r.recall == approx(1 / 2)
    assert r.f1 == approx(4 / 11)


def test_cross_lingual_hand_computed() -> None:
    # Gold cross-lingual pairs: A: (0en,1de) (1de,2en) [(0,2) both en]; B: (3en,4de) -> 3
    # Pred cross-lingual pairs: 1: (0,1); 2: (2,4) (2,5) (3,4) (3,5)
    #   [(2,3) both en, (4,5) both de excluded]                                    -> 5
    # Linked in both and cross-lingual: (0,1), (3,4)                               -> 2
    # P = 2/5, R = 2/3, F1 = 2·(4/15)/(16/15) = 1/2
    c = cross_lingual_pair_counts(GOLD, PRED, LANGS)
    assert (c.true_positive, c.predicted, c.gold) == (2, 5, 3)
    r = cross_lingual_pairwise(GOLD, PRED, LANGS)
    assert r.precision == approx(2 / 5)
    assert r.recall == approx(2 / 3)
    assert r.f1 == approx(1 / 2)


def test_cross_lingual_single_language_is_vacuous() -> None:
    c = cross_lingual_pair_counts(GOLD, PRED, ["en"] * 6)
    assert (c.true_positive, c.predicted, c.gold) == (0, 0, 0)
    assert cross_lingual_pairwise(GOLD, PRED, ["en"] * 6).to_dict() == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }


def test_perfect_clustering_scores_one_even_with_different_label_names() -> None:
    pred = ["x", "x", "x", "y", "y", "z"]
    for r in (b_cubed(GOLD, pred), pairwise(GOLD, pred), cross_lingual_pairwise(GOLD, pred, LANGS)):
        assert r.to_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_all_singletons_prediction() -> None:
    pred = list(range(6))
    b3 = b_cubed(GOLD, pred)
    assert b3.precision == 1.0
    # recall_i = 1/|G(i)|: three items at 1/3, two at 1/2, one at 1 -> (1 + 1 + 1)/6 = 1/2
    assert b3.recall == approx(1 / 2)
    pw = pairwise(GOLD, pred)
    assert (pw.precision, pw.recall, pw.f1) == (1.0, 0.0, 0.0)


def test_all_in_one_prediction() -> None:
    pred = ["one"] * 6
    b3 = b_cubed(GOLD, pred)
    assert b3.recall == 1.0
    # precision_i = |G(i)|/6 -> Σ|G|²/36 = (9 + 4 + 1)/36 = 14/36
    assert b3.precision == approx(14 / 36)
    pw = pairwise(GOLD, pred)
    assert pw.recall == 1.0
    assert pw.precision == approx(4 / 15)  # 4 gold pairs of C(6,2)=15


def test_singleton_gold_and_singleton_prediction_is_perfect() -> None:
    labels = list(range(5))
    assert pairwise(labels, labels).f1 == 1.0
    assert b_cubed(labels, labels).f1 == 1.0


def test_input_validation() -> None:
    with pytest.raises(ValueError):
        b_cubed([], [])
    with pytest.raises(ValueError):
        pairwise([1, 2], [1])
    with pytest.raises(ValueError):
        cross_lingual_pairwise([1, 2], [1, 2], ["en"])


def test_prf_zero_f1() -> None:
    assert PRF.from_pr(0.0, 0.0).f1 == 0.0


# --- brute force reference -------------------------------------------------------------


def brute_b_cubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float]:
    n = len(gold)
    p_sum = Fraction(0)
    r_sum = Fraction(0)
    for i in range(n):
        same_pred = [j for j in range(n) if pred[j] == pred[i]]
        same_gold = [j for j in range(n) if gold[j] == gold[i]]
        both = [j for j in same_pred if gold[j] == gold[i]]
        p_sum += Fraction(len(both), len(same_pred))
        r_sum += Fraction(len(both), len(same_gold))
    return float(p_sum / n), float(r_sum / n)


def brute_pairs(
    gold: Sequence[Hashable], pred: Sequence[Hashable], langs: Sequence[Hashable] | None = None
) -> tuple[int, int, int]:
    tp = predicted = gold_n = 0
    for i, j in itertools.combinations(range(len(gold)), 2):
        if langs is not None and langs[i] == langs[j]:
            continue
        g = gold[i] == gold[j]
        p = pred[i] == pred[j]
        tp += g and p
        predicted += p
        gold_n += g
    return tp, predicted, gold_n


def test_against_brute_force_on_random_inputs() -> None:
    rng = random.Random(1234)
    for _ in range(200):
        n = rng.randint(1, 30)
        gold = [rng.randint(0, rng.randint(0, 8)) for _ in range(n)]
        pred = [rng.choice("abcdefg"[: rng.randint(1, 7)]) for _ in range(n)]
        langs = [rng.choice(["en", "de", "fr"]) for _ in range(n)]
        bp, br = brute_b_cubed(gold, pred)
        b3 = b_cubed(gold, pred)
        assert b3.precision == pytest.approx(bp, abs=1e-12)
        assert b3.recall == pytest.approx(br, abs=1e-12)
        c = pair_counts(gold, pred)
        assert (c.true_positive, c.predicted, c.gold) == brute_pairs(gold, pred)
        x = cross_lingual_pair_counts(gold, pred, langs)
        assert (x.true_positive, x.predicted, x.gold) == brute_pairs(gold, pred, langs)


def test_large_input_is_fast_and_exact() -> None:
    # 10⁵ items: a pair loop would visit 5·10⁹ pairs; contingency counting is instant.
    rng = np.random.default_rng(0)
    n = 100_000
    gold = rng.integers(0, 20_000, n).tolist()
    pred = [g if rng.random() < 0.8 else -1 for g in gold]  # 20% merged into one junk cluster
    langs = rng.choice(["en", "de", "es"], n).tolist()
    c = pair_counts(gold, pred)
    sizes = np.bincount(np.asarray(gold))
    assert c.gold == int((sizes * (sizes - 1) // 2).sum())
    r = pairwise(gold, pred)
    assert 0.0 < r.precision < 1.0 and 0.0 < r.recall < 1.0
    x = cross_lingual_pair_counts(gold, pred, langs)
    assert 0 < x.true_positive <= x.predicted and x.true_positive <= x.gold
    assert x.gold < c.gold
    assert 0.0 < b_cubed(gold, pred).f1 < 1.0


# --- properties ------------------------------------------------------------------------

small_labels = st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=40)


@st.composite
def clusterings(draw: st.DrawFn) -> tuple[list[int], list[int], list[str]]:
    gold = draw(small_labels)
    n = len(gold)
    pred = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    langs = draw(st.lists(st.sampled_from(["en", "de", "ar"]), min_size=n, max_size=n))
    return gold, pred, langs


def _all(gold: list[int], pred: list[int], langs: list[str]) -> list[PRF]:
    return [b_cubed(gold, pred), pairwise(gold, pred), cross_lingual_pairwise(gold, pred, langs)]


@settings(max_examples=200, deadline=None)
@given(clusterings())
def test_scores_are_in_unit_interval(case: tuple[list[int], list[int], list[str]]) -> None:
    for r in _all(*case):
        for v in r.to_dict().values():
            assert 0.0 <= v <= 1.0
        assert r.f1 <= max(r.precision, r.recall) + 1e-12
        assert r.f1 >= min(r.precision, r.recall) - 1e-12 or r.f1 == 0.0


@settings(max_examples=200, deadline=None)
@given(clusterings())
def test_swapping_gold_and_pred_swaps_precision_and_recall(
    case: tuple[list[int], list[int], list[str]],
) -> None:
    gold, pred, langs = case
    for fwd, bwd in zip(_all(gold, pred, langs), _all(pred, gold, langs), strict=True):
        assert fwd.precision == pytest.approx(bwd.recall, abs=1e-12)
        assert fwd.recall == pytest.approx(bwd.precision, abs=1e-12)
        assert fwd.f1 == pytest.approx(bwd.f1, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(clusterings(), st.randoms(use_true_random=False))
def test_invariant_to_label_renaming_and_item_order(
    case: tuple[list[int], list[int], list[str]], rnd: random.Random
) -> None:
    gold, pred, langs = case
    base = _all(gold, pred, langs)
    # Rename labels by arbitrary bijections (including to another type).
    g_map = {v: f"g{v * 7}" for v in set(gold)}
    p_names = list(range(100, 106))
    rnd.shuffle(p_names)
    renamed = [
        b_cubed([g_map[v] for v in gold], [p_names[v] for v in pred]),
        pairwise([g_map[v] for v in gold], [p_names[v] for v in pred]),
        cross_lingual_pairwise(
            [g_map[v] for v in gold], [p_names[v] for v in pred], [s.upper() for s in langs]
        ),
    ]
    # Permute items (same permutation for all three sequences).
    order = list(range(len(gold)))
    rnd.shuffle(order)
    permuted = _all([gold[i] for i in order], [pred[i] for i in order], [langs[i] for i in order])
    for a, b, c in zip(base, renamed, permuted, strict=True):
        for key in ("precision", "recall", "f1"):
            assert a.to_dict()[key] == pytest.approx(b.to_dict()[key], abs=1e-12)
            assert a.to_dict()[key] == pytest.approx(c.to_dict()[key], abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(small_labels)
def test_identity_is_perfect(gold: list[int]) -> None:
    assert b_cubed(gold, gold).f1 == 1.0
    assert pairwise(gold, gold).f1 == 1.0


# --- pearson ---------------------------------------------------------------------------


def test_pearson_known_values() -> None:
    assert pearson([1, 2, 3, 4], [2, 4, 6, 8]) == approx(1.0)
    assert pearson([1, 2, 3, 4], [4, 3, 2, 1]) == approx(-1.0)
    # Hand computed: x=[1,2,3], y=[1,3,2]: centred x=[-1,0,1], y=[-1,1,0];
    # Σxy = 1, Σx² = 2, Σy² = 2 -> r = 1/2.
    assert pearson([1, 2, 3], [1, 3, 2]) == approx(0.5)


def test_pearson_tiny_and_huge_spreads_do_not_underflow() -> None:
    assert pearson([0.0, 1e-300, 2e-300], [1, 2, 3]) == approx(1.0)
    assert pearson([1e300, 0.0, -1e300], [1, 2, 3]) == approx(-1.0)


def test_pearson_zero_variance_is_none() -> None:
    assert pearson([0.1, 0.1, 0.1], [1, 2, 3]) is None
    assert pearson([1, 2, 3], [5, 5, 5]) is None


def test_pearson_validation() -> None:
    with pytest.raises(ValueError):
        pearson([1.0], [2.0])
    with pytest.raises(ValueError):
        pearson([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        pearson([1.0, math.nan], [1.0, 2.0])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=2, max_size=50
    ),
    st.floats(0.01, 100),
    st.floats(-100, 100),
)
def test_pearson_matches_numpy_and_is_affine_invariant(
    xy: list[tuple[float, float]], scale: float, shift: float
) -> None:
    x = [a for a, _ in xy]
    y = [b for _, b in xy]
    r = pearson(x, y)
    if r is None:
        assert len(set(x)) == 1 or len(set(y)) == 1
        return
    assert -1.0 <= r <= 1.0
    if np.std(x) > 1e-6 and np.std(y) > 1e-6:
        assert r == pytest.approx(float(np.corrcoef(x, y)[0, 1]), abs=1e-9)
        r2 = pearson([a * scale + shift for a in x], y)
        assert r2 is not None
        assert r2 == pytest.approx(r, abs=1e-6)


# --- refinement, coarsening and encoding ---------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(clusterings(), st.integers(0, 5))
def test_splitting_a_predicted_cluster_never_raises_recall(
        case: tuple[list[int], list[int], list[str]], split: int) -> None:
    # (Precision is NOT monotone under splitting: {a,b,c} with gold {a,b}|{c} cut into
    # {a,c}|{b} loses both correct pairs.)
    gold, pred, _ = case
    finer = [(p, i % 2) if p == split else (p, 0) for i, p in enumerate(pred)]
    for metric in (b_cubed, pairwise):
        assert metric(gold, finer).recall <= metric(gold, pred).recall + 1e-12


@settings(max_examples=200, deadline=None)
@given(clusterings())
def test_splitting_along_the_gold_makes_precision_perfect(
        case: tuple[list[int], list[int], list[str]]) -> None:
    gold, pred, _ = case
    pure = list(zip(pred, gold, strict=True))
    for metric in (b_cubed, pairwise):
        after = metric(gold, pure)
        assert after.precision == 1.0
        assert after.recall <= metric(gold, pred).recall + 1e-12


@settings(max_examples=200, deadline=None)
@given(clusterings(), st.integers(0, 5), st.integers(0, 5))
def test_merging_two_predicted_clusters_never_lowers_recall(
        case: tuple[list[int], list[int], list[str]], a: int, b: int) -> None:
    gold, pred, _ = case
    coarser = [a if p == b else p for p in pred]
    for metric in (b_cubed, pairwise):
        assert metric(gold, coarser).recall >= metric(gold, pred).recall - 1e-12


@settings(max_examples=200, deadline=None)
@given(clusterings())
def test_cross_lingual_counts_are_a_subset_of_all_pair_counts(
        case: tuple[list[int], list[int], list[str]]) -> None:
    gold, pred, langs = case
    allc, cross = pair_counts(gold, pred), cross_lingual_pair_counts(gold, pred, langs)
    assert 0 <= cross.true_positive <= allc.true_positive
    assert 0 <= cross.predicted <= allc.predicted and 0 <= cross.gold <= allc.gold
    assert cross.true_positive <= min(cross.predicted, cross.gold)
    # one language for everyone: no cross-lingual pair at all
    none = cross_lingual_pair_counts(gold, pred, ["en"] * len(gold))
    assert (none.true_positive, none.predicted, none.gold) == (0, 0, 0)


@settings(max_examples=100, deadline=None)
@given(small_labels)
def test_all_in_one_b_cubed_precision_is_the_gold_purity(gold: list[int]) -> None:
    n = len(gold)
    expected = sum(gold.count(g) ** 2 for g in set(gold)) / n**2
    r = b_cubed(gold, [0] * n)
    assert r.recall == 1.0 and r.precision == pytest.approx(expected)


def test_encode_labels_first_seen_order_and_mixed_types() -> None:
    from storylens.eval.metrics import encode_labels

    assert encode_labels(["b", 1, "b", (2, 3), 1.0]).tolist() == [0, 1, 0, 2, 1]
    assert encode_labels([]).tolist() == []


def test_pair_counts_prf_conventions() -> None:
    from storylens.eval.metrics import PairCounts

    assert PairCounts(0, 0, 0).prf() == PRF(1.0, 1.0, 1.0)
    assert PairCounts(0, 3, 0).prf() == PRF(0.0, 1.0, 0.0)
    assert PairCounts(2, 4, 8).prf() == PRF(0.5, 0.25, pytest.approx(1 / 3))
