"""Sentence splitting, lexicon matching, tone, eval-pairs Pearson on a tiny JSONL."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from storylens.compare.dimensions import load_dimension_models
from storylens.compare.lexicons import LOADED, find_terms, term_regex
from storylens.compare.sentences import split_sentences
from storylens.compare.tone import article_tone
from storylens.eval.pairs import channel_matrix, evaluate_pairs, load_pairs, pearson


def test_sentences_offsets_and_guards() -> None:
    text = "Dr. Smith paid 3.5 million. J. Doe left!\n他来了。她走了？ هل جاء؟ نعم."
    sents = split_sentences(text)
    assert [s.text for s in sents] == ["Dr. Smith paid 3.5 million.", "J. Doe left!",
                                       "他来了。", "她走了？", "هل جاء؟", "نعم."]
    assert all(text[s.start:s.end] == s.text for s in sents)
    assert split_sentences("") == [] and split_sentences("... --") == []


def test_lexicon_longest_and_original_spelling() -> None:
    pats = {k: term_regex(v) for k, v in LOADED.items()}
    hits = find_terms("Le groupe terroriste du Hezbollah, TERRORISME.", pats)
    assert [(h.key, h.surface) for h in hits] == [("terrorism", "groupe terroriste"),
                                                  ("terrorism", "TERRORISME")]


def test_tone_scores_and_drivers() -> None:
    neg = article_tone("Der Angriff war eine Katastrophe, viele Opfer.", "de")
    pos = article_tone("La coopération progresse, un succès et un espoir de paix.", "fr")
    assert neg.score < 0 < pos.score
    assert ("angriff", 1) in neg.negative
    assert article_tone("", "fr").score == 0.0


def test_pearson() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]))


def _article(i: int, text: str, lang: str = "en") -> dict[str, str]:
    return {"id": f"t{i}", "lang": lang, "text": text}


STORM = "A storm hit Lisbon in Portugal on Monday and 40 people were evacuated by officials."
STORM2 = "Officials in Portugal evacuated 40 people as a storm struck Lisbon on Monday."
VOTE = "Voters in Chile elected a new parliament on Sunday after a long campaign."
CAKE = "This recipe for chocolate cake needs flour, sugar, eggs and an oven at 180 degrees."


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    rows = [(STORM, STORM2, 1.0), (STORM, VOTE, 3.5), (STORM2, CAKE, 4.0), (VOTE, CAKE, 4.0),
            (STORM, STORM, 1.0)]
    p = tmp_path / "pairs.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        for i, (a, b, y) in enumerate(rows):
            fh.write(json.dumps({"a": _article(2 * i, a), "b": _article(2 * i + 1, b),
                                 "overall": y, "geography": y}) + "\n")
        fh.write("not json\n")
    return p


def test_eval_pairs_pearson_is_computed_on_predictions(tiny: Path) -> None:
    r = evaluate_pairs(tiny, embedder="static")
    assert r["n_pairs"] == 5 and len(r["failed"]) == 1
    assert r["pearson"]["time"] is None  # no labels for it
    pairs, _ = load_pairs(tiny)
    pred = load_dimension_models("static").models["overall"].predict(
        channel_matrix(pairs, embedder="static"))
    gold = np.array([p.labels["overall"] for p in pairs])
    assert r["pearson"]["overall"] == pytest.approx(np.corrcoef(pred, gold)[0, 1], abs=1e-4)
    assert r["pearson"]["overall"] > 0.5


def test_channels_use_comparable_heads_of_long_articles() -> None:
    from storylens.compare.analysis import analyse_many
    from storylens.compare.channels import COVERAGE_THRESHOLD, FEATURES, HEAD_CHARS, channels
    from storylens.records import Article
    from storylens.represent.base import get_embedder

    base_a = " ".join(f"Report {i}: {s}" for i, s in enumerate([STORM, VOTE] * 9))
    base_b = " ".join(f"Note {i}: {s}" for i, s in enumerate([STORM2, CAKE] * 9))
    filler = " ".join(f"Paragraph {i} says again that {STORM2}" for i in range(40))
    arts = [Article(id=f"h{i}", source="t", title="Storm", text=t, raw=t, raw_format="text",
                    lang="en")
            for i, t in enumerate((base_a, base_a + " " + filler,
                                   base_b, base_b + " " + filler))]
    short_a, long_a, short_b, long_b = analyse_many(arts, get_embedder("static"), enrich=False)
    assert len(base_a) > HEAD_CHARS and len(long_a.doc) > 3 * HEAD_CHARS
    short = channels(short_a, short_b, threshold=COVERAGE_THRESHOLD, tone_a=0, tone_b=0)
    long = channels(long_a, long_b, threshold=COVERAGE_THRESHOLD, tone_a=0, tone_b=0)
    # the same filler appended to both sides makes them look alike over the full texts...
    assert long["full_cov"] > short["full_cov"] + 0.2
    # ...but the model sees the heads only (the training excerpts' length): no drift
    assert "full_cov" not in FEATURES
    for f in FEATURES:
        assert long[f] == pytest.approx(short[f]), f


def test_dimension_model_clips_inputs_to_training_range() -> None:
    from storylens.compare.dimensions import LinearDimension

    m = LinearDimension(np.zeros(1), np.ones(1), np.ones(1), 2.0, np.array([-1.0]),
                        np.array([1.0]))
    assert m.predict(np.array([0.5]))[0] == pytest.approx(2.5)
    assert m.predict(np.array([50.0]))[0] == pytest.approx(3.0)
    assert LinearDimension.from_json(m.to_json()).predict(np.array([50.0]))[0] == 3.0
    assert all(d.lo is not None for d in load_dimension_models("static").models.values())
