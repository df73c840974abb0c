"""``compare.facts``: the hybrid sentence similarity (dense cosine blended with name and
number Jaccard), greedy one-to-one alignment, and the shared/unique split with its
coverage. Small hand-made matrices pin the arithmetic; hypothesis checks the alignment's
invariants; a hashing-embedder pair checks the end-to-end split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from storylens.compare.analysis import analyse_many
from storylens.compare.facts import (
    FALLBACK_THRESHOLD,
    NAME_WEIGHT,
    AlignedPair,
    FactSentence,
    align_facts,
    greedy_align,
    hybrid_similarity,
    sentence_keys,
    similarity_matrix,
    threshold_for,
)
from storylens.records import Article
from storylens.represent.base import get_embedder

F = frozenset


def test_thresholds_per_embedder() -> None:
    assert threshold_for("static") == 0.5 and threshold_for("use") == 0.45
    assert threshold_for("hashing") == FALLBACK_THRESHOLD == threshold_for("whatever")


def test_hybrid_blends_only_where_both_sides_have_keys() -> None:
    dense = np.array([[0.8, 0.8, 0.8], [0.2, 0.2, 0.2]])
    keys_a = [F({"erdogan", "gantz"}), F()]
    keys_b = [F({"erdogan", "gantz"}), F({"erdogan", "herzog"}), F()]
    out = hybrid_similarity(dense, keys_a, keys_b)
    w = NAME_WEIGHT
    assert out[0, 0] == pytest.approx((1 - w) * 0.8 + w * 1.0)
    assert out[0, 1] == pytest.approx((1 - w) * 0.8 + w * (1 / 3)), "Jaccard 1/3"
    assert out[0, 2] == pytest.approx(0.8), "B carries no key: dense only"
    assert out[1].tolist() == pytest.approx([0.2, 0.2, 0.2]), "A carries no key"
    assert dense[0, 0] == 0.8, "the input is not modified"


def test_hybrid_disjoint_names_pull_similarity_down() -> None:
    out = hybrid_similarity(np.array([[0.9]]), [F({"herzog"})], [F({"gantz"})])
    assert out[0, 0] == pytest.approx((1 - NAME_WEIGHT) * 0.9)
    assert hybrid_similarity(np.zeros((0, 3)), [], [F()] * 3).shape == (0, 3)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_hybrid_matches_a_plain_loop(data: st.DataObject) -> None:
    na, nb = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    pool = st.frozensets(st.sampled_from("abcdef"), max_size=4)
    ka = data.draw(st.lists(pool, min_size=na, max_size=na))
    kb = data.draw(st.lists(pool, min_size=nb, max_size=nb))
    dense = data.draw(arrays(np.float64, (na, nb), elements=st.floats(-1, 1)))
    out = hybrid_similarity(dense, ka, kb)
    for i in range(na):
        for j in range(nb):
            want = dense[i, j]
            if ka[i] and kb[j]:
                jac = len(ka[i] & kb[j]) / len(ka[i] | kb[j])
                want = (1 - NAME_WEIGHT) * want + NAME_WEIGHT * jac
            assert out[i, j] == pytest.approx(want)


def test_greedy_align_takes_best_pairs_one_to_one() -> None:
    sim = np.array([[0.9, 0.8, 0.1],
                    [0.85, 0.3, 0.2],
                    [0.1, 0.7, 0.6]])
    # 0.9 (0,0) first; (1,0) is blocked by column 0; then 0.8 (0,1) is blocked by row 0;
    # then 0.7 (2,1); then (2,2) is blocked by row 2; (1,2)=0.2 is under the threshold
    assert greedy_align(sim, 0.5) == [(0, 0), (2, 1)]
    assert greedy_align(sim, 0.95) == []
    assert greedy_align(sim, -1.0) == [(0, 0), (1, 2), (2, 1)]
    assert greedy_align(np.zeros((0, 4)), 0.1) == []


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(-1, 1)), st.floats(-1, 1))
def test_greedy_align_invariants(sim: np.ndarray, threshold: float) -> None:
    pairs = greedy_align(sim, threshold)
    rows, cols = [i for i, _ in pairs], [j for _, j in pairs]
    assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols), "one-to-one"
    assert all(sim[i, j] >= threshold for i, j in pairs)
    assert pairs == sorted(pairs)
    assert len(pairs) <= min(sim.shape)
    # maximality: no unused row and unused column could still be paired
    free_r = set(range(sim.shape[0])) - set(rows)
    free_c = set(range(sim.shape[1])) - set(cols)
    assert not any(sim[i, j] >= threshold for i in free_r for j in free_c)


def _arts(a: str, b: str) -> tuple[Article, Article]:
    return tuple(Article(id=i, source=f"{i}.txt", title="", text=t, raw=t,
                         raw_format="text", lang="en")
                 for i, t in (("fa", a), ("fb", b)))  # type: ignore[return-value]


def test_align_facts_splits_shared_and_unique() -> None:
    a, b = _arts("The storm hit Lisbon on Monday night. The mayor praised the rescuers. "
                 "Chocolate cake needs flour and sugar.",
                 "Chocolate cake needs flour and sugar. The storm hit Lisbon on Monday night. "
                 "Tourists left Porto by train.")
    an_a, an_b = analyse_many([a, b], get_embedder("hashing"), enrich=False)
    facts = align_facts(an_a, an_b, threshold=0.9)
    assert [(p.a.text, p.b.text) for p in facts.shared] == [
        ("The storm hit Lisbon on Monday night.", "The storm hit Lisbon on Monday night."),
        ("Chocolate cake needs flour and sugar.", "Chocolate cake needs flour and sugar.")]
    assert [p.a.index for p in facts.shared] == [0, 2], "in A's order"
    assert [s.text for s in facts.only_a] == ["The mayor praised the rescuers."]
    assert [s.text for s in facts.only_b] == ["Tourists left Porto by train."]
    assert facts.coverage_a == pytest.approx(2 / 3) == facts.coverage_b
    assert all(p.similarity == pytest.approx(1.0, abs=1e-5) for p in facts.shared)
    # the fact sentences carry what they mention
    storm = facts.shared[0].a
    assert storm.entities == ["lisbon", "monday"] and storm.numbers == []
    assert an_a.doc[storm.start:storm.end] == storm.text
    d = facts.to_dict()
    assert d["threshold"] == 0.9 and d["coverage_a"] == round(2 / 3, 4)
    assert d["shared"][0]["a"]["text"] == storm.text and d["only_b"][0]["index"] == 2


def test_align_facts_on_an_empty_side() -> None:
    a, b = _arts("A sentence of some length here.", "")
    an_a, an_b = analyse_many([a, b], get_embedder("hashing"), enrich=False)
    assert similarity_matrix(an_a, an_b).shape == (1, 0)
    facts = align_facts(an_a, an_b, threshold=0.5)
    assert facts.shared == [] and facts.only_b == []
    assert [s.text for s in facts.only_a] == ["A sentence of some length here."]
    assert (facts.coverage_a, facts.coverage_b) == (0.0, 0.0)


def test_sentence_keys_are_names_and_numbers() -> None:
    a, _ = _arts("Officials in Lisbon counted 1,500 evacuees.", "x")
    an = analyse_many([a], get_embedder("hashing"), enrich=False)[0]
    assert sentence_keys(an) == [F({"lisbon", "1500"})]


def test_pair_to_dict_rounds_similarity() -> None:
    p = AlignedPair(FactSentence(0, "a", 0, 1, ["x"], ["12"]), FactSentence(3, "b", 5, 6),
                    0.123456789)
    assert p.to_dict() == {"a": {"index": 0, "text": "a", "start": 0, "end": 1,
                                 "entities": ["x"], "numbers": ["12"]},
                           "b": {"index": 3, "text": "b", "start": 5, "end": 6,
                                 "entities": [], "numbers": []},
                           "similarity": 0.1235}
