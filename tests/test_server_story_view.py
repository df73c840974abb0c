"""``server.story_view``: query-string level/sort parsing, the lead sentence of a card and
the cards themselves (summary from the first original, dated span, undated count) over a
real in-memory store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.records import Article
from storylens.records_story import ClusterAssignment
from storylens.server.story_view import _body, as_level, as_sort, cards, lead_sentence
from storylens.store import Store, open_store

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(("value", "want"), [
    ("event", "event"), (" Storyline ", "storyline"), ("EVENT", "event"), ("", None),
    ("events", None), ("story", None),
])
def test_as_level(value: str, want: str | None) -> None:
    assert as_level(value) == want


@pytest.mark.parametrize(("value", "want"), [
    ("recent", "recent"), ("SIZE", "size"), (" size\n", "size"), ("newest", None), ("", None),
])
def test_as_sort(value: str, want: str | None) -> None:
    assert as_sort(value) == want


@pytest.mark.parametrize(("text", "want"), [
    ("First one. Second one.", "First one."),
    ("  Spread\nover   lines! Next.", "Spread over lines!"),
    ('He said "stop." Then left.', 'He said "stop."'),
    ("他来了。 她走了。", "他来了。"),
    ("No end at all", "No end at all"),
    ("3.5 percent rose. Then.", "3.5 percent rose."),
    ("", ""),
    ("   ", ""),
])
def test_lead_sentence(text: str, want: str) -> None:
    assert lead_sentence(text) == want


def test_lead_sentence_is_cut_at_a_word() -> None:
    text = "word " * 100
    out = lead_sentence(text, limit=23)
    assert out == "word word word word…" and len(out) <= 23
    assert lead_sentence("x" * 30, limit=10) == "x" * 9 + "…", "one long word is cut"


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=400), st.integers(5, 300))
def test_lead_sentence_is_one_bounded_line(text: str, limit: int) -> None:
    out = lead_sentence(text, limit)
    assert len(out) <= limit
    assert "\n" not in out and out == out.strip()
    flat = " ".join(text.split())
    assert flat.startswith(out.removesuffix("…"))


def test_body_drops_a_leading_copy_of_the_title() -> None:
    a = Article(id="a", source="s", title="Storm hits", text="Storm hits\n\nThe storm hit.",
                raw="", raw_format="text")
    assert _body(a) == "The storm hit."
    a.text = "Storm hits"
    assert _body(a) == "Storm hits", "nothing but the title: the title"
    a.title, a.text = "", "  Body only.  "
    assert _body(a) == "Body only."
    # regression: a title that is a prefix of the first word is not a copy of the title
    a.title, a.text = "Vote", "Voters in Chile elected a parliament."
    assert _body(a) == "Voters in Chile elected a parliament."
    a.title, a.text = "Vote", "Vote: Chile elected a parliament."
    assert _body(a) == ": Chile elected a parliament."


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_store(":memory:")
    arts = [
        Article(id="a1", source="a1", title="Storm hits", text="Storm hits\nThe storm hit "
                "Lisbon on Monday. Many fled.", raw="", raw_format="text", outlet="x.org",
                published=T0),
        Article(id="a2", source="a2", title="Copy", text="The storm hit Lisbon (copy).",
                raw="", raw_format="text", outlet="y.org", published=T0 + timedelta(hours=5)),
        Article(id="a3", source="a3", title="Undated", text="Undated text. More.", raw="",
                raw_format="text", outlet="z.org", ingested_at=T0 + timedelta(days=1)),
        Article(id="b1", source="b1", title="Vote", text="Voters in Chile elected a "
                "parliament. It was close.", raw="", raw_format="text", outlet="c.cl",
                published=T0 + timedelta(days=3)),
    ]
    s.add_articles(arts)

    def asg(aid: str, ev: str, t: float, dup: str | None = None, undated: bool = False
            ) -> ClusterAssignment:
        return ClusterAssignment(aid, ev, "sl-" + ev, dup, 1.0, 1.0, undated, t)

    s.save_assignments([asg("a2", "ev-a", T0.timestamp() + 1, dup="a1"),
                        asg("a1", "ev-a", T0.timestamp()),
                        asg("a3", "ev-a", T0.timestamp() + 2, undated=True),
                        asg("b1", "ev-b", T0.timestamp() + 3)])
    yield s
    s.close()


def test_cards_summary_span_and_undated(store: Store) -> None:
    stories = store.list_stories("event")
    got = {c.story.id: c for c in cards(store, stories)}
    a = got["ev-a"]
    assert a.summary == "The storm hit Lisbon on Monday.", \
        "the first original's lead sentence, title copy dropped (not the copy a2)"
    assert a.dated_first == T0 and a.dated_last == T0 + timedelta(hours=5)
    assert a.undated == 1
    assert len(a.story.members) == 3, "members are read for the card"
    b = got["ev-b"]
    assert b.summary == "Voters in Chile elected a parliament."
    assert b.dated_first == b.dated_last == T0 + timedelta(days=3) and b.undated == 0


def test_cards_keep_given_members_and_order(store: Store) -> None:
    full = store.get_story("ev-b")
    cs = cards(store, [full, store.list_stories("event")[1]])
    assert [c.story.id for c in cs] == ["ev-b", "ev-a"]
    assert cs[0].story is full
    assert cards(store, []) == []


def test_card_of_a_story_whose_articles_are_gone(store: Store) -> None:
    s = store.get_story("ev-b")
    s.members = [{**s.members[0], "id": "missing"}]
    (c,) = cards(store, [s])
    assert c.summary == "" and c.undated == 0
