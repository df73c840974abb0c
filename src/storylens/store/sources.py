"""The SQLite tables of followed sources (``SourceStore``), mixed into ``SQLiteStore``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from storylens.errors import NotFoundError
from storylens.records_source import SOURCE_KINDS, FetchFailure, Source, SourceKind
from storylens.store.chunks import chunks

_COLS = ("id, url, kind, title, added_at, interval_s, last_fetch, last_status, articles, "
         "etag, last_modified")


class SourceTablesMixin:
    _db: sqlite3.Connection

    def _tx(self) -> AbstractContextManager[None]:  # provided by SQLiteStore
        raise NotImplementedError

    def add_source(self, source: Source) -> Source:
        with self._tx():
            self._db.execute(
                "INSERT INTO sources (url, kind, title, added_at, interval_s, last_fetch, "
                "last_status, articles, etag, last_modified) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(url) DO NOTHING",
                (source.url, source.kind, source.title, source.added_at.isoformat(),
                 source.interval, _iso(source.last_fetch), source.last_status,
                 source.articles, source.etag, source.last_modified))
            row = self._db.execute(f"SELECT {_COLS} FROM sources WHERE url = ?",
                                   (source.url,)).fetchone()
        return _source(row)

    def list_sources(self) -> list[Source]:
        return [_source(r) for r in
                self._db.execute(f"SELECT {_COLS} FROM sources ORDER BY id")]

    def get_source(self, source_id: int) -> Source:
        row = self._db.execute(f"SELECT {_COLS} FROM sources WHERE id = ?",
                               (source_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"source {source_id}: no such source (see `storylens "
                                "sources list`)")
        return _source(row)

    def update_source(self, source: Source) -> None:
        with self._tx():
            cur = self._db.execute(
                "UPDATE sources SET kind=?, title=?, interval_s=?, last_fetch=?, "
                "last_status=?, articles=?, etag=?, last_modified=? WHERE id=?",
                (source.kind, source.title, source.interval, _iso(source.last_fetch),
                 source.last_status, source.articles, source.etag, source.last_modified,
                 source.id))
        if cur.rowcount == 0:
            raise NotFoundError(f"source {source.id}: no such source")

    def remove_source(self, source_id: int) -> Source:
        with self._tx():
            found = self.get_source(source_id)
            self._db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return found

    def fetch_failures(self, urls: Sequence[str]) -> dict[str, FetchFailure]:
        found: dict[str, FetchFailure] = {}
        for chunk in chunks(list(dict.fromkeys(u for u in urls if u)), 400):
            marks = ",".join("?" * len(chunk))
            for r in self._db.execute(
                    "SELECT url, failures, last_failure, retry_at, reason, transient FROM "
                    f"fetch_failures WHERE url IN ({marks})", chunk):
                found[r[0]] = FetchFailure(r[0], int(r[1]), datetime.fromisoformat(r[2]),
                                           datetime.fromisoformat(r[3]), r[4], bool(r[5]))
        return found

    def record_fetch_failure(self, url: str, reason: str, when: datetime, *,
                             transient: bool) -> FetchFailure:
        with self._tx():  # read and write under one lock: two writers count both
            old = self.fetch_failures([url]).get(url)
            entry = old.again(when, reason, transient) if old else \
                FetchFailure.first(url, when, reason, transient)
            self._db.execute(
                "INSERT INTO fetch_failures (url, failures, last_failure, retry_at, reason, "
                "transient) VALUES (?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET "
                "failures=excluded.failures, last_failure=excluded.last_failure, "
                "retry_at=excluded.retry_at, reason=excluded.reason, "
                "transient=excluded.transient",
                (url, entry.failures, entry.last_failure.isoformat(),
                 entry.retry_at.isoformat(), reason[:500], int(transient)))
        return entry

    def clear_fetch_failures(self, urls: Sequence[str]) -> None:
        with self._tx():
            for chunk in chunks(list(dict.fromkeys(urls)), 400):
                self._db.execute("DELETE FROM fetch_failures WHERE url IN "
                                 f"({','.join('?' * len(chunk))})", chunk)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def _source(r: Sequence[Any]) -> Source:
    kind: SourceKind = r[2] if r[2] in SOURCE_KINDS else "page"
    return Source(
        id=int(r[0]), url=r[1], kind=kind, title=r[3],
        added_at=datetime.fromisoformat(r[4]), interval=float(r[5]),
        last_fetch=datetime.fromisoformat(r[6]) if r[6] else None, last_status=r[7],
        articles=int(r[8]), etag=r[9], last_modified=r[10])
