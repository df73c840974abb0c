"""The tables of followed sources, the fetch log (``SourceStore``) and the robots.txt
cache (``RobotsStore``), for both backends:
written once over the ``SqlSeam``, mixed into ``SQLiteStore`` and ``PostgresStore``.
Times are ISO 8601 text on both, read back exactly as written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storylens.errors import NotFoundError
from storylens.records_source import (
    ROBOTS_VERDICTS,
    SOURCE_KINDS,
    FetchFailure,
    RobotsEntry,
    Source,
    SourceKind,
)
from storylens.store.sql import SqlSeam, _utc

_COLS = ("id, url, kind, title, added_at, interval_s, last_fetch, last_status, articles, "
         "etag, last_modified")


class SourceTablesMixin(SqlSeam):
    """Sources, the fetch log and the robots.txt cache."""

    def add_source(self, source: Source) -> Source:
        with self._tx():
            self._write(
                "INSERT INTO sources (url, kind, title, added_at, interval_s, last_fetch, "
                "last_status, articles, etag, last_modified) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (url) DO NOTHING",
                (source.url, source.kind, source.title, source.added_at.isoformat(),
                 source.interval, _iso(source.last_fetch), source.last_status,
                 source.articles, source.etag, source.last_modified))
            row = self._one(f"SELECT {_COLS} FROM sources WHERE url = ?", (source.url,))
        assert row is not None  # inserted or already there, under the writers' lock
        return _source(row)

    def list_sources(self) -> list[Source]:
        return [_source(r) for r in self._rows(f"SELECT {_COLS} FROM sources ORDER BY id")]

    def get_source(self, source_id: int) -> Source:
        row = self._one(f"SELECT {_COLS} FROM sources WHERE id = ?", (source_id,))
        if row is None:
            raise NotFoundError(f"source {source_id}: no such source (see `storylens "
                                "sources list`)")
        return _source(row)

    def update_source(self, source: Source) -> None:
        changed = self._write(
            "UPDATE sources SET kind=?, title=?, interval_s=?, last_fetch=?, "
            "last_status=?, articles=?, etag=?, last_modified=? WHERE id=?",
            (source.kind, source.title, source.interval, _iso(source.last_fetch),
             source.last_status, source.articles, source.etag, source.last_modified,
             source.id))
        if changed == 0:
            raise NotFoundError(f"source {source.id}: no such source")

    def remove_source(self, source_id: int) -> Source:
        with self._tx():
            found = self.get_source(source_id)
            self._write("DELETE FROM sources WHERE id = ?", (source_id,))
        return found

    def fetch_failures(self, urls: Sequence[str]) -> dict[str, FetchFailure]:
        found: dict[str, FetchFailure] = {}
        for cond, params in self._dialect.in_list("url", list(dict.fromkeys(u for u in urls
                                                                             if u))):
            for r in self._rows("SELECT url, failures, last_failure, retry_at, reason, "
                                f"transient FROM fetch_failures WHERE {cond}", params):
                found[r[0]] = FetchFailure(r[0], int(r[1]), datetime.fromisoformat(r[2]),
                                           datetime.fromisoformat(r[3]), r[4], bool(r[5]))
        return found

    def record_fetch_failure(self, url: str, reason: str, when: datetime, *,
                             transient: bool) -> FetchFailure:
        with self._tx():  # read and write under the writers' lock: two writers count both
            old = self.fetch_failures([url]).get(url)
            entry = old.again(when, reason, transient) if old else \
                FetchFailure.first(url, when, reason, transient)
            self._write(
                "INSERT INTO fetch_failures (url, failures, last_failure, retry_at, reason, "
                "transient) VALUES (?,?,?,?,?,?) ON CONFLICT (url) DO UPDATE SET "
                "failures=excluded.failures, last_failure=excluded.last_failure, "
                "retry_at=excluded.retry_at, reason=excluded.reason, "
                "transient=excluded.transient",
                (url, entry.failures, entry.last_failure.isoformat(),
                 entry.retry_at.isoformat(), reason[:500], self._dialect.flag(transient)))
        return entry

    def clear_fetch_failures(self, urls: Sequence[str]) -> None:
        asked = list(dict.fromkeys(urls))
        if not asked:
            return
        with self._tx():
            for cond, params in self._dialect.in_list("url", asked):
                self._write(f"DELETE FROM fetch_failures WHERE {cond}", params)

    def get_robots(self, site: str) -> RobotsEntry | None:
        row = self._one("SELECT site, verdict, fetched_at, body FROM robots_txt "
                        "WHERE site = ?", (site,))
        if row is None or row[1] not in ROBOTS_VERDICTS:
            return None  # a verdict this version does not know: as if never fetched
        return RobotsEntry(row[0], row[1], datetime.fromisoformat(row[2]), row[3])

    def put_robots(self, entry: RobotsEntry) -> None:
        when = _utc(entry.fetched_at)
        assert when is not None
        self._write(
            "INSERT INTO robots_txt (site, verdict, fetched_at, body) VALUES (?,?,?,?) "
            "ON CONFLICT (site) DO UPDATE SET verdict=excluded.verdict, "
            "fetched_at=excluded.fetched_at, body=excluded.body",
            # PostgreSQL text cannot hold NUL; robots.txt parsing never needs one
            (entry.site, entry.verdict, when.isoformat(), entry.body.replace("\x00", "")))


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def _source(r: Sequence[Any]) -> Source:
    kind: SourceKind = r[2] if r[2] in SOURCE_KINDS else "page"
    return Source(
        id=int(r[0]), url=r[1], kind=kind, title=r[3],
        added_at=datetime.fromisoformat(r[4]), interval=float(r[5]),
        last_fetch=datetime.fromisoformat(r[6]) if r[6] else None, last_status=r[7],
        articles=int(r[8]), etag=r[9], last_modified=r[10])
