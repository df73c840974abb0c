"""The online clusterer: joins, new events, stable ids, late arrivals, syndicated copies,
storylines, bounded memory. Uses the hashing embedder and a hand-set pair model so the
behaviour under test is the clusterer's, not a trained model's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from storylens.link.features import FEATURES, pair_features
from storylens.link.model import LogisticModel
from storylens.link.online import ClusterConfig, OnlineClusterer
from storylens.link.state import EventState
from storylens.represent.article import ArticleRep, represent_batch
from storylens.represent.hashing import HashingEmbedder
from storylens.represent.lexical import DocFreq

T0 = datetime(2022, 2, 1, 8, tzinfo=UTC)


def model(weight: dict[str, float], bias: float, threshold: float = 0.5) -> LogisticModel:
    coef = np.array([weight.get(f, 0.0) for f in FEATURES])
    return LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef, bias,
                         threshold, {})


# Joins when the body vocabulary overlaps and the event is recent.
EVENT = model({"body_lex": 12.0, "log_gap_hours": -0.5}, -3.0)
STORY = model({"names_cover": 8.0}, -4.0)

STORIES = {
    "quake": "A strong earthquake struck Izmir on Friday, killing 24 people and injuring "
             "hundreds, rescue teams in Izmir said as they searched collapsed buildings.",
    "strike": "Rail workers in Lyon began a national strike on Monday over pensions, halting "
              "trains across the region, the CGT union in Lyon said.",
    "vote": "The parliament in Warsaw approved the budget bill late on Tuesday after a long "
            "debate, with the ruling coalition in Warsaw voting in favour.",
}


def reps(items: list[tuple[str, str, datetime | None]], df: DocFreq | None = None
         ) -> list[ArticleRep]:
    return represent_batch([(i, f"{s} report", STORIES[s] + f" Update {i}.", t, "en", f"o{i}")
                            for i, s, t in items], HashingEmbedder(), df or DocFreq())


def new_clusterer(**kw: float) -> OnlineClusterer:
    return OnlineClusterer(EVENT, STORY, HashingEmbedder().dim, ClusterConfig(**kw))  # type: ignore[arg-type]


def test_same_story_joins_other_story_starts_new() -> None:
    cl = new_clusterer()
    rs = reps([("a1", "quake", T0), ("b1", "strike", T0 + timedelta(hours=1)),
               ("a2", "quake", T0 + timedelta(hours=2)), ("c1", "vote", T0 + timedelta(hours=2)),
               ("b2", "strike", T0 + timedelta(hours=5))])
    out = {r.id: cl.add(r) for r in rs}
    assert out["a2"].event_id == out["a1"].event_id == "ev-a1"
    assert out["b2"].event_id == out["b1"].event_id == "ev-b1"
    assert out["c1"].event_id == "ev-c1" and out["c1"].new_event
    assert not out["a2"].new_event and 0.5 <= out["a2"].event_score <= 1.0


def test_ids_are_stable_and_late_arrivals_join_their_event() -> None:
    cl = new_clusterer()
    rs = reps([("a1", "quake", T0), ("b1", "strike", T0 + timedelta(hours=30)),
               ("b2", "strike", T0 + timedelta(hours=31)),
               ("late", "quake", T0 + timedelta(hours=1))])
    first = [cl.add(r) for r in rs[:3]]
    late = cl.add(rs[3])
    assert late.event_id == first[0].event_id == "ev-a1"
    assert [a.event_id for a in first] == ["ev-a1", "ev-b1", "ev-b1"]


def test_syndicated_copy_joins_its_original_as_copy() -> None:
    emb, df = HashingEmbedder(), DocFreq()
    text = STORIES["quake"] * 3
    rs = represent_batch([("orig", "Quake", text, T0, "en", "wire"),
                          ("copy", "Quake", text + " (AFP)", T0 + timedelta(hours=3), "en",
                           "paper"),
                          ("copy2", "Quake!", text, T0 + timedelta(hours=4), "en", "blog")],
                         emb, df)
    cl = new_clusterer()
    a, b, c = (cl.add(r) for r in rs)
    assert b.duplicate_of == "orig" and c.duplicate_of == "orig"
    assert a.event_id == b.event_id == c.event_id
    assert cl.events.states[a.event_id].size == 3


def test_undated_articles_are_placed_by_arrival_and_flagged() -> None:
    cl = new_clusterer()
    rs = reps([("a1", "quake", T0), ("a2", "quake", None), ("b1", "strike", None)])
    out = [cl.add(r) for r in rs]
    assert out[1].undated and out[1].event_id == "ev-a1"
    assert out[2].undated and out[2].new_event


def test_far_apart_reports_are_new_events_in_one_storyline() -> None:
    cl = new_clusterer()
    rs = reps([("a1", "quake", T0), ("a2", "quake", T0 + timedelta(days=40))])
    first, later = cl.add(rs[0]), cl.add(rs[1])
    assert later.duplicate_of is None  # a near-copy weeks later is a new report
    assert later.event_id != first.event_id and later.new_event
    assert later.storyline_id == first.storyline_id == "sl-a1" and not later.new_storyline


def test_memory_is_bounded_by_the_window() -> None:
    cl = new_clusterer(event_window_days=1.0, storyline_window_days=2.0)
    items = [(f"x{i}", ("quake", "strike", "vote")[i % 3], T0 + timedelta(days=i))
             for i in range(60)]
    for r in reps(items):
        cl.add(r)
    cl.evict()
    assert len(cl.events.states) <= 9 and len(cl.storylines.states) <= 15
    assert len(cl.lsh) <= 9


def test_pair_features_shape_and_channels() -> None:
    rs = reps([("a1", "quake", T0), ("a2", "quake", T0 + timedelta(hours=2)),
               ("b1", "strike", T0)])
    ev = EventState.start("ev-a1", rs[0])
    same, other = pair_features(rs[1], ev), pair_features(rs[2], ev)
    assert same.shape == (len(FEATURES),)
    i = FEATURES.index
    assert same[i("body_lex")] > other[i("body_lex")]
    assert same[i("dense_centroid")] > other[i("dense_centroid")]
    assert same[i("names_cover")] > other[i("names_cover")]
    assert abs(same[i("log_gap_hours")] - np.log1p(2.0)) < 1e-6 and same[i("no_date")] == 0


def test_model_roundtrip_and_feature_check(tmp_path: object) -> None:
    from pathlib import Path

    import pytest

    from storylens.errors import ConfigError

    p = Path(str(tmp_path)) / "m.json"
    EVENT.save(p)
    back = LogisticModel.load(p, FEATURES)
    x = np.random.default_rng(0).normal(size=(5, len(FEATURES)))
    assert np.allclose(back.proba(x), EVENT.proba(x))
    with pytest.raises(ConfigError, match="retrain"):
        LogisticModel.load(p, ("other",))


def test_cross_lingual_interaction_features() -> None:
    from storylens.link.features import candidate_features

    items = [("en1", "Quake report", STORIES["quake"], T0, "en", "o1"),
             ("de1", "Erdbeben Izmir", "Ein starkes Erdbeben traf Izmir am Freitag.",
              T0 + timedelta(hours=1), "de", "o2"),
             ("en2", "Quake report", STORIES["quake"] + " More.", T0 + timedelta(hours=1),
              "en", "o3"),
             ("en3", "Strike report", STORIES["strike"], T0, "en", "o4")]
    rs = represent_batch(items, HashingEmbedder(), DocFreq())
    evs = [EventState.start("ev-q", rs[0]), EventState.start("ev-s", rs[3])]
    i = FEATURES.index
    x = candidate_features(rs[1], evs)
    assert (x[:, i("xlang")] == 1.0).all()
    assert np.allclose(x[:, i("dense_xlang")], x[:, i("dense_centroid")])
    assert np.allclose(x[:, i("margin_xlang")], x[:, i("dense_margin")])
    shared = [sum(1 for n in rs[1].names if n in ev.names) for ev in evs]
    assert shared[0] >= 1 and np.allclose(x[:, i("names_xlang")], np.log1p(shared))
    y = candidate_features(rs[2], evs)
    for f in ("xlang", "dense_xlang", "margin_xlang", "names_xlang"):
        assert (y[:, i(f)] == 0.0).all()
