"""The online clusterer (storylens.link.online) driven by hand-made decision models that read
only the dense cosine, so every join, new cluster, copy, window and eviction is predictable."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from storylens.link.online import DAY, ClusterConfig, OnlineClusterer
from storylens.represent.minhash import signature
from tests.link_helpers import angle, cosine_model, rep

EVENT, STORY = cosine_model(0.9), cosine_model(0.5)
H = 3600.0


def _cl(**cfg: float) -> OnlineClusterer:
    return OnlineClusterer(EVENT, STORY, 3, ClusterConfig(**cfg))  # type: ignore[arg-type]



def test_first_article_starts_an_event_and_a_storyline() -> None:
    a = _cl().add(rep("a", angle(0), time=0.0))
    assert (a.event_id, a.storyline_id, a.duplicate_of) == ("ev-a", "sl-a", None)
    assert (a.event_score, a.storyline_score, a.new_event, a.new_storyline) == (1.0, 1.0,
                                                                              True, True)
    assert (a.undated, a.placed_time) == (False, 0.0)


def test_close_joins_the_event_mid_joins_the_storyline_far_starts_both() -> None:
    cl = _cl()
    cl.add(rep("a", angle(0), time=0.0))
    b = cl.add(rep("b", angle(10), time=H))  # cos 0.985 > 0.9
    assert (b.event_id, b.storyline_id, b.new_event, b.new_storyline) == ("ev-a", "sl-a",
                                                                          False, False)
    # scored against the event as it was: a alone, at 0 degrees
    assert b.event_score == pytest.approx(1 / (1 + math.exp(-40 * (math.cos(math.radians(10))
                                                                    - 0.9))), abs=1e-3)
    c = cl.add(rep("c", angle(50), time=2 * H))  # cos ~0.71 to the centroid at 5 degrees
    assert (c.event_id, c.storyline_id, c.new_event, c.new_storyline) == ("ev-c", "sl-a",
                                                                          True, False)
    d = cl.add(rep("d", (0, 0, 1), time=3 * H))
    assert (d.event_id, d.storyline_id) == ("ev-d", "sl-d")
    assert cl.events.states["ev-a"].members == ["a", "b"]
    assert cl.storylines.states["sl-a"].members == ["a", "b", "c"]


def test_the_event_window_separates_identical_reports() -> None:
    cl = _cl(event_window_days=1.0)
    cl.add(rep("a", angle(0), time=0.0))
    late = cl.add(rep("b", angle(0), time=3 * DAY))
    assert late.new_event and not late.new_storyline and late.storyline_id == "sl-a"


def test_a_syndicated_copy_joins_its_original_as_a_copy() -> None:
    cl = _cl()
    sig = signature(" ".join(f"word{i}" for i in range(50)))
    cl.add(replace(rep("a", angle(0), time=0.0), minhash=sig))
    copy = cl.add(replace(rep("b", (0, 0, 1), time=H), minhash=sig))
    assert (copy.event_id, copy.duplicate_of, copy.event_score) == ("ev-a", "a", 1.0)
    ev = cl.events.states["ev-a"]
    assert ev.members == ["a", "b"] and ev.n_content == 1  # the copy adds reach only
    assert cl.storylines.states["sl-a"].members == ["a"]
    # a copy of the copy names the first original
    again = cl.add(replace(rep("c", (0, 0, 1), time=2 * H), minhash=sig))
    assert again.duplicate_of == "a"


def test_a_copy_far_beyond_the_window_is_not_a_copy() -> None:
    cl = _cl(event_window_days=1.0)
    sig = signature(" ".join(f"word{i}" for i in range(50)))
    cl.add(replace(rep("a", angle(0), time=0.0), minhash=sig))
    late = cl.add(replace(rep("b", (0, 0, 1), time=5 * DAY), minhash=sig))
    assert late.duplicate_of is None and late.new_event


def test_undated_articles_are_placed_at_the_clock() -> None:
    cl = _cl()
    cl.add(rep("a", angle(0), time=10 * H))
    u = cl.add(rep("u", angle(3), time=None))
    assert u.undated and u.placed_time == 10 * H and u.event_id == "ev-a"
    assert cl.clock == 10 * H


def test_eviction_reports_idle_clusters_and_forgets_their_articles() -> None:
    evicted: list[str] = []
    cl = OnlineClusterer(EVENT, STORY, 3, ClusterConfig(event_window_days=1.0,
                                                        storyline_window_days=2.0),
                         on_evict=lambda cid, st: evicted.append(cid))
    cl.add(rep("a", angle(0), time=0.0))
    cl.add(rep("z", (0, 0, 1), time=10 * DAY))
    cl.evict()
    assert set(evicted) == {"ev-a", "sl-a"}
    assert "a" not in cl.article_event and "ev-a" not in cl.events.states
    assert len(cl.lsh) == 1


def test_idle_storylines_are_compacted_and_marked_dirty_when_changed() -> None:
    cl = _cl(storyline_compact_days=1.0)
    cl.add(rep("a", angle(0), time=0.0))
    assert [s.id for s in cl.storylines.take_dirty()] == ["sl-a"]
    assert cl.storylines.take_dirty() == []
    cl.add(rep("z", (0, 0, 1), time=2 * DAY))
    cl.evict()
    assert cl.storylines.states["sl-a"].compacted
    assert not cl.storylines.states["sl-z"].compacted
    assert cl.events.compact_idle(1e12) == 0  # events never compact


def test_restore_rebuilds_the_window_so_ids_continue() -> None:
    cl = _cl()
    cl.restore(rep("a", angle(0), time=0.0), "ev-a", "sl-a", None)
    cl.restore(rep("b", angle(2), time=H), "ev-a", "sl-a", None)
    cl.restore(rep("c", angle(2), time=H), "ev-a", "sl-a", "b")
    assert cl.events.states["ev-a"].members == ["a", "b", "c"]
    assert cl.original_of == {"c": "b"}
    assert cl.storylines.states["sl-a"].members == ["a", "b"]
    nxt = cl.add(rep("d", angle(1), time=2 * H))
    assert (nxt.event_id, nxt.storyline_id) == ("ev-a", "sl-a")


def test_restore_without_storylines_keeps_the_event_link() -> None:
    cl = _cl()
    cl.restore(rep("a", angle(0), time=0.0), "ev-a", "sl-x", None, storylines=False)
    assert cl.events.states["ev-a"].storyline_id == "sl-x" and not cl.storylines.states
    assert cl.add(rep("b", angle(1), time=H)).storyline_id == "sl-x"


def test_candidates_can_exclude_one_cluster() -> None:
    cl = _cl()
    cl.add(rep("a", angle(0), time=0.0))
    cl.add(rep("d", (0, 0, 1), time=0.0))
    probe = rep("p", angle(0), time=0.0)
    assert cl.events.candidates(probe, 0.0) == ["ev-a", "ev-d"]
    assert cl.events.candidates(probe, 0.0, exclude="ev-a") == ["ev-d"]
    assert cl.events.best(probe, 0.0, exclude="ev-a") == (None, pytest.approx(0.0, abs=1e-6))
