"""Second looks (storylens.link.online): a young event alone in its storyline looks for its
storyline again with what it has become; a young event that turns out to be part of
another live event is folded into it. Driven by hand-made models that read only the dense
cosine, so each fold is predictable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storylens.link.online import ClusterConfig, OnlineClusterer
from storylens.records import Article
from storylens.store import open_store
from tests.link_helpers import angle, cosine_model, rep

H = 3600.0




def _cl(event_cut: float, story_cut: float, *, keep_merged: bool = False,
        **cfg: int) -> OnlineClusterer:
    return OnlineClusterer(cosine_model(event_cut), cosine_model(story_cut), 3,
                           ClusterConfig(**cfg),  # type: ignore[arg-type]
                           keep_merged=keep_merged)


def test_a_young_event_alone_finds_its_storyline_with_its_second_article() -> None:
    cl = _cl(0.9, 0.5, storyline_second_look=3)
    cl.add(rep("a", angle(0), time=0.0))
    x = cl.add(rep("x", angle(65), time=H))  # cos 0.42 to sl-a: a storyline of its own
    assert (x.event_id, x.storyline_id) == ("ev-x", "sl-x")
    y = cl.add(rep("y", angle(45), time=2 * H))  # joins ev-x (cos 0.94)
    # ev-x is now centred at 55 degrees: cos 0.57 with sl-a, so its storyline folds in
    assert (y.event_id, y.storyline_id) == ("ev-x", "sl-a")
    assert cl.resolve("sl-x") == "sl-a" and "sl-x" not in cl.storylines.states
    assert cl.storylines.states["sl-a"].members == ["a", "x", "y"]
    assert cl.events.states["ev-x"].storyline_id == "sl-a"
    assert cl.take_merged() == [("sl-x", "sl-a")]
    assert cl.take_merged() == [], "each fold is handed over once"


def test_without_a_second_look_the_first_article_decides_for_good() -> None:
    cl = _cl(0.9, 0.5, storyline_second_look=0)
    cl.add(rep("a", angle(0), time=0.0))
    cl.add(rep("x", angle(65), time=H))
    y = cl.add(rep("y", angle(45), time=2 * H))
    assert (y.event_id, y.storyline_id) == ("ev-x", "sl-x") and cl.take_merged() == []


def test_only_young_events_look_again() -> None:
    cl = _cl(0.9, 0.5, storyline_second_look=2)
    cl.add(rep("a", angle(0), time=0.0))
    cl.add(rep("x", angle(80), time=H))
    cl.add(rep("y", angle(75), time=2 * H))  # 2nd article: ev-x at 77.5, cos 0.22: stays
    z = cl.add(rep("z", angle(60), time=3 * H))  # 3rd: too old to look again
    assert (z.event_id, z.storyline_id) == ("ev-x", "sl-x") and cl.take_merged() == []


def test_a_fragment_of_an_event_is_folded_into_it_with_its_lone_storyline() -> None:
    cl = _cl(0.9, 0.95, keep_merged=True, event_second_look=3, storyline_second_look=0)
    cl.add(rep("a", angle(0), time=0.0))
    x = cl.add(rep("x", angle(30), time=H))  # cos 0.87: an event and storyline apart
    assert (x.event_id, x.storyline_id) == ("ev-x", "sl-x")
    y = cl.add(rep("y", angle(20), time=2 * H))  # joins ev-x (cos 0.98), now at 25 deg.
    # ev-x as a whole: cos 0.906 with ev-a, above the event cut: it was part of ev-a
    assert (y.event_id, y.storyline_id) == ("ev-a", "sl-a")
    assert cl.take_merged() == [("sl-x", "sl-a"), ("ev-x", "ev-a")]
    assert cl.events.states["ev-a"].members == ["a", "x", "y"]
    assert cl.article_event["x"] == "ev-a" and cl.resolve("ev-x") == "ev-a"
    assert cl.storylines.states["sl-a"].members == ["a", "x", "y"]
    later = cl.add(rep("w", angle(22), time=3 * H))
    assert later.event_id == "ev-a"


def _fold_rounds(cl: OnlineClusterer, rounds: int, take: bool = True) -> list[int]:
    """``rounds`` times, far apart in time, the storyline fold of the first test (sl-xN
    into sl-aN); ``len(cl.merged)`` after each round (its folds taken when ``take``)."""
    sizes = []
    for n in range(rounds):
        t0 = n * 1000 * 24 * H  # beyond every window: each round starts afresh
        for i, (aid, deg) in enumerate((("a", 0), ("x", 65), ("y", 45))):
            cl.add(rep(f"{aid}{n}", angle(deg), time=t0 + i * H))
        assert cl.resolve(f"sl-x{n}") == f"sl-a{n}", "an untaken fold resolves"
        if take:
            assert cl.take_merged() == [(f"sl-x{n}", f"sl-a{n}")]
        sizes.append(len(cl.merged))
    return sizes


def test_folds_handed_to_the_store_leave_the_clusterer() -> None:
    """A long ``watch`` takes each batch's folds for the store: the clusterer keeps none
    of them, so its alias map stays as small as one batch's folds."""
    cl = _cl(0.9, 0.5, storyline_second_look=3)
    assert _fold_rounds(cl, 5) == [0] * 5
    assert cl.resolve("sl-x0") == "sl-x0", "the store, not the clusterer, answers now"
    assert cl.take_merged() == []


