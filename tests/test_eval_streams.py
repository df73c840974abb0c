"""Properties of the development-stream builders (storylens.learn.streams), beside the examples
in test_streams.py: the constrained union-find against brute force, the prefix-filtered
title-duplicate search against all pairs, and the invariants of the text, URL, date and
shuffle helpers."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.learn.streams import (
    DateSimulation,
    StreamArticle,
    constrained_components,
    iter_jsonl,
    local_shuffle,
    read_stream,
    simulate_published,
    split_title,
    stable_hash,
    stream_stats,
    title_duplicate_links,
    url_date,
    write_stream,
)

_ids = st.sampled_from([f"n{i}" for i in range(8)])
_must = st.lists(st.tuples(_ids, _ids, st.sampled_from([1.0, 1.5, 2.0, 2.5])), max_size=14)
_cannot = st.lists(st.tuples(_ids, _ids), max_size=5)
NODES = [f"n{i}" for i in range(8)]


def _plain_components(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    comp = {n: {n} for n in nodes}
    for a, b in edges:
        if comp[a] is not comp[b]:
            merged = comp[a] | comp[b]
            for n in merged:
                comp[n] = merged
    return {n: min(comp[n]) for n in nodes}


@settings(max_examples=300, deadline=None)
@given(_must, _cannot)
def test_components_never_join_a_cannot_linked_pair(
        must: list[tuple[str, str, float]], cannot: list[tuple[str, str]]) -> None:
    comp, report = constrained_components(NODES, must, cannot)
    for a, b in cannot:
        if a != b:
            assert comp[a] != comp[b]
    # labels are the smallest member of each component
    groups: dict[str, list[str]] = {}
    for n, c in comp.items():
        groups.setdefault(c, []).append(n)
    assert all(c == min(ms) for c, ms in groups.items())
    assert sum(report.sizes.values()) == len(groups)
    assert sum(k * v for k, v in report.sizes.items()) == len(NODES)
    assert report.must_links == len(must)
    assert report.merges == len(NODES) - len(groups)
    # components are unions of applied must-links: every member reaches the label by links
    linked = _plain_components(NODES, [(a, b) for a, b, _ in must])
    assert all(linked[n] == linked[comp[n]] for n in NODES)
    # every must-link left unapplied crosses a cannot-link boundary
    for a, b, _ in must:
        if comp[a] != comp[b]:
            members_a = groups[comp[a]]
            members_b = groups[comp[b]]
            assert any((x, y) in cannot or (y, x) in cannot
                       for x in members_a for y in members_b) or report.blocked > 0


@settings(max_examples=150, deadline=None)
@given(_must)
def test_without_cannot_links_components_are_plain_connectivity(
        must: list[tuple[str, str, float]]) -> None:
    comp, report = constrained_components(NODES, must, [])
    assert comp == _plain_components(NODES, [(a, b) for a, b, _ in must])
    assert report.blocked == 0 and report.blocked_components == 0


def test_blocked_report() -> None:
    comp, report = constrained_components(
        ["a", "b", "c"], [("a", "b", 1.0), ("b", "c", 2.0)], [("a", "c")])
    assert comp == {"a": "a", "b": "a", "c": "c"}
    assert (report.merges, report.blocked, report.blocked_components, report.cannot_links) == (
        1, 1, 2, 1)


_title_words = st.lists(st.sampled_from(["storm", "hits", "coast", "power", "cut", "for", "a",
                                         "million", "homes", "today"]), min_size=1, max_size=7)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_title_words, st.sampled_from(["a.com", "b.com", "c.org", None])),
                max_size=10),
       st.sampled_from([0.5, 0.8, 1.0]))
def test_title_duplicates_equal_the_all_pairs_search(
        rows: list[tuple[list[str], str | None]], threshold: float) -> None:
    items = [(f"{i:02d}", " ".join(words).title(), outlet)
             for i, (words, outlet) in enumerate(rows)]
    expected = []
    for (i, ti, oi), (j, tj, oj) in itertools.combinations(items, 2):
        a, b = set(ti.lower().split()), set(tj.lower().split())
        if (len(a) >= 4 and len(b) >= 4 and oi != oj and oi is not None and oj is not None
                and len(a & b) / len(a | b) >= threshold):
            expected.append((i, j))
    assert title_duplicate_links(items, min_jaccard=threshold) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_split_title_never_loses_text(raw: str) -> None:
    title, text, guessed = split_title(raw)
    s = raw.strip()
    if guessed:
        assert text == s and title in s
        assert len(title) <= 201
    else:
        assert title and title in s and text in s


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["/news/{y}/{m:02d}/{d:02d}/slug", "/a/{y}-{m}-{d}-title",
                        "/x_{y}{m:02d}{d:02d}.html"]))
def test_url_day_forms_round_trip(day: date, pattern: str) -> None:
    url = "https://www.example.com" + pattern.format(y=day.year, m=day.month, d=day.day)
    assert url_date(url) == (day, "day")


def test_url_dates_in_the_host_or_query_are_ignored() -> None:
    assert url_date("https://2020-04-21.example.com/") == (None, "none")
    assert url_date("https://x.com/a?d=2020/04/21/") == (None, "none")
    assert url_date(None) == (None, "none") and url_date("") == (None, "none")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(), max_size=60), st.floats(0, 10), st.integers(0, 99))
def test_local_shuffle_is_a_bounded_permutation(items: list[int], window: float,
                                                seed: int) -> None:
    out = local_shuffle(list(enumerate(items)), window, seed)
    assert sorted(out) == list(enumerate(items))
    for pos, (orig, _) in enumerate(out):
        assert abs(pos - orig) <= window + 1


def test_stable_hash_is_fixed_across_processes() -> None:
    # blake2b-64 of "e1": a constant, unlike the salted built-in hash()
    assert stable_hash("e1") == stable_hash("e1") != stable_hash("e2")
    assert 0 <= stable_hash("") < 2**64
    assert stable_hash("abc") == int.from_bytes(
        __import__("hashlib").blake2b(b"abc", digest_size=8).digest(), "big")


def test_simulated_times_follow_the_documented_bounds() -> None:
    sim = DateSimulation()
    items = [(f"a{i}", f"e{i % 7}", None) for i in range(40)]
    stamps = simulate_published(items, sim, seed=1)
    assert set(stamps) == {a for a, _, _ in items}
    second = sim.start + timedelta(days=sim.second_burst_after_days)
    hi = sim.burst_days * 86400 + sim.late_max_hours * 3600
    for t in stamps.values():
        assert t.microsecond == 0 and t.tzinfo is not None
        assert (sim.start <= t <= sim.start + timedelta(seconds=hi)
                or second <= t <= second + timedelta(seconds=hi))


_article = st.builds(
    StreamArticle,
    id=st.text(min_size=1, max_size=5), lang=st.sampled_from(["en", "fr"]),
    title=st.text(max_size=10), text=st.text(max_size=20), event=st.text(min_size=1, max_size=4),
    url=st.none() | st.just("https://x.com/a"), outlet=st.none() | st.just("x.com"),
    published=st.none() | st.datetimes(min_value=datetime(2000, 1, 1),
                                       max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    storyline=st.none() | st.text(max_size=4))


@settings(max_examples=100, deadline=None)
@given(st.lists(_article, max_size=5))
def test_stream_jsonl_round_trip(arts: list[StreamArticle]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.jsonl"
        assert write_stream(p, arts) == len(arts)
        assert read_stream(p) == arts
        assert [StreamArticle.from_json(o) for o in iter_jsonl(p)] == arts


def test_to_json_leaves_out_absent_keys() -> None:
    d = StreamArticle("1", "en", "T", "x", "e1").to_json()
    assert d == {"id": "1", "lang": "en", "title": "T", "text": "x", "event": "e1"}
    assert json.dumps(d)


def test_stream_stats_of_an_empty_stream() -> None:
    s = stream_stats([])
    assert s["articles"] == 0 and s["events"] == 0 and s["largest_event"] == 0
    assert s["first_day"] is None and s["articles_per_day_median"] is None


def test_stream_stats_counts() -> None:
    t = datetime(2020, 3, 2, 10, tzinfo=UTC)
    arts = [StreamArticle("1", "en", "", "", "e1", published=t, storyline="s"),
            StreamArticle("2", "fr", "", "", "e1", published=t + timedelta(days=1), storyline="s"),
            StreamArticle("3", "en", "", "", "e2", published=t, storyline="s"),
            StreamArticle("4", "en", "", "", "e3")]
    s = stream_stats(arts)
    assert (s["events"], s["non_singleton_events"], s["cross_lingual_events"]) == (3, 1, 1)
    assert (s["storylines"], s["multi_event_storylines"]) == (1, 1)
    assert (s["dated_articles"], s["days_with_articles"], s["events_per_day_max"]) == (3, 2, 2)
    assert (s["first_day"], s["last_day"]) == ("2020-03-02", "2020-03-03")
    assert s["languages"] == {"en": 3, "fr": 1}
    assert s["singleton_event_share"] == pytest.approx(2 / 3, abs=1e-4)


def test_an_unknown_outlet_is_never_linked_from_either_side() -> None:
    # Fixed bug: only the first item's outlet was checked for None, so the pair was linked
    # or not depending on which of the two came first.
    items = [("1", "Storm hits coast power", "a.com"), ("2", "Storm hits coast power", None)]
    assert title_duplicate_links(items) == []
    assert title_duplicate_links(items[::-1]) == []
