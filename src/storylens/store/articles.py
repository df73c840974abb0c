"""The articles and outlet-line tables, for both backends (``Store`` reads, outlet line
counts): written once over the ``SqlSeam``. Inserting articles stays with each store,
which counts the rows it added its own way."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from storylens.errors import NotFoundError, StoreError
from storylens.records import Article, RemovedLine
from storylens.store.base import ArticleQuery
from storylens.store.sql import Dialect, SqlSeam

COLUMNS = (
    "id, source, url, outlet, title, text, raw, raw_format, published, published_source, "
    "lang, lang_score, removed, warnings, content_hash, ingested_at, sort_time"
)
_A_COLUMNS = ", ".join("a." + c.strip() for c in COLUMNS.split(","))


class ArticleTablesMixin(SqlSeam):
    """Article lookups and listings, outlet line counts."""

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for cond, params in self._dialect.in_list("id", ids):
            found.update(r[0] for r in self._rows(f"SELECT id FROM articles WHERE {cond}",
                                                  params))
        return found

    def outlet_line_counts(self, outlet: str, keys: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for cond, params in self._dialect.in_list("key", list(set(keys))):
            out.update((k, int(n)) for k, n in self._rows(
                f"SELECT key, n FROM outlet_lines WHERE outlet = ? AND {cond}",
                [outlet, *params]))
        return out

    def add_outlet_lines(self, counts: Mapping[tuple[str, str], int]) -> None:
        # sorted: concurrent PostgreSQL writers lock the rows in one order
        self._many("INSERT INTO outlet_lines(outlet, key, n) VALUES (?, ?, ?) "
                   "ON CONFLICT (outlet, key) DO UPDATE SET n = outlet_lines.n + excluded.n",
                   sorted((o, k, n) for (o, k), n in counts.items()))

    def get_article(self, id_or_prefix: str) -> Article:
        key = id_or_prefix.strip()
        row = self._one(f"SELECT {COLUMNS} FROM articles WHERE id = ?", (key,))
        if row is None and key:
            rows = self._rows(f"SELECT {COLUMNS} FROM articles WHERE id >= ? AND id < ? "
                              "ORDER BY id LIMIT 2", (key, key + "\U0010ffff"))
            if len(rows) > 1:
                raise NotFoundError(f"{key}: ambiguous id prefix; give more characters")
            row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"{key}: no such article (see `storylens articles`)")
        return from_row(row, self._dialect)

    def get_articles(self, ids: Sequence[str]) -> list[Article]:
        """Articles by exact id, in the order given (unknown ids are left out)."""
        found: dict[str, Article] = {}
        for cond, params in self._dialect.in_list("id", ids):
            for r in self._rows(f"SELECT {COLUMNS} FROM articles WHERE {cond}", params):
                found[r[0]] = from_row(r, self._dialect)
        return [found[i] for i in ids if i in found]

    def find_articles(self, refs: Sequence[str], limit: int = 2) -> list[str]:
        found: dict[str, None] = {}
        for ref in dict.fromkeys(r for r in refs if r):
            rows = self._rows(
                "SELECT id FROM articles WHERE source = ? OR url = ? "
                f"OR (source >= ? AND source < ?) ORDER BY {self._dialect.seq} LIMIT ?",
                (ref, ref, ref + ":", ref + ";", limit))
            found.update((str(r[0]), None) for r in rows)
            if len(found) >= limit:
                break
        return list(found)[:limit]

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        found: set[str] = set()
        asked = list(dict.fromkeys(u for u in urls if u))
        for col in ("url", "source"):  # both indexed
            for cond, params in self._dialect.in_list(col, asked):
                found.update(str(r[0]) for r in self._rows(
                    f"SELECT {col} FROM articles WHERE {cond}", params))
        return found

    def list_articles(self, query: ArticleQuery) -> list[Article]:
        where, params = _where(query, self._dialect)
        try:
            rows = self._rows(
                f"SELECT {_A_COLUMNS} FROM articles a {where} ORDER BY a.sort_time DESC, "
                f"a.{self._dialect.seq} DESC LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset])
        except self._dialect.search_errors as e:
            raise StoreError(f"search {query.search!r}: not a valid full-text query ({e})"
                             ) from e
        return [from_row(r, self._dialect) for r in rows]

    def count_articles(self, query: ArticleQuery | None = None) -> int:
        where, params = _where(query or ArticleQuery(), self._dialect)
        try:
            row = self._one(f"SELECT count(*) FROM articles a {where}", params)
        except self._dialect.search_errors as e:
            raise StoreError(f"search: not a valid full-text query ({e})") from e
        return int(row[0]) if row else 0


def _where(q: ArticleQuery, d: Dialect) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for cond, value in (("a.lang = ?", q.lang), ("a.outlet = ?", q.outlet),
                        ("a.sort_time >= ?", d.time_in(q.since)),
                        ("a.sort_time < ?", d.time_in(q.until)), (d.search, q.search)):
        if value:
            clauses.append(cond)
            params.append(value)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def to_row(a: Article, now: datetime, d: Dialect) -> tuple[Any, ...]:
    """``a`` as an ``articles`` row (``COLUMNS``); ``now`` stands in for a missing
    ingest time, and the ingest time for a missing publication time in ``sort_time``."""
    ingested = d.time_in(a.ingested_at or now)
    published = d.time_in(a.published)
    return (
        a.id, a.source, a.url, a.outlet, a.title, a.text, a.raw, a.raw_format, published,
        a.published_source, a.lang, a.lang_score,
        json.dumps([[r.line_no, r.text, r.reason] for r in a.removed], ensure_ascii=False),
        json.dumps(a.warnings, ensure_ascii=False), a.content_hash, ingested,
        published or ingested,
    )


def from_row(r: Sequence[Any], d: Dialect) -> Article:
    """The article of an ``articles`` row (``COLUMNS``)."""
    return Article(
        id=r[0], source=r[1], url=r[2], outlet=r[3], title=r[4], text=r[5], raw=r[6],
        raw_format=r[7], published=d.time_out(r[8]), published_source=r[9], lang=r[10],
        lang_score=float(r[11] or 0.0),
        removed=[RemovedLine(int(n), t, why) for n, t, why in json.loads(r[12])],
        warnings=list(json.loads(r[13])), ingested_at=d.time_out(r[15]),
    )
