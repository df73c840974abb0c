"""Storyline snapshots: a compact state survives the store round trip, a new run links to
a storyline it only knows from its snapshot (months after its last article), a store
without snapshots falls back to replaying articles once, and a damaged snapshot is named
and replaced by a replay instead of failing the run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storylens.api import ingest_raw
from storylens.errors import StoreError
from storylens.link.features import pair_features
from storylens.link.service import cluster_store
from storylens.link.snapshot import from_snapshot, to_snapshot
from storylens.records import RawDoc
from storylens.store import open_store
from tests.conftest import JFORUM, PRESSTV
from tests.test_link_compact import _grown_state
from tests.test_link_online import T0, new_clusterer, reps


def test_snapshot_round_trip_reads_like_the_compacted_state() -> None:
    st = _grown_state(20)
    st.storyline_id = "sl-x"
    blob = to_snapshot(st)
    assert len(blob) < 8_000 and not st.compacted, "snapshotting leaves the state live"
    back = from_snapshot(st.id, blob)
    st.compact()
    probe = reps([("p", "strike", T0 + timedelta(hours=5))])[0]
    assert np.allclose(pair_features(probe, back), pair_features(probe, st), atol=1e-6)
    assert back.size == st.size == 20 and back.members == []
    assert (back.first_time, back.last_time, back.title) == (st.first_time, st.last_time,
                                                             st.title)
    assert back.langs == st.langs and back.storyline_id == "sl-x"
    back.add(reps([("q", "vote", T0 + timedelta(days=2))])[0])
    assert back.size == 21 and not back.compacted and back.body_acc


@pytest.mark.parametrize("damage", [lambda b: b[:10], lambda b: b + b"xx",
                                    lambda b: b"\x05\x00\x00\x00{nope" + b[9:]])
def test_damaged_snapshot_is_a_store_error_naming_the_cluster(damage: Any) -> None:
    blob = damage(to_snapshot(_grown_state(3)))
    with pytest.raises(StoreError, match="sl-broken"):
        from_snapshot("sl-broken", blob)


def _raw(path: Path, published: str) -> RawDoc:
    return RawDoc(source=str(path), content=path.read_text(encoding="utf-8"), fmt="text",
                  published=published)


def _rows(store: Any, sql: str) -> list[tuple[Any, ...]]:
    return list(store._db.execute(sql).fetchall())


@pytest.mark.slow
def test_a_later_run_links_to_a_storyline_known_only_from_its_snapshot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ingest_raw([_raw(PRESSTV, "2022-02-02")], store)
        cluster_store(store)
        saved = _rows(store, "SELECT id FROM cluster_state")
        assert [r[0] for r in saved] == [r[0] for r in _rows(
            store, "SELECT id FROM clusters WHERE level = 'storyline'")]
    levels: list[str] = []
    from storylens.store.sqlite import SQLiteStore

    real = SQLiteStore.assignments_since

    def spy(self: SQLiteStore, since: float, level: Any = "storyline") -> Any:
        levels.append(level)
        return real(self, since, level)

    monkeypatch.setattr(SQLiteStore, "assignments_since", spy)
    with open_store(db) as store:
        ingest_raw([_raw(JFORUM, "2022-10-24")], store)
        cluster_store(store)
        got = _rows(store, "SELECT event_id, storyline_id FROM article_clusters")
    assert levels == ["event"], "events replayed (days), storylines from snapshots"
    (ev1, sl1), (ev2, sl2) = got
    assert ev1 != ev2 and sl1 == sl2, "eight months later, the same storyline"


@pytest.mark.slow
def test_store_without_snapshots_replays_once_then_saves_them(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ingest_raw([_raw(PRESSTV, "2022-02-02")], store)
        cluster_store(store)
        store._db.execute("DELETE FROM cluster_state")  # as a store from before snapshots
    with open_store(db) as store:
        ingest_raw([_raw(JFORUM, "2022-10-24")], store)
        cluster_store(store)
        got = _rows(store, "SELECT storyline_id FROM article_clusters")
        assert len({r[0] for r in got}) == 1
        assert len(_rows(store, "SELECT id FROM cluster_state")) == 1


@pytest.mark.slow
def test_damaged_snapshot_without_its_index_falls_back_to_replay(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A snapshot saved before the index columns (schema 9) is checked when restored: a
    damaged one means replaying the storyline window's articles, as before."""
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ingest_raw([_raw(PRESSTV, "2022-02-02")], store)
        cluster_store(store)
        store._db.execute("UPDATE cluster_state SET state = x'0102'")
        store._db.execute("DELETE FROM cluster_index")
    with open_store(db) as store, caplog.at_level("WARNING"):
        ingest_raw([_raw(JFORUM, "2022-10-24")], store)
        report = cluster_store(store)
        got = _rows(store, "SELECT storyline_id FROM article_clusters")
    assert report.clustered == 1 and len({r[0] for r in got}) == 1
    assert any("unreadable" in r.getMessage() and "replaying" in r.getMessage()
               for r in caplog.records)


