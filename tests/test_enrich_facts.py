"""The one-call enrich stage (storylens.enrich.facts) over a stub tagger: what each field
holds, actor counting (places are not actors, title references count), the batched variant,
and the JSON form."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from storylens.enrich import entities
from storylens.enrich.entities import Mention, tagger_for
from storylens.enrich.facts import Enrichment, actor_counts, enrich, enrich_many
from storylens.enrich.normalize import TitleRef, norm_key

TEXT = ("Benny Gantz arrived in Ankara on Monday. Gantz met Turkish officials and the Mossad. "
        "« Nous ne laisserons pas faire », a déclaré Gantz. Turkey paid 3 millions de dollars.")
NAMES = {"Benny Gantz": "PER", "Gantz": "PER", "Ankara": "LOC", "Mossad": "ORG",
         "Turkey": "LOC"}


class _Stub:
    """Tags the fixed names above wherever they occur (longest first, no overlaps)."""

    name = "stub"

    def tag(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        taken: set[int] = set()
        for name in sorted(NAMES, key=len, reverse=True):
            for m in re.finditer(re.escape(name), text):
                if taken.isdisjoint(range(m.start(), m.end())):
                    taken.update(range(m.start(), m.end()))
                    out.append(Mention(name, NAMES[name], m.start(), m.end(),  # type: ignore[arg-type]
                                       norm_key(name)))
        return sorted(out, key=lambda m: m.start)


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(entities._FACTORIES, "zz", _Stub)
    tagger_for.cache_clear()
    yield
    tagger_for.cache_clear()


def test_enrich_fills_every_field(stub: None) -> None:
    e = enrich(TEXT, "zz")
    assert [m.text for m in e.entities] == ["Benny Gantz", "Ankara", "Gantz", "Mossad", "Gantz",
                                            "Turkey"]
    assert e.actors == {"Benny Gantz": 3, "Mossad": 1}  # Ankara, Turkey are places
    assert e.countries["TR"] >= 2  # Ankara, Turkey (+ "Turkish" when demonyms apply)
    assert [(n.value, n.kind) for n in e.numbers] == [(3e6, "money")]
    assert [(q.text, q.speaker) for q in e.quotes] == [("Nous ne laisserons pas faire",
                                                       "Benny Gantz")]


def test_enrich_empty_text_is_empty() -> None:
    assert enrich("  \n ", "fr") == Enrichment()


def test_enrich_many_matches_enrich(stub: None) -> None:
    texts = [TEXT, "", "Gantz left."]
    many = enrich_many(texts, "zz")
    assert many[1] == Enrichment()
    assert many[0].to_dict() == enrich(TEXT, "zz").to_dict()
    assert many[2].actors == {"Gantz": 1}


def test_to_dict_is_json_ready_and_countries_most_frequent_first(stub: None) -> None:
    e = enrich(TEXT, "zz")
    e.countries = Counter({"IL": 1, "TR": 3})
    d = json.loads(json.dumps(e.to_dict()))
    assert list(d) == ["entities", "actors", "countries", "numbers", "quotes", "title_refs"]
    assert list(d["countries"]) == ["TR", "IL"]
    assert d["entities"][0] == {"text": "Benny Gantz", "label": "PER", "start": 0, "end": 11,
                                "norm": "benny gantz"}
    assert d["quotes"][0]["speaker"] == "Benny Gantz"


def test_actor_counts_clusters_names_and_counts_title_refs() -> None:
    ms = [Mention("Recep Tayyip Erdoğan", "PER", 0, 20, "recep tayyip erdogan"),
          Mention("Erdogan", "PER", 30, 37, "erdogan"),
          Mention("Hamas", "ORG", 40, 45, "hamas"),
          Mention("Paris", "ORG", 50, 55, "paris")]
    refs = [TitleRef("le président turc", 60, 77, "Erdogan")]
    assert actor_counts(ms, refs, "fr") == {"Recep Tayyip Erdoğan": 3, "Hamas": 1}


def test_actor_counts_most_frequent_first() -> None:
    ms = [Mention("Hamas", "ORG", 0, 5, "hamas")] + [
        Mention("Mossad", "ORG", 10 * k, 10 * k + 6, "mossad") for k in range(1, 4)]
    assert list(actor_counts(ms)) == ["Mossad", "Hamas"]
