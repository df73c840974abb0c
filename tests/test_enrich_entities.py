"""Entity mentions (storylens.enrich.entities) without a NER model: cleaning a span into a
mention, where the model's head of a text ends, label harmonisation within a document, and the
per-language tagger registry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.enrich import entities
from storylens.enrich.entities import (
    Mention,
    extract_entities,
    extract_entities_many,
    harmonize,
    head_cut,
    make_mention,
    register_tagger,
    spacy_available,
    tagger_for,
)
from storylens.enrich.fallback_ner import CapsTagger
from storylens.enrich.normalize import norm_key

TEXT = "Le président d’Ankara et l'ONU. Gantz's plan. TV\n\nMossad. «Hamas» et Dell’Orto"


def _span(surface: str) -> tuple[int, int]:
    i = TEXT.index(surface)
    return i, i + len(surface)


@pytest.mark.parametrize(
    ("surface", "clean"),
    [("d’Ankara", "Ankara"), ("l'ONU", "ONU"), ("Gantz's", "Gantz"), ("TV\n\nMossad", "Mossad"),
     ("«Hamas»", "Hamas"), (" Gantz's plan. ", "Gantz's plan")],
)
def test_make_mention_trims_to_the_name(surface: str, clean: str) -> None:
    m = make_mention(TEXT, *_span(surface), "ORG")
    assert m is not None
    assert m.text == clean == TEXT[m.start:m.end]
    assert m.label == "ORG" and m.norm == norm_key(clean)


@pytest.mark.parametrize("surface", ["et", "plan", "«", "T"])
def test_spans_with_no_name_give_none(surface: str) -> None:
    assert make_mention(TEXT, *_span(surface), "MISC") is None


def test_caseless_scripts_are_names() -> None:
    m = make_mention("東京で", 0, 2, "LOC")
    assert m is not None and m.text == "東京"


def test_norm_is_the_normalised_key() -> None:
    m = make_mention("Recep Tayyip Erdoğan", 0, 20, "PER")
    assert m is not None and m.norm == "recep tayyip erdogan"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.integers(0, 30), st.integers(0, 30))
def test_make_mention_surface_is_always_a_slice(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    m = make_mention(text, start, end, "PER")
    if m is not None:
        assert start <= m.start < m.end <= end
        assert text[m.start:m.end] == m.text and "\n" not in m.text
        assert m.text[0].isalnum() and m.text[-1].isalnum()


def test_head_cut() -> None:
    assert head_cut("a" * 10, 20) == 10  # short text: all of it
    assert head_cut("a" * 30 + ". rest of text", 20) == 31  # after the sentence end
    assert head_cut("a" * 25 + "\nnext", 20) == 26  # after the line end
    assert head_cut("a" * 25 + " bbbb", 20) == 25  # else at the next space
    assert head_cut("a" * 400, 20) == 20  # else at the limit


def _m(text: str, label: str, start: int) -> Mention:
    return Mention(text, label, start, start + len(text), norm_key(text))  # type: ignore[arg-type]


def test_harmonize_rules() -> None:
    ms = [_m("Isaac Herzog", "PER", 0), _m("Herzog", "ORG", 20), _m("France", "ORG", 30),
          _m("Hamas", "ORG", 40), _m("Hamas", "MISC", 50), _m("Hamas", "ORG", 60),
          _m("Ham", "PER", 60)]
    out = harmonize(reversed(ms))
    assert [(m.text, m.label, m.start) for m in out] == [
        ("Isaac Herzog", "PER", 0),
        ("Herzog", "PER", 20),  # family name of a PER mention
        ("France", "LOC", 30),  # a country is a place
        ("Hamas", "ORG", 40), ("Hamas", "ORG", 50),  # majority label
        ("Hamas", "ORG", 60),  # the longer of two mentions at one start
    ]


def test_harmonize_keeps_ties_as_they_are() -> None:
    out = harmonize([_m("Nova", "ORG", 0), _m("Nova", "MISC", 10)])
    assert [m.label for m in out] == ["ORG", "MISC"]


def test_harmonize_drops_overlaps_in_favour_of_the_earlier() -> None:
    out = harmonize([_m("New York Times", "ORG", 0), _m("York", "LOC", 4)])
    assert [m.text for m in out] == ["New York Times"]


class _Fake:
    name = "fake"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def tag(self, text: str) -> list[Mention]:
        self.calls.append(text)
        i = text.find("Zed")
        return [_m("Zed", "PER", i)] if i >= 0 else []


def test_registry_uses_a_registered_tagger(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Fake()
    monkeypatch.setitem(entities._FACTORIES, "zz", lambda: fake)
    tagger_for.cache_clear()
    try:
        assert tagger_for("zz-Latn") is fake and tagger_for("ZZ") is fake
        assert [m.text for m in extract_entities("Hi Zed.", "zz")] == ["Zed"]
        assert extract_entities("   ", "zz") == [] and fake.calls == ["Hi Zed."]
        assert extract_entities_many(["Zed", "", "none"], "zz") == [
            [_m("Zed", "PER", 0)], [], []]
    finally:
        tagger_for.cache_clear()


def test_register_tagger_clears_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entities, "_FACTORIES", {})
    tagger_for.cache_clear()
    try:
        before = tagger_for("qq")
        assert isinstance(before, CapsTagger)
        fake = _Fake()
        register_tagger("qq", lambda: fake)
        assert tagger_for("qq") is fake
    finally:
        tagger_for.cache_clear()


def test_fallback_backend_when_asked_or_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLENS_NER_BACKEND", "fallback")
    tagger_for.cache_clear()
    try:
        assert isinstance(tagger_for("fr"), CapsTagger)
        assert isinstance(tagger_for(None), CapsTagger)
    finally:
        tagger_for.cache_clear()


def test_spacy_available_only_for_shipped_models() -> None:
    assert spacy_available("xx") is False and spacy_available("de") is False
