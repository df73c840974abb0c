"""The default store: one SQLite file, WAL mode, FTS5 full-text index, versioned schema.

WAL lets readers (``storylens articles``, the web UI) work while an ingest writes. Each
``add_articles`` call is one ``BEGIN IMMEDIATE`` transaction, so a crash or kill leaves
either all of a batch or none of it, never half an article.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no clustering lock
    fcntl = None  # type: ignore[assignment]

from storylens.errors import NotFoundError, StoreError
from storylens.records import Article, RemovedLine
from storylens.store.analysis import AnalysisTablesMixin
from storylens.store.base import ArticleQuery
from storylens.store.chunks import chunks
from storylens.store.clusters import ClusterTablesMixin
from storylens.store.migrations import MIGRATIONS, SCHEMA_VERSION
from storylens.store.sources import SourceTablesMixin

_COLUMNS = (
    "id, source, url, outlet, title, text, raw, raw_format, published, published_source, "
    "lang, lang_score, removed, warnings, content_hash, ingested_at, sort_time"
)


def open_store(path: str | Path) -> SQLiteStore:
    """Open (creating and migrating if needed) the SQLite store at ``path``."""
    return SQLiteStore(path)


class SQLiteStore(ClusterTablesMixin, AnalysisTablesMixin, SourceTablesMixin):
    """``Store`` on SQLite. Use ``":memory:"`` as path for a throwaway store."""

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

    # -- writes -------------------------------------------------------------------------
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def add_articles(self, articles: Sequence[Article]) -> int:
        if not articles:
            return 0
        now = datetime.now(UTC)
        rows = [_to_row(a, now) for a in articles]
        with self._tx():
            already = self.existing_ids([a.id for a in articles])
            self._db.executemany(
                f"INSERT INTO articles ({_COLUMNS}) "
                f"VALUES ({','.join('?' * 17)}) ON CONFLICT(id) DO NOTHING",
                rows,
            )
        return len({a.id for a in articles} - already)

    def outlet_line_counts(self, outlet: str, keys: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in chunks(list(set(keys)), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, n FROM outlet_lines WHERE outlet = ? AND key IN ({marks})",
                [outlet, *chunk],
            )
            out.update((k, int(n)) for k, n in rows)
        return out

    def add_outlet_lines(self, counts: Mapping[tuple[str, str], int]) -> None:
        if not counts:
            return
        with self._tx():
            self._db.executemany(
                "INSERT INTO outlet_lines(outlet, key, n) VALUES (?, ?, ?) "
                "ON CONFLICT(outlet, key) DO UPDATE SET n = n + excluded.n",
                [(o, k, n) for (o, k), n in counts.items()],
            )

    # -- reads --------------------------------------------------------------------------
    def get_article(self, id_or_prefix: str) -> Article:
        key = id_or_prefix.strip()
        row = self._db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (key,)).fetchone()
        if row is None and key:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                (key, key + "\U0010ffff"),
            ).fetchall()
            if len(rows) > 1:
                raise NotFoundError(f"{key}: ambiguous id prefix; give more characters")
            row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"{key}: no such article (see `storylens articles`)")
        return _from_row(row)

    def get_articles(self, ids: Sequence[str]) -> list[Article]:
        """Articles by exact id, in the order given (unknown ids are left out)."""
        found: dict[str, Article] = {}
        for chunk in chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for r in self._db.execute(
                    f"SELECT {_COLUMNS} FROM articles WHERE id IN ({marks})", chunk):
                found[r[0]] = _from_row(r)
        return [found[i] for i in ids if i in found]

    def find_articles(self, refs: Sequence[str], limit: int = 2) -> list[str]:
        found: dict[str, None] = {}
        for ref in dict.fromkeys(r for r in refs if r):
            rows = self._db.execute(
                "SELECT id FROM articles WHERE source = ? OR url = ? "
                "OR (source >= ? AND source < ?) ORDER BY rowid LIMIT ?",
                (ref, ref, ref + ":", ref + ";", limit))
            found.update((str(r[0]), None) for r in rows)
            if len(found) >= limit:
                break
        return list(found)[:limit]

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(dict.fromkeys(u for u in urls if u)), 400):
            marks = ",".join("?" * len(chunk))
            for col in ("url", "source"):  # both indexed
                rows = self._db.execute(
                    f"SELECT {col} FROM articles WHERE {col} IN ({marks})", chunk)
                found.update(str(r[0]) for r in rows)
        return found

    def list_articles(self, query: ArticleQuery) -> list[Article]:
        where, params = _where(query)
        sql = (
            f"SELECT {', '.join('a.' + c.strip() for c in _COLUMNS.split(','))} "
            f"FROM articles a {where} ORDER BY a.sort_time DESC, a.rowid DESC LIMIT ? OFFSET ?"
        )
        try:
            rows = self._db.execute(sql, [*params, query.limit, query.offset]).fetchall()
        except sqlite3.OperationalError as e:
            raise StoreError(f"search {query.search!r}: not a valid full-text query ({e})") from e
        return [_from_row(r) for r in rows]

    def count_articles(self, query: ArticleQuery | None = None) -> int:
        where, params = _where(query or ArticleQuery())
        try:
            return int(self._db.execute(f"SELECT count(*) FROM articles a {where}", params)
                       .fetchone()[0])
        except sqlite3.OperationalError as e:
            raise StoreError(f"search: not a valid full-text query ({e})") from e

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


def _where(q: ArticleQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if q.lang:
        clauses.append("a.lang = ?")
        params.append(q.lang)
    if q.outlet:
        clauses.append("a.outlet = ?")
        params.append(q.outlet)
    if q.since:
        clauses.append("a.sort_time >= ?")
        params.append(_utc_iso(q.since))
    if q.until:
        clauses.append("a.sort_time < ?")
        params.append(_utc_iso(q.until))
    if q.search:
        clauses.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(q.search)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _utc_iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def _to_row(a: Article, now: datetime) -> tuple[Any, ...]:
    ingested = a.ingested_at or now
    published = _utc_iso(a.published) if a.published else None
    return (
        a.id, a.source, a.url, a.outlet, a.title, a.text, a.raw, a.raw_format, published,
        a.published_source, a.lang, a.lang_score,
        json.dumps([[r.line_no, r.text, r.reason] for r in a.removed], ensure_ascii=False),
        json.dumps(a.warnings, ensure_ascii=False), a.content_hash, _utc_iso(ingested),
        published or _utc_iso(ingested),
    )


def _from_row(r: Sequence[Any]) -> Article:
    return Article(
        id=r[0], source=r[1], url=r[2], outlet=r[3], title=r[4], text=r[5], raw=r[6],
        raw_format=r[7],
        published=datetime.fromisoformat(r[8]) if r[8] else None,
        published_source=r[9], lang=r[10], lang_score=float(r[11] or 0.0),
        removed=[RemovedLine(int(n), t, why) for n, t, why in json.loads(r[12])],
        warnings=list(json.loads(r[13])),
        ingested_at=datetime.fromisoformat(r[15]),
    )


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


