"""The ``Store`` contract (``tests/store_contract.py``) on SQLite, a file and ``:memory:``,
plus what is SQLite's own: the malformed FTS5 query error, migrations from an empty file
and from every older schema version, and ``open_store`` refusing
backends it does not have."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storylens.errors import StoreError
from storylens.store import ArticleQuery, open_store
from storylens.store.migrations import MIGRATIONS, SCHEMA_VERSION
from storylens.store.sqlite import _split_sql
from tests.store_contract import OpenStore, StoreContract, article


class TestSQLiteFile(StoreContract):
    persistent = True

    @pytest.fixture
    def open_store_fn(self, tmp_path: Path) -> OpenStore:
        return lambda: open_store(tmp_path / "s.db")


class TestSQLiteMemory(StoreContract):
    persistent = False

    @pytest.fixture
    def open_store_fn(self) -> OpenStore:
        return lambda: open_store(":memory:")


def test_malformed_fts_query_raises_a_store_error_naming_it() -> None:
    with open_store(":memory:") as store:
        store.add_articles([article(1)])
        with pytest.raises(StoreError, match="'\"unbalanced'") as e:
            store.list_articles(ArticleQuery(search='"unbalanced'))
        assert "not a valid full-text query" in str(e.value)
        with pytest.raises(StoreError, match="full-text"):
            store.count_articles(ArticleQuery(search="AND OR ("))


def test_schema_version_is_the_latest_migration(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)


def test_migrates_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.add_articles([article(1)]) == 1
    tables = {r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
    assert {"articles", "articles_fts", "outlet_lines", "article_repr", "clusters",
            "cluster_state", "enrichments", "sentence_vectors", "ix_articles_url"} <= tables


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_migrates_from_every_older_version_keeping_data(tmp_path: Path, version: int) -> None:
    """A store left at ``version`` (its articles in place) opens at the latest version
    with its articles still readable and searchable."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    for target in range(1, version + 1):
        for stmt in _split_sql(MIGRATIONS[target - 1]):
            db.execute(stmt)
        db.execute(f"PRAGMA user_version = {target}")
    db.execute(
        "INSERT INTO articles (id, source, title, text, raw, raw_format, published_source, "
        "removed, warnings, content_hash, ingested_at, sort_time) VALUES "
        "('00000000000000aa', 'old.txt', 'Old title', 'Ankara talks', '', 'text', 'none', "
        "'[]', '[]', 'h', '2021-01-01T00:00:00+00:00', '2021-01-01T00:00:00+00:00')")
    db.close()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_article("00000000000000aa").title == "Old title"
        assert [a.id for a in store.list_articles(ArticleQuery(search="ankara"))] == [
            "00000000000000aa"]
        assert store.find_articles(["old.txt"]) == ["00000000000000aa"]
        store.set_setting("k", "v")  # schema-2 and schema-4 tables exist now
        store.put_sentence_vectors("m", {"k": b"1234"})


def test_split_sql_keeps_trigger_bodies_whole() -> None:
    stmts = _split_sql(MIGRATIONS[0])
    triggers = [s for s in stmts if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 3 and all(s.rstrip().endswith("END;") for s in triggers)
    assert _split_sql("SELECT 1;\n\nSELECT 2") == ["SELECT 1;", "SELECT 2"]
    assert _split_sql("   \n") == []


@pytest.mark.parametrize("url", ["mysql://db/news", "sqlite://x"])
def test_open_store_refuses_unknown_backends_by_name(url: str) -> None:
    scheme = url.split(":", 1)[0]
    with pytest.raises(StoreError, match=f"no {scheme} backend"):
        open_store(url)


def test_store_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "s.db"
    with open_store(path) as store:
        assert store.count_articles() == 0
    assert path.is_file()
