"""What the SQLite and PostgreSQL stores' SQL differs in, and the seam the shared table
modules (``articles.py``, ``clusters.py``, ``analysis.py``, ``sources.py``) run it through.

The table logic is written once, in SQLite's ``?`` parameter style, over the seam methods
``_rows``/``_one``/``_many``/``_write`` and a ``Dialect``: parameter marks, the upsert
phrasing (``INSERT OR REPLACE`` / ``INSERT … ON CONFLICT … DO UPDATE``), how an id list is
passed (chunked ``IN (?,…)`` under SQLite's parameter cap / one array with ``= ANY(?)``),
how booleans and times are stored (SQLite: 0/1 and ISO 8601 text; PostgreSQL: ``boolean``
and ``timestamptz``), and the few clauses that are one backend's own (the ingest-order
column, the full-text match). What is genuinely one backend's (connections, transactions,
locks, migrations, full-text indexing, how an insert counts its new rows) stays in
``sqlite.py`` and ``postgres/``.

Shared SQL must hold no literal ``?`` or ``%`` (PostgreSQL's driver reads ``%`` as a mark).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar


class Dialect:
    """SQLite's phrasing; ``PostgresDialect`` overrides what PostgreSQL says otherwise."""

    seq: ClassVar[str] = "rowid"
    """The articles column that orders them by ingest."""
    nulls_last: ClassVar[str] = ""
    """Appended to a ``DESC`` sort key whose NULLs go last (SQLite's default)."""
    story_tiebreak: ClassVar[str] = ""
    """Appended to the story listing's sort keys."""
    search: ClassVar[str] = (
        "a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
    """The full-text condition on articles ``a``, one parameter (the query)."""
    search_errors: ClassVar[tuple[type[BaseException], ...]] = (sqlite3.OperationalError,)
    """Driver errors that mean "not a valid full-text query"."""
    pinned_join: ClassVar[str] = "CROSS JOIN"
    """A join whose left table the planner must read first (SQLite's CROSS JOIN keeps the
    written order; PostgreSQL plans a plain JOIN from its statistics)."""
    unsorted: ClassVar[str] = "+"
    """Prefix that keeps an ``ORDER BY`` column's index from driving the scan (SQLite's
    unary ``+``), so a cluster's few rows are sorted rather than every row walked."""
    unclustered: ClassVar[str] = (
        "SELECT a.id FROM unclustered u CROSS JOIN articles a ON a.id = u.article_id")
    """Articles still to cluster, as ``a``: SQLite keeps them in a trigger-fed table
    (schema 9), so a cluster run's start-up never scans the archive."""
    max_list: ClassVar[int] = 500
    """Most values bound in one ``IN (…)`` list (SQLite caps a statement's parameters,
    at 999 in builds before 3.32)."""

    def sql(self, query: str) -> str:
        """``query`` (written with ``?`` marks) in this driver's parameter style."""
        return query

    def put(self, table: str, columns: Sequence[str], key: Sequence[str], *,
            replace: bool = True) -> str:
        """Insert a whole row (every column, in table order): a row with the same ``key``
        is replaced, or with ``replace=False`` kept (the new one dropped)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        return f"{verb} INTO {table} VALUES ({','.join('?' * len(columns))})"

    def in_list(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        """``(condition, parameters)`` pairs that together ask ``column`` to be one of
        ``values``: one per slice of ``max_list`` values; none for no values."""
        items = list(values)
        for i in range(0, len(items), self.max_list):
            part = items[i : i + self.max_list]
            yield f"{column} IN ({','.join('?' * len(part))})", part

    def flag(self, value: bool) -> Any:
        """A boolean as stored."""
        return int(value)

    def time_in(self, dt: datetime | None) -> Any:
        """A time as stored (a naive one is read as UTC): ISO 8601 text in UTC."""
        utc = _utc(dt)
        return utc.isoformat() if utc else None

    def time_out(self, value: Any) -> datetime | None:
        """A stored time (as ``time_in`` wrote it) as an aware ``datetime``."""
        return datetime.fromisoformat(value) if value else None

    def time_text(self, value: Any) -> str | None:
        """A stored time as ISO 8601 text in UTC."""
        return None if value is None else str(value)


class PostgresDialect(Dialect):
    """PostgreSQL's phrasing: ``%s`` marks, ``ON CONFLICT`` upserts, arrays for id lists,
    ``boolean`` and ``timestamptz`` columns."""

    seq = "seq"
    nulls_last = " NULLS LAST"
    story_tiebreak = ", id"
    search = "a.fts @@ storylens_tsquery(?)"
    search_errors = ()  # storylens_tsquery reads any text as a query
    pinned_join = "JOIN"
    unsorted = ""
    unclustered = ("SELECT a.id FROM articles a LEFT JOIN article_clusters c "
                   "ON c.article_id = a.id WHERE c.article_id IS NULL")

    def sql(self, query: str) -> str:
        return _pg_marks(query)

    def put(self, table: str, columns: Sequence[str], key: Sequence[str], *,
            replace: bool = True) -> str:
        head = (f"INSERT INTO {table} VALUES ({','.join('?' * len(columns))}) "
                f"ON CONFLICT ({', '.join(key)}) DO ")
        if not replace:
            return head + "NOTHING"
        return head + "UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns
                                                if c not in key)

    def in_list(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        if values:
            yield f"{column} = ANY(?)", [list(values)]

    def flag(self, value: bool) -> Any:
        return bool(value)

    def time_in(self, dt: datetime | None) -> Any:
        return _utc(dt)

    def time_out(self, value: Any) -> datetime | None:
        return _utc(value)

    def time_text(self, value: Any) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None


SQLITE = Dialect()
POSTGRES = PostgresDialect()


@lru_cache(maxsize=512)
def _pg_marks(query: str) -> str:
    return query.replace("?", "%s")


def _utc(dt: datetime | None) -> datetime | None:
    """``dt`` as an aware UTC time (a naive one is read as UTC)."""
    if dt is None:
        return None
    return (dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt).astimezone(UTC)


class SqlSeam:
    """What the shared table mixins need of a store: its dialect, its write transaction
    and four statement runners (SQL in ``?`` style; the store translates it)."""

    _dialect: ClassVar[Dialect]

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

    def _write(self, query: str, params: Sequence[Any] = ()) -> int:
        """``query`` once, in a write transaction; how many rows it changed."""
        raise NotImplementedError
