"""textnorm: the one folding table and number parser every stage shares."""

from __future__ import annotations

import pytest

from storylens.textnorm import (
    FOLD_LETTERS,
    fold,
    fold_with_map,
    nfkc_lower,
    number_key,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Erdoğan", "erdogan"),
        ("Ærø", "aero"),
        ("Łódź", "lodz"),
        ("straße", "strasse"),
        ("STRASSE", "strasse"),
        ("İstanbul", "istanbul"),
        ("ılık", "ilik"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Đoković", "dokovic"),
        ("Þórður", "thordur"),
        ("sœur", "soeur"),
        ("Ħamrun", "hamrun"),
        ("O’Brien", "o'brien"),
        ("ﬁnale", "finale"),
        ("№ 5", "no 5"),
        ("ǿ", "o"),
        ("Ελλάδα", "ελλαδα"),
        ("Москва́", "москва"),
        ("ガ", "カ"),  # dakuten is a combining mark: dropped (callers keep katakana unfolded)
        ("plain ascii", "plain ascii"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_without_the_table_only_casefolds_and_strips_marks() -> None:
    assert fold("Łódź İstanbul Straße O’Brien", table=False) == "łodz istanbul strasse o’brien"
    assert fold("Erdoğan", table=False) == fold("Erdoğan") == "erdogan"


def test_fold_is_idempotent_and_table_is_lower_case() -> None:
    for text in ("Ærø Łódź İstanbul Straße", "Þórður Đoković ĦAMRUN", "l’ONU ʻOumuamua"):
        assert fold(fold(text)) == fold(text)
    assert all(k == k.casefold() for k in FOLD_LETTERS)
    assert all(fold(k.upper()) == v for k, v in FOLD_LETTERS.items())


@pytest.mark.parametrize("text", ["Ærø", "Łódź straße", "İstanbul’da", "ﬁnale №5", "a\u0301b", ""])
def test_fold_with_map_matches_fold_and_points_back(text: str) -> None:
    folded, where = fold_with_map(text)
    assert folded == fold(text)
    assert len(where) == len(folded)
    assert where == sorted(where)
    for k, i in enumerate(where):
        assert folded[k] in fold(text[i])


def test_fold_with_map_offsets_recover_the_original_spelling() -> None:
    text = "Le maire de Łódź et la sœur d’Ærø"
    folded, where = fold_with_map(text)
    assert folded == "le maire de lodz et la soeur d'aero"
    for word, original in (("lodz", "Łódź"), ("soeur", "sœur"), ("aero", "Ærø")):
        s = folded.index(word)
        e = s + len(word)
        assert text[where[s]:where[e - 1] + 1] == original
    # "æ" becomes two folded characters, both pointing at it
    i, k = text.index("Æ"), folded.index("aero")
    assert [j for j, w in enumerate(where) if w == i] == [k, k + 1]


def test_nfkc_lower_keeps_diacritics() -> None:
    assert nfkc_lower("Erdoğan ＡＢＣ") == "erdoğan abc"
    assert nfkc_lower("Straße") == "strasse"
    assert nfkc_lower("Straße", full=False) == "straße"


@pytest.mark.parametrize(
    ("raw", "lang", "value"),
    [
        ("12", None, 12.0),
        ("1,5", None, 1.5),
        ("1.5", None, 1.5),
        ("1.500", None, 1500.0),
        ("1,500", None, 1500.0),
        ("1.500", "en", 1.5),
        ("1.500", "de", 1500.0),
        ("1,500", "fr", 1.5),
        ("1,500", "en", 1500.0),
        ("3 000", None, 3000.0),
        ("3\u00a0000", "fr", 3000.0),
        ("1'234'567", None, 1234567.0),
        ("1,234.5", None, 1234.5),
        ("1.234,5", None, 1234.5),
        ("1.234.567", "en", 1234567.0),
        ("12.3456", None, 12.3456),
        ("٣٥", "ar", 35.0),
    ],
)
def test_parse_number(raw: str, lang: str | None, value: float) -> None:
    assert parse_number(raw, lang) == value


@pytest.mark.parametrize("raw", ["", "1.2.3", "192.168.0.1", "16.01.2020", "12%", "1,5 million",
                                 "x12", "1..2"])
def test_parse_number_rejects_what_is_not_one_number(raw: str) -> None:
    assert parse_number(raw) is None


def test_units_and_scale_words_are_read_around_the_parsed_digits() -> None:
    # parse_number reads digits only; enrich.numbers finds "%" and "million" around them
    from storylens.enrich.numbers import extract_numbers

    (pct,) = extract_numbers("12% des voix", "fr")
    assert (pct.value, pct.kind) == (12.0, "percent")
    (big,) = extract_numbers("1,5 million de personnes", "fr")
    assert (big.value, big.unit_text) == (1.5e6, "personnes")


def test_number_key_makes_spellings_of_one_value_equal() -> None:
    assert number_key(1500.0) == "1500"
    assert number_key(1.5) == "1.5"
    assert number_key(1_500_000.0) == "1.5e+06"
    keys = {number_key(v) for v in (parse_number("1,500"), parse_number("1.500"),
                                    parse_number("1 500")) if v is not None}
    assert keys == {"1500"}
