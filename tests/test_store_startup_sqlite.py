"""What a cluster run reads at start-up from a SQLite store, found without scanning the
archive (schema 9): the articles still to cluster (a table kept by triggers), the next
assignment number and the stream clock (indexes), and the assignments of the clusters
active in the window (the ``level`` index). Each is checked for its answer and for its
query plan, since a full scan gives the same answer, only seconds later at 10^6."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from storylens.store import open_store
from storylens.store.migrations import MIGRATIONS
from storylens.store.sqlite import SQLiteStore, _split_sql
from tests.store_contract import article, assignment


def _plan(store: SQLiteStore, sql: str, *params: object) -> str:
    return " | ".join(str(r[-1]) for r in store._db.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                             params))


def test_unclustered_follows_inserts_assignments_and_deletes(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        arts = [article(i) for i in range(1, 5)]
        store.add_articles(arts)
        store.add_articles(arts[:2])  # already stored: the trigger must not re-add them
        store.save_assignments([assignment(arts[0], "ev-1", "sl-1", 1.0),
                                assignment(arts[2], "ev-1", "sl-1", 2.0)])
        assert store.unclustered_ids() == [arts[1].id, arts[3].id]
        # re-saving an assignment (INSERT OR REPLACE) keeps the article clustered
        store.save_assignments([assignment(arts[0], "ev-2", "sl-1", 3.0)])
        assert store.unclustered_ids() == [arts[1].id, arts[3].id]
        with store.transaction():  # an assignment removed by hand: to cluster again
            store._db.execute("DELETE FROM article_clusters WHERE article_id = ?",
                              (arts[2].id,))
            store._db.execute("DELETE FROM articles WHERE id = ?", (arts[3].id,))
        assert store.unclustered_ids() == [arts[1].id, arts[2].id]


def test_migration_fills_unclustered_from_a_version_8_store(tmp_path: Path) -> None:
    path = tmp_path / "v8.db"
    with open_store(path) as store:
        arts = [article(i) for i in range(1, 4)]
        store.add_articles(arts)
        store.save_assignments([assignment(arts[1], "ev-1", "sl-1", 1.0)])
    db = sqlite3.connect(path, isolation_level=None)  # back to schema 8 as it was
    for stmt in ("DROP TABLE robots_txt",  # schema 11
                 "DROP TABLE cluster_index",  # schema 10
                 "DROP TABLE unclustered", "DROP INDEX ix_ac_seq", "DROP INDEX ix_ac_placed",
                 *(f"DROP TRIGGER unclustered_{t}" for t in (
                     "article_in", "article_out", "assigned", "unassigned"))):
        db.execute(stmt)
    db.execute("PRAGMA user_version = 8")
    db.close()
    assert any("unclustered" in s for s in _split_sql(MIGRATIONS[8]))
    with open_store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.unclustered_ids() == [arts[0].id, arts[2].id]
        assert store.stream_clock() == 1.0


def _plans_of(store: SQLiteStore, call: Callable[[], object]) -> dict[str, str]:
    """The query plan of every SELECT that ``call`` runs on ``store`` (as the store ran
    it, parameters inlined), by statement."""
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    try:
        call()
    finally:
        store._db.set_trace_callback(None)
    return {sql: _plan(store, sql) for sql in seen if sql.lstrip().startswith("SELECT")}


def test_start_up_queries_use_indexes_not_scans(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.add_articles([article(i) for i in range(1, 30)])
        store.save_assignments([assignment(article(i), f"ev-{i % 5}", f"sl-{i % 2}",
                                           float(i)) for i in range(1, 20)])
        # no ANALYZE: the store never runs it, so plans come from SQLite's default estimates
        got: dict[str, object] = {}

        def start_up() -> None:
            got["todo"] = store.unclustered_ids()
            got["clock"] = store.stream_clock()
            got["events"] = store.assignments_since(15.0, "event")
            got["storylines"] = store.assignments_since(15.0, "storyline")
            store.save_assignments([assignment(article(20), "ev-0", "sl-0", 20.0)])

        plans = _plans_of(store, start_up)
        assert len(plans) >= 5, plans
        for sql, plan in plans.items():
            assert "SCAN a " not in plan and "SCAN c " not in plan and "SCAN s " not in plan, (
                f"{sql}: {plan}")
        assert any("ix_ac_seq" in p for p in plans.values())
        assert any("ix_ac_placed" in p for p in plans.values())
        assert any("ix_clusters_active" in p for p in plans.values())
        assert got["todo"] == [article(i).id for i in range(20, 30)]
        assert got["clock"] == 19.0
        events = got["events"]
        assert isinstance(events, list)
        assert {e[1] for e in events} == {f"ev-{i % 5}" for i in range(1, 20)}
        assert [e[4] for e in events] == sorted(e[4] for e in events)  # clustering order
        assert len(got["storylines"]) == 19  # type: ignore[arg-type]
