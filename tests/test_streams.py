"""Tests for storylens.learn.streams: gold from pairs, simulated dates, shuffles, I/O."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from storylens.learn.streams import (
    DateSimulation,
    StreamArticle,
    constrained_components,
    local_shuffle,
    outlet_of,
    read_stream,
    simulate_published,
    split_title,
    stream_stats,
    title_duplicate_links,
    url_date,
    write_stream,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_components_follow_must_links() -> None:
    labels, report = constrained_components(
        ["a", "b", "c", "d", "e"], [("a", "b", 1.0), ("b", "c", 1.2)], []
    )
    assert labels == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "e"}
    assert report.sizes == {3: 1, 1: 2}
    assert report.blocked == 0


def test_chain_through_unrelated_pair_is_cut_at_weakest_link() -> None:
    # a-b (1.0) and b-c (1.5) would chain a with c, but a/c are annotated unrelated:
    # the weaker link b-c is dropped, so c stays alone.
    labels, report = constrained_components(
        ["a", "b", "c"], [("b", "c", 1.5), ("a", "b", 1.0)], [("a", "c")]
    )
    assert labels["a"] == labels["b"] != labels["c"]
    assert report.blocked == 1
    assert report.blocked_components == 2


def test_cannot_link_propagates_through_merged_components() -> None:
    # {a,b} merged first; d is cannot-linked to b, so c-d may join c... but not {a,b,c}.
    labels, report = constrained_components(
        ["a", "b", "c", "d"],
        [("a", "b", 1.0), ("b", "c", 1.1), ("c", "d", 1.2)],
        [("b", "d")],
    )
    assert labels["a"] == labels["b"] == labels["c"]
    assert labels["d"] == "d"
    assert report.merges == 2 and report.blocked == 1


def test_split_title_with_and_without_separator() -> None:
    assert split_title("Big news today  The body follows here.") == (
        "Big news today",
        "The body follows here.",
        False,
    )
    title, text, guessed = split_title("Storm hits coast. Thousands lose power overnight as winds")
    assert guessed and title == "Storm hits coast."
    assert text.startswith("Storm hits coast.")  # body kept whole when the split is a guess


def test_outlet_and_url_dates() -> None:
    assert outlet_of("https://www.Example.com:443/a/b") == "example.com"
    assert outlet_of(None) is None
    assert url_date("https://x.com/news/2020/04/21/story") == (date(2020, 4, 21), "day")
    assert url_date("https://x.com/nota/2020-2-27-14-38-0-title") == (date(2020, 2, 27), "day")
    assert url_date("https://x.com/a/2019/12/slug/") == (date(2019, 12, 1), "month")
    assert url_date("https://x.com/a/2020/13/45/slug") == (None, "none")
    assert url_date("https://x.com/id228972607.html") == (None, "none")


def test_title_duplicate_links_need_different_outlets() -> None:
    items = [
        ("1", "Benzine 7 kuruş zam yapıldı bugün", "aa.com.tr"),
        ("2", "Benzine 7 kuruş zam yapıldı", "dunya.com"),  # J = 5/6
        ("3", "Benzine 7 kuruş zam yapıldı", "dunya.com"),  # same outlet as 2: not linked to 2
        ("4", "Completely different headline about sport", "dunya.com"),
        ("5", "Short one", "other.com"),
    ]
    assert title_duplicate_links(items) == [("1", "2"), ("1", "3")]


def _items() -> list[tuple[str, str, str | None]]:
    items: list[tuple[str, str, str | None]] = []
    for e in range(300):
        story = f"s{e // 2}" if e < 100 else None  # 50 two-event storylines
        for k in range(3 if e % 5 == 0 else 1):
            items.append((f"a{e}-{k}", f"e{e}", story))
    return items


def test_simulated_dates_are_crowded_prompt_and_deterministic() -> None:
    sim = DateSimulation()
    items = _items()
    stamps = simulate_published(items, sim, seed=7)
    assert stamps == simulate_published(items, sim, seed=7)
    assert stamps != simulate_published(items, sim, seed=8)
    days = {t.date() for t in stamps.values()}
    # Everything falls in two short bursts, never spread over a calendar.
    assert len(days) <= 2 * (int(sim.burst_days) + 3)
    first_burst = [t for t in stamps.values() if t < sim.start + timedelta(days=7)]
    assert len(first_burst) > 0.6 * len(stamps)
    # An event's articles are within late_max_hours of each other.
    by_event: dict[str, list[datetime]] = {}
    for art_id, event, _ in items:
        by_event.setdefault(event, []).append(stamps[art_id])
    for times in by_event.values():
        assert max(times) - min(times) <= timedelta(hours=sim.late_max_hours)
    # Some storyline events are continuations weeks later.
    later = {e for e, ts in by_event.items() if min(ts) > sim.start + timedelta(days=14)}
    assert any(int(e[1:]) < 100 for e in later)


def test_local_shuffle_moves_items_only_locally() -> None:
    items = list(range(1000))
    out = local_shuffle(items, window=20, seed=3)
    assert sorted(out) == items and out != items
    assert max(abs(pos - v) for pos, v in enumerate(out)) <= 20
    assert out == local_shuffle(items, window=20, seed=3)


def test_stream_round_trip_and_stats(tmp_path: Path) -> None:
    t0 = datetime(2020, 3, 2, 10, tzinfo=UTC)
    arts = [
        StreamArticle("1", "en", "T1", "x", "e1", url="https://a.com/1", outlet="a.com",
                      published=t0, storyline="s1"),
        StreamArticle("2", "de", "T2", "y", "e1", published=t0 + timedelta(hours=2)),
        StreamArticle("3", "en", "T3", "z", "e2", published=t0 + timedelta(days=1)),
    ]
    path = tmp_path / "s.jsonl"
    assert write_stream(path, arts) == 3
    assert read_stream(path) == arts
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    assert "url" not in first and "storyline" not in first
    assert first["published"] == "2020-03-02T12:00:00+00:00"
    st = stream_stats(arts)
    assert st["events"] == 2 and st["cross_lingual_events"] == 1
    assert st["singleton_event_share"] == 0.5
    assert st["articles_per_day_max"] == 2 and st["days_with_articles"] == 2


@pytest.mark.shared_data
def test_make_dev_streams_on_shared_data(tmp_path: Path) -> None:
    if not (SHARED / "semeval2022-task8" / "dev.jsonl").is_file():
        pytest.skip("shared data absent")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_dev_streams", Path(__file__).resolve().parents[1] / "benchmarks/make_dev_streams.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--data", str(SHARED), "--out", str(tmp_path), "--json"]) == 0
    semeval = read_stream(tmp_path / "semeval-dev-stream.jsonl")
    nodates = read_stream(tmp_path / "semeval-dev-stream-nodates.jsonl")
    assert len(semeval) == len(nodates) == 2051
    assert all(a.published is not None for a in semeval)
    assert all(a.published is None for a in nodates)
    assert {a.id for a in semeval} == {a.id for a in nodates}
    st = stream_stats(semeval)
    assert st["non_singleton_events"] >= 200 and st["cross_lingual_events"] >= 15
    assert st["articles_per_day_max"] >= 300  # crowded calendar by design
    assert len(read_stream(tmp_path / "mixed-stream.jsonl")) == 2051 + 1332
