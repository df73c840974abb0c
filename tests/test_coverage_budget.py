"""Bounding a big story's coverage: the lead-first sentence budget, the article and fact
caps with their notes, the analysis cache and the vectorised fact similarity."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from storylens.cli.story_cmd import story as story_cmd
from storylens.compare.analysis import AnalysisCache, analyse_many
from storylens.compare.coverage import story_coverage
from storylens.compare.coverage_budget import lead_limits
from storylens.compare.coverage_facts import story_similarity
from storylens.compare.facts import NAME_WEIGHT, similarity_matrix
from storylens.records import Article
from storylens.records_story import ClusterAssignment
from storylens.represent.base import get_embedder
from storylens.store.sqlite import open_store

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
LEAD = ("The dam on the Rhine broke near Basel on Monday night. "
        "Rescuers evacuated 4200 residents from the valley.")


def _article(k: int, outlet: str, body: str, lang: str = "en") -> Article:
    return Article(id=f"a{k:03d}", source=f"https://{outlet}/{k}", title=f"Dam breaks {k}",
                   text=body, raw="", raw_format="text", url=f"https://{outlet}/{k}",
                   outlet=outlet, published=T0 + timedelta(minutes=k), lang=lang)


def _story(n: int, tail: int = 8) -> tuple[list[Article], list[dict[str, object]]]:
    arts = [_article(k, f"outlet{k % 7}.example",
                     LEAD + " " + " ".join(f"Detail {k}-{j} concerns street {k * 31 + j}."
                                           for j in range(tail)))
            for k in range(n)]
    return arts, [{"id": a.id, "duplicate_of": None} for a in arts]


def test_lead_limits_spend_the_budget_level_by_level() -> None:
    arts = [["t1", "s", "a1", "a2"], ["t2", "s", "b1"], ["t3"]]
    assert lead_limits(arts, 100) == [4, 3, 1], "everything fits"
    # titles (3), then level 1 ("s" twice: one distinct text), then a1 and b1 would be 6
    assert lead_limits(arts, 4) == [2, 2, 1]
    assert lead_limits(arts, 5) == [3, 2, 1]
    assert lead_limits(arts, 0) == [0, 0, 0]
    assert lead_limits([], 5) == []


def test_big_story_reads_leads_under_the_budget_and_says_so() -> None:
    arts, members = _story(12)
    cov = story_coverage(arts, members, embedder="static", fact_sentences=30)
    assert cov.capped
    note = next(n for n in cov.notes if n.startswith("facts: read from the title"))
    assert "budget of 30 distinct sentences" in note and "12 analysed originals" in note
    reported = {(r.article, r.index) for f in cov.facts for r in f.reports}
    # 12 distinct titles, the two shared lead sentences (one text each), 12 distinct
    # third sentences: 26; the last 4 of the budget go to the 4 oldest articles
    assert max(i for _, i in reported) == 4, "only titles and the first sentences"
    assert sorted(a for a, i in reported if i == 4) == [a.id for a in arts[:4]]
    # the lead sentence every outlet shares is one fact reported by all seven outlets
    top = cov.facts[0]
    assert len(top.outlets) == 7 and len(top.articles) == 12, top.text
    # entities still read the whole texts (the tail's street numbers are not facts here)
    assert any("Basel" in e.name for e in cov.entities)


def test_small_story_is_not_bounded() -> None:
    arts, members = _story(3, tail=3)
    cov = story_coverage(arts, members, embedder="static")
    assert not cov.capped and cov.notes == []
    reported = {(r.article, r.index) for f in cov.facts for r in f.reports}
    assert len(reported) == sum(1 + 2 + 3 for _ in arts), "every sentence is in a fact"


def test_article_and_fact_caps_have_notes() -> None:
    arts, members = _story(20, tail=4)
    cov = story_coverage(arts, members, embedder="static", max_articles=9, max_facts=5)
    assert sum(a.analysed for a in cov.articles) == 9
    assert any("read 9 of 20 original articles" in n for n in cov.notes)
    assert len(cov.facts) == 5 and [f.id for f in cov.facts] == [f"f{k}" for k in range(1, 6)]
    assert any(n.startswith("facts: the 5 most widely reported of") for n in cov.notes)
    assert {o.outlet for o in cov.outlets} == {f"outlet{k}.example" for k in range(7)}, (
        "round-robin over outlets: every outlet has an analysed original")
    known = {f.id for f in cov.facts}
    assert all(set(t.new_facts) <= known for t in cov.timeline)
    assert all(len(row) == 5 for row in cov.fact_matrix())


def test_syndicated_copies_are_not_analysed() -> None:
    arts, members = _story(4, tail=2)
    copies = [_article(100 + k, "wire.example", arts[0].text + " (dpa)") for k in range(30)]
    members += [{"id": c.id, "duplicate_of": arts[0].id} for c in copies]
    cov = story_coverage(arts + copies, members, embedder="static", max_articles=4)
    assert [a.id for a in cov.articles if a.analysed] == [a.id for a in arts]
    assert not any("original articles" in n for n in cov.notes), "copies do not count"
    assert any("30 syndicated copies folded" in n for n in cov.notes)
    first = next(f for f in cov.facts if arts[0].id in f.articles)
    assert first.reach >= 31


def test_cache_and_dedup_give_the_same_analysis() -> None:
    arts, _ = _story(5, tail=3)
    emb = get_embedder("static")
    plain = analyse_many(arts, emb, enrich=False)
    cache = AnalysisCache(max_vectors=10)
    for _ in range(2):  # second pass: partly from the (too small) cache
        cached = analyse_many(arts, emb, enrich=False, cache=cache)
        for p, c in zip(plain, cached, strict=True):
            assert np.allclose(p.vectors, c.vectors) and p.sent_names == c.sent_names
    limited = analyse_many(arts, emb, enrich=False, embed_limits=[2, None, 0, 1, 99])
    assert [a.embedded for a in limited] == [2, len(plain[1].sentences), 0, 1,
                                             len(plain[4].sentences)]
    assert np.allclose(limited[0].vectors[:2], plain[0].vectors[:2])
    assert not limited[0].vectors[2:].any(), "sentences past the limit have no vector"


def test_story_similarity_matches_the_pairwise_hybrid() -> None:
    arts, _ = _story(3, tail=3)
    ans = analyse_many(arts, get_embedder("static"), enrich=False)
    spans = [(ai, si) for ai, an in enumerate(ans) for si in range(len(an.sentences))]
    sim = story_similarity(ans, spans)
    off = np.cumsum([0] + [len(an.sentences) for an in ans])
    block = similarity_matrix(ans[0], ans[2])
    assert np.allclose(sim[off[0]:off[1], off[2]:off[3]], block, atol=1e-5)
    assert (sim[off[1]:off[2], off[1]:off[2]] == -1).all(), "same article: never one fact"
    # the shared lead sentence: identical vectors and names, so similarity 1
    assert abs(sim[off[0] + 1, off[1] + 1] - 1.0) < 1e-5
    assert 0 < NAME_WEIGHT < 1


def test_cli_options_bound_the_story(tmp_path: Path) -> None:
    """``storylens story --max-articles --fact-sentences`` on a stored 12-member event."""
    arts, _ = _story(12)
    db = tmp_path / "s.db"
    with open_store(db) as store:
        store.add_articles(arts)
        store.save_assignments([ClusterAssignment(a.id, "ev-big", "sl-big", None, 1.0, 1.0,
                                                  False, a.published.timestamp())
                                for a in arts if a.published])
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("story")(story_cmd)
    app.callback()(lambda: None)
    res = CliRunner().invoke(app, ["story", "ev-big", "--db", str(db), "--json",
                                   "--max-articles", "5", "--fact-sentences", "8"])
    assert res.exit_code == 0, res.output
    cov = json.loads(res.stdout)["coverage"]
    assert cov["capped"] and sum(a["analysed"] for a in cov["articles"]) == 5
    assert any("budget of 8 distinct sentences" in n for n in cov["notes"])
    assert any("read 5 of 12 original articles" in n for n in cov["notes"])
