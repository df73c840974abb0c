"""``server.story_coverage``: the story page's matrices. The fallback (publications per
outlet, enrichment names, tone and framing per outlet) and its JSON, the shading, the
entity matrix's column choice, the compare-stage view and the per-story cache."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from storylens.records import Article
from storylens.records_story import Story
from storylens.server import story_coverage as sc
from storylens.server.story_coverage import (
    MAX_ENTITY_COLUMNS,
    _shade,
    entity_matrix,
    fallback_coverage,
    publication_matrix,
)
from storylens.server.story_members import Member

T0 = datetime(2022, 2, 2, tzinfo=UTC)


def _art(i: str, text: str, lang: str = "fr", outlet: str = "x.org") -> Article:
    return Article(id=i, source=f"{i}.txt", title=f"Titre {i}", text=text, raw=text,
                   raw_format="text", outlet=outlet, lang=lang, published=T0)


def _member(a: Article, dup: str | None = None, hours: float = 0) -> Member:
    return Member(a.id, a.title, a.outlet or "?", a.lang, T0 + timedelta(hours=hours), "ev",
                  dup, a)


ZION = _art("a", "Le régime sioniste a frappé Gaza. Les terroristes ont tué trois "
            "personnes, a prétendu le porte-parole. Erdoğan a condamné l'attaque.",
            outlet="presstv.ir")
ISR = _art("b", "Israël a frappé Gaza. Le Hamas a tué trois personnes, a déclaré "
           "l'armée. Erdogan a condamné.", outlet="jforum.fr")


@pytest.mark.parametrize(("n", "top", "level"), [
    (0, 5, 0), (-1, 5, 0), (1, 1, 1), (3, 1, 1), (1, 6, 1), (3, 6, 2), (5, 6, 2),
    (6, 6, 3), (9, 6, 3),
])
def test_shade(n: int, top: int, level: int) -> None:
    assert _shade(n, top) == level


def test_publication_matrix_marks_originals_and_copies() -> None:
    a, b = _member(ZION), _member(ISR, hours=1)
    copy1 = _member(_art("c1", "x", outlet="wire.org"), dup="a")
    copy2 = _member(_art("c2", "x", outlet="wire.org"), dup="a")
    a.copies = [copy1, copy2]
    m = publication_matrix([a, b], ["presstv.ir", "jforum.fr", "wire.org", "none.org"])
    assert m.kind == "articles"
    assert [(c.label, c.href, c.title) for c in m.columns] == [
        ("#1", "/articles/a", "Titre a"), ("#2", "/articles/b", "Titre b")]
    cells = {o: [(c.text, c.level) for c in row] for o, row in m.rows}
    assert cells == {"presstv.ir": [("original", 3), ("", 0)],
                     "jforum.fr": [("", 0), ("original", 3)],
                     "wire.org": [("copy ×2", 1), ("", 0)],
                     "none.org": [("", 0), ("", 0)]}
    d = m.to_dict()
    assert d["rows"][2] == {"outlet": "wire.org", "cells": [
        {"text": "copy ×2", "level": 1, "title": "Titre a"},
        {"text": "", "level": 0, "title": "Titre b"}]}


def test_entity_matrix_picks_widely_mentioned_names() -> None:
    counts = {"x": Counter({"Erdoğan": 4, "Gaza": 1, "Rare": 9}),
              "y": Counter({"Erdoğan": 2, "Gaza": 2})}
    m = entity_matrix(counts, ["x", "y", "z"])
    assert [c.label for c in m.columns] == ["Erdoğan", "Gaza", "Rare"], \
        "names more outlets mention come first, then mentions"
    rows = {o: [(c.text, c.level) for c in cells] for o, cells in m.rows}
    assert rows["x"] == [("4", 1), ("1", 1), ("9", 3)], "shaded against the top (9)"
    assert rows["z"] == [("", 0), ("", 0), ("", 0)]
    wide = {"x": Counter({f"N{i:02d}": 1 for i in range(30)})}
    assert len(entity_matrix(wide, ["x"]).columns) == MAX_ENTITY_COLUMNS
    assert entity_matrix({}, ["x"]).columns == []


def test_fallback_coverage_publications_tone_and_framing() -> None:
    a, b = _member(ZION), _member(ISR, hours=1)
    cov = fallback_coverage([a, b], ["presstv.ir", "jforum.fr"])
    assert cov.source == "fallback" and cov.data is None
    assert cov.facts.kind == "articles"
    assert any("need the compare stage" in n for n in cov.notes)
    tone = {t.outlet: t for t in cov.tone}
    assert set(tone) == {"presstv.ir", "jforum.fr"}
    assert all(t.method == "lexicon:fr" and t.articles == 1 for t in tone.values())
    assert tone["presstv.ir"].label in ("negative", "neutral", "positive")
    framing = {o: {(t, c) for t, c, _ in terms} for o, terms in cov.framing.items()}
    assert ("terroristes", "terrorism") in framing["presstv.ir"]
    assert ("régime sioniste", "names Israel") in framing["presstv.ir"]
    assert ("israël", "names Israel") in framing["jforum.fr"]
    assert not any(c == "terrorism" for _, c in framing["jforum.fr"])
    d = cov.to_dict()
    assert d["source"] == "fallback" and d["facts"]["kind"] == "articles"
    assert {"term": "terroristes", "category": "terrorism", "count": 1} in \
        d["framing"]["presstv.ir"]
    if cov.entities is not None and cov.entities.columns:
        labels = [c.label.casefold() for c in cov.entities.columns]
        assert any("erdo" in x for x in labels), labels


def test_fallback_copies_count_towards_their_outlet() -> None:
    a = _member(ZION)
    a.copies = [_member(_art("c", "x", outlet="wire.org"), dup="a")]
    cov = fallback_coverage([a], ["presstv.ir", "wire.org"])
    tone = {t.outlet: t.articles for t in cov.tone}
    assert tone == {"presstv.ir": 1, "wire.org": 1}, "a copy carries its original's text"


def test_fallback_unknown_language_tone_is_unknown() -> None:
    m = _member(_art("k", "Ett angrepp i Göteborg.", lang="sv", outlet="se.se"))
    (t,) = fallback_coverage([m], ["se.se"]).tone
    assert (t.label, t.method, t.score) == ("unknown", "none", 0.0)


def _story(members: list[Member]) -> Story:
    return Story("ev-x", "event", "t", len(members), 0, 1, None, None, {}, {},
                 members=[{"id": m.id, "duplicate_of": m.duplicate_of} for m in members])


def test_story_coverage_uses_the_compare_stage_and_caches(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from storylens.compare import coverage as cc

    calls: list[int] = []
    real = cc.story_coverage

    def counting(articles, members, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(articles))
        return real(articles, members, embedder="hashing", cache=None)

    monkeypatch.setattr(cc, "story_coverage", counting)
    monkeypatch.setattr(sc, "_CACHE", type(sc._CACHE)(8))
    members = [_member(ZION), _member(ISR, hours=1)]
    story = _story(members)
    cov = sc.story_coverage(story, members, ["presstv.ir", "jforum.fr"])
    assert cov.source == "compare" and calls == [2]
    assert cov.facts.kind == "facts" and cov.entities is not None
    assert [o for o, _ in cov.facts.rows] == cov.data["matrices"]["outlets"]  # type: ignore[index]
    assert all(c.text in ("✓", "") for _, row in cov.facts.rows for c in row)
    assert len(cov.fact_texts) == len(cov.facts.columns)
    assert cov.to_dict()["source"] == "compare" and "facts" in cov.to_dict()
    assert sc.story_coverage(story, members, []) is cov and calls == [2], "cached"
    # a changed text is a new key
    changed = [_member(_art("a", ZION.text + " Encore.", outlet="presstv.ir")),
               members[1]]
    sc.story_coverage(story, changed, [])
    assert calls == [2, 2]


def test_story_coverage_falls_back_when_the_compare_stage_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from storylens.compare import coverage as cc

    def boom(*a: object, **kw: object) -> None:
        raise RuntimeError("channel broke")

    monkeypatch.setattr(cc, "story_coverage", boom)
    monkeypatch.setattr(sc, "_CACHE", type(sc._CACHE)(8))
    members = [_member(ZION)]
    cov = sc.story_coverage(_story(members), members, ["presstv.ir"])
    assert cov.source == "fallback" and cov.facts.kind == "articles"
