"""tone.tone_label: the one place the positive/negative cut-offs live."""

from __future__ import annotations

import pytest

from storylens.compare.tone import NEGATIVE_FROM, POSITIVE_FROM, Tone, tone_label


@pytest.mark.parametrize(
    ("score", "known", "label"),
    [(POSITIVE_FROM, True, "positive"), (0.9, True, "positive"), (0.149, True, "neutral"),
     (0.0, True, "neutral"), (-0.149, True, "neutral"), (NEGATIVE_FROM, True, "negative"),
     (-0.8, True, "negative"), (0.0, False, "unknown"), (0.9, False, "unknown")],
)
def test_tone_label(score: float, known: bool, label: str) -> None:
    assert tone_label(score, known) == label


def test_tone_objects_label_through_tone_label() -> None:
    assert (POSITIVE_FROM, NEGATIVE_FROM) == (0.15, -0.15)
    assert Tone(0.2, "lexicon:fr").label == "positive"
    assert Tone(-0.2, "vader").to_dict()["label"] == "negative"
    assert Tone(0.2, "none").label == "unknown"
