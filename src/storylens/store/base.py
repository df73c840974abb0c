"""The store interface the pipeline talks to.

Small on purpose: a PostgreSQL backend only has to implement these methods for the CLI,
API and pipeline to work unchanged. ``tests/test_store.py`` is the conformance suite every
backend must pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storylens.records import Article


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Filters for listing articles; ``None`` means no filter on that field."""

    lang: str | None = None
    outlet: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    """Full-text query over title and text (FTS5 syntax on SQLite)."""
    limit: int = 50
    offset: int = 0


class Store(Protocol):
    """Persistence for articles. Every write is atomic per call."""

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are already stored."""
        ...

    def add_articles(self, articles: Sequence[Article]) -> int:
        """Insert articles in one transaction; already-stored ids are skipped.
        Returns how many were inserted."""
        ...

    def get_article(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with this prefix.
        Raises ``NotFoundError`` (unknown or ambiguous)."""
        ...

    def list_articles(self, query: ArticleQuery) -> list[Article]:
        """Articles matching ``query``, newest first (by published, else ingest time)."""
        ...

    def count_articles(self, query: ArticleQuery | None = None) -> int:
        """How many articles match ``query`` (all when ``None``), ignoring limit/offset."""
        ...

    def outlet_line_counts(self, outlet: str, keys: Sequence[str]) -> dict[str, int]:
        """For each line key, in how many stored articles of ``outlet`` it occurs."""
        ...

    def add_outlet_lines(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add occurrence counts of (outlet, line key) pairs."""
        ...

    def close(self) -> None:
        """Release the connection; the store stays readable by others meanwhile."""
        ...
