"""Per-language centring of dense vectors (storylens.link.centring): the running means by
hand, the state's round trip, and how the clusterer, the cluster job and training use it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from storylens.api import ingest
from storylens.learn import train_link
from storylens.link import centring, online
from storylens.link.calibration import Background, default_background
from storylens.link.centring import LanguageCentring
from storylens.link.features import FEATURES
from storylens.link.model import LogisticModel
from storylens.link.online import CENTRED_EVENT_FLOOR, ClusterConfig, OnlineClusterer
from storylens.link.service import CENTRING, cluster_store
from storylens.store import open_store
from tests.conftest import ROOT
from tests.link_helpers import cosine_model, rep

SAMPLE = ROOT / "samples" / "news-sample.jsonl"

# four dimensions: two topics (A, B) and one "language direction" each for ja and en
JA_A, JA_B = (1.0, 0.0, 2.0, 0.0), (0.0, 1.0, 2.0, 0.0)
EN_A, EN_B = (1.0, 0.0, 0.0, 2.0), (0.0, 1.0, 0.0, 2.0)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_centring_takes_the_language_direction_out() -> None:
    c = LanguageCentring(np.zeros(4), weight=0.0)
    reps = [c.add(rep(n, v, lang=lang)) for n, v, lang in
            (("ja-a", JA_A, "ja"), ("ja-b", JA_B, "ja"), ("en-a", EN_A, "en"),
             ("en-b", EN_B, "en"))]
    raw = {r.id: rep(r.id, v).dense for r, v in zip(reps, (JA_A, JA_B, EN_A, EN_B),
                                                     strict=True)}
    # raw: one language beats one topic (0.8 against 0.2)
    assert _cos(raw["ja-a"], raw["ja-b"]) == pytest.approx(0.8)
    assert _cos(raw["ja-a"], raw["en-a"]) == pytest.approx(0.2)
    # centred on each language's mean (the last articles see both of their language)
    c_ja_a, c_en_a = c.centre(rep("ja-a", JA_A, lang="ja")), c.centre(rep("en-a", EN_A,
                                                                          lang="en"))
    c_ja_b = c.centre(rep("ja-b", JA_B, lang="ja"))
    assert _cos(c_ja_a.dense, c_en_a.dense) == pytest.approx(1.0)
    assert _cos(c_ja_a.dense, c_ja_b.dense) == pytest.approx(-1.0)
    norms = [round(float(np.linalg.norm(r.dense)), 6) for r in reps]
    # with no prior weight the first article of a language is its own mean: nothing left
    assert norms == [0.0, 1.0, 0.0, 1.0]
    assert c.counts == {"ja": 2, "en": 2}


def test_a_new_language_starts_from_the_prior_and_moves_to_its_own_mean() -> None:
    prior = np.array([0.0, 0.0, 1.0, 0.0])
    c = LanguageCentring(prior, weight=3.0)
    assert np.allclose(c.mean("xx"), prior)
    assert np.allclose(c.mean(None), prior)  # unknown language: its own key, same start
    x = rep("a", JA_A, lang="ja").dense.astype(np.float64)
    c.observe("ja", x)
    assert np.allclose(c.mean("ja"), (x + 3.0 * prior) / 4.0)
    for _ in range(99):
        c.observe("ja", x)
    assert np.allclose(c.mean("ja"), (100 * x + 3.0 * prior) / 103.0)
    c.observe(None, x)
    assert c.counts["und"] == 1


def test_state_round_trips_and_a_wrong_one_is_refused() -> None:
    c = LanguageCentring(np.ones(4) / 2, weight=2.0)
    c.add(rep("a", JA_A, lang="ja"))
    c.add(rep("b", EN_A, lang="en"))
    back = LanguageCentring(np.ones(4) / 2, weight=2.0)
    back.load_json(c.to_json())
    assert back.counts == c.counts
    assert np.allclose(back.mean("ja"), c.mean("ja")) and np.allclose(back.mean("en"),
                                                                       c.mean("en"))
    with pytest.raises(ValueError, match="for 4 dimensions, not 3"):
        LanguageCentring(np.zeros(3)).load_json(c.to_json())
    bad = json.loads(c.to_json())
    bad["langs"]["ja"][1] = [1.0, 2.0]
    with pytest.raises(ValueError, match="language 'ja'"):
        back.load_json(json.dumps(bad))


def test_the_background_is_centred_on_the_prior() -> None:
    bg = Background(np.eye(4)[[0] * 10 + [1] * 2])
    c = LanguageCentring.from_background(bg)
    assert np.allclose(c.prior, [10 / 12, 2 / 12, 0.0, 0.0])
    moved = c.background(bg)
    assert np.allclose(moved.vectors[0], [1.0, -1.0, 0.0, 0.0] / np.sqrt(2), atol=1e-6)


def _four_dim_background(monkeypatch: pytest.MonkeyPatch) -> None:
    bg = Background(np.eye(4)[[2] * 6 + [3] * 6])  # the prior: both language directions
    for module in (online, centring):  # the hubness background and the prior
        monkeypatch.setattr(module, "default_background",
                            lambda dim: bg if dim == 4 else None)


def test_the_clusterer_centres_as_its_model_was_trained(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _four_dim_background(monkeypatch)
    plain = cosine_model(0.5)
    trained = cosine_model(0.5)
    trained.meta["centring"] = True
    assert OnlineClusterer(plain, plain, 4).centring is None
    assert OnlineClusterer(trained, plain, 4).centring is not None
    assert OnlineClusterer(trained, plain, 4,
                           ClusterConfig(language_centring=False)).centring is None
    assert OnlineClusterer(plain, plain, 4,
                           ClusterConfig(language_centring=True)).centring is not None
    assert OnlineClusterer(trained, plain, 3).centring is None  # no background of 3 dims


def test_centring_lets_one_topic_win_over_one_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _four_dim_background(monkeypatch)
    model = cosine_model(0.5)
    runs = {}
    for on in (False, True):
        cl = OnlineClusterer(model, model, 4, ClusterConfig(
            language_centring=on, background_top=False, storyline_second_look=0))
        # each language's background chatter, then the two topics in both languages
        for i in range(30):
            cl.add(rep(f"ja-{i}", (0.0, 0.0, 2.0, 0.01 * i), lang="ja", time=i / 10))
            cl.add(rep(f"en-{i}", (0.0, 0.0, 0.01 * i, 2.0), lang="en", time=i / 10))
        # (ids with digits: the test MinHash of "ja-a" and "ja-b" would be one copy)
        got = {n: cl.add(rep(n, v, lang=n[:2], time=10.0)).event_id for n, v in
               (("ja-101", JA_A), ("en-102", EN_A), ("ja-203", JA_B), ("en-204", EN_B))}
        runs[on] = got
        if on:
            assert cl.centring is not None
            assert cl.centring.counts == {"ja": 32, "en": 32}
            before = dict(cl.centring.counts)
            cl.restore(rep("ja-305", JA_A, lang="ja", time=11.0), "ev-x", "sl-x", None)
            assert cl.centring.counts == before, "a replayed article is not counted again"
    off, on_ = runs[False], runs[True]
    assert off["ja-101"] != off["en-102"], "raw: the ja and en reports of A stay apart"
    assert on_["ja-101"] == on_["en-102"] and on_["ja-203"] == on_["en-204"]
    assert on_["ja-101"] != on_["ja-203"]


def test_the_cluster_job_keeps_the_means_and_does_not_count_a_replay_twice(
        tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    cfg = ClusterConfig(language_centring=True)
    rows = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
    first, rest = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in rows[:20]), encoding="utf-8")
    rest.write_text("".join(json.dumps(r) + "\n" for r in rows[20:]), encoding="utf-8")
    with open_store(db) as store:
        ingest([str(first)], store)
        cluster_store(store, config=cfg)
        key = next(k for k in _settings(db) if k.startswith("link_centring:"))
        state = json.loads(store.get_setting(key) or "{}")
        assert sum(n for n, _ in state["langs"].values()) == 20
        ingest([str(rest)], store)
        cluster_store(store, config=cfg)
        state = json.loads(store.get_setting(key) or "{}")
        assert sum(n for n, _ in state["langs"].values()) == len(rows)
        assert key == CENTRING.format(model=key.split(":", 1)[1])


def test_a_damaged_state_is_logged_and_the_means_start_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "s.db"
    cfg = ClusterConfig(language_centring=True)
    with open_store(db) as store:
        ingest([str(SAMPLE)], store)
        cluster_store(store, config=cfg)
        key = next(k for k in _settings(db) if k.startswith("link_centring:"))
        store.set_setting(key, "{not json")
        extra = tmp_path / "x.jsonl"
        row = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
        extra.write_text(json.dumps({**row, "id": "x1", "url": "https://x.example/1",
                                     "text": row["text"] + " Mehr dazu später."}) + "\n",
                         encoding="utf-8")
        ingest([str(extra)], store)
        with caplog.at_level(logging.WARNING):
            assert cluster_store(store, config=cfg).clustered == 1
        assert "unreadable language centring state" in caplog.text
        state = json.loads(store.get_setting(key) or "{}")
        assert sum(n for n, _ in state["langs"].values()) == 1


def _settings(db: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(db) as con:
        return [str(k).removeprefix("setting:") for (k,) in
                con.execute("SELECT key FROM kv WHERE key LIKE 'setting:%'")]


def test_training_pairs_read_centred_vectors_when_asked() -> None:
    bg = default_background(64)
    assert bg is not None
    rng = np.random.default_rng(7)
    base = rng.normal(size=64)
    vecs = [base + rng.normal(scale=0.3, size=64) for _ in range(3)]
    rows = [(rep(f"a{i}", tuple(float(x) for x in v), lang=lang, time=float(i)), "e1", "s1")
            for i, (v, lang) in enumerate(zip(vecs, ("en", "en", "de"), strict=True))]
    x_raw, y_raw = train_link.teacher_pairs(rows, level="event", window_days=3.0, top_k=4)
    x_cen, y_cen = train_link.teacher_pairs(rows, level="event", window_days=3.0, top_k=4,
                                            centring=True)
    assert list(y_raw) == list(y_cen) == [1, 1]
    col = FEATURES.index("dense_centroid")
    # by hand: the centred vectors as the clusterer makes them, in stream order
    c = LanguageCentring.from_background(bg)
    cen = [c.add(r).dense for r, _, _ in rows]
    want = float(cen[1] @ cen[0])
    assert x_cen[0, col] == pytest.approx(want, abs=1e-5)
    assert x_raw[0, col] != pytest.approx(want, abs=1e-3)


def test_with_centring_events_refuse_candidates_no_closer_than_the_average(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _four_dim_background(monkeypatch)
    coef = np.zeros(len(FEATURES))
    always = LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef,
                           10.0, 0.5, {})  # P(join) ~ 1 for any candidate
    off = OnlineClusterer(always, always, 4, ClusterConfig(language_centring=False))
    on = OnlineClusterer(always, always, 4, ClusterConfig(language_centring=True))
    assert off.events.floor == 0.0 and on.events.floor == CENTRED_EVENT_FLOOR
    # the floor at work (vectors as given: the level compares what it is handed)
    lvl = on.events
    lvl.start("ev-a", rep("a-101", (1.0, 0.0, 0.0, 0.0), names={"Zelensky"}), 0.0)
    assert lvl.best(rep("b-202", (-1.0, 0.2, 0.0, 0.0)), 0.0)[0] is None
    assert lvl.best(rep("c-303", (-1.0, 0.2, 0.0, 0.0), names={"Zelensky"}), 0.0)[0] == "ev-a"
    assert lvl.best(rep("d-404", (1.0, 0.5, 0.0, 0.0)), 0.0)[0] == "ev-a"
    assert off.events.floor == 0.0
