"""Per-line measurements behind the cleaner (storylens.extract.line_features): sentence ends in
many scripts, captions and credits, links, labels, separators, copyright, scripts, stoplists,
document features (cohesion, duplicates) and the feature matrix layout."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.extract.line_features import (
    CONTEXT_FEATURES,
    FEATURE_NAMES,
    add_document_features,
    all_feature_names,
    char_script,
    ends_with_sentence_mark,
    feature_matrix,
    is_caption,
    measure,
    measure_document,
    sample_for_detection,
    script_histogram,
    stoplist,
)

EN = stoplist("en")


@pytest.mark.parametrize(
    "text",
    ["It rained.", "Did it rain?", "It rained!", "It rained…", "It rained.”", "Il a dit « oui ».",
     "He said \"no.\"", "東京で地震が発生しました。", "هل هذا صحيح؟", "यह सच है।", "(It rained.)"],
)
def test_sentence_ends_in_many_scripts(text: str) -> None:
    assert ends_with_sentence_mark(text)


@pytest.mark.parametrize("text", ["", "   ", "Home", "Breaking: storm", "\"quoted\"", "ok)",
                                  "3.5"[:2] + "5"])
def test_not_sentence_ends(text: str) -> None:
    assert not ends_with_sentence_mark(text)


@pytest.mark.parametrize(
    "text",
    ["Benny Gantz et Recep Tayyip Erdogan( Photo : Yair Sagi, AP )", "Photo: AFP",
     "The mayor spoke (Reuters photo)", "REUTERS/John Smith", "Source : Le Monde",
     "Le président à Paris [Getty Images]", "Фото: ТАСС", "La ministre, lundi. Photo: Jean Dupont"],
)
def test_captions_and_credits(text: str) -> None:
    assert is_caption(text)


@pytest.mark.parametrize(
    "text",
    ["The photo shows the mayor at the town hall with his deputies.",
     "He met Reuters reporters (and others) on Monday.", "The AP style guide changed.",
     "Le maire a dit « oui »."],
)
def test_prose_mentioning_photos_or_agencies_is_not_a_caption(text: str) -> None:
    assert not is_caption(text)


@pytest.mark.parametrize(
    ("text", "link"),
    [("www.example.com", True), ("contact@example.org", True), ("#breaking news", True),
     ("@handle", True), ("see example.fr/a", True), ("https://x.org", True),
     ("The mayor said no.", False), ("Email me at noon", False), ("C# is a language", False)],
)
def test_link_like(text: str, link: bool) -> None:
    assert measure(text, EN, False).link_like is link


def test_label_prefix_is_lower_cased_and_counts_the_rest() -> None:
    info = measure("Lire  Aussi : la grève des trains", frozenset(), False)
    assert info.label == "lire aussi" and info.label_rest_words == 4


def test_long_prefix_is_not_a_label() -> None:
    assert measure("This is a long opening of five words: rest", EN, False).label is None
    assert measure("2024: a year", EN, False).label is None  # labels start with a letter


def test_separators_and_copyright() -> None:
    assert measure("Home | News | Sport", EN, False).separators == 2
    assert measure("Home News Sport", EN, False).separators == 0
    for text in ["© 2024", "(c) 2020 X", "All Rights Reserved"]:
        assert measure(text, EN, False).copyright, text
    assert not measure("The rights of all citizens are reserved by law.", EN, False).copyright


def test_measure_counts() -> None:
    info = measure("The Mayor said: 12 new SCHOOLS, 3 roads.", EN, False)
    assert info.n_words == 8 and info.n_chars == 40
    assert info.words == ["the", "mayor", "said", "12", "new", "schools", "3", "roads"]
    assert info.ends_sentence and info.n_sentences == 1
    assert info.digit_ratio == pytest.approx(3 / 40)
    assert info.upper_ratio == pytest.approx(1 / 8)  # "SCHOOLS"
    assert info.comma_per_word == pytest.approx(1 / 8)
    # initials T M s 1 n S 3 r: cased ones T M s n S r, upper T M S
    assert info.title_ratio == pytest.approx(3 / 6)
    assert info.stop_density == pytest.approx(
        sum(w in EN for w in info.words) / 8)


def test_stop_density_without_a_stoplist_is_neutral() -> None:
    assert measure("Some words here", frozenset(), False).stop_density == 0.25


def test_unspaced_scripts_count_letters_by_two() -> None:
    info = measure("東京で地震が発生しました。", frozenset(), True)
    assert info.n_words == 6  # 12 letters / 2


def test_stoplist_lookup() -> None:
    fr = stoplist("fr")
    assert {"le", "la", "et", "de"} <= fr
    assert stoplist("FR-ca") == fr
    assert stoplist("xx") == frozenset() and stoplist(None) == frozenset()
    assert stoplist("iw") == stoplist("he") and stoplist("no") == stoplist("nb")


@pytest.mark.parametrize(
    ("ch", "script"),
    [("a", "LATIN"), ("é", "LATIN"), ("Ж", "CYRILLIC"), ("あ", "CJK"), ("ア", "CJK"),
     ("中", "CJK"), ("한", "HANGUL"), ("א", "HEBREW"), ("ب", "ARABIC"), ("1", None), (" ", None),
     ("-", None)],
)
def test_char_script(ch: str, script: str | None) -> None:
    assert char_script(ch) == script


def test_script_histogram_counts_letters_only() -> None:
    assert script_histogram("abc Жж 中! 12") == {"LATIN": 3, "CYRILLIC": 2, "CJK": 1}
    assert script_histogram("123 !?") == {}


def test_sample_for_detection_takes_the_longest_lines_first() -> None:
    lines = ["short", "a" * 500, "b" * 400, "c" * 100]
    assert sample_for_detection(lines) == "a" * 500 + "\n" + "b" * 400
    assert sample_for_detection(lines, limit=10_000).split("\n") == [
        "a" * 500, "b" * 400, "c" * 100, "short"]
    assert sample_for_detection([]) == ""


def test_cohesion_and_duplicates() -> None:
    lines = [
        "The council approved the school budget after a long debate on Tuesday.",
        "Council members said the school budget would help teachers and pupils.",
        "Subscribe newsletter weekly offers discounts",
        "Home",
        "Home",
    ]
    infos = [measure(ln, EN, False) for ln in lines]
    add_document_features(infos, EN)
    assert infos[0].cohesion > 0.2 and infos[1].cohesion > 0.2  # council, school, budget
    assert infos[2].cohesion == 0.0  # none of its words occur in the long lines
    assert infos[3].cohesion == 0.5  # fewer than 3 content words: left at the neutral 0.5
    assert [i.dup_in_doc for i in infos] == [False, False, False, True, True]


def test_a_long_line_does_not_cohere_with_itself() -> None:
    infos = [measure("Alpha bravo charlie delta echo foxtrot golf hotel india.", EN, False)]
    add_document_features(infos, EN)
    assert infos[0].cohesion == 0.0


def test_feature_matrix_layout() -> None:
    lines = ["Council passes budget", "The council approved the budget on Tuesday evening.",
             "Share"]
    infos = [measure(ln, EN, False) for ln in lines]
    add_document_features(infos, EN)
    x = feature_matrix(infos)
    names = all_feature_names()
    assert x.shape == (3, len(FEATURE_NAMES) + 2 * len(CONTEXT_FEATURES)) == (3, len(names))
    col = {n: i for i, n in enumerate(names)}
    assert x[1, col["log_words"]] == pytest.approx(math.log1p(8))
    assert x[:, col["ends_sentence"]].tolist() == [0.0, 1.0, 0.0]
    assert x[:, col["rel_pos"]].tolist() == [0.0, 0.5, 1.0]
    assert x[:, col["short"]].tolist() == [1.0, 0.0, 1.0]
    # context columns: previous/next line's values, zero at the edges
    assert x[0, col["prev_log_words"]] == 0.0 and x[2, col["next_log_words"]] == 0.0
    assert x[1, col["prev_log_words"]] == x[0, col["log_words"]]
    assert x[1, col["next_ends_sentence"]] == x[2, col["ends_sentence"]]


def test_feature_matrix_of_one_and_zero_lines() -> None:
    one = feature_matrix([measure("Alone.", EN, False)])
    assert one.shape[0] == 1 and one[0, FEATURE_NAMES.index("rel_pos")] == 0.0
    assert feature_matrix([]).shape == (0, len(all_feature_names()))


def test_measure_document_detects_language_and_script() -> None:
    lines = ["Le conseil municipal a voté mardi soir le budget de la ville pour l'année "
             "prochaine, a précisé le maire.", "Les dépenses augmentent de dix pour cent."]
    doc = measure_document(lines)
    assert doc.lang == "fr" and doc.script == "LATIN" and "le" in doc.stops
    assert len(doc.infos) == 2
    given = measure_document(lines, lang="en", script="LATIN")
    assert given.lang == "en" and "the" in given.stops


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=80).map(str.strip).filter(bool), st.booleans())
def test_measure_is_total_and_bounded(text: str, unspaced: bool) -> None:
    info = measure(text, EN, unspaced)
    assert info.n_chars == len(text) and info.n_words >= 0
    for ratio in (info.stop_density, info.title_ratio, info.upper_ratio, info.digit_ratio,
                  info.punct_ratio):
        assert 0.0 <= ratio <= 1.0
    assert info.n_sentences >= int(info.ends_sentence)
    x = feature_matrix([info])
    assert np.isfinite(x).all()
