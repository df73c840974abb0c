"""``PostgresStore``: the ``Store`` protocol on PostgreSQL (articles, transactions, schema,
change counter, the clustering lock, counting inserted articles); the table logic is the
SQLite store's, shared through ``store/sql.py`` (``articles.py``, ``clusters.py``,
``analysis.py``, ``sources.py``).

Several writers at once. Every write runs in a transaction that first takes a
transaction-scoped advisory lock (``pg_advisory_xact_lock``), so writers take turns batch
by batch exactly as SQLite's ``BEGIN IMMEDIATE`` makes them, and a batch's "which of these
ids are new?" check and its insert see the same state: two ingests of overlapping inputs
store each article once and their reports count it once. Inserts use ``ON CONFLICT`` on
the article id besides. The expensive work (decoding, extraction) runs outside these
short transactions, in parallel. Clustering takes a session advisory lock for its whole
run (``clustering()``): one linking worker at a time, so cluster ids stay stable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from storylens.errors import StoreError
from storylens.records import Article
from storylens.store.analysis import AnalysisTablesMixin
from storylens.store.articles import COLUMNS, ArticleTablesMixin, to_row
from storylens.store.clusters import ClusterTablesMixin
from storylens.store.location import redact
from storylens.store.postgres.connection import (
    acquire_pool,
    connect,
    guard,
    release_pool,
)
from storylens.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION, ts_functions
from storylens.store.sources import SourceTablesMixin
from storylens.store.sql import POSTGRES

_LOCK_WRITE, _LOCK_CLUSTER, _LOCK_MIGRATE = "write", "cluster", "migrate"


class PostgresStore(ArticleTablesMixin, ClusterTablesMixin, AnalysisTablesMixin,
                    SourceTablesMixin):
    """``Store`` on PostgreSQL at ``dsn`` (``postgresql://user@host:port/db``); the schema
    is created or migrated on open. Use one store per thread, like the SQLite one. The
    table logic is shared with the SQLite store (``store/sql.py``)."""

    _dialect = POSTGRES

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.shown = redact(dsn)
        self._pinned: psycopg.Connection[Any] | None = None
        self._closed = False
        self._migrate()
        self._pool = acquire_pool(dsn)

    # -- connections and transactions ------------------------------------------------------
    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection of the open transaction, else one from the pool (autocommit)."""
        if self._closed:
            raise StoreError(f"{self.shown}: the store is closed")
        if self._pinned is not None:
            with guard(self.dsn):
                yield self._pinned
            return
        with guard(self.dsn), self._pool.connection() as conn:
            yield conn

    @contextmanager
    def _tx(self) -> Iterator[None]:
        """One transaction holding the write lock; inside ``transaction()``, that one."""
        if self._pinned is not None:
            yield
            return
        with self._conn() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))",
                         (_LOCK_WRITE,))
            self._pinned = conn
            try:
                yield
            finally:
                self._pinned = None

    def transaction(self) -> AbstractContextManager[None]:
        """Every write inside commits together at the end, or none does."""
        return self._tx()

    # The SqlSeam of the shared table mixins: SQL in ``?`` style, sent with ``%s`` marks.
    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            return conn.execute(POSTGRES.sql(query), params).fetchall()

    def _one(self, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._conn() as conn:
            return conn.execute(POSTGRES.sql(query), params).fetchone()

    def _many(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._tx(), self._conn() as conn, conn.cursor() as cur:
            cur.executemany(POSTGRES.sql(query), rows)

    def _write(self, query: str, params: Sequence[Any] = ()) -> int:
        with self._tx(), self._conn() as conn:
            return conn.execute(POSTGRES.sql(query), params).rowcount

    # -- schema ---------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        row = self._one("SELECT max(version) FROM schema_version")
        return int(row[0]) if row and row[0] is not None else 0

    def change_count(self) -> int:
        """Moved by statement triggers on articles, assignments and story summaries."""
        row = self._one("SELECT n FROM changes WHERE id = 1")
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        """Bring the schema to ``SCHEMA_VERSION``; concurrent openers take turns (an
        advisory lock), and each step commits with its version row or not at all."""
        conn = connect(self.dsn)
        try:
            with guard(self.dsn), conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))",
                             (_LOCK_MIGRATE,))
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                             "version integer PRIMARY KEY, applied_at timestamptz NOT NULL "
                             "DEFAULT now())")
                row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
                version = int(row[0]) if row and row[0] is not None else 0
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.shown}: schema version {version} is newer than this "
                        f"storylens ({SCHEMA_VERSION}); upgrade storylens")
                if version == SCHEMA_VERSION:
                    return
                configs = [r[0] for r in conn.execute("SELECT cfgname FROM pg_ts_config")]
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    step = MIGRATIONS[target - 1].replace("{ts_functions}",
                                                          ts_functions(configs))
                    conn.execute(step)
                    conn.execute("INSERT INTO schema_version(version) VALUES (%s)", (target,))
        except psycopg.Error as e:
            raise StoreError(f"{self.shown}: cannot create or migrate the storylens "
                             f"schema ({str(e).strip().splitlines()[0]})") from None
        finally:
            conn.close()

    @contextmanager
    def clustering(self, wait: bool = True) -> Iterator[None]:
        """Held for a whole clustering run: a session advisory lock on a connection of its
        own, so one process links at a time (and a killed one releases it). ``wait=False``
        raises ``StoreError`` when another process holds it."""
        key = (_LOCK_CLUSTER,)
        with self._conn() as conn:
            got = conn.execute("SELECT pg_try_advisory_lock(hashtext(current_schema() || %s))",
                               key).fetchone()
            if not (got and got[0]):
                if not wait:
                    raise StoreError(f"{self.shown}: another process is clustering this "
                                     "store; try again when it is done")
                conn.execute("SELECT pg_advisory_lock(hashtext(current_schema() || %s))", key)
            try:
                yield
            finally:
                if not conn.closed:
                    conn.execute(
                        "SELECT pg_advisory_unlock(hashtext(current_schema() || %s))", key)

    # -- articles: writes ------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> int:
        if not articles:
            return 0
        now = datetime.now(UTC)
        rows = [to_row(a, now, POSTGRES) for a in articles]
        inserted = 0
        with self._tx(), self._conn() as conn, conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO articles ({COLUMNS}) VALUES ({','.join(['%s'] * 17)}) "
                "ON CONFLICT (id) DO NOTHING RETURNING id", rows, returning=True)
            while True:
                inserted += len(cur.fetchall())
                if not cur.nextset():
                    break
        return inserted

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self._closed = True
            release_pool(self.dsn)

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
