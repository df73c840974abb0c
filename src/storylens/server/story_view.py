"""Stories as the pages show them: query-string parsing, one-line summaries and time
spans. Listing, filtering and search are the facade's (``storylens.api.stories``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from storylens.records import Article
from storylens.records_story import Level, Story
from storylens.server.story_members import member_time
from storylens.store.base import Store

Sort = Literal["recent", "size"]
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？؟।])([\"'»”’)\]]*)\s+")


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


def lead_sentence(text: str, limit: int = 220) -> str:
    """The first sentence of ``text`` on one line, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    end = _SENTENCE_END.search(flat)
    first = flat[:end.end(1)] if end else flat  # closing quotes stay with the sentence
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


def cards(store: Store, stories: list[Story]) -> list[StoryCard]:
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
    """The text without a leading copy of the title, else the title."""
    return a.body or a.title.strip()
