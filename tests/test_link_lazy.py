"""Lazy restore of storylines (storylens.link.lazy): a restored storyline is indexed from
its snapshot's header and built on first read, and a follow-up run decides exactly as
with every storyline built up front — same assignments, same scores, same snapshots
saved — while building only the storylines it reads."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.api import ingest_raw
from storylens.errors import StoreError
from storylens.link import lazy, service
from storylens.link.lazy import Deferred, StateTable
from storylens.link.name_keys import name_key
from storylens.link.online import ClusterConfig, OnlineClusterer
from storylens.link.snapshot import from_snapshot, peek, to_snapshot
from storylens.link.snapshot_index import SnapshotIndex, from_columns, from_peek
from storylens.link.state import EventState
from storylens.records import RawDoc
from storylens.represent.article import ArticleRep
from storylens.store import open_store
from tests.link_helpers import rep
from tests.test_link_compact import _grown_state
from tests.test_link_online import EVENT, STORY

H = 3600.0
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "news-sample.jsonl"


def _blob(st: EventState, span: tuple[float, float] | None = None) -> bytes:
    return to_snapshot(st, span)


def test_table_builds_a_deferred_state_on_first_read_only(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    built: list[str] = []
    real = lazy.from_snapshot
    monkeypatch.setattr(lazy, "from_snapshot", lambda cid, b: built.append(cid) or real(cid, b))
    table = StateTable()
    table["sl-live"] = _grown_state(3)
    table.defer("sl-a", Deferred(_blob(_grown_state(5)), True))
    table.defer("sl-b", Deferred(_blob(_grown_state(2)), True))
    assert "sl-a" in table and "sl-zz" not in table and len(table) == 3
    assert sorted(table) == ["sl-a", "sl-b", "sl-live"] and built == []
    assert table.deferred("sl-a") is not None and table.n_deferred == 2
    a = table["sl-a"]
    assert a.size == 5 and a.compacted and table["sl-a"] is a and built == ["sl-a"]
    assert table.deferred("sl-a") is None and table.n_deferred == 1
    assert table.get("sl-zz") is None and built == ["sl-a"]
    gone = table.pop("sl-b")  # eviction reads the state it drops
    assert gone.size == 2 and "sl-b" not in table and built == ["sl-a", "sl-b"]
    table.defer("sl-c", Deferred(_blob(_grown_state(2)), True))
    del table["sl-c"]
    assert "sl-c" not in table and built == ["sl-a", "sl-b"]
    with pytest.raises(KeyError):
        table["sl-c"]


def test_peek_reads_what_the_built_state_holds() -> None:
    grown = _grown_state(40)
    blob = _blob(grown, span=(-H, 50 * H))
    seen, back = peek("c", blob), from_snapshot("c", blob)
    assert seen.names == dict(back.names) and seen.span == back.span == (-H, 50 * H)
    assert (seen.first, seen.last) == (back.first_time, back.last_time)
    np.testing.assert_array_equal(seen.dense_sum, back.dense_sum)
    assert not seen.compact_noop, "a live state's snapshot keeps every term and time"
    grown.compact()
    assert peek("c", _blob(grown)).compact_noop
    small = peek("c", _blob(_grown_state(2)))
    assert small.compact_noop and small.span is None


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_peek_refuses_exactly_what_from_snapshot_refuses(data: st.DataObject) -> None:
    ev = EventState.start("sl-a", rep("a", (1, 0, 0), time=0.0, names={"basel"},
                                      numbers={"42"}, title={1: 1.0}, body={2: 1.0}))
    blob = bytearray(to_snapshot(ev, span=(0.0, H)))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] ^= data.draw(st.integers(1, 255))
    try:
        from_snapshot("c1", bytes(blob))
    except StoreError:
        with pytest.raises(StoreError, match="'c1'"):
            peek("c1", bytes(blob))
    else:
        peek("c1", bytes(blob))  # and a state checked by peek builds later


@pytest.mark.parametrize("header_patch", [{"times": ["x"]}, {"title": 3}, {"span": [1.0]},
                                          {"names": []}, {"first": "soon"}])
def test_peek_refuses_fields_of_the_wrong_type(header_patch: dict[str, Any]) -> None:
    blob = to_snapshot(_grown_state(2))
    n = int.from_bytes(blob[:4], "little")
    head = {**json.loads(blob[4:4 + n]), **header_patch}
    raw = json.dumps(head).encode()
    with pytest.raises(StoreError, match="cluster state 'c2' is unreadable"):
        peek("c2", len(raw).to_bytes(4, "little") + raw + blob[4 + n:])


def _stream(n_stories: int, n: int, days: float, seed: int) -> list[ArticleRep]:
    """``n`` hand-built articles about ``n_stories`` stories (a dense direction, two
    names and body terms of their own each) that come back in episodes a few days apart
    (new events of one storyline), over ``days``."""
    rng = np.random.default_rng(seed)
    names = random.Random(seed)
    stories = [(rng.normal(size=DIM), {_name(names, 3), _name(names, 4)}, rng.random() * days,
                4 + 8 * rng.random()) for k in range(n_stories)]
    out = []
    for i in range(n):
        k = int(rng.integers(n_stories))
        dense, names, begin, gap = stories[k]
        ep = int(rng.integers(3))
        out.append(rep(f"a{i}", tuple(dense + 0.3 * rng.normal(size=DIM)),
                       time=(begin + ep * gap + rng.random()) * 86400.0, names=names,
                       body={1000 + 10 * k + 3 * ep + j: 1.0 for j in range(3)} | {i: 0.5}))
    return sorted(out, key=lambda r: r.time or 0.0)


DIM = 16


def _fields(idx: SnapshotIndex) -> tuple[Any, ...]:
    """Every field of an index entry, the centroid as its exact bytes."""
    return (idx.centroid.dtype, idx.centroid.tobytes(), idx.first, idx.last, idx.names,
            idx.keys.tobytes(), idx.drop_keys.tobytes(), idx.compact_noop)


def test_deferred_storylines_decide_like_built_ones() -> None:
    """A stream clustered up to day 40 with snapshots saved batch by batch (as the
    service saves them); three fresh clusterers restore the window, one building every
    storyline, one deferring them (indexed from the snapshots), one indexing them from
    the saved index columns and fetching a snapshot only when it reads it; the next ten
    days get the same events and storylines, and compaction and eviction leave the same
    states and name index."""
    cfg = ClusterConfig(storyline_window_days=20, storyline_compact_days=3)

    def fresh() -> OnlineClusterer:
        return OnlineClusterer(EVENT, STORY, DIM, cfg)

    arts = _stream(90, 1200, 50, seed=3)
    cut = next(i for i, r in enumerate(arts) if (r.time or 0) > 40 * 86400.0)
    first = fresh()
    saved: dict[str, tuple[float, bytes, Any]] = {}
    placed: list[tuple[ArticleRep, Any]] = []
    for i in range(0, cut, 25):
        placed += [(r, first.add(r)) for r in arts[i:min(i + 25, cut)]]
        saved |= {cid: (last, blob, cols)
                  for _, cid, last, blob, cols in service.snapshots(first, "m")}
    start = arts[cut].time or 0.0
    ev_last: dict[str, float] = {}
    for _, a in placed:
        ev_last[a.event_id] = max(ev_last.get(a.event_id, 0.0), a.placed_time)
    eager, deferred, columns = fresh(), fresh(), fresh()
    fetched: list[list[str]] = []

    def fetch(ids: Any) -> dict[str, bytes]:
        fetched.append(list(ids))
        return {c: saved[c][1] for c in ids}

    columns.storylines.states.fetch = fetch
    rows = sorted(((last, cid, blob, cols) for cid, (last, blob, cols) in saved.items()
                   if last >= start - 2 * cfg.storyline_window_days * 86400.0))
    for last, cid, blob, cols in rows:
        eager.restore_storyline(from_snapshot(cid, blob), last)
        deferred.defer_storyline(cid, blob, peek(cid, blob), last)
        assert _fields(from_columns(cid, cols, DIM)) == _fields(from_peek(peek(cid, blob),
                                                                          last))
        columns.defer_storyline(cid, None, from_columns(cid, cols, DIM), last)
    for c in (eager, deferred, columns):
        for r, a in placed:
            if ev_last[a.event_id] >= start - 2 * cfg.event_window_days * 86400.0:
                c.restore(replace(r, time=a.placed_time), a.event_id, a.storyline_id,
                          a.duplicate_of, storylines=False)
        c.storylines.take_dirty()
    assert len(rows) > 60 and deferred.storylines.states.n_deferred == len(rows)
    assert any(not peek(cid, blob).compact_noop for _, cid, blob, _ in rows), (
        "some storylines were saved live, and are built to be compacted")
    got = [(deferred.add(r), eager.add(r), columns.add(r)) for r in arts[cut:]]
    assert all(a == b == c for a, b, c in got)
    joined = {a.storyline_id for a, _, _ in got if a.new_event and not a.new_storyline}
    assert len(joined & {cid for _, cid, _, _ in rows}) > 10, "new events join restored ones"
    assert deferred.storylines.states.n_deferred > 0, "not every storyline was read"
    assert columns.storylines.states.n_deferred == deferred.storylines.states.n_deferred
    read = {c for ids in fetched for c in ids}
    assert 0 < len(read) < len(rows) and len(fetched) < len(read), (
        "only the storylines read are fetched, several per query")
    for c in (deferred, eager, columns):
        c.evict()
    assert deferred.storylines.names.postings() == eager.storylines.names.postings()
    assert columns.storylines.names.postings() == eager.storylines.names.postings()
    assert sorted(deferred.storylines.states) == sorted(eager.storylines.states)
    assert sorted(columns.storylines.states) == sorted(eager.storylines.states)
    for cid in eager.storylines.states:
        span = eager.storylines.index.span(cid)
        assert deferred.storylines.index.span(cid) == columns.storylines.index.span(cid) == span
        want = to_snapshot(eager.storylines.states[cid], span)
        assert to_snapshot(deferred.storylines.states[cid], span) == want
        assert to_snapshot(columns.storylines.states[cid], span) == want


SYLLABLES = ("ka", "lo", "mer", "vi", "dan", "su", "tor", "bel", "ri", "no", "gath", "ul",
             "pre", "zan", "ko", "wel", "fi", "ost", "ha", "mun")


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).title()


TOPICS = {
    "flood": "rivers burst their banks after days of rain and rescue boats moved families",
    "strike": "dock workers walked out over wages and container ships waited offshore",
    "election": "voters queued at polling stations and the count ran late into the night",
    "fire": "a warehouse blaze sent smoke over the harbour and firefighters fought it",
    "trial": "prosecutors presented bank records and the defence called two witnesses",
    "summit": "ministers met behind closed doors to negotiate a regional trade accord",
}


def _corpus(n: int, days: float, seed: int, start: datetime, prefix: str) -> list[RawDoc]:
    """``n`` reports about (person, city, topic) stories, each active for a day or two
    somewhere in ``days``: enough storylines to go idle, be compacted and be restored."""
    rng = random.Random(seed)
    pool = [t.strip() + "." for x in SAMPLE.read_text(encoding="utf-8").splitlines()
            if json.loads(x)["lang"] == "en" for t in json.loads(x)["text"].split(". ")
            if len(t.strip()) > 30]
    stories = [(f"{_name(rng, 2)} {_name(rng, 3)}", _name(rng, 3), rng.choice(sorted(TOPICS)),
                rng.random() * days, rng.sample(pool, 2)) for _ in range(max(1, n // 3))]
    docs = []
    for i in range(n):
        who, city, topic, begin, own = stories[rng.randrange(len(stories))]
        when = start + timedelta(days=begin + rng.random() * 1.5)
        n_people = rng.randint(2, 900)
        sents = [f"In {city}, {TOPICS[topic]}, officials said on {when:%A}.",
                 f"{who} told reporters in {city} that {n_people} people were affected.",
                 f"Authorities in {city} promised an update, and {who} asked for calm.", *own]
        rng.shuffle(sents)
        docs.append(RawDoc(source=f"{prefix}{i}.txt", fmt="text", published=when.isoformat(),
                           content=f"{who}: {topic} in {city}\n\n" + " ".join(sents),
                           url=f"https://outlet{i % 7}.example/{prefix}{i}"))
    return docs


def _dump(store: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db = store._db
    return (db.execute("SELECT article_id, event_id, storyline_id, duplicate_of, event_score, "
                       "storyline_score, seq, placed_time FROM article_clusters "
                       "ORDER BY article_id").fetchall(),
            db.execute("SELECT id, last_time, state FROM cluster_state ORDER BY id").fetchall())


@pytest.mark.slow
def test_follow_up_run_is_identical_with_lazy_and_eager_restore(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same follow-up on copies of one store: storylines deferred (from the index
    columns) and events past the window replayed without their lexical vectors (the
    service's default), storylines built up front, and every event replayed in full —
    the same assignments, scores and snapshots."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    base = tmp_path / "base.db"
    with open_store(base) as store:
        ingest_raw(_corpus(260, 40, 1, start, "g"), store)
        service.cluster_store(store, batch_size=64)
    # a day and a half after the base run's last articles: some of its events are past
    # the window (light), some still candidates
    follow = _corpus(40, 3, 2, start + timedelta(days=41.5), "f")
    built: list[str] = []
    real = lazy.from_snapshot
    monkeypatch.setattr(lazy, "from_snapshot", lambda cid, b: built.append(cid) or real(cid, b))
    out = {}
    restore = service.restore_window
    light: dict[str, int] = {}
    for name, kw in (("lazy", {}), ("eager", {"lazy": False}),
                     ("full events", {"earliest": None})):
        db = tmp_path / f"{name}.db"
        shutil.copy(base, db)
        monkeypatch.setattr(service, "restore_window",
                            lambda *a, kw=kw, **k: restore(*a, **{**k, **kw}))
        with open_store(db) as store:
            n_states = store._db.execute("SELECT count(*) FROM cluster_state").fetchone()[0]
            ingest_raw(follow, store)
            reprs = store.get_reprs

            def spy(ids: Any, model: str, *, lexical: bool = True, name: str = name,
                    reprs: Any = reprs) -> Any:
                if not lexical:
                    light[name] = light.get(name, 0) + len(ids)
                return reprs(ids, model, lexical=lexical)

            monkeypatch.setattr(store, "get_reprs", spy)
            report = service.cluster_store(store, batch_size=16)
            assert report.clustered == 40
            out[name] = _dump(store)
    assert out["lazy"] == out["eager"] == out["full events"]
    assert n_states >= 10, "the base run leaves storylines to restore"
    assert 0 < len(set(built)) < n_states, "lazy restore builds only what it reads"
    assert light.get("lazy", 0) > 0 and "full events" not in light, (
        "events past the window were replayed light")


def test_compacting_a_deferred_storyline_drops_the_names_a_built_one_drops() -> None:
    """A storyline saved live with more names than a compact one keeps: compacted while
    deferred, the name index forgets the same names as when it is built and compacted,
    and its first read builds the compacted state."""
    names = [f"Name{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(90)]
    ev = EventState.start("sl-big", rep("a0", (1, 0, 0), time=0.0, names=set(names[:50])))
    for i in range(1, 12):
        ev.add(rep(f"a{i}", (1, 0.1 * i, 0), time=i * H, names=set(names[i * 4:i * 4 + 30])))
    blob = to_snapshot(ev, (0.0, 11 * H))
    seen = peek("sl-big", blob)
    assert not seen.compact_noop and seen.compact_drops
    cfg = ClusterConfig(storyline_compact_days=1)
    eager, deferred = (OnlineClusterer(EVENT, STORY, 3, cfg) for _ in range(2))
    eager.restore_storyline(from_snapshot("sl-big", blob), 11 * H)
    deferred.defer_storyline("sl-big", blob, seen, 11 * H)
    assert deferred.storylines.names.postings() == eager.storylines.names.postings()
    for c in (eager, deferred):
        c.storylines.compact_idle(5 * 86400.0)
    assert deferred.storylines.states.n_deferred == 1, "compacted without being built"
    assert deferred.storylines.names.postings() == eager.storylines.names.postings()
    left = deferred.storylines.names.postings()
    assert not any("sl-big" in left.get(name_key(n), ()) for n in seen.compact_drops)
    assert sum("sl-big" in post for post in left.values()) == 64, "a compact one's names"
    built, kept = deferred.storylines.states["sl-big"], eager.storylines.states["sl-big"]
    assert built.compacted and to_snapshot(built) == to_snapshot(kept)
