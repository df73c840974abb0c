"""``cli.coverage_report``: the terminal report of ``storylens story`` (header, members,
outlets table, shared facts, matrices, framing, timeline) on a small hand-made story
computed with the hashing embedder; article text with Rich markup is printed literally."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from storylens.cli.coverage_report import _clip, _tone, print_coverage, print_story
from storylens.compare.coverage import Coverage, OutletCoverage, story_coverage
from storylens.compare.tone import Tone
from storylens.records import Article
from storylens.records_story import Story

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
LEAD = "Le barrage sur le Rhin a cédé près de Bâle lundi soir."


def art(i: str, outlet: str, hours: float, body: str) -> Article:
    return Article(id=i, source=f"{i}.txt", title=f"Barrage [red]{i}[/red]", text=body,
                   raw=body, raw_format="text", outlet=outlet, lang="fr",
                   published=T0 + timedelta(hours=hours))


ARTS = [art("a", "x.org", 0, f"{LEAD} Les terroristes ont été accusés, a prétendu le "
            "ministre. Le régime sioniste dément."),
        art("b", "y.org", 50, f"{LEAD} Israël dément toute implication. La guerre menace."),
        art("c", "wire.org", 1, f"{LEAD} Les terroristes ont été accusés. (AFP)")]
MEMBERS = [{"id": "a", "duplicate_of": None}, {"id": "b", "duplicate_of": None},
           {"id": "c", "duplicate_of": "a"}]


def render(fn, *args) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    fn(*args, Console(file=buf, width=200, color_system=None))
    return buf.getvalue()


@pytest.fixture(scope="module")
def cov() -> Coverage:
    return story_coverage(ARTS, MEMBERS, embedder="hashing", cache=None)


def test_coverage_header_outlets_and_notes(cov: Coverage) -> None:
    out = render(print_coverage, cov)
    assert out.startswith(f"Coverage (3 outlets, 2 original articles, {len(cov.facts)} "
                          "facts; hashing embedder, threshold 0.55,")
    assert "note: 1 syndicated copies folded under their originals" in out
    row = next(x for x in out.splitlines() if x.startswith("│ x.org"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[:6] == ["x.org", "1", "0", "1", "fr", "2024-05-01"]
    wire = next(x for x in out.splitlines() if x.startswith("│ wire.org"))
    assert [c.strip() for c in wire.strip("│").split("│")][1:3] == ["0", "1"]
    assert "  wire.org: carried 1 syndicated copies only" in out


def test_shared_facts_and_matrix(cov: Coverage) -> None:
    out = render(print_coverage, cov)
    shared = [f for f in cov.facts if len(f.outlets) > 1]
    assert f"Facts reported by several outlets ({len(shared)})" in out
    lead = next(f for f in shared if f.text == LEAD)
    assert f"  {lead.id} [2 outlets, reach 3 — first x.org] {LEAD}" in out
    assert "Outlets × facts" in out and "Outlets × entities (mentions)" in out
    mrow = next(x for x in out.splitlines() if x.startswith("│ y.org") and "✓" in x)
    assert mrow.count("✓") == len(shared), "y.org reports every shared fact"


def test_framing_and_timeline(cov: Coverage) -> None:
    out = render(print_coverage, cov)
    xline = next(x for x in out.splitlines() if x.startswith("  x.org: tone"))
    assert "loaded: terroristes×1*" in xline, "only x.org uses it: starred"
    assert "attribution: doubt 1" in xline
    assert "only here: Le régime sioniste (Israel)" in xline
    assert "  * = no other outlet of the story uses it" in out
    rows = [x for x in out.splitlines() if x.startswith("│ 2024-")]
    assert "+0.0 h" in rows[0] and "│ a " in rows[0]
    assert "+1.0 h" in rows[1] and "copy of a" in rows[1]
    assert "+2.1 d" in rows[2], "50 hours shown in days"


def test_tone_cell() -> None:
    oc = OutletCoverage("o", ["a"], [], 0, [], None)
    assert _tone(oc) == "unknown"
    oc.tone = Tone(0.0, "none")
    assert _tone(oc) == "unknown"
    oc.tone = Tone(-0.25, "lexicon:fr")
    assert _tone(oc) == "-0.25 negative"


def test_print_story_header_and_members() -> None:
    s = Story("ev-1", "event", "Barrage [red]a[/red]", 3, 1, 1, T0,
              T0 + timedelta(days=2), {"fr": 3}, {"x.org": 1, "y.org": 1, "wire.org": 1},
              storyline_id="sl-9",
              members=[{"id": "a", "title": "Barrage [red]a[/red]", "outlet": "x.org",
                        "lang": "fr", "published": T0.isoformat(), "event_id": "ev-1",
                        "duplicate_of": None},
                       {"id": "c", "title": "Copie", "outlet": None, "lang": None,
                        "published": None, "event_id": "ev-1", "duplicate_of": "a"}])
    out = render(print_story, s)
    lines = out.splitlines()
    assert lines[0] == "event ev-1: Barrage [red]a[/red]"
    assert lines[1] == ("3 articles (1 syndicated copies), 3 outlets, languages fr, "
                        "2024-05-01 → 2024-05-03")
    assert lines[2] == "storyline: sl-9"
    assert "copy of" in out
    row = next(x for x in lines if "Copie" in x)
    assert "—" in row and "?" in row and "│ a " in row


def test_clip_flattens() -> None:
    assert _clip("a\n\nb   c") == "a b c"
    assert _clip("x" * 150) == "x" * 99 + "…"
