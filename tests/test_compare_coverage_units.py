"""``compare.coverage`` and its helpers on small hand-made stories (hashing embedder, no
model): round-robin picking, sentence cuts, copies folded (chains, cycles), outlet rows,
timeline, fact grouping (one sentence per article per group, medoid representative),
``outlet_framing`` agreeing with ``framing``, and the JSON shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storylens.compare.analysis import analyse_many
from storylens.compare.coverage import (
    Coverage,
    _cut,
    _mean_tone,
    _pick,
    story_coverage,
)
from storylens.compare.coverage_budget import lead_note
from storylens.compare.coverage_facts import (
    CoveredArticle,
    _greedy_groups,
    aware,
    embedded,
    group_facts,
    iso,
    when_key,
)
from storylens.compare.coverage_framing import outlet_framing
from storylens.compare.framing import referent_substitutions, side_framing
from storylens.compare.tone import Tone
from storylens.records import Article
from storylens.represent.base import get_embedder

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
LEAD = "The dam on the Rhine broke near Basel on Monday night."


def art(i: str, outlet: str | None, hours: float | None, body: str, lang: str = "en",
        title: str | None = None) -> Article:
    return Article(id=i, source=f"{i}.txt", title=title or f"Dam breaks {i}", text=body,
                   raw=body, raw_format="text", outlet=outlet, lang=lang,
                   published=None if hours is None else T0 + timedelta(hours=hours))


def members(*ids: str, dup: dict[str, str] | None = None) -> list[dict[str, object]]:
    return [{"id": i, "duplicate_of": (dup or {}).get(i)} for i in ids]


def test_iso_aware_when_key() -> None:
    naive = datetime(2024, 1, 1)
    assert aware(naive) == datetime(2024, 1, 1, tzinfo=UTC) and aware(None) is None
    assert aware(T0) is T0 and iso(None) is None and iso(T0) == T0.isoformat()
    a = CoveredArticle("a", "x", "en", "t", T0)
    u = CoveredArticle("u", "x", "en", "t", None)
    assert sorted([u, a], key=when_key) == [a, u], "undated last"


def test_pick_is_round_robin_oldest_first() -> None:
    cs = [CoveredArticle(f"{o}{k}", o, "en", "t", T0 + timedelta(hours=k + (o == "y")))
          for o in "xy" for k in range(3)] + [CoveredArticle("z0", "z", "en", "t", None)]
    picked = _pick(cs, 4)
    assert sorted(c.id for c in picked) == ["x0", "x1", "y0", "z0"], \
        "one of each outlet before a second of any"
    assert [c.id for c in picked][-1] == "z0", "sorted by time, undated last"
    assert len(_pick(cs, 100)) == 7 and _pick([], 3) == []


def test_cut_keeps_n_minus_one_text_sentences() -> None:
    a = art("a", "x", 0, "One is here. Two is here. Three is here. Four is here.")
    assert _cut(a, 3).text == "One is here. Two is here."
    assert _cut(a, 10) is a and _cut(a, 5) is a


def test_mean_tone() -> None:
    t = _mean_tone([Tone(-0.5, "lexicon:fr", [], [("guerre", 2)]),
                    Tone(0.1, "vader", [("peace", 1)], [("guerre", 1)]),
                    Tone(0.0, "none")])
    assert t.score == pytest.approx(-0.2) and t.method == "lexicon:fr+vader"
    assert t.negative == [("guerre", 3)] and t.positive == [("peace", 1)]
    assert _mean_tone([Tone(0.0, "none")]).method == "none"


def test_greedy_groups_never_put_two_sentences_of_one_article_together() -> None:
    sim = np.array([[-1, 0.9, 0.9, 0.2],
                    [0.9, -1, 0.95, 0.1],
                    [0.9, 0.95, -1, 0.9],
                    [0.2, 0.1, 0.9, -1]], dtype=np.float64)
    # sentences 0 and 3 belong to article 0; 1 to article 1; 2 to article 2
    groups = _greedy_groups(sim, [0, 1, 2, 0], 0.5)
    assert groups == [[0, 1, 2], [3]], "3 joins nothing: its article is already there"
    # average linkage: one strong link is not enough to chain a weak group
    weak = np.array([[-1, 0.9, 0.1], [0.9, -1, 0.6], [0.1, 0.6, -1]])
    assert _greedy_groups(weak, [0, 1, 2], 0.5) == [[0, 1], [2]]
    assert _greedy_groups(np.zeros((0, 0)), [], 0.5) == []


def _story() -> tuple[list[Article], list[dict[str, object]]]:
    arts = [art("a", "x.org", 0, f"{LEAD} Rescuers evacuated 4200 residents."),
            art("b", "y.org", 2, f"{LEAD} Officials blamed the heavy rain."),
            art("c", "wire.org", 3, f"{LEAD} Rescuers evacuated 4200 residents. (dpa)"),
            art("d", "x.org", 5, "Cake needs flour and sugar. It bakes at 180 degrees.",
                title="Baking today")]
    return arts, members("a", "b", "c", "d", dup={"c": "a"})


def test_story_coverage_facts_outlets_timeline() -> None:
    arts, mem = _story()
    cov = story_coverage(arts, mem, embedder="hashing", cache=None)
    assert cov.embedder == "hashing" and not cov.capped
    assert any("1 syndicated copies folded" in n for n in cov.notes)
    assert [a.id for a in cov.articles] == ["a", "b", "d"]
    assert cov.reporting_outlets == ["x.org", "y.org"]
    lead = next(f for f in cov.facts if f.text == LEAD)
    assert lead.outlets == ["x.org", "y.org"]
    widths = [len(f.outlets) for f in cov.facts]
    assert widths == sorted(widths, reverse=True) and widths[:2] == [2, 2], \
        "the facts most outlets report come first (the titles and the lead)"
    assert lead.articles == ["a", "b"] and lead.reach == 3, "the copy adds reach"
    assert (lead.first_article, lead.first_outlet, lead.first_time) == ("a", "x.org", T0)
    assert [r.index for r in lead.reports] == [1, 1]
    for f in cov.facts:
        assert len(f.articles) == len(f.reports), "one sentence per article per fact"
    matrix = cov.fact_matrix()
    col = cov.facts.index(lead)
    assert len(matrix) == 2 and matrix[0][col] == 1 and matrix[1][col] == 1
    rows = {o.outlet: o for o in cov.outlets}
    assert rows["x.org"].articles == ["a", "d"] and rows["x.org"].copied == 1
    assert rows["wire.org"].articles == [] and rows["wire.org"].copies == ["c"]
    assert [o.outlet for o in cov.outlets] == ["x.org", "y.org", "wire.org"]
    tl = [(t.article, t.hours_after_first, t.copy_of) for t in cov.timeline]
    assert tl == [("a", 0.0, None), ("b", 2.0, None), ("c", 3.0, "a"), ("d", 5.0, None)]
    first_of_a = next(t for t in cov.timeline if t.article == "a").new_facts
    assert lead.id in first_of_a
    assert cov.first_publisher is not None and cov.first_publisher.article == "a"
    assert cov.langs == {"en": 4}


def test_story_coverage_json_is_consistent() -> None:
    arts, mem = _story()
    d = story_coverage(arts, mem, embedder="hashing", cache=None).to_dict()
    assert d["matrices"]["outlets"] == ["x.org", "y.org"]
    assert d["matrices"]["facts"]["columns"] == [f["id"] for f in d["facts"]]
    assert all(len(r) == len(d["facts"]) for r in d["matrices"]["facts"]["rows"])
    assert len(d["matrices"]["entities"]["columns"]) == len(d["entities"])
    assert d["first_publisher"]["article"] == "a"
    assert d["outlets"][2]["reach"] == 1 and d["articles"][0]["copies"][0]["id"] == "c"


def test_missing_members_undated_and_empty_stories() -> None:
    arts, _ = _story()
    cov = story_coverage(arts[:2], members("a", "b", "gone"), embedder="hashing", cache=None)
    assert "1 member articles are missing from the store" in cov.notes
    undated = [art("u", "x", None, "Text one is here."), art("v", "y", None, "Other.")]
    cov = story_coverage(undated, members("u", "v"), embedder="hashing", cache=None)
    assert any("no article is dated" in n for n in cov.notes)
    assert cov.first_publisher is None
    assert all(t.hours_after_first is None for t in cov.timeline)
    empty = story_coverage([], [], embedder="hashing", cache=None)
    assert empty.facts == [] and "the story has no readable articles" in empty.notes
    assert empty.fact_matrix() == [] and empty.to_dict()["first_publisher"] is None


def test_copy_cycle_does_not_crash_coverage() -> None:
    """Regression: members copying each other (a cycle) raised KeyError."""
    arts, _ = _story()
    cov = story_coverage(arts[:2], members("a", "b", dup={"a": "b", "b": "a"}),
                         embedder="hashing", cache=None)
    assert [a.id for a in cov.articles] == ["a"] and cov.articles[0].copies[0][0] == "b"


def test_max_sentences_caps_and_notes() -> None:
    long = art("l", "x", 0, " ".join(f"Sentence number {k} is here." for k in range(10)))
    cov = story_coverage([long], members("l"), embedder="hashing", max_sentences=4,
                         cache=None)
    assert cov.capped and "capped: at most 4 sentences read per article" in cov.notes
    reported = sorted(r.index for f in cov.facts for r in f.reports)
    assert reported == [0, 1, 2, 3], "the title and three sentences"


def test_group_facts_only_reads_embedded_sentences() -> None:
    arts, _ = _story()
    ans = analyse_many(arts[:2], get_embedder("hashing"), enrich=False, embed_limits=[2, 1])
    assert [embedded(a) for a in ans] == [2, 1]
    chosen = [CoveredArticle(a.id, a.outlet or "", a.lang, a.title, a.published)
              for a in arts[:2]]
    facts = group_facts(ans, chosen, 0.55)
    assert sorted((r.article, r.index) for f in facts for r in f.reports) == [
        ("a", 0), ("a", 1), ("b", 0)]
    assert [f.id for f in facts] == [f"f{k}" for k in range(1, len(facts) + 1)]
    note = lead_note([2, 1], ans, 3)
    assert "(1-2 per article)" in note and "3 of their" in note and "budget of 3" in note


def test_outlet_framing_agrees_with_side_framing_and_referents() -> None:
    doc = ("Le régime sioniste a frappé. Les terroristes ont fui, a prétendu l'armée. "
           "Israël dément. Le régime sioniste insiste.")
    of = outlet_framing(doc)
    sf = side_framing(doc, "")
    assert of.framing.to_dict() == sf.to_dict()
    assert dict(of.designations["Israel"]) == {"regime sioniste": 2, "israel": 1}
    assert of.shown["regime sioniste"] == "Le régime sioniste"
    subs = referent_substitutions(doc, "Israël a dit.")
    assert {s.a for s in subs} == {of.shown["regime sioniste"]}
    assert outlet_framing("").designations == {}


def test_coverage_type_is_exported() -> None:
    assert Coverage.__name__ == "Coverage"
