"""The dialect seam the two stores share their table logic through (storylens.store.sql).
The stores themselves are covered by the contract suites; here each dialect's phrasing
is run on a real SQLite database (which also speaks PostgreSQL's ``ON CONFLICT`` form),
so both upsert spellings are shown to mean the same thing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storylens.store.sql import POSTGRES, SQLITE, Dialect


def _table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a TEXT, b TEXT, v INTEGER, note TEXT, PRIMARY KEY (a, b))")
    db.execute("INSERT INTO t VALUES ('x', 'y', 1, 'first')")
    return db


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgres"])
def test_put_replaces_or_keeps_the_row_with_the_same_key(dialect: Dialect) -> None:
    cols, key = ("a", "b", "v", "note"), ("a", "b")
    db = _table()
    db.executemany(dialect.put("t", cols, key), [("x", "y", 2, "second"), ("x", "z", 3, "n")])
    assert db.execute("SELECT * FROM t ORDER BY b").fetchall() == [
        ("x", "y", 2, "second"), ("x", "z", 3, "n")]
    db.executemany(dialect.put("t", cols, key, replace=False),
                   [("x", "y", 9, "ignored"), ("w", "y", 4, "new")])
    assert db.execute("SELECT * FROM t ORDER BY a, b").fetchall() == [
        ("w", "y", 4, "new"), ("x", "y", 2, "second"), ("x", "z", 3, "n")]


def test_postgres_upsert_updates_every_column_but_the_key_once() -> None:
    sql = POSTGRES.put("t", ("a", "b", "v", "note"), ("a", "b"))
    assert sql.startswith("INSERT INTO t VALUES (?,?,?,?) ON CONFLICT (a, b) DO UPDATE SET ")
    sets = sql.split("DO UPDATE SET ")[1].split(", ")
    assert sets == ["v = excluded.v", "note = excluded.note"]
    assert POSTGRES.sql(sql).count("%s") == 4 and "?" not in POSTGRES.sql(sql)


def test_in_lists_cover_every_value_within_the_parameter_cap() -> None:
    values = [f"k{i}" for i in range(1234)]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE k (key TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO k VALUES (?)", [(v,) for v in values[::2]])
    parts = list(SQLITE.in_list("key", values))
    assert [len(p) for _, p in parts] == [500, 500, 234]
    assert [v for _, p in parts for v in p] == values
    found = {r[0] for cond, p in parts for r in db.execute(f"SELECT key FROM k WHERE {cond}", p)}
    assert found == set(values[::2])
    assert list(SQLITE.in_list("key", [])) == [] == list(POSTGRES.in_list("key", []))
    assert list(POSTGRES.in_list("key", values)) == [("key = ANY(?)", [values])]


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgres"])
def test_times_come_back_as_the_same_instant_in_utc(dialect: Dialect) -> None:
    paris = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    naive = datetime(2026, 3, 1, 11, 30)  # read as UTC
    for dt in (paris, naive):
        back = dialect.time_out(dialect.time_in(dt))
        assert back == datetime(2026, 3, 1, 11, 30, tzinfo=UTC)
        assert back is not None and back.utcoffset() == timedelta(0)
        assert dialect.time_text(dialect.time_in(dt)) == "2026-03-01T11:30:00+00:00"
    assert dialect.time_in(None) is None and dialect.time_out(None) is None
    assert dialect.flag(True) == 1 and not dialect.flag(False)
