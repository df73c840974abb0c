"""The default store: one SQLite file, WAL mode, FTS5 full-text index, versioned schema.

WAL lets readers (``storylens articles``, the web UI) work while an ingest writes. Each
``add_articles`` call is one ``BEGIN IMMEDIATE`` transaction, so a crash or kill leaves
either all of a batch or none of it, never half an article.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no clustering lock
    fcntl = None  # type: ignore[assignment]

from storylens.errors import StoreError
from storylens.records import Article
from storylens.store.analysis import AnalysisTablesMixin
from storylens.store.articles import COLUMNS, ArticleTablesMixin, to_row
from storylens.store.clusters import ClusterTablesMixin
from storylens.store.migrations import MIGRATIONS, SCHEMA_VERSION
from storylens.store.sources import SourceTablesMixin
from storylens.store.sql import SQLITE


def open_store(path: str | Path) -> SQLiteStore:
    """Open (creating and migrating if needed) the SQLite store at ``path``."""
    return SQLiteStore(path)


class SQLiteStore(ArticleTablesMixin, ClusterTablesMixin, AnalysisTablesMixin,
                  SourceTablesMixin):
    """``Store`` on SQLite. Use ``":memory:"`` as path for a throwaway store. The table
    logic is shared with the PostgreSQL store (``store/sql.py``); here are the connection,
    transactions, migrations, the clustering lock and the FTS integrity check."""

    _dialect = SQLITE

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            p = Path(self.path)
            if p.is_dir():
                raise StoreError(f"{p}: is a directory; give a file path for the store (--db)")
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{p.parent}: cannot create the store's folder ({e})") from e
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._db.execute("PRAGMA busy_timeout = 30000")
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a usable storylens store ({e})") from e

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def change_count(self) -> int:
        """Kept by triggers on ``articles``, ``article_clusters`` and ``clusters``
        (schema 5), so every writer moves it, whatever code wrote."""
        return int(self._db.execute("SELECT n FROM changes WHERE id = 1").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this storylens "
                f"({SCHEMA_VERSION}); upgrade storylens"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._tx():
                for stmt in _split_sql(MIGRATIONS[target - 1]):
                    self._db.execute(stmt)
                self._db.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def _tx(self) -> Iterator[None]:
        if self._db.in_transaction:  # inside ``transaction()``: one commit at its end
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def transaction(self) -> AbstractContextManager[None]:
        """Every write inside commits together at the end, or none does."""
        return self._tx()

    def clustering(self, wait: bool = True) -> AbstractContextManager[None]:
        """An exclusive ``flock`` on ``<store>-cluster.lock`` beside the file (the kernel
        drops it when the holder dies); nothing to share for ``:memory:`` or where the
        system has no ``flock``."""
        if self.path == ":memory:" or fcntl is None:
            return nullcontext()
        return _file_lock(Path(self.path + "-cluster.lock"), wait, self.path)

    # -- the SqlSeam the shared table mixins run on -----------------------------------------
    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(query, params).fetchall()

    def _one(self, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._db.execute(query, params).fetchone()
        return row

    def _many(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._tx():
            self._db.executemany(query, rows)

    def _write(self, query: str, params: Sequence[Any] = ()) -> int:
        with self._tx():
            return self._db.execute(query, params).rowcount

    # -- writes -------------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> int:
        if not articles:
            return 0
        now = datetime.now(UTC)
        rows = [to_row(a, now, SQLITE) for a in articles]
        with self._tx():
            already = self.existing_ids([a.id for a in articles])
            self._db.executemany(
                f"INSERT INTO articles ({COLUMNS}) "
                f"VALUES ({','.join('?' * 17)}) ON CONFLICT(id) DO NOTHING",
                rows,
            )
        return len({a.id for a in articles} - already)

    def integrity_ok(self) -> bool:
        """SQLite's integrity check and the FTS index agree with the articles table."""
        ok = self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        self._db.execute(
            "INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"
        )
        return bool(ok)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _file_lock(lock_path: Path, wait: bool, shown: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` for the duration."""
    try:
        fh = lock_path.open("a")
    except OSError as e:
        raise StoreError(f"{lock_path}: cannot open the clustering lock ({e})") from e
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise StoreError(f"{shown}: another process is clustering this store; try "
                             "again when it is done") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    stmts: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                stmts.append(buf.strip())
            buf = ""
    if buf.strip():
        stmts.append(buf.strip())
    return stmts


