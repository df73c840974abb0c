"""Pydantic models of the story API's bodies (``/api/v1/stories``): like ``schemas.py``,
they fix and document the shape of every response."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from storylens.records_story import Story
from storylens.server.schemas import PageLinks


class StorySummary(BaseModel):
    """An event or storyline in a list: counts, time span, languages and outlets."""

    id: str
    level: Literal["event", "storyline"]
    title: str = Field(description="The title of the story's first article.")
    size: int = Field(description="Articles, syndicated copies included.")
    n_copies: int = Field(description="Syndicated copies among them.")
    n_events: int
    first_time: datetime | None
    last_time: datetime | None
    langs: dict[str, int] = Field(description="Language -> articles.")
    outlets: dict[str, int] = Field(description="Outlet -> articles.")
    storyline_id: str | None = Field(description="For an event: its storyline.")
    href: str = Field(description="This story's API URL.")
    page: str = Field(description="This story's web page.")

    @classmethod
    def of(cls, s: Story) -> StorySummary:
        return cls(id=s.id, level=s.level, title=s.title, size=s.size, n_copies=s.n_copies,
                   n_events=s.n_events, first_time=s.first_time, last_time=s.last_time,
                   langs=s.langs, outlets=s.outlets, storyline_id=s.storyline_id,
                   href=f"/api/v1/stories/{s.id}", page=f"/stories/{s.id}")


class StoryPage(BaseModel):
    total: int = Field(description="Stories matching the filters, over all pages.")
    limit: int
    offset: int
    level: Literal["event", "storyline"]
    sort: Literal["recent", "size"]
    stories: list[StorySummary]
    links: PageLinks


class StoryMember(BaseModel):
    """One article of a story."""

    id: str
    title: str
    outlet: str | None
    lang: str | None
    published: str | None = Field(description="ISO 8601, `null` when undated.")
    event_id: str
    duplicate_of: str | None = Field(description="Id of the original when a copy.")
    event_score: float
    undated: bool
    href: str


class StoryDetail(StorySummary):
    """One story: its articles oldest first, its events, and how each outlet covers it."""

    members: list[StoryMember]
    events: list[str] = Field(description="For a storyline: its event ids, oldest first.")
    coverage: dict[str, Any] = Field(description=(
        "Outlets x facts and outlets x entities matrices, tone and framing per outlet. "
        "`source` says who computed them: `compare` (the compare stage's story "
        "coverage) or `fallback` (publications per outlet and enrichment names)."))

    @classmethod
    def of_story(cls, s: Story, coverage: dict[str, Any]) -> StoryDetail:
        base = StorySummary.of(s).model_dump()
        members = [StoryMember.model_validate({**{k: m.get(k) for k in (
            "id", "title", "outlet", "lang", "published", "event_id", "duplicate_of",
            "event_score", "undated")}, "href": f"/api/v1/articles/{m['id']}"})
            for m in s.members]
        return cls(**base, members=members, events=s.events, coverage=coverage)
