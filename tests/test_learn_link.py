"""Decision features that transfer, cross-script names, constrained training, and the
leave-storyline-out command end to end on a tiny labelled stream."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from storylens.learn import lso
from storylens.learn.train_link import fit, rollout_pairs
from storylens.link.features import FEATURES, NEGATIVE, POSITIVE, candidate_features
from storylens.link.state import EventState
from storylens.represent.article import ArticleRep, salient_names
from storylens.represent.minhash import signature
from storylens.represent.skeleton import name_keys, skeleton

F = {f: i for i, f in enumerate(FEATURES)}


@pytest.mark.parametrize("spellings", [
    ("Biden", "Байден", "バイデン", "بايدن", "बाइडेन"),
    ("Macron", "Макрон", "マクロン", "ماكرون"),
    ("Zelensky", "Зеленский", "ゼレンスキー", "زيلينسكي"),
    ("Rajapaksa", "Раджапакса", "ラジャパクサ"),
    ("Trump", "Трамп", "トランプ"),
])
def test_a_name_has_one_key_in_every_script(spellings: tuple[str, ...]) -> None:
    keys = {skeleton(s) for s in spellings}
    assert len(keys) == 1 and "" not in keys


def test_different_names_have_different_keys_and_short_ones_none() -> None:
    assert len({skeleton(n) for n in ("Biden", "Putin", "Macron", "Sunak", "Trump")}) == 5
    assert skeleton("EU") == "" and name_keys(["EU", "Biden"]) == frozenset({"bdn"})


def test_japanese_names_come_from_katakana_unfolded() -> None:
    names = salient_names("バイデン大統領は演説した。")
    assert "バイデン" in names and name_keys(names) == frozenset({"bdn"})


def rep(aid: str, vec: list[float], *, names: frozenset[str] = frozenset(),
        lang: str = "en", t: float | None = 0.0) -> ArticleRep:
    d = np.asarray(vec, dtype=np.float32)
    return ArticleRep(id=aid, time=t, lang=lang, outlet=None, dense=d / np.linalg.norm(d),
                      title_vec={}, body_vec={}, names=names, numbers=frozenset(),
                      minhash=signature(aid))


def test_density_features_margin_top_and_live_count() -> None:
    a = rep("a", [1, 0.1, 0])
    near = EventState.start("near", rep("n", [1, 0, 0]))
    far = EventState.start("far", rep("f", [0, 1, 0]))
    x = candidate_features(a, [near, far], live=40)
    assert x[0, F["dense_top"]] == 1.0 and x[1, F["dense_top"]] == 0.0
    assert x[0, F["dense_margin"]] > 0.8 > 0 > x[1, F["dense_margin"]]
    assert x[0, F["log_live"]] == pytest.approx(np.log1p(40))
    alone = candidate_features(a, [far])  # nothing competes: no margin, the top by default
    assert alone[0, F["dense_margin"]] == 0.0 and alone[0, F["dense_top"]] == 1.0
    assert alone[0, F["log_live"]] == pytest.approx(np.log1p(1))


def test_blurred_cluster_loses_mean_similarity_but_not_centroid_cosine() -> None:
    a = rep("a", [1, 1, 0, 0])
    clean = EventState.start("c", rep("c1", [1, 1, 0, 0]))
    clean.add(rep("c2", [1, 1, 0.1, 0]))
    blob = EventState.start("b", rep("b1", [1, 1, 0, 0]))
    for i, v in enumerate(([0, 0, 1, 0], [0, 0, 0, 1], [0, 0, -1, 0], [0, 0, 0, -1])):
        blob.add(rep(f"b{i + 2}", v))
    xc = candidate_features(a, [clean])[0]
    xb = candidate_features(a, [blob])[0]
    assert xb[F["dense_centroid"]] == pytest.approx(1.0, abs=1e-5)  # the sum still points at a
    assert xb[F["dense_mean"]] < 0.25 < 0.95 < xc[F["dense_mean"]]


def test_names_match_across_scripts_against_frequent_keys_only() -> None:
    ru = rep("ru", [1, 0], names=frozenset({"байден", "лондон"}), lang="ru")
    ev = EventState.start("e", rep("e1", [1, 0], names=frozenset({"biden", "london"})))
    x = candidate_features(ru, [ev])[0]
    assert x[F["names_script"]] == pytest.approx(np.log1p(2))
    assert x[F["names_cover"]] == 1.0 and x[F["xlang"]] == 1.0
    for i in range(8):  # a big cluster about something else mentions Biden once
        ev.add(rep(f"o{i}", [1, 0], names=frozenset({"johnson", "paris"})))
    assert candidate_features(ru, [ev])[0][F["names_script"]] == 0.0


def test_fit_honours_the_sign_constraints() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (rng.random(400) < 0.3).astype(np.int_)
    # make every constrained channel point the wrong way in the data
    for f in POSITIVE:
        x[:, F[f]] = -2.0 * y + rng.normal(scale=0.1, size=400)
    for f in NEGATIVE:
        x[:, F[f]] = 2.0 * y + rng.normal(scale=0.1, size=400)
    m = fit(x, y, {})
    for f in POSITIVE:
        assert m.coef[F[f]] >= 0.0, f
    for f in NEGATIVE:
        assert m.coef[F[f]] <= 0.0, f


T0 = datetime(2023, 3, 1, 8, tzinfo=UTC)
TOPICS = {
    "quake": ("Earthquake in Izmir", "A strong earthquake struck Izmir on Friday, killing "
              "24 people, rescue teams in Izmir said."),
    "strike": ("Rail strike in Lyon", "Rail workers in Lyon began a national strike over "
               "pensions, halting trains, the CGT union in Lyon said."),
    "vote": ("Budget vote in Warsaw", "The parliament in Warsaw approved the budget bill "
             "after a long debate, the ruling coalition in Warsaw said."),
    "flood": ("Floods in Porto", "Heavy rain flooded the old town of Porto, firefighters "
              "in Porto evacuated 300 residents on Sunday."),
}


def labelled(path: Path) -> Path:
    """Four storylines of two events (the second a follow-up a week later), three reports
    each, in a tiny JSONL stream."""
    with path.open("w", encoding="utf-8") as fh:
        for s, (topic, (title, text)) in enumerate(TOPICS.items()):
            for e in range(2):
                for a in range(3):
                    t = T0 + timedelta(days=40 * s + 7 * e, hours=3 * a)
                    fh.write(json.dumps({
                        "id": f"{topic}-{e}-{a}", "title": f"{title}, day {e}",
                        "text": f"{text} {'Follow-up report. ' * e}Report {a} from outlet {a}.",
                        "published": t.isoformat(), "lang": "en", "outlet": f"o{a}.example",
                        "event": f"{topic}-{e}", "storyline": topic}) + "\n")
    return path


def test_rollout_labels_candidates_by_their_majority_event(tmp_path: Path) -> None:
    from storylens.learn.train_link import load_stream
    from tests.test_link_online import EVENT, STORY

    rows = load_stream(labelled(tmp_path / "s.jsonl"), "hashing")
    x, y = rollout_pairs(rows, EVENT, STORY, lso.ClusterConfig())
    assert x.shape == (len(y), len(FEATURES)) and len(y) > 0
    assert set(np.unique(y)) <= {0, 1} and y.sum() > 0


def test_lso_command_on_a_tiny_labelled_stream(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    stories = labelled(tmp_path / "stories.jsonl")
    out = tmp_path / "report.json"
    code = lso.main(["--stories", str(stories), "--embedder", "hashing", "--folds", "2",
                     "--jobs", "1", "--baselines", "hashing", "--no-shipped",
                     "--distractors", str(tmp_path / "none.jsonl"), "--extra",
                     str(stories), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr()
    assert "| out of fold, real |" in printed.out and "not found" in printed.err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["articles"] == 24 and set(report["lso"]["pooled"]) == {"real", "sparse",
                                                                        "busy"}
    folds = report["lso"]["folds"]
    assert len(folds) == 2
    held = [set(f["storylines"]) for f in folds]
    assert held[0].isdisjoint(held[1]) and held[0] | held[1] == set(TOPICS)
    real = report["lso"]["pooled"]["real"]["events"]
    assert real["n_gold"] == 8 and 0.0 <= real["bcubed"]["f1"] <= 1.0
    assert "Latin" in real["groups"]
    naive = report["naive"]["hashing"]
    assert naive["real"]["bcubed"]["f1"] > 0.5  # distinct topics, weeks apart: easy


def test_models_trained_with_centring_say_so_and_the_clusterer_follows(
        tmp_path: Path) -> None:
    from storylens.learn.train_link import load_stream, train
    from storylens.link.online import OnlineClusterer

    rows = load_stream(labelled(tmp_path / "s.jsonl"), "static")
    dim = rows[0][0].dense.shape[0]
    for on in (True, False):
        ev, sl = train([rows], lso.ClusterConfig(language_centring=on), {"test": 1})
        assert ev.meta["centring"] is on and sl.meta["centring"] is on
        assert (OnlineClusterer(ev, sl, dim).centring is not None) is on
