"""``compare.analysis``: the analysed document and its sentences, the fallback names and
numbers when enrichment is off, the one-call batched embedding, and the two-tier
``AnalysisCache`` (memory LRU, then the store's content-addressed tables).

Vectors come from the ``hashing`` embedder (no model) or a counting fake."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.compare import analysis
from storylens.compare.analysis import (
    AnalysisCache,
    analyse,
    analyse_many,
    fold,
    prepare,
    text_key,
)
from storylens.records import Article
from storylens.represent.base import get_embedder
from storylens.store import open_store
from storylens.textnorm import number_key, parse_number

HASHING = get_embedder("hashing")


def art(aid: str, text: str, title: str = "", lang: str | None = "en") -> Article:
    return Article(id=aid, source=f"{aid}.txt", title=title, text=text, raw=text,
                   raw_format="text", lang=lang)


class CountingEmbedder:
    """A deterministic embedder that records what it was asked to embed."""

    name = "counting"
    dim = 4

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            rows[i, len(t) % self.dim] = 1.0
        return rows


STORM = art("s1", "Storm hits Lisbon\nThe storm hit Lisbon in 2021. About 1,500 people and "
            "3 dogs fled. Mayor Carlos Moedas spoke at 10.5 km.", title="Storm hits Lisbon")


def test_fold_casefolds_and_strips_diacritics() -> None:
    assert fold("Erdoğan") == "erdogan"
    assert fold("ÉLYSÉE Straße") == "elysee strasse"
    # ł does not decompose, so textnorm's one table maps it: Łódź and Lodz match
    assert fold("Łódź") == "lodz"
    assert fold("") == ""
    # styled (mathematical) letters decompose to capitals: folded after NFKD too
    assert fold("𝐄𝐫𝐝𝐨𝐠𝐚𝐧") == "erdogan" and fold("ＡＢＣ") == "abc"


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


def test_prepare_title_is_sentence_zero_and_not_repeated() -> None:
    doc, sents = prepare(STORM)
    assert doc == STORM.doc
    assert doc.startswith("Storm hits Lisbon\n\nThe storm hit")
    assert doc.count("Storm hits Lisbon") == 1, "the text's copy of the title is dropped"
    assert [s.text for s in sents] == ["Storm hits Lisbon", "The storm hit Lisbon in 2021.",
                                       "About 1,500 people and 3 dogs fled.",
                                       "Mayor Carlos Moedas spoke at 10.5 km."]
    assert [s.index for s in sents] == [0, 1, 2, 3]
    for s in sents:
        assert doc[s.start:s.end] == s.text, "offsets point into the analysed document"


def test_prepare_keeps_a_first_word_the_title_is_a_prefix_of() -> None:
    """Regression: title "Vote" over a text opening "Voters ..." lost "Vote" from it."""
    a = art("v", "Voters in Chile elected a parliament.", title="Vote")
    doc, sents = prepare(a)
    assert doc == a.doc == "Vote\n\nVoters in Chile elected a parliament."
    assert [s.text for s in sents] == ["Vote", "Voters in Chile elected a parliament."]
    assert all(doc[s.start:s.end] == s.text for s in sents)
    b = art("w", "Vote\nChile elected a parliament.", title="Vote")
    assert prepare(b)[0] == "Vote\n\nChile elected a parliament.", "a real title copy goes"


def test_prepare_without_title_or_text() -> None:
    doc, sents = prepare(art("n", "Only a body here. Second one."))
    assert doc == "Only a body here. Second one."
    assert [(s.start, s.text) for s in sents] == [(0, "Only a body here."),
                                                  (18, "Second one.")]
    doc, sents = prepare(art("t", "", title="  Just a title  "))
    assert doc == "Just a title\n\n" and [s.text for s in sents] == ["Just a title"]
    assert prepare(art("e", "")) == ("", [])


@pytest.mark.parametrize(("raw", "norm"), [
    ("1,500", "1500"), ("1.500", "1500"), ("12,000,000", "1.2e+07"), ("10,5", "10.5"),
    ("10.5", "10.5"), ("2021", "2021"), ("11", "11"), ("10", None), ("7", None), ("0", None),
])
def test_norm_number(raw: str, norm: str | None) -> None:
    # the capitalised-word fallback keeps numbers over 10, keyed by textnorm.number_key
    v = parse_number(raw)
    assert (number_key(v) if v is not None and v > 10 else None) == norm


def test_fallback_names_numbers_and_years_without_enrichment() -> None:
    an = analyse(STORM, HASHING, enrich=False)
    assert not an.enriched and an.embedded == 4
    # capitalised words after the first word of a sentence are names; all-caps first
    # words too; the sentence-initial "The"/"About"/"Mayor" are not
    assert an.sent_names == [frozenset({"lisbon"}), frozenset({"lisbon"}), frozenset(),
                             frozenset({"carlos", "moedas"})]
    assert an.sent_numbers == [frozenset(), frozenset({"2021"}), frozenset({"1500"}),
                               frozenset({"10.5"})], "3 (<= 10) is not a specific number"
    assert an.years == frozenset({2021})
    assert an.entities == {"Lisbon": 2, "Carlos": 1, "Moedas": 1}
    assert an.names == frozenset({"lisbon", "carlos", "moedas"})
    assert an.numbers == frozenset({"2021", "1500", "10.5"})
    assert an.quotes == 0 and not an.countries


def test_all_caps_first_word_is_a_name_and_years_are_bounded() -> None:
    an = analyse(art("c", "NATO met in 1850 and 2150 and 1999."), HASHING, enrich=False)
    assert an.sent_names == [frozenset({"nato"})]
    assert an.years == frozenset({1999}), "only 1900-2100 count as years"
    assert an.sent_numbers[0] == frozenset({"1850", "2150", "1999"})


def test_vectors_are_unit_rows_one_per_sentence() -> None:
    an = analyse(STORM, HASHING, enrich=False)
    assert an.vectors.shape == (4, HASHING.dim) and an.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(an.vectors, axis=1), 1.0, atol=1e-5)
    same = analyse(STORM, HASHING, enrich=False)
    np.testing.assert_array_equal(an.vectors, same.vectors)


def test_empty_article_analyses_to_nothing() -> None:
    an = analyse(art("e", "", title=""), HASHING)
    assert an.sentences == [] and an.vectors.shape == (0, HASHING.dim)
    assert an.names == frozenset() and an.numbers == frozenset() and an.embedded == 0


def test_enrichment_names_and_labels() -> None:
    an = analyse(STORM, HASHING)
    if not an.enriched:
        pytest.skip("enrichment unavailable here")
    assert an.entity_labels.get("Carlos Moedas") == "PER"
    assert "carlos moedas" in an.sent_names[3]
    assert an.countries.get("PT", 0) >= 1
    assert 2021 in an.years


def test_analyse_many_embeds_each_distinct_sentence_once() -> None:
    emb = CountingEmbedder()
    a = art("a", "Shared wire sentence. Own sentence of A.", title="Wire title")
    b = art("b", "Shared wire sentence. Own sentence of B here.", title="Wire title")
    ans = analyse_many([a, b], emb, enrich=False)
    assert len(emb.calls) == 1, "one embedding call for the batch"
    assert sorted(emb.calls[0]) == sorted({"Wire title", "Shared wire sentence.",
                                           "Own sentence of A.", "Own sentence of B here."})
    np.testing.assert_array_equal(ans[0].vectors[:2], ans[1].vectors[:2])


def test_embed_limits_leave_zero_rows_and_say_so() -> None:
    emb = CountingEmbedder()
    a = art("a", "One here. Two here. Three here.", title="Title A")
    ans = analyse_many([a, a], emb, enrich=False, embed_limits=[2, -5])
    assert [x.embedded for x in ans] == [2, 0]
    assert emb.calls == [["Title A", "One here."]]
    assert ans[0].vectors[:2].any(axis=1).all() and not ans[0].vectors[2:].any()
    assert not ans[1].vectors.any()


def test_cache_serves_vectors_from_memory() -> None:
    emb = CountingEmbedder()
    cache = AnalysisCache()
    first = cache.vectors(emb, ["alpha", "beta", "alpha"])
    assert emb.calls == [["alpha", "beta"]] and cache.computed["vectors"] == 2
    again = cache.vectors(emb, ["beta", "alpha", "gamma"])
    assert emb.calls[1:] == [["gamma"]], "only the new text is embedded"
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[1], first[0])
    assert cache.vectors(emb, []).shape == (0, emb.dim)


def test_cache_memory_is_bounded_lru() -> None:
    emb = CountingEmbedder()
    cache = AnalysisCache(max_vectors=2)
    cache.vectors(emb, ["a1", "b22"])
    cache.vectors(emb, ["a1"])          # touch a1: b22 is now the oldest
    cache.vectors(emb, ["c333"])        # evicts b22
    emb.calls.clear()
    cache.vectors(emb, ["a1", "c333", "b22"])
    assert emb.calls == [["b22"]]


def test_cache_reads_and_writes_the_store_tier() -> None:
    store = open_store(":memory:")
    try:
        emb = CountingEmbedder()
        AnalysisCache().vectors(emb, ["alpha", "beta"], store)
        keys = [text_key("alpha"), text_key("beta")]
        stored = store.get_sentence_vectors("counting/4", keys)
        assert set(stored) == set(keys) and all(len(v) == 16 for v in stored.values())
        fresh = AnalysisCache()  # a new process: nothing in memory
        emb.calls.clear()
        rows = fresh.vectors(emb, ["beta", "alpha"], store)
        assert emb.calls == [] and fresh.computed["vectors"] == 0
        np.testing.assert_array_equal(rows[0], np.frombuffer(stored[keys[1]], np.float32))
        # a stored blob of the wrong length (another dim) is ignored and recomputed
        store.put_sentence_vectors("counting/4", {text_key("short"): b"\x00" * 8})
        fresh.vectors(emb, ["short"], store)
        assert emb.calls == [["short"]]
    finally:
        store.close()


def test_text_key_is_content_addressed() -> None:
    assert text_key("a") == text_key("a") != text_key("b")
    assert len(text_key("x")) == 32
    assert text_key("\ud800 lone surrogate") != text_key("")


def test_enrichment_failures_are_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def failing(docs: Sequence[str], langs: Sequence[str | None]) -> list[None]:
        calls.append(len(docs))
        return [None] * len(docs)

    monkeypatch.setattr(analysis, "_enrich_all", failing)
    cache = AnalysisCache()
    assert cache.enrichments(["doc one"], ["en"]) == [None]
    assert cache.enrichments(["doc one"], ["en"]) == [None]
    assert calls == [1, 1], "a failure is tried again next time"
    assert cache.computed["enrichments"] == 2


def test_enrichments_round_trip_through_the_store() -> None:
    store = open_store(":memory:")
    try:
        first = AnalysisCache().enrichments(["Carlos Moedas visited Lisbon."], ["en"], store)
        if first[0] is None:
            pytest.skip("enrichment unavailable here")
        fresh = AnalysisCache()
        again = fresh.enrichments(["Carlos Moedas visited Lisbon."], ["en"], store)
        assert fresh.computed["enrichments"] == 0
        assert again[0] is not None and again[0].to_dict() == first[0].to_dict()
    finally:
        store.close()


def test_undecodable_stored_enrichment_is_recomputed(monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(":memory:")
    try:
        doc = "Some text about Lisbon."
        key = analysis._store_key("en", text_key(doc))
        store.put_enrichments({key: {"entities": [{"no_such_field": 1}]}})
        seen: list[str] = []

        def fake(docs: Sequence[str], langs: Sequence[str | None]) -> list[None]:
            seen.extend(docs)
            return [None] * len(docs)

        monkeypatch.setattr(analysis, "_enrich_all", fake)
        assert AnalysisCache().enrichments([doc], ["en"], store) == [None]
        assert seen == [doc], "the bad stored entry is skipped, the doc enriched again"
    finally:
        store.close()


def test_failing_batch_falls_back_to_one_text_at_a_time(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    from storylens.enrich import facts

    def boom(texts: Sequence[str], lang: str | None) -> list[object]:
        raise RuntimeError("batch broke")

    one: list[str] = []
    monkeypatch.setattr(facts, "enrich_many", boom)
    monkeypatch.setattr(analysis, "_enrich", lambda d, lang: one.append(d) or f"en:{d}")
    out = analysis._enrich_all(["a doc", "  ", "b doc"], ["en", "en", "fr"])
    assert out == ["en:a doc", None, "en:b doc"], "blank docs are never enriched"
    assert one == ["a doc", "b doc"]


def test_enrich_helper_degrades_to_none(monkeypatch: pytest.MonkeyPatch) -> None:
    from storylens.enrich import facts

    def boom(text: str, lang: str | None) -> object:
        raise ValueError("model broke")

    monkeypatch.setattr(facts, "enrich", boom)
    assert analysis._enrich("anything", "en") is None
