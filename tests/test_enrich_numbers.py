"""Numbers with units: digits with per-language separators, number words, money, percent."""

from __future__ import annotations

import pytest

from storylens.enrich.numbers import extract_numbers, parse_number


@pytest.mark.parametrize(
    ("raw", "lang", "value"),
    [("12", "fr", 12.0), ("1,234", "en", 1234.0), ("1.234", "de", 1234.0),
     ("3,5", "fr", 3.5), ("3.5", "en", 3.5), ("1 234 567", "fr", 1234567.0),
     ("1.234,5", "es", 1234.5), ("1,234.5", "en", 1234.5), ("0,25", None, 0.25)],
)
def test_parse_number(raw: str, lang: str | None, value: float) -> None:
    assert parse_number(raw, lang) == value


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Le Mossad a déjoué 12 tentatives d'assassinat contre", "fr",
         (12.0, "tentatives d'assassinat", "count")),
        ("deux mois après qu'Israël", "fr", (2.0, "mois", "count")),
        ("3,5 millions de dollars", "fr", (3.5e6, "dollars", "money")),
        ("a rise of 40 % in", "en", (40.0, "%", "percent")),
        ("they paid $1,200 for it", "en", (1200.0, "", "money")),
        ("Es gab zwölf Tote", "de", (12.0, "Tote", "count")),
        ("3,5 Prozent", "de", (3.5, "Prozent", "percent")),
        ("murieron veinte personas", "es", (20.0, "personas", "count")),
        ("on March 08, 2019 in Washington", "en", (8.0, "", "count")),
    ],
)
def test_extract_numbers(text: str, lang: str, expected: tuple[float, str, str]) -> None:
    found = extract_numbers(text, lang)
    assert found, text
    n = found[0]
    assert (n.value, n.unit_text, n.kind) == expected
    assert text[n.start:n.end].startswith(text[n.start])
    assert n.unit_text in text[n.start:n.end]


def test_years_and_bare_number_words() -> None:
    found = extract_numbers("En 2019, sept ministres et dix.", "fr")
    kinds = {(n.value, n.kind) for n in found}
    assert (2019.0, "year") in kinds
    assert (7.0, "count") in kinds  # "sept ministres" has a unit
    assert all(n.value != 10.0 for n in found)  # bare "dix." is skipped
