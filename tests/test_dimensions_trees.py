"""Boosted trees of the dimension models: sklearn export, numpy inference, JSON round trip,
the blend, the shipped weights and the word table of the lexical channels."""

from __future__ import annotations

import json

import numpy as np
import pytest

from storylens.compare.channels import FEATURES
from storylens.compare.dimensions import (
    DIMENSIONS,
    BlendedDimension,
    LinearDimension,
    load_dimension_models,
    model_from_json,
)
from storylens.compare.word_weights import (
    DocFreqTable,
    char_ngram_cosine,
    load_table,
    tfidf_cosine,
    word_jaccard,
)
from storylens.trees import TreeEnsemble, from_sklearn, from_sklearn_hist


def _data(n: int = 300, d: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = 2.5 + 0.5 * x[:, 0] - 0.4 * (x[:, 1] > 0) * x[:, 2] + 0.1 * rng.normal(size=n)
    return x, y


def test_tree_export_matches_sklearn_and_survives_json() -> None:
    sk = pytest.importorskip("sklearn.ensemble")
    x, y = _data()
    gbr = sk.GradientBoostingRegressor(n_estimators=40, max_depth=3, learning_rate=0.1,
                                       subsample=0.8, random_state=0).fit(x, y)
    trees = from_sklearn(gbr)
    assert trees.n_trees == 40 and trees.depth == 3
    np.testing.assert_allclose(trees.predict(x), gbr.predict(x), atol=1e-9)
    back = TreeEnsemble.from_json(json.loads(json.dumps(trees.to_json())))
    np.testing.assert_allclose(back.predict(x), gbr.predict(x), atol=1e-5)
    # a single row (the run-time case) gives the same as in a batch
    assert back.predict(x[3])[0] == pytest.approx(back.predict(x)[3])


def test_tree_export_pads_early_leaves() -> None:
    sk = pytest.importorskip("sklearn.ensemble")
    x, y = _data(n=60)
    # min_samples_leaf forces branches that stop before the maximum depth
    gbr = sk.GradientBoostingRegressor(n_estimators=15, max_depth=4, min_samples_leaf=12,
                                       random_state=1).fit(x, y)
    trees = from_sklearn(gbr)
    assert (trees.feature == -1).any()
    np.testing.assert_allclose(trees.predict(x), gbr.predict(x), atol=1e-9)


def test_hist_tree_export_matches_sklearn_pads_and_survives_json() -> None:
    """The second look's trees come from HistGradientBoostingRegressor (sample weights,
    leaves that stop early under min_samples_leaf): numpy gives sklearn's predictions."""
    sk = pytest.importorskip("sklearn.ensemble")
    x, y = _data(n=400)
    w = np.random.default_rng(3).uniform(0.5, 3.0, len(y))
    hgb = sk.HistGradientBoostingRegressor(max_iter=25, max_depth=4, min_samples_leaf=40,
                                           max_leaf_nodes=None, early_stopping=False,
                                           random_state=0).fit(x, y, sample_weight=w)
    trees = from_sklearn_hist(hgb)
    assert trees.n_trees == 25 and trees.depth == 4
    assert (trees.feature == -1).any()  # some branch ended before depth 4 and was padded
    fresh = _data(n=200, seed=7)[0]
    np.testing.assert_allclose(trees.predict(fresh), hgb.predict(fresh), atol=1e-9)
    back = TreeEnsemble.from_json(json.loads(json.dumps(trees.to_json())))
    np.testing.assert_allclose(back.predict(fresh), hgb.predict(fresh), atol=1e-5)


def test_hist_tree_export_needs_a_depth_and_no_categories() -> None:
    sk = pytest.importorskip("sklearn.ensemble")
    x, y = _data(n=120)
    free = sk.HistGradientBoostingRegressor(max_iter=3, early_stopping=False).fit(x, y)
    with pytest.raises(ValueError, match="max_depth"):
        from_sklearn_hist(free)
    xc = np.column_stack([np.arange(120) % 3, x[:, 0]])
    cat = sk.HistGradientBoostingRegressor(max_iter=3, max_depth=2, early_stopping=False,
                                           categorical_features=[0]).fit(
                                               xc, 5.0 * (xc[:, 0] == 1) + 0.1 * y)
    with pytest.raises(ValueError, match="categorical"):
        from_sklearn_hist(cat)


def test_tree_ensemble_rejects_inconsistent_arrays() -> None:
    with pytest.raises(ValueError, match="complete trees"):
        TreeEnsemble(0.0, 2, np.zeros((1, 3), dtype=np.int64), np.zeros((1, 3)),
                     np.zeros((1, 3)))
    empty = TreeEnsemble(2.0, 1, np.zeros((0, 1), dtype=np.int64), np.zeros((0, 1)),
                         np.zeros((0, 2)))
    assert empty.predict(np.zeros((2, 4))).tolist() == [2.0, 2.0]


def test_blend_averages_linear_and_trees_and_clips() -> None:
    lin = LinearDimension(np.zeros(1), np.ones(1), np.ones(1), 2.0, np.array([-1.0]),
                          np.array([1.0]))
    # one stump: x > 0 -> 4.0 + 1.0 (clipped to 4), else 4.0 - 2.0
    stump = TreeEnsemble(4.0, 1, np.array([[0]]), np.array([[0.0]]),
                         np.array([[-2.0, 1.0]]))
    m = BlendedDimension(lin, stump, 0.5)
    assert m.predict(np.array([0.5]))[0] == pytest.approx(0.5 * 2.5 + 0.5 * 4.0)
    assert m.predict(np.array([-0.5]))[0] == pytest.approx(0.5 * 1.5 + 0.5 * 2.0)
    assert m.predict(np.array([50.0]))[0] == pytest.approx(0.5 * 3.0 + 0.5 * 4.0)
    back = model_from_json(json.loads(json.dumps(m.to_json())))
    assert isinstance(back, BlendedDimension)
    assert back.predict(np.array([-0.5]))[0] == pytest.approx(m.predict(np.array([-0.5]))[0])
    assert isinstance(model_from_json(lin.to_json()), LinearDimension)


@pytest.mark.parametrize("embedder", ["static", "use"])
def test_shipped_weights_are_blends_for_the_current_features(embedder: str) -> None:
    m = load_dimension_models(embedder)
    assert set(m.models) == set(DIMENSIONS)
    assert m.meta["oof_pearson"]["overall"] > 0.65
    assert m.meta["fold_seeds"] and len(m.meta["oof_pearson_detail"]["overall"]
                                        ["per_seed"]) == len(m.meta["fold_seeds"])
    rng = np.random.default_rng(0)
    for d in m.models.values():
        assert isinstance(d, BlendedDimension) and d.lo is not None and d.hi is not None
        assert d.lo.shape == (len(FEATURES),) and d.trees.feature.max() < len(FEATURES)
        x = rng.uniform(d.lo, d.hi, size=(20, len(FEATURES)))
        p = d.predict(x)
        assert p.shape == (20,) and ((p >= 1.0) & (p <= 4.0)).all()


def test_word_table_weighs_frequent_words_down() -> None:
    table = DocFreqTable.build(["that cat here", "that that dog there", "they said"])
    assert table.n_docs == 3 and table.df["that"] == 2 and "cat" not in table.df
    assert DocFreqTable.build(["aaaa bbbb", "bbbb"], size=1).df == {"bbbb": 2}
    assert table.idf("that") < table.idf("unseen") == pytest.approx(table.idf("here"))
    shipped = load_table()
    assert shipped.n_docs > 1000 and shipped.idf("that") < shipped.idf("erdogan")
    # sharing only a frequent word counts less than sharing only a rare one
    common = tfidf_cosine("that zebra quokka", "that walrus lemming", shipped)
    rare = tfidf_cosine("that zebra quokka", "this zebra lemming", shipped)
    assert 0 < common < rare
    assert tfidf_cosine("", "anything") == 0.0


def test_char_and_word_overlap() -> None:
    assert char_ngram_cosine("Erdoğans Besuch", "Erdogan visit") > 0.3
    assert char_ngram_cosine("Erdoğan", "Erdoğan") == pytest.approx(1.0)
    assert char_ngram_cosine("ab", "cd") == 0.0
    assert word_jaccard("a b c", "b c d") == pytest.approx(0.5)
    assert word_jaccard("", "") == 0.0
