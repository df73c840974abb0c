"""The development-set machinery: densities, leave-storyline-out folds, per-group scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.learn import devset
from storylens.learn.devset import DAY, DISTRACTOR, Row
from storylens.learn.scoring import group_scores, item_bcubed, scores
from storylens.represent.article import ArticleRep
from storylens.represent.minhash import signature

T0 = 1_600_000_000.0


def row(aid: str, ev: str, sl: str, t: float | None, lang: str = "en") -> Row:
    rep = ArticleRep(id=aid, time=t, lang=lang, outlet=None,
                     dense=np.ones(4, dtype=np.float32) / 2, title_vec={}, body_vec={},
                     names=frozenset(), numbers=frozenset(), minhash=signature(aid))
    return rep, ev, sl


def story_rows() -> list[Row]:
    """Six storylines of two events each, events weeks apart, articles hours apart."""
    out = []
    for s in range(6):
        for e in range(2):
            for a in range(3):
                t = T0 + s * 400 * DAY + e * 30 * DAY + a * 5 * 3600
                out.append(row(f"s{s}e{e}a{a}", f"ev{s}.{e}", f"sl{s}", t,
                               ("en", "ru", "ja")[a]))
    return out


def test_folds_never_split_a_storyline_and_cover_all() -> None:
    rows = story_rows()
    folds = devset.storyline_folds(rows, k=4)
    assert len(folds) == 4
    seen = [sl for f in folds for sl in f.test_storylines]
    assert sorted(seen) == sorted({r[2] for r in rows})  # each storyline in exactly one fold
    for f in folds:
        test = [r for r in rows if f.is_test(r)]
        train = [r for r in rows if not f.is_test(r)]
        assert test and not ({r[2] for r in test} & {r[2] for r in train})
    assert max(len(f.test_storylines) for f in folds) <= 2  # balanced: 6 storylines in 4


def test_busy_week_moves_event_starts_into_three_days_and_keeps_offsets() -> None:
    rows = story_rows()
    busy = devset.busy_week(rows)
    assert sorted(r[0].id for r in busy) == sorted(r[0].id for r in rows)
    starts = devset.event_starts(busy)
    assert all(devset.BUSY_EPOCH <= t < devset.BUSY_EPOCH + 3 * DAY for t in starts.values())
    before = {r[0].id: r[0].time for r in rows}
    for rep, ev, _ in busy:
        orig = before[rep.id]
        assert orig is not None and rep.time is not None
        assert rep.time - starts[ev] == pytest.approx(orig - devset.event_starts(rows)[ev])
    times = [r[0].time or 0.0 for r in busy]
    assert times == sorted(times)  # a stream, in time order


def test_sparse_spacing_and_mixed_distractors() -> None:
    rows = story_rows()
    sparse = devset.spread(rows, days_apart=2.0)
    starts = sorted(devset.event_starts(sparse).values())
    assert len(starts) == 12 and all(0 < b - a < 4 * DAY for a, b in itertools.pairwise(starts))
    noise = [row(f"d{i}", f"n{i % 5}", f"n{i % 5}", T0 + i * 3600.0) for i in range(100)]
    mix = devset.mixed(rows, noise, days=5.0)
    assert len(mix) == len(rows) + len(noise)
    labels = {r[1] for r in mix}
    assert {f"{DISTRACTOR}n{i}" for i in range(5)} <= labels
    dense_times = [r[0].time for r in mix if r[1].startswith(DISTRACTOR)]
    assert max(t or 0 for t in dense_times) - min(t or 0 for t in dense_times) == pytest.approx(
        5 * DAY)  # the distractor stream squeezed into five days
    story_starts = devset.event_starts([r for r in mix if not r[1].startswith(DISTRACTOR)])
    t0 = min(t or 0 for t in dense_times)
    assert all(t0 <= s < t0 + 5 * DAY for s in story_starts.values())


def test_undated_rows_stay_undated_and_last() -> None:
    rows = [*story_rows()[:3], row("u", "ev0.0", "sl0", None)]
    busy = devset.busy_week(rows)
    assert busy[-1][0].id == "u" and busy[-1][0].time is None


@pytest.mark.parametrize(("lang", "group"), [
    ("en", "Latin"), ("tr", "Latin"), ("ru", "Cyrillic"), ("uk", "Cyrillic"),
    ("ar", "Arabic-script"), ("ur", "Arabic-script"), ("zh", "CJK"), ("ja", "CJK"),
    ("hi", "Indic"), ("ne", "Indic"), ("ka", "Other"), (None, "Other"), ("zh-tw", "CJK")])
def test_language_groups(lang: str | None, group: str) -> None:
    assert devset.lang_group(lang) == group


def test_group_scores_by_hand() -> None:
    gold = ["a", "a", "a", "b"]
    pred = [1, 1, 2, 2]
    langs = ["en", "ru", "ja", "en"]
    assert item_bcubed(gold, pred) == [(1.0, 2 / 3), (1.0, 2 / 3), (0.5, 1 / 3), (0.5, 1.0)]
    got = group_scores(gold, pred, langs)
    assert got["Latin"]["articles"] == 2
    assert got["Latin"]["bcubed"]["precision"] == pytest.approx(0.75)
    # Latin articles: "en a" has cross-lingual partners ru (found) and ja (missed)
    assert got["Latin"]["crosslingual_recall"] == pytest.approx(0.5)
    assert got["CJK"]["crosslingual_recall"] == 0.0
    full = scores(gold, pred, langs)
    assert full["n_gold"] == 2 and full["n_pred"] == 2 and "groups" in full


# --- more: compression, ordering, fold properties, story files -----------------------------


def test_compress_keeps_order_and_squeezes_the_span() -> None:
    rows = [row(f"a{i}", f"e{i}", f"s{i}", T0 + i * 10 * DAY) for i in range(5)]
    out = devset.compress([*rows, row("u", "e9", "s9", None)], days=2.0)
    times = [r[0].time for r in out]
    assert [r[0].id for r in out] == ["a0", "a1", "a2", "a3", "a4", "u"]
    assert times[0] == T0 and times[4] == pytest.approx(T0 + 2 * DAY) and times[5] is None
    assert devset.compress([row("u", "e", "s", None)], 1.0)[0][0].time is None


def test_in_time_order_is_stable_for_ties() -> None:
    rows = [row(f"t{i}", "e", "s", T0) for i in range(6)] + [row("u", "e", "s", None)]
    a = devset.in_time_order(rows)
    b = devset.in_time_order(list(reversed(rows)))
    assert [r[0].id for r in a] == [r[0].id for r in b] and a[-1][0].id == "u"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=40), st.integers(1, 8))
def test_folds_partition_the_storylines(sls: list[int], k: int) -> None:
    rows = [row(f"a{i}", f"e{s}", f"sl{s}", T0) for i, s in enumerate(sls)]
    folds = devset.storyline_folds(rows, k)
    names = {f"sl{s}" for s in sls}
    assert len(folds) == min(k, len(names))
    seen = [sl for f in folds for sl in f.test_storylines]
    assert sorted(seen) == sorted(names)
    assert [f.index for f in folds] == list(range(len(folds)))


def test_story_file_joins_the_parts_of_a_directory(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(devset, "DEVDATA", tmp_path / "dev")
    d = tmp_path / "stories"
    d.mkdir()
    (d / "b.jsonl").write_text('{"id": 2}\n', encoding="utf-8")
    (d / "a.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    out = devset.story_file(d)
    assert out == tmp_path / "dev" / "stories.jsonl"
    assert out.read_text(encoding="utf-8") == '{"id": 1}\n{"id": 2}\n'
    assert [p.name for p in out.parent.iterdir()] == ["stories.jsonl"], "no temporary left"
    assert devset.story_file(out) == out
    with pytest.raises(SystemExit, match=r"no labelled \.jsonl"):
        devset.story_file(tmp_path / "dev" / "..")  # holds no .jsonl directly


def test_streams_for_adds_mixed_only_with_distractors() -> None:
    rows = story_rows()
    assert set(devset.streams_for(rows, [])) == {"real", "sparse", "busy"}
    noise = [row("d0", "n0", "n0", T0)]
    assert set(devset.streams_for(rows, noise)) == {"real", "sparse", "busy", "scattered",
                                                    "mixed"}


def test_scattered_drops_whole_distractor_events_near_story_articles() -> None:
    rows = story_rows()
    # 30 distractor events of two articles, 6 hours apart, far from the story set in time
    noise = [row(f"n{e}a{a}", f"sem{e}", f"sem{e}", T0 - 9000 * DAY + e * DAY + a * 6 * 3600)
             for e in range(30) for a in range(2)]
    out = devset.scattered(rows, noise, per_article=1.0, days=3.0)
    story = [r for r in out if not r[1].startswith(DISTRACTOR)]
    placed = [r for r in out if r[1].startswith(DISTRACTOR)]
    assert sorted(r[0].id for r in story) == sorted(r[0].id for r in rows)
    assert {r[0].id: r[0].time for r in story} == {r[0].id: r[0].time for r in rows}
    # about one distractor article per story article, whole events only
    assert len(rows) <= len(placed) <= len(rows) + 1
    by_event: dict[str, list[float]] = {}
    for r in placed:
        assert r[2].startswith(DISTRACTOR)
        by_event.setdefault(r[1], []).append(r[0].time or 0.0)
    assert all(len(ts) == 2 and max(ts) - min(ts) == pytest.approx(6 * 3600)
               for ts in by_event.values())
    anchors = [r[0].time or 0.0 for r in rows]
    for ts in by_event.values():  # each event starts within 3 days of a story article
        assert min(abs(min(ts) - a) for a in anchors) <= 3 * DAY + 1e-6
    assert [r[0].time for r in out] == sorted(r[0].time or 0.0 for r in out)
    assert devset.scattered(rows, []) == devset.in_time_order(rows)


def test_training_streams_leave_out_the_scored_only_density() -> None:
    rows = story_rows()
    noise = [row("d0", "n0", "n0", T0)]
    streams = devset.streams_for(rows, noise)
    picked = devset.training_streams(streams)
    assert len(picked) == len(devset.TRAIN_DENSITIES) == 4
    assert all(any(p is s for p in picked) for name, s in streams.items()
               if name in devset.TRAIN_DENSITIES)
    assert not any(p is streams["scattered"] for p in picked)