@pytest.mark.slow
def test_damaged_snapshot_found_on_first_read_stands_in_and_is_saved_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An indexed snapshot is read only when the clusterer first reads the storyline:
    damaged then, the run goes on with a stand-in built from its index entry (named in
    a warning), and the stand-in is saved in its place, so the next run reads it."""
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ingest_raw([_raw(PRESSTV, "2022-02-02")], store)
        cluster_store(store)
        (sl,) = [r[0] for r in _rows(store, "SELECT id FROM cluster_state")]
        store._db.execute("UPDATE cluster_state SET state = x'0102'")
    with open_store(db) as store, caplog.at_level("WARNING"):
        ingest_raw([_raw(JFORUM, "2022-10-24")], store)
        report = cluster_store(store)
        states = dict(_rows(store, "SELECT id, state FROM cluster_state"))
    assert report.clustered == 1
    assert any(sl in r.getMessage() and "unreadable" in r.getMessage()
               for r in caplog.records)
    back = from_snapshot(sl, states[sl])
    assert back.size == 1 and back.names, "the stand-in: one member's worth, its names"


def test_live_storyline_restored_and_joined_matches_the_uninterrupted_one() -> None:
    st = _grown_state(12)
    twin = from_snapshot(st.id, to_snapshot(st))  # live: every term, name and time
    extra = reps([("z", "quake", T0 + timedelta(days=1))])[0]
    st.add(extra)
    twin.add(extra)
    assert twin.size == st.size and twin.names == st.names and twin.times == st.times
    assert set(twin.body_acc) == set(st.body_acc)
    assert all(abs(twin.body_acc[f] - v) < 1e-5 for f, v in st.body_acc.items())


def test_undated_storyline_keeps_its_placement_span_across_a_restore() -> None:
    from storylens.link.online import OnlineClusterer

    src = new_clusterer()
    src.clock = T0.timestamp()
    undated = reps([("u1", "quake", None)])[0]
    sl = src.add(undated).storyline_id
    span = src.storylines.index.span(sl)
    st = src.storylines.states[sl]
    assert st.last_time is None and span is not None
    fresh: OnlineClusterer = new_clusterer()
    fresh.restore_storyline(from_snapshot(sl, to_snapshot(st, span)), span[1])
    assert fresh.storylines.index.span(sl) == span
    assert fresh.storylines.index.near(sl, span[1], fresh.storylines.window)
    fresh.evict()
    assert sl in fresh.storylines.states, "not mistaken for a stale one"


def test_name_index_mirrors_the_counters_through_compaction_and_eviction() -> None:
    cl = new_clusterer(storyline_compact_days=1.0, event_window_days=1.0,
                       storyline_window_days=3.0)
    rs = reps([(f"x{i}", ("quake", "strike", "vote")[i % 3], T0 + timedelta(hours=6 * i))
               for i in range(80)])
    for r in rs:
        cl.add(r)
    cl.evict()
    for level in (cl.events, cl.storylines):
        posted: dict[str, set[str]] = {}
        for name, post in level.names._post.items():
            for c in post:
                posted.setdefault(c, set()).add(name)
        assert set(posted) <= set(level.states)
        for cid, st in level.states.items():
            assert posted.get(cid, set()) == set(st.names), cid


def test_names_dropped_by_compaction_leave_the_index() -> None:
    cl = new_clusterer(storyline_compact_days=1.0)
    a = cl.add(reps([("a1", "quake", T0)])[0])
    st = cl.storylines.states[a.storyline_id]
    many = {f"name{i}": 100 - i for i in range(100)}  # a storyline with 100 names
    st.names.update(many)
    cl.storylines.names.add(st.id, many)
    cl.clock = (T0 + timedelta(days=5)).timestamp()
    cl.storylines.compact_idle(cl.clock)
    assert st.compacted and len(st.names) == 64
    posted = {n for n, post in cl.storylines.names._post.items() if st.id in post}
    assert posted == set(st.names)
    st_id = st.id
    cl.storylines.drop(st_id)
    assert all(st_id not in post for post in cl.storylines.names._post.values())
