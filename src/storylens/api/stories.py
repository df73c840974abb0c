"""Stories: cluster what is new, list and search events and storylines, one story and
how it was covered."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from storylens.api.articles import search_articles
from storylens.records_story import Level, Story
from storylens.store.base import ArticleQuery, Store

if TYPE_CHECKING:
    from storylens.compare.coverage import Coverage
    from storylens.link.service import ClusterReport

Sort = Literal["recent", "size"]
SEARCH_HITS = 500
"""Articles a story search looks at when it gathers their stories."""
SCAN_CHUNK = 1000


def cluster(store: Store, *, embedder: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> ClusterReport:
    """Assign every stored article not yet clustered to an event and a storyline (see
    ``link.service.cluster_store``); the embedder defaults to the store's own."""
    from storylens.link.service import cluster_store

    return cluster_store(store, embedder=embedder, progress=progress)


def has_lang(story: Story, lang: str | None) -> bool:
    """Whether ``story`` has an article in ``lang`` (``None``: any)."""
    return not lang or lang in story.langs


def list_stories(store: Store, *, level: Level = "event", sort: Sort = "recent",
                 min_size: int = 1, lang: str | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[Story], int]:
    """A page of stories and the total. Without ``lang`` the store pages; with it, the
    stories are scanned in chunks and filtered."""
    if not lang:
        return (store.list_stories(level, min_size=min_size, limit=limit, offset=offset,
                                   sort=sort), store.count_stories(level, min_size=min_size))
    kept: list[Story] = []
    total = 0
    start = 0
    while True:
        chunk = store.list_stories(level, min_size=min_size, limit=SCAN_CHUNK, offset=start,
                                   sort=sort)
        for s in chunk:
            if has_lang(s, lang):
                if offset <= total < offset + limit:
                    kept.append(s)
                total += 1
        if len(chunk) < SCAN_CHUNK:
            return kept, total
        start += SCAN_CHUNK


def search_stories(store: Store, q: str, *, level: Level = "event", sort: Sort = "recent",
                   min_size: int = 1, lang: str | None = None
                   ) -> tuple[list[Story], int, bool]:
    """Stories of the articles matching the full-text query ``q`` (all of them, sorted),
    the number of matching articles, and whether the query was rewritten as plain words
    because it was not valid search syntax."""
    query = ArticleQuery(search=q, limit=SEARCH_HITS, offset=0)
    hits, n_hits, ran = search_articles(store, query, lenient=True)
    ids: dict[str, None] = {}
    for a in hits:
        assigned = store.article_assignment(a.id)
        if assigned is not None:
            ids[assigned.event_id if level == "event" else assigned.storyline_id] = None
    stories = [store.get_story(i) for i in ids]
    stories = [s for s in stories if s.size >= min_size and has_lang(s, lang)]
    stories.sort(key=_size_key if sort == "size" else _recent_key, reverse=True)
    return stories, n_hits, ran.search != q


def _recent_key(s: Story) -> tuple[float, int]:
    return (s.last_time.timestamp() if s.last_time else 0.0, s.size)


def _size_key(s: Story) -> tuple[int, float]:
    return (s.size, s.last_time.timestamp() if s.last_time else 0.0)


def get_story(store: Store, story_id: str) -> Story:
    """One event (``ev-…``) or storyline (``sl-…``) with its members."""
    return store.get_story(story_id.strip())


def story_coverage(store: Store, story: str | Story, *, max_articles: int | None = None,
                   fact_sentences: int | None = None, embedder: str | None = None
                   ) -> tuple[Story, Coverage]:
    """A story and how it was covered (facts, entities, framing and tone per outlet,
    timeline). Enrichments and sentence vectors are read from the store when computed
    before and kept there when new, so a story is analysed once, not once per view."""
    from storylens.compare.coverage import (
        ANALYSIS_CACHE,
        FACT_SENTENCES,
        MAX_ARTICLES,
    )
    from storylens.compare.coverage import story_coverage as coverage_of

    s = story if isinstance(story, Story) else get_story(store, story)
    articles = store.get_articles([str(m["id"]) for m in s.members])
    cov = coverage_of(articles, s.members, embedder=embedder,
                      max_articles=max_articles or MAX_ARTICLES,
                      fact_sentences=fact_sentences or FACT_SENTENCES,
                      cache=ANALYSIS_CACHE, store=store)
    return s, cov
