"""Stories as the pages and the API list them: filtering, full-text search, one-line
summaries and time spans.

The store lists stories by level, minimum size and sort order; a language filter and a
search are applied here, over the store's own reads, so no store change is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from storylens.records import Article
from storylens.records_story import Level, Story
from storylens.server.deps import run_query
from storylens.server.story_members import member_time
from storylens.store.base import ArticleQuery
from storylens.store.sqlite import SQLiteStore

Sort = Literal["recent", "size"]
SEARCH_HITS = 500
"""Articles a search looks at when it gathers their stories."""
SCAN_CHUNK = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？؟।])[\"'»”’)\]]*\s+")


@dataclass(slots=True)
class StoryCard:
    """A story as the stories page shows it."""

    story: Story
    summary: str
    dated_first: datetime | None
    dated_last: datetime | None
    undated: int


def as_level(value: str) -> Level | None:
    v = value.strip().lower()
    return cast(Level, v) if v in ("event", "storyline") else None


def as_sort(value: str) -> Sort | None:
    v = value.strip().lower()
    return cast(Sort, v) if v in ("recent", "size") else None


def has_lang(story: Story, lang: str | None) -> bool:
    """Whether ``story`` has an article in ``lang`` (``None``: any)."""
    return not lang or lang in story.langs


def list_stories(store: SQLiteStore, *, level: Level, sort: Sort, min_size: int,
                 lang: str | None, limit: int, offset: int) -> tuple[list[Story], int]:
    """A page of stories and the total. Without ``lang`` the store pages; with it, the
    stories are scanned in chunks and filtered here."""
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


def search_stories(store: SQLiteStore, q: str, *, level: Level, sort: Sort, min_size: int,
                   lang: str | None) -> tuple[list[Story], int, bool]:
    """Stories of the articles matching the full-text query ``q`` (all of them, sorted),
    the number of matching articles, and whether the query was rewritten as plain words
    because it was not valid FTS5 syntax."""
    query = ArticleQuery(search=q, limit=SEARCH_HITS, offset=0)
    hits, n_hits, ran = run_query(store, query, lenient=True)
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


def lead_sentence(text: str, limit: int = 220) -> str:
    """The first sentence of ``text`` on one line, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0] if flat else ""
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


def cards(store: SQLiteStore, stories: list[Story]) -> list[StoryCard]:
    """Cards for ``stories``: each story's members are read for its summary (the first
    original article's lead sentence) and its span of publication dates."""
    full = [s if s.members else store.get_story(s.id) for s in stories]
    firsts: dict[str, str] = {}
    for s in full:
        originals = [m for m in s.members if not m.get("duplicate_of")] or s.members
        if originals:
            firsts[s.id] = str(originals[0]["id"])
    texts: dict[str, Article] = {a.id: a for a in store.get_articles(list(firsts.values()))}
    out: list[StoryCard] = []
    for s in full:
        first = texts.get(firsts.get(s.id, ""))
        summary = lead_sentence(_body(first)) if first else ""
        times = (member_time(m.get("published")) for m in s.members)
        dates = sorted(d for d in times if d is not None)
        out.append(StoryCard(story=s, summary=summary,
                             dated_first=dates[0] if dates else None,
                             dated_last=dates[-1] if dates else None,
                             undated=len(s.members) - len(dates)))
    return out


def _body(a: Article) -> str:
    """The text without a leading copy of the title (extractors often keep it)."""
    text = a.text.strip()
    title = a.title.strip()
    if title and text.startswith(title):
        text = text[len(title):].strip()
    return text or title
