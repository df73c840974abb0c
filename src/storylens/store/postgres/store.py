"""``PostgresStore``: the ``Store`` protocol on PostgreSQL (articles, transactions, schema,
change counter, the clustering lock); the other concerns are mixins beside this module.

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

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from storylens.errors import NotFoundError, StoreError
from storylens.records import Article, RemovedLine
from storylens.store.base import ArticleQuery
from storylens.store.location import redact
from storylens.store.postgres.analysis import PgAnalysisMixin
from storylens.store.postgres.clusters import PgClusterMixin
from storylens.store.postgres.connection import (
    acquire_pool,
    connect,
    guard,
    release_pool,
)
from storylens.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION, ts_functions
from storylens.store.postgres.sources import PgSourceMixin

_COLUMNS = (
    "id, source, url, outlet, title, text, raw, raw_format, published, published_source, "
    "lang, lang_score, removed, warnings, content_hash, ingested_at, sort_time"
)
_LOCK_WRITE, _LOCK_CLUSTER, _LOCK_MIGRATE = "write", "cluster", "migrate"


class PostgresStore(PgClusterMixin, PgAnalysisMixin, PgSourceMixin):
    """``Store`` on PostgreSQL at ``dsn`` (``postgresql://user@host:port/db``); the schema
    is created or migrated on open. Use one store per thread, like the SQLite one."""

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

    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            return conn.execute(query, params).fetchall()

    def _one(self, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._conn() as conn:
            return conn.execute(query, params).fetchone()

    def _many(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._tx(), self._conn() as conn, conn.cursor() as cur:
            cur.executemany(query, rows)

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
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return {r[0] for r in self._rows("SELECT id FROM articles WHERE id = ANY(%s)",
                                         (list(ids),))}

    def add_articles(self, articles: Sequence[Article]) -> int:
        if not articles:
            return 0
        now = datetime.now(UTC)
        rows = [_to_row(a, now) for a in articles]
        inserted = 0
        with self._tx(), self._conn() as conn, conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO articles ({_COLUMNS}) VALUES ({','.join(['%s'] * 17)}) "
                "ON CONFLICT (id) DO NOTHING RETURNING id", rows, returning=True)
            while True:
                inserted += len(cur.fetchall())
                if not cur.nextset():
                    break
        return inserted

    def outlet_line_counts(self, outlet: str, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        return {k: int(n) for k, n in self._rows(
            "SELECT key, n FROM outlet_lines WHERE outlet = %s AND key = ANY(%s)",
            (outlet, list(set(keys))))}

    def add_outlet_lines(self, counts: Mapping[tuple[str, str], int]) -> None:
        self._many("INSERT INTO outlet_lines(outlet, key, n) VALUES (%s, %s, %s) "
                   "ON CONFLICT (outlet, key) DO UPDATE SET n = outlet_lines.n + excluded.n",
                   sorted((o, k, n) for (o, k), n in counts.items()))

    # -- articles: reads -------------------------------------------------------------------
    def get_article(self, id_or_prefix: str) -> Article:
        key = id_or_prefix.strip()
        row = self._one(f"SELECT {_COLUMNS} FROM articles WHERE id = %s", (key,))
        if row is None and key:
            rows = self._rows(f"SELECT {_COLUMNS} FROM articles WHERE id >= %s AND id < %s "
                              "ORDER BY id LIMIT 2", (key, key + "\U0010ffff"))
            if len(rows) > 1:
                raise NotFoundError(f"{key}: ambiguous id prefix; give more characters")
            row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"{key}: no such article (see `storylens articles`)")
        return _from_row(row)

    def get_articles(self, ids: Sequence[str]) -> list[Article]:
        if not ids:
            return []
        found = {r[0]: _from_row(r) for r in self._rows(
            f"SELECT {_COLUMNS} FROM articles WHERE id = ANY(%s)", (list(ids),))}
        return [found[i] for i in ids if i in found]

    def find_articles(self, refs: Sequence[str], limit: int = 2) -> list[str]:
        found: dict[str, None] = {}
        for ref in dict.fromkeys(r for r in refs if r):
            rows = self._rows(
                "SELECT id FROM articles WHERE source = %s OR url = %s "
                "OR (source >= %s AND source < %s) ORDER BY seq LIMIT %s",
                (ref, ref, ref + ":", ref + ";", limit))
            found.update((str(r[0]), None) for r in rows)
            if len(found) >= limit:
                break
        return list(found)[:limit]

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        asked = list(dict.fromkeys(u for u in urls if u))
        if not asked:
            return set()
        rows = self._rows("SELECT url FROM articles WHERE url = ANY(%s) UNION "
                          "SELECT source FROM articles WHERE source = ANY(%s)", (asked, asked))
        return {str(r[0]) for r in rows}

    def list_articles(self, query: ArticleQuery) -> list[Article]:
        where, params = _where(query)
        return [_from_row(r) for r in self._rows(
            f"SELECT {_COLUMNS} FROM articles a {where} ORDER BY a.sort_time DESC, "
            "a.seq DESC LIMIT %s OFFSET %s", [*params, query.limit, query.offset])]

    def count_articles(self, query: ArticleQuery | None = None) -> int:
        where, params = _where(query or ArticleQuery())
        row = self._one(f"SELECT count(*) FROM articles a {where}", params)
        return int(row[0]) if row else 0

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self._closed = True
            release_pool(self.dsn)

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _where(q: ArticleQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for cond, value in (("a.lang = %s", q.lang), ("a.outlet = %s", q.outlet),
                        ("a.sort_time >= %s", _utc(q.since)),
                        ("a.sort_time < %s", _utc(q.until)),
                        ("a.fts @@ storylens_tsquery(%s)", q.search)):
        if value:
            clauses.append(cond)
            params.append(value)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _utc(dt: datetime | None) -> datetime | None:
    """``dt`` as an aware UTC time (a naive one is read as UTC, as the SQLite store does)."""
    if dt is None:
        return None
    return (dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt).astimezone(UTC)


def _to_row(a: Article, now: datetime) -> tuple[Any, ...]:
    ingested = _utc(a.ingested_at or now)
    published = _utc(a.published)
    return (
        a.id, a.source, a.url, a.outlet, a.title, a.text, a.raw, a.raw_format, published,
        a.published_source, a.lang, a.lang_score,
        json.dumps([[r.line_no, r.text, r.reason] for r in a.removed], ensure_ascii=False),
        json.dumps(a.warnings, ensure_ascii=False), a.content_hash, ingested,
        published or ingested,
    )


def _from_row(r: Sequence[Any]) -> Article:
    return Article(
        id=r[0], source=r[1], url=r[2], outlet=r[3], title=r[4], text=r[5], raw=r[6],
        raw_format=r[7], published=_utc(r[8]), published_source=r[9], lang=r[10],
        lang_score=float(r[11] or 0.0),
        removed=[RemovedLine(int(n), t, why) for n, t, why in json.loads(r[12])],
        warnings=list(json.loads(r[13])), ingested_at=_utc(r[15]),
    )
