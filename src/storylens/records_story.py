"""Plain records of the link stage as the store keeps them: per-article cluster
assignments and event/storyline summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Level = Literal["event", "storyline"]


@dataclass(slots=True, frozen=True)
class ClusterAssignment:
    """Where one article went: its event, its storyline, and whether it is a copy."""

    article_id: str
    event_id: str
    storyline_id: str
    duplicate_of: str | None
    event_score: float
    storyline_score: float
    undated: bool
    placed_time: float
    """The time the clusterer placed the article at (UNIX seconds): its publication time,
    or for an undated article the stream's clock when it arrived."""


@dataclass(slots=True)
class Story:
    """An event or a storyline, summarised: what `storylens stories` lists."""

    id: str
    level: Level
    title: str
    size: int
    """Articles, syndicated copies included."""
    n_copies: int
    n_events: int
    first_time: datetime | None
    last_time: datetime | None
    langs: dict[str, int]
    outlets: dict[str, int]
    storyline_id: str | None = None
    members: list[dict[str, Any]] = field(default_factory=list)
    """For a single story: its articles (id, title, outlet, lang, published, event_id,
    duplicate_of), oldest first."""
    events: list[str] = field(default_factory=list)
    """For a storyline: its event ids, oldest first."""

    def span(self) -> str:
        """First and last publication day ("2022-02-02 → 2022-10-24"; "—" when undated)."""
        if not self.first_time:
            return "—"
        a = self.first_time.date().isoformat()
        b = (self.last_time or self.first_time).date().isoformat()
        return a if a == b else f"{a} → {b}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["first_time"] = self.first_time.isoformat() if self.first_time else None
        d["last_time"] = self.last_time.isoformat() if self.last_time else None
        return d


def copy_roots(duplicate_of: dict[str, str | None]) -> dict[str, str]:
    """For each member id, the original it was syndicated from: itself for an original,
    the end of the ``duplicate_of`` chain for a copy (a copy of a copy folds under the
    first original), itself for a copy whose original is not a member. Both the
    coverage analysis and the story page fold copies with it, so they agree."""
    roots: dict[str, str] = {}
    for start in duplicate_of:
        path, seen = [start], {start}
        while (nxt := duplicate_of.get(path[-1])) and nxt in duplicate_of:
            if nxt in seen:  # a cycle: its smallest id is the original, for all its members
                path = [min(path[path.index(nxt):])]
                break
            seen.add(nxt)
            path.append(nxt)
        roots[start] = path[-1]
    return roots
