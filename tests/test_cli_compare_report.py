"""``cli.compare_report.print_comparison``: what a reader sees in the terminal for a
comparison (headers, notes, who was first, verdicts, dimensions, shared/unique facts,
framing, tone), with Rich markup in article text printed literally."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from storylens.cli.compare_report import MAX_FACTS, _clip, print_comparison
from storylens.compare.dimensions import DimensionScore
from storylens.compare.pair import Comparison, Verdict, compare_articles
from storylens.records import Article

T0 = datetime(2022, 2, 2, tzinfo=UTC)


def render(c: Comparison) -> str:
    buf = io.StringIO()
    print_comparison(c, Console(file=buf, width=200, color_system=None))
    return buf.getvalue()


def art(aid: str, title: str, text: str, published: datetime | None, outlet: str | None
        ) -> Article:
    return Article(id=aid, source=f"/in/{aid}.txt", title=title, text=text, raw=text,
                   raw_format="text", lang="fr", outlet=outlet, published=published)


A = art("aaa111", "Le régime sioniste [bold]frappe[/bold]",
        "Le régime sioniste a frappé Gaza. Les martyrs sont nombreux, a prétendu le "
        "porte-parole. La guerre continue.", T0, "presstv.ir")
B = art("bbb222", "Israël frappe Gaza",
        "Israël a frappé Gaza. Le groupe terroriste a tiré des roquettes, a déclaré "
        "l'armée. Un accord de paix est espéré.", T0 + timedelta(days=3), None)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare_articles(A, B, embedder="hashing", verdicts=False)


def test_headers_notes_and_timing(comparison: Comparison) -> None:
    out = render(comparison)
    lines = out.splitlines()
    assert lines[0] == "A  Le régime sioniste [bold]frappe[/bold]", "markup printed as is"
    assert lines[1] == "   presstv.ir · fr · 2022-02-02 · aaa111"
    assert lines[2] == "B  Israël frappe Gaza"
    assert lines[3] == "   /in/bbb222.txt · fr · 2022-02-05 · bbb222", "no outlet: source"
    assert "note: article a is very short" in out
    assert "A was published first, 3.0 days earlier" in out


def test_facts_framing_and_tone_sections(comparison: Comparison) -> None:
    out = render(comparison)
    f = comparison.facts
    assert f"Shared facts ({len(f.shared)}; A {f.coverage_a:.0%} / B {f.coverage_b:.0%} " \
        "aligned)" in out
    assert f"Only in A ({len(f.only_a)})" in out and f"Only in B ({len(f.only_b)})" in out
    for s in f.only_a[:MAX_FACTS]:
        assert f"  - {s.text}" in out
    assert "Framing: same referent, different words" in out
    assert "Israel: A «Le régime sioniste» (2) vs B «Israël» (2)  [referent-lexicon]" in out
    assert "Loaded terms only in B: groupe terroriste ×1" in out
    assert "Attribution in A: doubt 1 (doubt: a prétendu)" in out
    assert "Attribution in B: neutral 1" in out
    ta = comparison.tone_a
    assert f"Tone A: {ta.score:+.2f} {ta.label} (lexicon:fr)" in out
    assert "Verdicts" not in out, "no verdicts computed: no table"


def test_verdicts_and_dimensions_tables(comparison: Comparison) -> None:
    comparison.same_event = Verdict(0.81, 0.5, "event-static", cluster=True)
    comparison.same_storyline = Verdict(0.3, 0.5, "storyline-static")
    comparison.dimensions = {"overall": DimensionScore("overall", 1.4),
                             "time": DimensionScore("time", 3.6)}
    try:
        out = render(comparison)
    finally:
        comparison.same_event = comparison.same_storyline = None
        comparison.dimensions = {}
    assert "Verdicts" in out
    row_ev = next(x for x in out.splitlines() if "same event" in x)
    assert "0.81" in row_ev and "yes" in row_ev and "stored clusters" in row_ev
    row_sl = next(x for x in out.splitlines() if "same storyline" in x)
    assert "0.30" in row_sl and " no " in row_sl and "pair model" in row_sl
    assert "Dimensions (1 = very similar" in out, "the title (wrapped to the table)"
    row = next(x for x in out.splitlines() if "overall" in x)
    assert "1.40" in row and "very similar" in row
    assert "very dissimilar" in next(x for x in out.splitlines() if " time " in x)


def test_clip() -> None:
    assert _clip("short") == "short"
    assert _clip("x" * 200, 10) == "x" * 9 + "…" and len(_clip("y" * 111)) == 110
