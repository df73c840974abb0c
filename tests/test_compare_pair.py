"""``compare.pair.compare_articles`` on the two French example articles with the hashing
embedder (no model download), plus the verdict, timing and note rules on small pairs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from storylens.compare.dimensions import DIMENSIONS
from storylens.compare.pair import (
    SHORT_TEXT_CHARS,
    Comparison,
    StoredLinks,
    Verdict,
    _timing,
    compare_articles,
)
from storylens.records import Article
from storylens.records_story import ClusterAssignment
from tests.conftest import JFORUM, PRESSTV

T0 = datetime(2022, 2, 2, tzinfo=UTC)


def example(path: object, published: datetime, aid: str) -> Article:
    text = path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    title, _, body = text.partition("\n")
    return Article(id=aid, source=str(path), title=title.strip(), text=body.strip(),
                   raw=text, raw_format="text", lang="fr", outlet=aid + ".example",
                   published=published, published_source="input")


@pytest.fixture(scope="module")
def pair() -> Comparison:
    a = example(PRESSTV, T0, "presstv")
    b = example(JFORUM, T0 + timedelta(days=264), "jforum")
    return compare_articles(a, b, embedder="hashing", verdicts=False)


def test_examples_timing_tone_and_framing(pair: Comparison) -> None:
    assert pair.first == "a" and pair.gap_hours == pytest.approx(264 * 24)
    assert not pair.identical
    assert pair.tone_a.method == pair.tone_b.method == "lexicon:fr"
    subs = {(s.referent, s.a.casefold()) for s in pair.framing.substitutions
            if s.source == "referent-lexicon"}
    assert ("Israel", "le régime sioniste") in subs
    assert any(t.term == "groupe terroriste" for t in pair.framing.b.loaded_only_here)
    assert pair.same_event is None and pair.same_storyline is None


def test_examples_facts_partition_each_side(pair: Comparison) -> None:
    f = pair.facts
    assert f.threshold == 0.55, "hashing uses the fallback threshold"
    a_idx = sorted([p.a.index for p in f.shared] + [s.index for s in f.only_a])
    b_idx = sorted([p.b.index for p in f.shared] + [s.index for s in f.only_b])
    assert a_idx == list(range(len(a_idx))) and b_idx == list(range(len(b_idx))), \
        "every sentence is shared or unique, exactly once"
    assert f.coverage_a == pytest.approx(len(f.shared) / len(a_idx))
    assert all(p.similarity >= f.threshold for p in f.shared)


def test_examples_without_hashing_weights_say_so(pair: Comparison) -> None:
    """No dimension weights ship for the hashing embedder: no scores, and a note."""
    assert pair.dimensions == {}
    assert any(n.startswith("no dimension scores") and "hashing" in n for n in pair.notes)


def test_examples_dimensions_with_static_vectors() -> None:
    a = example(PRESSTV, T0, "presstv")
    b = example(JFORUM, T0 + timedelta(days=264), "jforum")
    pair = compare_articles(a, b, embedder="static", verdicts=False)
    assert set(pair.dimensions) == set(DIMENSIONS)
    assert all(1.0 <= d.score <= 4.0 for d in pair.dimensions.values())
    d = json.loads(json.dumps(pair.to_dict()))
    assert d["a"]["id"] == "presstv" and d["timing"] == {"first": "a",
                                                         "gap_hours": 264 * 24}
    assert set(d["channels"]) >= {"dense_full", "align_cov", "full_cov"}


@pytest.mark.parametrize(("da", "db", "first", "gap"), [
    (T0, T0 + timedelta(hours=3), "a", 3.0), (T0 + timedelta(hours=3), T0, "b", 3.0),
    (T0, T0, "same time", 0.0), (None, T0, None, None), (T0, None, None, None),
])
def test_timing(da: datetime | None, db: datetime | None, first: str | None,
                gap: float | None) -> None:
    a = Article(id="a", source="a", title="", text="", raw="", raw_format="text",
                published=da)
    b = Article(id="b", source="b", title="", text="", raw="", raw_format="text",
                published=db)
    assert _timing(a, b) == (first, gap)


def test_verdict_rules() -> None:
    v = Verdict(0.7, 0.5, "event-hashing")
    assert v.decision and v.source == "model"
    assert Verdict(0.4, 0.5, "m").decision is False
    clustered = Verdict(0.1, 0.5, "m", cluster=True)
    assert clustered.decision and clustered.source == "clusters"
    assert Verdict(0.9, 0.5, "m", cluster=False).decision is False
    assert Verdict(0.123456, 0.5, "m").to_dict() == {
        "probability": 0.1235, "threshold": 0.5, "decision": False, "model": "m",
        "source": "model"}


def _small(aid: str, text: str, lang: str | None = "en") -> Article:
    return Article(id=aid, source=f"{aid}.txt", title="", text=text, raw=text,
                   raw_format="text", lang=lang)


def test_notes_for_short_missing_dates_and_languages() -> None:
    c = compare_articles(_small("a", "Short text."), _small("b", "Texte court.", "fr"),
                         embedder="hashing", verdicts=False)
    notes = " | ".join(c.notes)
    assert f"article a is very short ({len('Short text.')} characters)" in notes
    assert "article b is very short" in notes and SHORT_TEXT_CHARS == 200
    assert "different languages (en vs fr)" in notes
    assert "a publication date is missing" in notes
    assert c.first is None and c.gap_hours is None


def test_stored_clusters_decide_the_verdicts() -> None:
    a = _small("a", "The storm hit Lisbon on Monday. Forty people left.")
    b = _small("b", "A storm struck Lisbon on Monday. Forty residents fled.")
    asg = (ClusterAssignment("a", "ev-1", "sl-1", None, 1, 1, False, 0.0),
           ClusterAssignment("b", "ev-2", "sl-1", None, 1, 1, False, 0.0))
    c = compare_articles(a, b, embedder="hashing",
                         stored=StoredLinks("static", assigned=asg))
    if c.same_event is None:
        pytest.skip("link models unusable here: " + "; ".join(c.notes))
    assert c.same_event.source == "clusters" and c.same_event.decision is False
    assert c.same_storyline is not None and c.same_storyline.decision is True
    assert c.same_event.model == "event-static"
    assert 0.0 <= c.same_event.probability <= 1.0


def test_identical_text_is_a_copy() -> None:
    a = _small("a", "The storm hit Lisbon on Monday. Forty people left the city.")
    b = _small("b", a.text)
    c = compare_articles(a, b, embedder="hashing", verdicts=False)
    assert c.identical and any("same article" in n for n in c.notes)
    assert all(d.score == 1.0 for d in c.dimensions.values())
    assert c.facts.coverage_a == c.facts.coverage_b == 1.0
