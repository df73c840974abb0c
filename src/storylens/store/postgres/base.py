"""What the PostgreSQL mixins expect of ``PostgresStore`` (its connection helpers), typed
once so each mixin module reads on its own."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any


class PgHelpers:
    """The connection helpers ``PostgresStore`` provides to its mixins."""

    def _tx(self) -> AbstractContextManager[None]:
        """One write transaction (the writers' lock held), or the open one."""
        raise NotImplementedError

    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of ``query``."""
        raise NotImplementedError

    def _one(self, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of ``query``, or None."""
        raise NotImplementedError

    def _many(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        """``query`` once per row, in one write transaction (nothing when no rows)."""
        raise NotImplementedError
