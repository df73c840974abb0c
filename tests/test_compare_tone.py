"""``compare.tone``: the damped lexicon score ``(pos - neg) / (pos + neg + 3)``, language
codes with regions, VADER for English when installed, labels and the "unknown" tone of
languages without a lexicon."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.compare.tone import Tone, _base, _vader, article_tone


@pytest.mark.parametrize(("lang", "base"), [
    ("fr", "fr"), ("de-AT", "de"), ("pt_BR", "pt"), ("EN", "en"), (None, ""), ("", ""),
])
def test_base_language(lang: str | None, base: str) -> None:
    assert _base(lang) == base


def test_lexicon_score_formula_and_drivers() -> None:
    t = article_tone("The attack killed many: a disaster and a war.", "en", use_vader=False)
    assert t.method == "lexicon:en"
    assert t.score == pytest.approx((0 - 4) / (0 + 4 + 3))
    assert dict(t.negative) == {"attack": 1, "killed": 1, "disaster": 1, "war": 1}
    assert t.positive == [] and t.label == "negative"
    mixed = article_tone("Peace and hope, but war.", "en", use_vader=False)
    assert mixed.score == pytest.approx((2 - 1) / (3 + 3))
    assert mixed.label == "positive", "1/6 is over the 0.15 bar"


def test_counts_are_case_and_diacritic_insensitive() -> None:
    t = article_tone("Victimes, VICTIMES et victime. Succès!", "fr")
    assert dict(t.negative) == {"victimes": 2, "victime": 1}
    assert dict(t.positive) == {"succès": 1}
    assert t.score == pytest.approx((1 - 3) / (4 + 3))


def test_one_word_is_damped() -> None:
    t = article_tone("Ein Angriff.", "de")
    assert t.score == pytest.approx(-0.25) and t.label == "negative"
    assert article_tone("Ein Erfolg.", "de-CH").score == pytest.approx(0.25)


def test_regional_codes_use_the_base_lexicon() -> None:
    assert article_tone("Un éxito y una esperanza.", "pt-BR").method == "lexicon:pt"
    assert article_tone("Angriff", "de_AT").method == "lexicon:de"


def test_unknown_and_empty_are_not_neutral() -> None:
    for t in (article_tone("Ett angrepp.", "sv"), article_tone("Anything.", None),
              article_tone("   ", "fr")):
        assert t.method == "none" and t.score == 0.0 and t.label == "unknown"


def test_top_limits_drivers() -> None:
    t = article_tone("attack threat war death crisis conflict fear danger", "en",
                     use_vader=False, top=3)
    assert len(t.negative) == 3


def test_english_uses_vader_when_installed() -> None:
    if _vader() is None:
        pytest.skip("vaderSentiment is not installed")
    t = article_tone("The attack killed many. It was a disaster.", "en")
    assert t.method == "vader" and -1 <= t.score < -0.3
    assert ("attack", 1) in t.negative or ("killed", 1) in t.negative
    good = article_tone("A wonderful success, everyone was happy.", "en")
    assert good.score > 0.3 and good.label == "positive"


@pytest.mark.parametrize(("score", "label"), [(0.15, "positive"), (0.149, "neutral"),
                                              (-0.149, "neutral"), (-0.15, "negative")])
def test_label_bounds(score: float, label: str) -> None:
    assert Tone(score, "lexicon:en").label == label


def test_to_dict() -> None:
    t = Tone(-0.123456, "lexicon:fr", [("paix", 2)], [("guerre", 1)])
    assert t.to_dict() == {"score": -0.1235, "label": "neutral", "method": "lexicon:fr",
                           "positive": [{"word": "paix", "count": 2}],
                           "negative": [{"word": "guerre", "count": 1}]}


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=120), st.sampled_from(["fr", "en", "de", "ar", "ru", "zz", None]))
def test_score_is_bounded_and_never_raises(text: str, lang: str | None) -> None:
    t = article_tone(text, lang, use_vader=False)
    assert -1 < t.score < 1
    assert t.method in ("none", f"lexicon:{_base(lang)}")
