"""Storylines restored from index columns (storylens.link.snapshot_index): the entry
saved beside a snapshot is exactly what indexing the snapshot gives, a store from before
the columns (schema 9) is indexed on the fly by its first restore and decides exactly as
one that had them, a damaged index is a StoreError naming the storyline, and the restore
reads the columns by index, never the snapshots."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from storylens.api import ingest_raw
from storylens.errors import StoreError
from storylens.link import lazy, service
from storylens.link.lazy import Deferred, StateTable
from storylens.link.name_keys import name_key, name_keys
from storylens.link.snapshot import peek, to_snapshot
from storylens.link.snapshot_index import (
    SEP,
    SnapshotIndex,
    from_columns,
    from_peek,
    index_of,
    to_columns,
)
from storylens.link.state import EventState
from storylens.store import open_store
from storylens.store.migrations import SCHEMA_VERSION
from tests.link_helpers import rep
from tests.store_contract import article, assignment
from tests.test_link_compact import _grown_state
from tests.test_link_lazy import _corpus, _dump, _fields
from tests.test_store_startup_sqlite import _plans_of

H = 3600.0


def _many_names(n: int) -> EventState:
    names = [f"Name{i:03d}" for i in range(n)]
    ev = EventState.start("sl-n", rep("a0", (1, 0, 0), time=0.0, names=set(names[:40])))
    for i in range(1, 12):
        ev.add(rep(f"a{i}", (1, 0.1 * i, 0), time=i * H,
                   names=set(names[(i * 7) % n:(i * 7) % n + 30])))
    return ev


@pytest.mark.parametrize("make", [lambda: _grown_state(2), lambda: _grown_state(40),
                                  lambda: _many_names(90), lambda: _many_names(30)])
@pytest.mark.parametrize("span", [None, (-H, 50 * H)])
@pytest.mark.parametrize("compact", [False, True])
def test_index_saved_beside_a_snapshot_is_what_its_snapshot_gives(
        make: object, span: tuple[float, float] | None, compact: bool) -> None:
    st: EventState = make()  # type: ignore[operator]
    if compact:
        st.compact()
    placed = 77 * H
    saved = index_of(st, span, placed)
    blob = to_snapshot(st, span)
    assert _fields(saved) == _fields(from_peek(peek("c", blob), placed))
    cols = to_columns(saved)
    assert cols is not None
    assert _fields(from_columns("c", cols, saved.centroid.size)) == _fields(saved)


def test_index_records_what_compacting_would_drop() -> None:
    big = index_of(_many_names(90), None, 0.0)
    assert not big.compact_noop and big.drop_keys.size and set(big.drop_keys) < set(big.keys)
    assert list(big.keys) == [name_key(n) for n in big.name_list()]
    st = _many_names(90)
    assert sorted(name_key(n) for n in st.compact()) == list(big.drop_keys), (
        "the names compact() drops")
    assert index_of(st, None, 0.0).compact_noop


def test_a_name_holding_the_separator_is_stored_without_columns() -> None:
    st = _grown_state(3)
    st.names[f"odd{SEP}name"] += 1
    assert to_columns(index_of(st, None, 0.0)) is None


def test_undated_state_is_placed_at_its_last_time() -> None:
    st = EventState.start("sl-u", rep("u", (0, 1, 0), time=None))
    idx = index_of(st, None, 42.0)
    assert (idx.first, idx.last) == (42.0, 42.0)
    assert _fields(idx) == _fields(from_peek(peek("sl-u", to_snapshot(st)), 42.0))


@pytest.mark.parametrize("cols, why", [
    ((b"\0" * 8, 0.0, 1.0, "", b"", b"", True), "centroid of 8 bytes, expected 12"),
    ((b"\0" * 12, "soon", 1.0, "", b"", b"", True), "could not convert"),
    ((b"\0" * 12, 0.0, 1.0, None, b"", b"", True), "names are not text"),
    ((b"\0" * 12, 0.0, 1.0, "", b"\0" * 5, b"", True), "multiple of element size"),
    ((b"\0" * 12, 0.0, 1.0, ""), "not enough values"),
])
def test_damaged_index_columns_are_a_store_error_naming_the_storyline(
        cols: tuple[object, ...], why: str) -> None:
    with pytest.raises(StoreError, match=f"cluster state 'sl-x': unreadable index.*{why}"):
        from_columns("sl-x", cols, 3)


def test_a_state_deferred_without_its_snapshot_is_fetched_with_others_in_one_call(
        caplog: pytest.LogCaptureFixture) -> None:
    states = {f"sl-{i}": _grown_state(i + 2) for i in range(3)}
    blobs = {cid: to_snapshot(st) for cid, st in states.items()}
    calls: list[list[str]] = []

    def fetch(ids: object) -> dict[str, bytes]:
        calls.append(list(ids))  # type: ignore[call-overload]
        return {c: blobs[c] for c in calls[-1] if c != "sl-2"}  # sl-2: gone from the store

    table = StateTable(fetch)
    for cid, st in states.items():
        table.defer(cid, Deferred(None, True, index=index_of(st, None, 5.0)))
    table.load(["sl-0", "sl-1", "sl-2", "sl-nope"])
    assert calls == [["sl-0", "sl-1", "sl-2"]] and table.n_deferred == 3
    assert table["sl-1"].size == 3 and table["sl-0"].size == 2 and len(calls) == 1
    with caplog.at_level("WARNING"):
        stand = table["sl-2"]
    assert "'sl-2' is unreadable" in caplog.text and table.stood_in == {"sl-2"}
    assert stand.size == 1 and set(stand.names) == set(states["sl-2"].names)
    np.testing.assert_allclose(stand.centroid(), states["sl-2"].centroid(), rtol=1e-6)
    lone = StateTable()  # no index entry to stand in from: the error stands
    lone.defer("sl-9", Deferred(b"\x01", True))
    with pytest.raises(StoreError, match="sl-9"):
        lone["sl-9"]


def test_stand_in_is_placed_at_the_indexed_span() -> None:
    idx = SnapshotIndex(np.ones(3, dtype=np.float32) / np.sqrt(3), 1.0, 9.0, f"A{SEP}B",
                        name_keys(["A", "B"]), name_keys([]), True)
    st = lazy.stand_in("sl-s", idx)
    assert (st.span, st.first_time, st.last_time) == ((1.0, 9.0), 1.0, 9.0)
    assert st.names == {"A": 1, "B": 1} and st.n_content == 1


def test_restore_reads_the_index_by_index_not_by_scanning(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.add_articles([article(i) for i in range(1, 30)])
        cols = (np.zeros(3, dtype=np.float32).tobytes(), 0.0, 1.0, "A",
                name_keys(["A"]).tobytes(), b"", True)
        store.save_assignments(
            [assignment(article(i), f"ev-{i}", f"sl-{i}", float(i)) for i in range(1, 20)],
            [("m", f"sl-{i}", float(i), b"blob", cols if i % 2 else None)
             for i in range(1, 20)])
        got: dict[str, object] = {}

        def restore() -> None:
            got["rows"] = store.cluster_index_since("m", 10.0)
            got["blobs"] = store.cluster_states("m", ["sl-3", "sl-4"])

        plans = _plans_of(store, restore)
        for sql, plan in plans.items():
            assert "SCAN" not in plan, f"{sql}: {plan}"
        rows = got["rows"]
        assert isinstance(rows, list)
        assert [(r[0], r[2] is None, r[3]) for r in rows] == [
            (f"sl-{i}", i % 2 == 0, b"blob" if i % 2 == 0 else None) for i in range(10, 20)]
        assert got["blobs"] == {"sl-3": b"blob", "sl-4": b"blob"}
        fold = store._db.execute("EXPLAIN QUERY PLAN DELETE FROM cluster_index WHERE id = ?",
                                 ("sl-3",)).fetchall()
        assert "ix_cluster_index_id" in str(fold), "a fold finds the row by index"


@pytest.mark.slow
def test_a_schema_9_store_is_indexed_by_its_first_restore_and_decides_the_same(
        tmp_path: Path) -> None:
    """A clustered store taken back to schema 9 (no index table) migrates to 10, its
    first follow-up indexes every storyline it restores from the snapshots (and saves
    those rows), and assigns and saves exactly what the same follow-up does on the store
    that kept its index."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    base = tmp_path / "base.db"
    with open_store(base) as store:
        ingest_raw(_corpus(200, 30, 1, start, "g"), store)
        service.cluster_store(store, batch_size=64)
        n_states = store._db.execute("SELECT count(*) FROM cluster_state").fetchone()[0]
        assert store._db.execute("SELECT count(*) FROM cluster_index").fetchone()[0] == n_states
    old = tmp_path / "v9.db"
    shutil.copy(base, old)
    db = sqlite3.connect(old, isolation_level=None)
    db.execute("DROP TABLE cluster_index")
    db.execute("DROP TABLE robots_txt")  # schema 11: made again on opening
    db.execute("PRAGMA user_version = 9")
    db.close()
    follow = _corpus(30, 3, 2, start + timedelta(days=30), "f")
    out = {}
    for name, path in (("kept", base), ("v9", old)):
        with open_store(path) as store:
            assert store.schema_version == SCHEMA_VERSION
            if name == "v9":
                assert store._db.execute("SELECT count(*) FROM cluster_index").fetchone() == (0,)
            ingest_raw(follow, store)
            assert service.cluster_store(store, batch_size=16).clustered == 30
            out[name] = (_dump(store), store._db.execute(
                "SELECT model, id, last_time, centroid, span_first, span_last, names, "
                "name_keys, drop_keys, compact_noop FROM cluster_index ORDER BY id"
            ).fetchall())
    assert n_states >= 10
    assert out["v9"][0] == out["kept"][0], "same assignments, same snapshots"
    assert out["v9"][1] == out["kept"][1], "the same index, filled on the fly or saved"
