"""The leave-storyline-out report's Markdown (storylens.learn.lso.markdown) from a hand-made
report: every table, row and number in place."""

from __future__ import annotations

from typing import Any

from storylens.learn.lso import markdown


def _scores(f1: float, xl: float, sl: float) -> dict[str, Any]:
    return {"events": {"bcubed": {"precision": 0.9, "recall": 0.8, "f1": f1},
                       "crosslingual_pairwise": {"recall": xl}, "n_pred": 12, "n_gold": 10,
                       "groups": {"Latin": {"articles": 7, "bcubed": {"precision": 0.91,
                                                                      "recall": 0.82,
                                                                      "f1": 0.8625},
                                            "crosslingual_recall": None},
                                  "CJK": {"articles": 3, "bcubed": {"precision": 1.0,
                                                                    "recall": 0.5, "f1": 0.667},
                                          "crosslingual_recall": 0.25}}},
            "storylines": {"bcubed": {"f1": sl}, "n_pred": 4, "n_gold": 3}}


REPORT: dict[str, Any] = {
    "lso": {"pooled": {"real": _scores(0.8512, 0.5, 0.9), "busy": _scores(0.7, 0.25, 0.6)},
            "folds": [{"fold": 0, "storylines": ["a", "b"],
                       "real": {"events_b3": 0.81, "xlang_recall": 0.5, "storylines_b3": 0.9},
                       "busy": {"events_b3": 0.7, "xlang_recall": 0.2, "storylines_b3": 0.6}}]},
    "shipped": {"real": _scores(0.95, 0.75, 0.97)},
    "shipped_note": "in-sample: trained on this set",
    "naive": {"static": {"real": {"bcubed": {"f1": 0.6},
                                  "crosslingual_pairwise": {"recall": 0.3}},
                         "busy": {"bcubed": {"f1": 0.4}}, "storylines": {"bcubed": {"f1": 0.5}}}},
}


def test_markdown_tables() -> None:
    md = markdown(REPORT).splitlines()
    assert md[0] == "| run | events B³-F1 | cross-lingual pair recall | storylines B³-F1 |"
    assert ("| out of fold, real | 0.851 (P 0.90, R 0.80; 12 for 10) | 0.500 | "
            "0.900 (4 for 3) |") in md
    assert any(ln.startswith("| out of fold, busy | 0.700") for ln in md)
    assert any(ln.startswith("| shipped models (in-sample: trained on this set), real | 0.950")
               for ln in md)
    assert "| static + ±3 days + average-link | 0.600 / 0.300 | 0.400 | 0.500 |" in md
    assert "| real, Latin | 7 | 0.91 / 0.82 / 0.863 | - |" in md
    assert "| real, CJK | 3 | 1.00 / 0.50 / 0.667 | 0.250 |" in md
    assert "| fold | storylines | real: ev / xl / sl | busy: ev / xl / sl |" in md
    assert "| 0 | a, b | 0.810 / 0.50 / 0.900 | 0.700 / 0.20 / 0.600 |" in md


def test_markdown_without_shipped_or_naive() -> None:
    slim = {"lso": REPORT["lso"]}
    md = markdown(slim)
    assert "shipped models" not in md and "average-link |" not in md
    assert "| out of fold, real |" in md
