"""Language identification and script profiling (storylens.enrich.language)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.enrich.language import (
    detect,
    dominant_script,
    script_counts,
    script_of,
    script_runs,
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Le conseil municipal a voté mardi soir le budget de la ville.", "fr"),
     ("The city council voted on the budget for next year on Tuesday evening.", "en"),
     ("Der Stadtrat hat am Dienstagabend den Haushalt für das nächste Jahr beschlossen.", "de"),
     ("Городской совет во вторник вечером утвердил бюджет на следующий год.", "ru")],
)
def test_detect(text: str, lang: str) -> None:
    got, prob = detect(text)
    assert got == lang and 0.5 < prob <= 1.0


@pytest.mark.parametrize("text", ["", "short", "12345 67890 !!!", "ab cd"])
def test_too_few_letters_to_judge(text: str) -> None:
    assert detect(text) == (None, 0.0)


def test_only_the_first_5000_characters_are_read() -> None:
    text = "Le conseil municipal a voté le budget de la ville. " * 100 + "The city " * 5000
    assert detect(text)[0] == "fr"


@pytest.mark.parametrize(
    ("ch", "script"),
    [("a", "LATIN"), ("ж", "CYRILLIC"), ("ש", "HEBREW"), ("ب", "ARABIC"), ("中", "CJK"),
     ("ひ", "CJK"), ("カ", "CJK"), ("한", "HANGUL"), ("α", "GREEK"), ("1", None), ("-", None)],
)
def test_script_of(ch: str, script: str | None) -> None:
    assert script_of(ch) == script


def test_counts_and_dominant_script() -> None:
    assert script_counts("ab 12 中") == {"LATIN": 2, "CJK": 1}
    assert dominant_script("abc жжжж") == "CYRILLIC"
    assert dominant_script("123 !!") is None


def test_script_runs_keep_punctuation_with_the_run_it_is_in() -> None:
    assert script_runs("שלום Bonjour") == [("HEBREW", "שלום "), ("LATIN", "Bonjour")]
    assert script_runs("Benny Gantz (בני גנץ).") == [("LATIN", "Benny Gantz ("),
                                                      ("HEBREW", "בני גנץ).")]
    assert script_runs("") == [] and script_runs("123") == [(None, "123")]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_script_runs_partition_the_line(line: str) -> None:
    runs = script_runs(line)
    assert "".join(t for _, t in runs) == line
    scripts = [s for s, _ in runs]
    assert all(a != b for a, b in itertools.pairwise(scripts))
    for s, t in runs:
        assert {script_of(c) for c in t} - {None} <= ({s} if s else set())
