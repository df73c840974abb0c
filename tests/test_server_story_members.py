"""``server.story_members``: the story page's layout of a story's articles: originals with
their copies folded under them (chains, orphans, cycles), outlet labels, the compare pairs
and the SVG timeline's geometry (lanes, dots, ticks, padding of a single moment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.records import Article
from storylens.records_story import Story
from storylens.server.story_members import (
    MAX_LANES,
    MAX_PAIRS,
    Member,
    compare_pairs,
    fold_members,
    member_time,
    outlet_label,
    outlets_of,
    timeline,
)

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)


def story(members: list[dict[str, Any]]) -> Story:
    return Story(id="ev-1", level="event", title="t", size=len(members), n_copies=0,
                 n_events=1, first_time=None, last_time=None, langs={}, outlets={},
                 members=members)


def m(i: str, outlet: str | None = "x.org", dup: str | None = None,
      hours: float | None = 0.0, title: str | None = None) -> dict[str, Any]:
    pub = None if hours is None else (T0 + timedelta(hours=hours)).isoformat()
    return {"id": i, "title": title if title is not None else f"Title {i}", "outlet": outlet,
            "lang": "en", "published": pub, "event_id": "ev-1", "duplicate_of": dup}


def art(i: str, source: str = "feed.txt", outlet: str | None = None) -> Article:
    return Article(id=i, source=source, title="", text="", raw="", raw_format="text",
                   outlet=outlet)


@pytest.mark.parametrize(("value", "want"), [
    ("2024-05-01T08:00:00+00:00", T0), ("2024-05-01", datetime(2024, 5, 1)),
    (None, None), ("", None), ("garbage", None), (12345, None), ("2024-13-01", None),
])
def test_member_time(value: object, want: datetime | None) -> None:
    assert member_time(value) == want


def test_outlet_label_falls_back_to_the_article_stand_in() -> None:
    assert outlet_label("x.org", art("a")) == "x.org"
    assert outlet_label(None, art("a", "/data/report.txt")) == "unknown (report)"
    assert outlet_label("", art("0123456789abcdef", "https://x.org/a")) == \
        "unknown (0123456789)"
    assert outlet_label(None, None) == "unknown outlet"


def test_fold_members_folds_copies_and_chains() -> None:
    s = story([m("a", "x.org", hours=0), m("b", "w.org", "a", hours=1),
               m("c", "v.org", "b", hours=2), m("d", "y.org", hours=3),
               m("e", "z.org", "gone", hours=4)])
    out = fold_members(s, {})
    assert [o.id for o in out] == ["a", "d", "e"], "an orphan copy shows as an original"
    assert [c.id for c in out[0].copies] == ["b", "c"], "a copy of a copy: first original"
    assert out[0].published == T0 and out[0].event_id == "ev-1"
    assert out[2].duplicate_of == "gone" and out[2].copies == []


def test_fold_members_fills_missing_fields() -> None:
    s = story([{"id": 7, "title": None, "outlet": None, "published": "bad"}])
    (only,) = fold_members(s, {"7": art("7", "/x/seven.txt")})
    assert (only.id, only.title, only.outlet, only.published, only.event_id) == (
        "7", "(untitled)", "unknown (seven)", None, "")
    assert only.article is not None and only.article.id == "7"


def test_fold_members_survives_a_copy_cycle() -> None:
    out = fold_members(story([m("a", dup="b"), m("b", dup="a")]), {})
    flat = [x.id for o in out for x in (o, *o.copies)]
    assert sorted(flat) == ["a", "b"], "every member is shown exactly once"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e", None]), min_size=1, max_size=5))
def test_fold_members_shows_every_member_once(dups: list[str | None]) -> None:
    ids = "abcde"[:len(dups)]
    s = story([m(i, dup=d) for i, d in zip(ids, dups, strict=True)])
    out = fold_members(s, {})
    flat = [x.id for o in out for x in (o, *o.copies)]
    assert sorted(flat) == sorted(ids)
    assert all(not o.copies or all(c.copies == [] for c in o.copies) for o in out), \
        "copies are one level deep"


def _member(i: str, outlet: str, hours: float | None = 0.0, dup: str | None = None
            ) -> Member:
    return Member(i, f"T{i}", outlet, "en", None if hours is None else
                  T0 + timedelta(hours=hours), "ev", dup, None)


def test_outlets_of_counts_copies_then_sorts_by_name() -> None:
    a = _member("a", "x.org")
    a.copies = [_member("b", "w.org", dup="a"), _member("c", "w.org", dup="a")]
    assert outlets_of([a, _member("d", "b.org"), _member("e", "a.org")]) == [
        "w.org", "a.org", "b.org", "x.org"]
    assert outlets_of([]) == []


def test_compare_pairs_cross_outlet_first_report_first() -> None:
    ms = [_member("a", "x"), _member("b", "x"), _member("c", "y"), _member("d", "z")]
    assert [(p.id, q.id) for p, q in compare_pairs(ms)] == [
        ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    many = [_member(str(i), f"o{i}") for i in range(10)]
    pairs = compare_pairs(many)
    assert len(pairs) == MAX_PAIRS and pairs[0][0].id == "0"
    assert compare_pairs([_member("a", "x"), _member("b", "x")]) == []


def test_timeline_none_when_nothing_is_dated() -> None:
    assert timeline([_member("a", "x", None)]) is None
    assert timeline([]) is None


def test_timeline_geometry() -> None:
    a = _member("a", "x.org", 0)
    a.copies = [_member("c", "w.org", 24, dup="a")]
    ms = [a, _member("b", "x.org", 48), _member("u", "y.org", None)]
    tl = timeline(ms, width=760)
    assert tl is not None
    assert tl.undated == 1 and tl.first == T0 and tl.last == T0 + timedelta(hours=48)
    assert [name for name, _ in tl.lanes] == ["x.org", "w.org"], "by dated articles"
    assert tl.left == 170 and tl.height == 18 + 26 * 2 + 34
    xs = {d.href: d.x for d in tl.dots}
    assert xs == {"/articles/a": 170.0, "/articles/c": 455.0, "/articles/b": 740.0}
    lane_y = dict(tl.lanes)
    assert all(d.y == lane_y["x.org"] for d in tl.dots if d.href != "/articles/c")
    copy = next(d for d in tl.dots if d.href == "/articles/c")
    assert copy.copy and copy.y == lane_y["w.org"]
    assert copy.label == "w.org · 2024-05-02 08:00 · Tc"
    assert [t[0] for t in tl.ticks] == [170.0, 312.5, 455.0, 597.5, 740.0]
    assert tl.ticks[0][1] == "05-01 08:00" and tl.ticks[-1][1] == "05-03 08:00", \
        "spans of two days or less show hours"


def test_timeline_long_span_shows_days_and_single_moment_is_centred() -> None:
    tl = timeline([_member("a", "x", 0), _member("b", "y", 24 * 10)])
    assert tl is not None and tl.ticks[0][1] == "2024-05-01"
    one = timeline([_member("a", "x", 0), _member("b", "y", 0)])
    assert one is not None
    assert {d.x for d in one.dots} == {round(170 + (760 - 190) / 2, 1)}, \
        "a single moment is padded an hour either side"


def test_timeline_folds_extra_outlets_into_one_lane() -> None:
    ms = [_member(str(i), f"o{i:02d}", i) for i in range(MAX_LANES + 3)]
    tl = timeline(ms)
    assert tl is not None and len(tl.lanes) == MAX_LANES
    assert tl.lanes[-1][0] == "other outlets"
    other_y = tl.lanes[-1][1]
    assert sum(1 for d in tl.dots if d.y == other_y) == 4
    assert len(tl.dots) == MAX_LANES + 3
