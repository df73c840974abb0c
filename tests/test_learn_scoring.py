"""Per-group scores of a clustering (storylens.learn.scoring) against brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.eval.metrics import b_cubed
from storylens.learn.devset import lang_group
from storylens.learn.scoring import group_scores, item_bcubed, scores


@st.composite
def labelled(draw: st.DrawFn) -> tuple[list[int], list[int], list[str | None]]:
    n = draw(st.integers(1, 25))
    gold = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    pred = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    langs = draw(st.lists(st.sampled_from(["en", "fr", "ru", "ar", "ja", None]), min_size=n,
                          max_size=n))
    return gold, pred, langs


@settings(max_examples=150, deadline=None)
@given(labelled())
def test_item_terms_average_to_b_cubed(case: tuple[list[int], list[int], list[str | None]]
                                       ) -> None:
    gold, pred, _ = case
    terms = item_bcubed(gold, pred)
    b3 = b_cubed(gold, pred)
    assert sum(p for p, _ in terms) / len(terms) == pytest.approx(b3.precision)
    assert sum(r for _, r in terms) / len(terms) == pytest.approx(b3.recall)
    for i, (p, r) in enumerate(terms):
        same_pred = [j for j in range(len(gold)) if pred[j] == pred[i]]
        same_gold = [j for j in range(len(gold)) if gold[j] == gold[i]]
        both = set(same_pred) & set(same_gold)
        assert (p, r) == pytest.approx((len(both) / len(same_pred), len(both) / len(same_gold)))


@settings(max_examples=150, deadline=None)
@given(labelled())
def test_group_scores_match_brute_force(case: tuple[list[int], list[int], list[str | None]]
                                        ) -> None:
    gold, pred, langs = case
    got = group_scores(gold, pred, langs)
    groups = {lang_group(lg) for lg in langs}
    assert set(got) == groups
    assert sum(g["articles"] for g in got.values()) == len(gold)
    for grp, g in got.items():
        idx = [i for i, lg in enumerate(langs) if lang_group(lg) == grp]
        pairs = [(i, j) for i in idx for j in range(len(gold))
                 if i != j and gold[i] == gold[j] and langs[i] != langs[j]]
        if not pairs:
            assert g["crosslingual_recall"] is None
        else:
            found = sum(pred[i] == pred[j] for i, j in pairs)
            assert g["crosslingual_recall"] == pytest.approx(found / len(pairs))
        for v in g["bcubed"].values():
            assert 0.0 <= v <= 1.0


def test_scores_report_shape_and_perfect_prediction() -> None:
    gold = ["a", "a", "b", "b", "c"]
    langs = ["en", "fr", "en", None, "ru"]
    out = scores(gold, gold, langs)
    assert out["bcubed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert out["pairwise"]["f1"] == 1.0 and out["crosslingual_pairwise"]["recall"] == 1.0
    assert (out["n_gold"], out["n_pred"]) == (3, 3)
    assert set(out["groups"]) == {"Latin", "Cyrillic", "Other"}
    assert "groups" not in scores(gold, gold, langs, groups=False)


def test_unknown_language_is_its_own_key_for_cross_lingual_pairs() -> None:
    # None and "en" differ, so the pair (0, 1) is cross-lingual; two Nones are not.
    out = scores(["a", "a", "a"], [1, 1, 2], ["en", None, None])
    # cross-lingual gold pairs: (0,1), (0,2); linked in pred: (0,1)
    assert out["crosslingual_pairwise"]["recall"] == pytest.approx(0.5)
    assert list(itertools.chain(out["groups"])) == ["Latin", "Other"]
