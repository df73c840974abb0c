"""Conformance suite for the Store interface (SQLite file and in-memory)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storylens.errors import NotFoundError, StoreError
from storylens.records import Article, RemovedLine
from storylens.store import ArticleQuery, SQLiteStore, open_store
from storylens.store.migrations import SCHEMA_VERSION


def make(i: int, **kw: object) -> Article:
    base: dict[str, object] = dict(
        id=f"{i:016x}", source=f"t{i}.txt", title=f"Title {i}", text=f"Body number {i} here.",
        raw=f"Title {i}\nBody number {i} here.", raw_format="text", lang="en",
        published=datetime(2022, 1, 1 + i % 28, tzinfo=UTC), published_source="input",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLiteStore]:
    s = open_store(tmp_path / "s.db" if request.param == "file" else ":memory:")
    yield s
    s.close()


def test_roundtrip_keeps_every_field(store: SQLiteStore) -> None:
    a = make(1, removed=[RemovedLine(3, "Share this", "share button")],
             warnings=["w1"], url="https://x.org/a", outlet="x.org", lang_score=0.9)
    assert store.add_articles([a]) == 1
    b = store.get_article(a.id)
    assert b.to_dict(include_raw=True) | {"ingested_at": None} == \
        a.to_dict(include_raw=True) | {"ingested_at": None}
    assert b.removed == [RemovedLine(3, "Share this", "share button")]
    assert b.ingested_at is not None


def test_add_is_idempotent(store: SQLiteStore) -> None:
    assert store.add_articles([make(1), make(2)]) == 2
    assert store.add_articles([make(1), make(2), make(3)]) == 1
    assert store.count_articles() == 3
    assert store.existing_ids([make(1).id, "nope"]) == {make(1).id}


def test_filters_search_and_order(store: SQLiteStore) -> None:
    store.add_articles([make(1, lang="fr", outlet="a.fr", text="Le Hamas et la Turquie."),
                        make(2, lang="en", outlet="b.com", text="Turkey and Hamas talks."),
                        make(3, lang="en", outlet="b.com", text="Weather today.")])
    assert [a.id for a in store.list_articles(ArticleQuery())] == [make(i).id for i in (3, 2, 1)]
    assert {a.id for a in store.list_articles(ArticleQuery(lang="en"))} == {make(2).id,
                                                                            make(3).id}
    assert store.count_articles(ArticleQuery(outlet="a.fr")) == 1
    assert {a.id for a in store.list_articles(ArticleQuery(search="hamas"))} == {make(1).id,
                                                                                 make(2).id}
    since = datetime(2022, 1, 4, tzinfo=UTC)
    assert [a.id for a in store.list_articles(ArticleQuery(since=since))] == [make(3).id]
    assert len(store.list_articles(ArticleQuery(limit=1, offset=1))) == 1


def test_bad_fulltext_query_is_a_store_error(store: SQLiteStore) -> None:
    store.add_articles([make(1)])
    with pytest.raises(StoreError, match="full-text"):
        store.list_articles(ArticleQuery(search='"unbalanced'))


def test_get_by_prefix_and_errors(store: SQLiteStore) -> None:
    store.add_articles([make(0x110), make(0x120)])
    assert store.get_article(make(0x110).id[:15]).id == make(0x110).id
    with pytest.raises(NotFoundError, match="ambiguous"):
        store.get_article(make(0x110).id[:14])
    with pytest.raises(NotFoundError, match="no such article"):
        store.get_article("ffff")


def test_outlet_line_counts_accumulate(store: SQLiteStore) -> None:
    store.add_outlet_lines({("a.fr", "partager"): 1, ("a.fr", "x"): 2})
    store.add_outlet_lines({("a.fr", "partager"): 1, ("b.fr", "partager"): 1})
    assert store.outlet_line_counts("a.fr", ["partager", "x", "y"]) == {"partager": 2, "x": 2}


def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this storylens"):
        open_store(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable storylens store"):
        open_store(bad)
    with pytest.raises(StoreError, match="is a directory"):
        open_store(tmp_path)


def test_failed_batch_writes_nothing(store: SQLiteStore) -> None:
    store.add_articles([make(1)])
    broken = make(2)
    broken.title = None  # type: ignore[assignment]  # violates NOT NULL mid-batch
    with pytest.raises(sqlite3.IntegrityError):
        store.add_articles([make(3), broken])
    assert store.count_articles() == 1
    assert store.integrity_ok()
