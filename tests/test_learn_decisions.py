"""Where held-out event decisions go (storylens.learn.decisions): a hand-built stream whose
every decision's kind follows from the angles between its vectors, and the report table."""

from __future__ import annotations

import dataclasses

from storylens.learn.decisions import KINDS, _kinds, pool, run_with_decisions, table
from storylens.learn.devset import DISTRACTOR, Row
from storylens.learn.lso import cluster_rows, markdown
from storylens.link.online import ClusterConfig
from tests.link_helpers import angle, cosine_model, rep

DAY = 86400.0
CFG = ClusterConfig(background_top=False, name_candidates=0)
EV, SL = cosine_model(0.8), cosine_model(0.99)


def _stream() -> list[Row]:
    a1 = rep("a1", angle(0))
    copy = dataclasses.replace(rep("a3", angle(0)), minhash=a1.minhash)
    rows: list[Row] = [
        (a1, "A", "SA"),                           # first of A: new
        (rep("a2", angle(10)), "A", "SA"),         # cos 0.98 with A: joins it
        (copy, "A", "SA"),                         # a1's minhash: a syndicated copy
        (rep("c1", angle(100)), "C", "SC"),        # first of C: new
        (rep("x1", angle(150)), f"{DISTRACTOR}X", f"{DISTRACTOR}SX"),
        (rep("c2", angle(145)), "C", "SC"),        # cos 0.71 with C, 0.996 with X
        (rep("c3", angle(115)), "C", "SC"),        # cos 0.97 with C: joins it
        (rep("d1", angle(200)), "D", "SD"),        # first of D: new
        (rep("d2", angle(240)), "D", "SD"),        # cos 0.77 with D: below the cut
        (rep("e1", angle(300)), "E", "SE"),        # first of E: new
        (rep("e2", angle(300), time=5 * DAY), "E", "SE"),  # E left the 3-day window
    ]
    return rows


def test_each_decision_gets_its_kind() -> None:
    rows = _stream()
    keep = {r.id for r, ev, _ in rows if not ev.startswith(DISTRACTOR)}
    got, counts = run_with_decisions(rows, EV, SL, CFG, keep)
    assert counts == {
        "first of its event: new": 4,              # a1, c1, d1, e1
        "joined its event": 2,                     # a2, c3
        "copy of a stored article": 1,             # a3
        "joined another event, its own a candidate": 1,  # c2 into X
        "of which a distractor's": 1,
        "new, its event scored below the threshold": 1,  # d2
        "new, its event not retrieved": 1,         # e2
    }
    # the assignments are the ones lso scores (the observer changes nothing)
    assert got == cluster_rows(rows, EV, SL, CFG)
    assert sum(counts.values()) - counts["of which a distractor's"] == len(keep)


def test_kinds_of_a_join_into_its_own_storyline_and_a_first_joining_another() -> None:
    sl = {"F": "S", "G": "S", "H": "T"}
    assert _kinds("G", sl, False, ["F", "G"], "F", False) == [
        "joined another event, its own a candidate", "of which one of its storyline"]
    assert _kinds("G", sl, False, ["H"], "H", False) == [
        "joined another event, its own not retrieved"]
    assert _kinds("G", sl, True, ["H"], "H", False) == ["first of its event: joined another"]
    assert _kinds("G", sl, False, ["G"], None, True) == ["copy of a stored article"]


def test_pool_and_table() -> None:
    pooled = pool([{"real": {"joined its event": 3}, "busy": {"joined its event": 1}},
                   {"real": {"joined its event": 2, "new, its event not retrieved": 1}}])
    assert pooled == {"real": {"joined its event": 5, "new, its event not retrieved": 1},
                      "busy": {"joined its event": 1}}
    lines = table(pooled)
    assert lines[0] == "| event decision of a held-out article | real | busy |"
    assert "| joined its event | 5 | 1 |" in lines
    assert "| new, its event not retrieved | 1 | 0 |" in lines
    assert len(lines) == 2 + len(KINDS)


def test_lso_markdown_shows_the_decisions() -> None:
    report = {"lso": {"pooled": {}, "folds": [],
                      "decisions": {"mixed": {"joined its event": 7,
                                              "of which a distractor's": 2}}}}
    md = markdown(report).splitlines()
    assert "| event decision of a held-out article | mixed |" in md
    assert "| of which a distractor's | 2 |" in md
