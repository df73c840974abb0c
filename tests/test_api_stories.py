"""``storylens.api`` over a small hand-clustered in-memory store (no link model needed):
``list_stories`` paging with and without the language filter, ``search_stories``
(lenient rewriting, level, size and language filters, sort), ``get_story``,
``search_articles`` lenient/strict and ``plain_words_query``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens import api
from storylens.api import stories as stories_mod
from storylens.errors import NotFoundError, StoreError
from storylens.records import Article
from storylens.records_story import ClusterAssignment
from storylens.store import ArticleQuery, Store, open_store

T0 = datetime(2024, 1, 1, tzinfo=UTC)

# (id, event, storyline, lang, day, title/text)
ROWS = [
    ("a1", "ev-1", "sl-1", "en", 0, "Storm hits Lisbon and floods the harbour"),
    ("a2", "ev-1", "sl-1", "fr", 1, "Tempête sur Lisbonne, le port inondé"),
    ("a3", "ev-1", "sl-1", "en", 2, "Lisbon storm: the harbour reopens"),
    ("b1", "ev-2", "sl-1", "de", 5, "Sturm in Lissabon: Aufräumarbeiten beginnen"),
    ("c1", "ev-3", "sl-2", "en", 3, "Chile elects a new parliament"),
    ("c2", "ev-3", "sl-2", "es", 4, "Chile elige un nuevo parlamento"),
    ("d1", "ev-4", "sl-3", "en", 6, "Cake recipe with chocolate"),
]


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_store(":memory:")
    arts = [Article(id=i, source=f"{i}.txt", title=t, text=t + ". More words follow here.",
                    raw="", raw_format="text", lang=lang, outlet=f"{i[0]}{k}.example",
                    published=T0 + timedelta(days=day))
            for k, (i, _, _, lang, day, t) in enumerate(ROWS)]
    s.add_articles(arts)
    s.add_articles([Article(id="z9", source="z9.txt", title="Unclustered Lisbon note",
                            text="Lisbon again.", raw="", raw_format="text", lang="en")])
    s.save_assignments([ClusterAssignment(i, ev, sl, None, 1.0, 1.0, False,
                                          (T0 + timedelta(days=day)).timestamp())
                        for i, ev, sl, _, day, _ in ROWS])
    yield s
    s.close()


def ids(stories: list) -> list[str]:  # type: ignore[type-arg]
    return [s.id for s in stories]


def test_list_stories_pages_in_the_store(store: Store) -> None:
    page, total = api.list_stories(store)
    assert total == 4 and ids(page) == ["ev-4", "ev-2", "ev-3", "ev-1"]
    page, total = api.list_stories(store, sort="size", limit=2, offset=1)
    assert total == 4 and ids(page) == ["ev-3", "ev-4"]
    page, total = api.list_stories(store, level="storyline", min_size=2)
    assert total == 2 and ids(page) == ["sl-1", "sl-2"]


def test_list_stories_with_a_language_filters_and_pages(store: Store) -> None:
    page, total = api.list_stories(store, lang="en")
    assert total == 3 and ids(page) == ["ev-4", "ev-3", "ev-1"]
    page, total = api.list_stories(store, lang="en", limit=1, offset=1)
    assert total == 3 and ids(page) == ["ev-3"]
    page, total = api.list_stories(store, lang="en", offset=10)
    assert total == 3 and page == []
    assert api.list_stories(store, lang="xx") == ([], 0)
    page, total = api.list_stories(store, lang="de", level="storyline")
    assert (ids(page), total) == (["sl-1"], 1)


def test_language_scan_crosses_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories_mod, "SCAN_CHUNK", 1)
    page, total = api.list_stories(store, lang="en", limit=2, offset=1)
    assert total == 3 and ids(page) == ["ev-3", "ev-1"]


def test_get_story(store: Store) -> None:
    s = api.get_story(store, "  ev-1 \n")
    assert s.id == "ev-1" and [m["id"] for m in s.members] == ["a1", "a2", "a3"]
    sl = api.get_story(store, "sl-1")
    assert sl.events == ["ev-1", "ev-2"] and sl.size == 4
    with pytest.raises(NotFoundError, match="ev-404"):
        api.get_story(store, "ev-404")


def test_search_stories_gathers_the_stories_of_matching_articles(store: Store) -> None:
    found, hits, rewritten = api.search_stories(store, "lisbon")
    assert (ids(found), hits, rewritten) == (["ev-1"], 3, False), \
        "the unclustered article counts as a hit but has no story"
    found, _, _ = api.search_stories(store, "lisbon", level="storyline")
    assert ids(found) == ["sl-1"]
    found, _, _ = api.search_stories(store, "chile OR lisbon")
    assert ids(found) == ["ev-3", "ev-1"], "most recent first"
    found, _, _ = api.search_stories(store, "chile OR lisbon OR cake", sort="size")
    assert ids(found) == ["ev-1", "ev-3", "ev-4"]
    found, _, _ = api.search_stories(store, "chile OR lisbon", min_size=3)
    assert ids(found) == ["ev-1"]
    found, _, _ = api.search_stories(store, "chile OR lisbon", lang="es")
    assert ids(found) == ["ev-3"]
    assert api.search_stories(store, "zebra") == ([], 0, False)


def test_search_stories_rewrites_bad_syntax_as_plain_words(store: Store) -> None:
    found, hits, rewritten = api.search_stories(store, '"chile parliament')
    assert rewritten and hits == 1 and ids(found) == ["ev-3"]
    assert api.search_stories(store, '"((') == ([], 0, True)


def test_search_articles_strict_and_lenient(store: Store) -> None:
    q = ArticleQuery(search="lisbon", limit=2)
    page, total, ran = api.search_articles(store, q)
    assert len(page) == 2 and total == 3 and ran is q
    bad = ArticleQuery(search='"lisbon harbour', lang="en")
    with pytest.raises(StoreError, match="full-text"):
        api.search_articles(store, bad)
    page, total, ran = api.search_articles(store, bad, lenient=True)
    assert ran.search == '"lisbon" "harbour"' and ran.lang == "en"
    assert {a.id for a in page} == {"a1", "a3"} and total == 2
    nothing = ArticleQuery(search='"((')
    assert api.search_articles(store, nothing, lenient=True) == ([], 0, ArticleQuery(
        search=""))


def test_list_and_get_article(store: Store) -> None:
    assert [a.id for a in api.list_articles(store, ArticleQuery(lang="es"))] == ["c2"]
    assert api.get_article(store, "d").id == "d1"


@pytest.mark.parametrize(("text", "query"), [
    ("hamas turkey", '"hamas" "turkey"'), ('"unbalanced', '"unbalanced"'),
    ("a AND (b", '"a" "AND" "b"'), ("Erdoğan's visit", '"Erdoğan" "s" "visit"'),
    ("***", ""), ("", ""),
])
def test_plain_words_query(text: str, query: str) -> None:
    assert api.plain_words_query(text) == query


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_plain_words_query_is_always_valid_fts(text: str) -> None:
    q = api.plain_words_query(text)
    with open_store(":memory:") as s:
        if q:
            s.count_articles(ArticleQuery(search=q))  # never a StoreError
