"""Places and nationality words to ISO country codes, in several languages and scripts."""

from __future__ import annotations

import pytest

from storylens.enrich.entities import Mention
from storylens.enrich.normalize import norm_key
from storylens.enrich.places import countries_of, demonym_countries, lookup_place


@pytest.mark.parametrize(
    ("name", "lang", "code"),
    [("Turquie", "fr", "TR"), ("Türkei", "de", "TR"), ("Turquía", "es", "TR"),
     ("Турция", "ru", "TR"), ("تركيا", "ar", "TR"), ("Israël", "fr", "IL"),
     ("Syrie", "fr", "SY"), ("Iran", "fr", "IR"), ("Ankara", "fr", "TR"),
     ("Анкара", "ru", "TR"), ("أنقرة", "ar", "TR"), ("Tel-Aviv", "fr", "IL"),
     ("Cisjordanie", "fr", "PS"), ("Moscou", "fr", "RU"), ("Pékin", "fr", "CN"),
     ("Турции", "ru", "TR"), ("Москве", "ru", "RU"), ("Irans", "de", "IR"),
     ("États-Unis", "fr", "US"), ("Liban", "fr", "LB")],
)
def test_lookup_place(name: str, lang: str, code: str) -> None:
    place = lookup_place(name, lang)
    assert place is not None, name
    assert place.code == code


@pytest.mark.parametrize("name", ["Hamas", "Mossad", "Gantz", "Herzog", "Selon", "Erdogan",
                                  "Bennett", "Président"])
def test_names_that_are_not_places(name: str) -> None:
    assert lookup_place(name, "fr") is None


def test_demonyms_per_language() -> None:
    fr = demonym_countries("le président turc, les Israéliens et une délégation turque", "fr")
    assert fr == {"TR": 2, "IL": 1}
    en = demonym_countries("Turkish and Israeli officials; polish the floor", "en")
    assert en == {"TR": 1, "IL": 1}
    de = demonym_countries("der türkische Präsident und die israelischen Behörden", "de")
    assert de == {"TR": 1, "IL": 1}
    es = demonym_countries("el presidente turco y la ministra israelí", "es")
    assert es == {"TR": 1, "IL": 1}


def test_countries_of_counts_loc_mentions_and_demonyms() -> None:
    text = "Ankara et Israël ; le président turc."
    ms = [Mention("Ankara", "LOC", 0, 6, norm_key("Ankara")),
          Mention("Israël", "LOC", 10, 16, norm_key("Israël")),
          Mention("Gantz", "PER", 0, 5, "gantz")]
    c = countries_of(ms, "fr", text=text)
    assert c == {"TR": 2, "IL": 1}
    assert countries_of(ms, "fr") == {"TR": 1, "IL": 1}
