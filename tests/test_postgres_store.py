"""What is PostgreSQL's own beyond the store contract: migrations (from an empty schema,
from every older version, by two openers at once), per-language full-text search, the
clustering lock's waiting, messages that never show a password, and the missing-driver
and unreachable-server errors."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from storylens.errors import StoreError
from storylens.store import ArticleQuery, open_store, redact
from tests.store_contract import article

psycopg = pytest.importorskip("psycopg")  # the [postgres] extra (in the test extra)

from storylens.store.postgres.schema import (  # noqa: E402  (needs psycopg)
    MIGRATIONS,
    SCHEMA_VERSION,
    ts_functions,
)


def test_a_new_schema_is_at_the_latest_version(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    with psycopg.connect(pg_url) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")
                ] == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_migrates_from_every_older_version_keeping_data(pg_url: str, version: int) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        configs = [r[0] for r in conn.execute("SELECT cfgname FROM pg_ts_config")]
        conn.execute("CREATE TABLE schema_version (version integer PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        for target in range(1, version + 1):
            conn.execute(MIGRATIONS[target - 1].replace("{ts_functions}",
                                                        ts_functions(configs)))
            conn.execute("INSERT INTO schema_version(version) VALUES (%s)", (target,))
        conn.execute(
            "INSERT INTO articles (id, source, title, text, raw, raw_format, "
            "published_source, removed, warnings, content_hash, ingested_at, sort_time) "
            "VALUES ('00000000000000aa', 'old.txt', 'Old title', 'Ankara talks', '', "
            "'text', 'none', '[]', '[]', 'h', '2021-01-01Z', '2021-01-01Z')")
    with open_store(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_article("00000000000000aa").title == "Old title"
        assert [a.id for a in store.list_articles(ArticleQuery(search="ankara"))] == [
            "00000000000000aa"]
        store.set_setting("k", "v")
        assert store.list_sources() == []
        # the article inserted above counted once the counter existed (schema 3)
        assert store.change_count() == (1 if version >= 3 else 0)


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version(version) VALUES (99)")
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        open_store(pg_url)


def test_two_openers_migrate_once(pg_url: str) -> None:
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_store(pg_url).close()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=opener) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_search_stems_in_each_articles_language(pg_url: str) -> None:
    with open_store(pg_url) as store:
        store.add_articles([
            article(1, lang="en", title="Ministers met", text="The talks went on."),
            article(2, lang="fr", title="Les ministres", text="Les négociations continuent."),
            article(3, lang="zh", title="部长 会谈", text="会谈 继续"),
            article(4, lang="xx", title="Running", text="unknown language, simple words")])

        def found(q: str, **kw: object) -> set[str]:
            return {a.id for a in store.list_articles(ArticleQuery(search=q, **kw))}  # type: ignore[arg-type]

        assert found("minister") == {article(1).id}, "English stemming"
        assert article(2).id in found("ministre"), "French stemming"
        assert found("négociation") == {article(2).id}, "French stemming"
        assert found("会谈") == {article(3).id}, "no configuration: simple words"
        assert found("running") == {article(4).id} and found("run") == set()
        assert found("minister", lang="fr") == set()
        assert found('"talks went" -zebra') == {article(1).id}, "web search syntax"


def test_a_second_clusterer_waits_for_the_first(pg_url: str) -> None:
    order: list[str] = []
    with open_store(pg_url) as first, open_store(pg_url) as second:
        holding = threading.Event()

        def other() -> None:
            holding.wait()
            with second.clustering():
                order.append("second")

        t = threading.Thread(target=other)
        t.start()
        with first.clustering():
            holding.set()
            time.sleep(0.5)  # the other thread is blocked meanwhile
            order.append("first")
        t.join(timeout=30)
    assert order == ["first", "second"]


def test_messages_never_show_the_password() -> None:
    assert redact("postgresql://ann:s3cret@db:5432/news") == "postgresql://ann:***@db:5432/news"
    assert redact("postgres://db/news?password=s3cret&sslmode=require") == \
        "postgres://db/news?password=***&sslmode=require"
    assert redact("postgresql://ann@db/news") == "postgresql://ann@db/news"
    assert redact("/tmp/store.db") == "/tmp/store.db"


def test_an_unreachable_server_is_one_line_without_the_password(pg_dsn: str) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://ann:s3cret@127.0.0.1:{port}/news"
    with pytest.raises(StoreError) as e:
        open_store(url)
    msg = str(e.value)
    assert "s3cret" not in msg and "\n" not in msg
    assert msg.startswith(f"postgresql://ann:***@127.0.0.1:{port}/news: PostgreSQL")
    assert "is the server up?" in msg


def test_without_psycopg_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    for name in [m for m in sys.modules if m.startswith("storylens.store.postgres")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    with pytest.raises(StoreError, match=r"pip install 'storylens\[postgres\]'"):
        open_store("postgresql://db/news")


def test_a_closed_store_says_so(pg_url: str) -> None:
    store = open_store(pg_url)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.count_articles()