def test_an_evaluation_keeps_every_fold_to_resolve_at_the_end() -> None:
    kept = _cl(0.9, 0.5, keep_merged=True, storyline_second_look=3)
    assert _fold_rounds(kept, 4) == [1, 2, 3, 4]
    assert [kept.resolve(f"sl-x{n}") for n in range(4)] == [f"sl-a{n}" for n in range(4)]
    untaken = _cl(0.9, 0.5, storyline_second_look=3)  # never hands folds over: keeps all
    assert _fold_rounds(untaken, 3, take=False) == [1, 2, 3]
    assert untaken.take_merged() == [(f"sl-x{n}", f"sl-a{n}") for n in range(3)]
    assert untaken.merged == {}


def test_no_fold_when_the_fragments_storyline_holds_another_event() -> None:
    cl = _cl(0.9, 0.45, event_second_look=3, storyline_second_look=0)
    cl.add(rep("a", angle(0), time=0.0))
    cl.add(rep("a2", angle(-60), time=H))  # its own event, in sl-a (now at -30 degrees)
    cl.add(rep("b", angle(70), time=2 * H))  # ev-b in sl-b
    x = cl.add(rep("x", angle(30), time=3 * H))  # new event; sl-b is the closer storyline
    assert (x.event_id, x.storyline_id) == ("ev-x", "sl-b")
    y = cl.add(rep("y", angle(20), time=4 * H))
    # ev-x as a whole (25 degrees) would pass for ev-a, but sl-b holds ev-b too and
    # cannot be split: no fold
    assert (y.event_id, y.storyline_id) == ("ev-x", "sl-b") and cl.take_merged() == []
    assert "ev-x" in cl.events.states and cl.resolve("ev-x") == "ev-x"


def test_folds_reach_the_store_in_the_batch_that_made_them(tmp_path: Path) -> None:
    """What ``cluster_store`` does per batch: save the batch's assignments with the
    clusterer's folds; the store then shows every article where the clusterer has it."""
    cl = _cl(0.9, 0.5, storyline_second_look=3)
    angles = {"a": 0, "x": 65, "y": 45, "z": 50}
    with open_store(tmp_path / "s.db") as store:
        store.add_articles([_article(aid, i) for i, aid in enumerate(angles)])
        for batch in (["a", "x"], ["y", "z"]):
            out = [cl.add(rep(aid, angle(angles[aid]), time=i * H))
                   for i, aid in enumerate(batch, start=len(cl.article_event))]
            store.save_assignments(out, (), cl.take_merged())
        for aid in angles:
            got = store.article_assignment(aid)
            assert got is not None
            assert got.storyline_id == cl.resolve(cl.events.states[
                cl.article_event[aid]].storyline_id or "") == "sl-a"
        assert [s.id for s in store.list_stories("storyline")] == ["sl-a"]
        assert store.get_story("sl-x").id == "sl-a", "the folded id still answers"


def _article(aid: str, i: int) -> Article:
    return Article(id=aid, source=f"{aid}.txt", title=f"title {aid}", text="x",
                   raw="x", raw_format="text", lang="en",
                   published=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=i),
                   published_source="input")
