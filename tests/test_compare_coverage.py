"""Story coverage over a real clustered store: facts and entities per outlet, syndicated
copies folded under their original, framing/tone per outlet, timeline, CLI JSON/HTML."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from storylens.api import ingest, ingest_raw
from storylens.cli.story_cmd import story as story_cmd
from storylens.compare.analysis import fold
from storylens.compare.coverage import Coverage, story_coverage
from storylens.link.service import cluster_store
from storylens.records import Article, RawDoc
from storylens.records_story import Story
from storylens.server.coverage_html import render_coverage_html
from storylens.store import ArticleQuery
from storylens.store.sqlite import open_store
from tests.conftest import JFORUM, PRESSTV, ROOT

SAMPLE = ROOT / "samples" / "news-sample.jsonl"
TT = "https://www.tt.com/artikel/16945288/fuenf-surfer-vor-niederlaendischer-kueste-ums-leben"
STERN_ID, TT_ID = "semeval-1604593351", "semeval-1604904073"
HOSTILE = "<script>alert('pwned')</script>"
DATES = {TT_ID: "2020-05-12T06:00:00+00:00", STERN_ID: "2020-05-12T09:30:00+00:00"}


@dataclass
class Built:
    db: Path
    by_url: dict[str, Article]
    tt: Article
    stern: Article
    copy: Article
    presstv: Article
    jforum: Article


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample (the de surfer pair dated, a hostile sentence in stern.de's report), a
    syndicated copy of tt.com's report by another outlet, the two dated French examples."""
    tmp = tmp_path_factory.mktemp("coverage")
    rows = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        if r["id"] in DATES:
            r["published"] = DATES[r["id"]]
        if r["id"] == STERN_ID:
            r["text"] += f" Ein Leser schrieb dazu {HOSTILE} & mehr."
    tt_row = next(r for r in rows if r["id"] == TT_ID)
    copy = {**tt_row, "id": "copy-1", "url": "https://www.copyhaus.example/news/surfer",
            "text": tt_row["text"] + " (dpa)", "published": "2020-05-12T07:00:00+00:00"}
    src = tmp / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*rows, copy]),
                   encoding="utf-8")
    db = tmp / "store.db"
    with open_store(db) as store:
        assert ingest([str(src)], store).ok
        fr = [RawDoc(source=str(p), content=p.read_text(encoding="utf-8"), fmt="text",
                     published=d) for p, d in ((PRESSTV, "2022-02-02"), (JFORUM, "2022-10-24"))]
        presstv, jforum = store.get_articles(ingest_raw(fr, store).ingested)
        cluster_store(store)
        by_url = {a.url or a.source: a for a in store.list_articles(ArticleQuery(limit=100))}
    tt = next(a for u, a in by_url.items() if u.startswith(TT))
    stern = next(a for u, a in by_url.items() if "stern.de" in u)
    copied = next(a for u, a in by_url.items() if "copyhaus" in u)
    return Built(db, by_url, tt, stern, copied, presstv, jforum)


@pytest.fixture(scope="module")
def event(built: Built) -> tuple[Story, Coverage]:
    with open_store(built.db) as store:
        assignment = store.article_assignment(built.tt.id)
        assert assignment is not None
        s = store.get_story(assignment.event_id)
        arts = store.get_articles([m["id"] for m in s.members])
    return s, story_coverage(arts, s.members)


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("story")(story_cmd)

    @app.callback()
    def _root() -> None:
        """test app"""

    return app


@pytest.mark.slow
def test_copy_is_folded_under_its_original(built: Built, event: tuple[Story, Coverage]) -> None:
    s, cov = event
    ids = {m["id"] for m in s.members}
    assert {built.tt.id, built.stern.id, built.copy.id} <= ids
    assert [m["duplicate_of"] for m in s.members if m["id"] == built.copy.id] == [built.tt.id]
    tt = next(a for a in cov.articles if a.id == built.tt.id)
    assert [c[0] for c in tt.copies] == [built.copy.id]
    assert built.copy.id not in {a.id for a in cov.articles}, "a copy is not an original"
    copier = next(o for o in cov.outlets if o.outlet == built.copy.outlet)
    assert copier.articles == [] and copier.copies == [built.copy.id] and copier.reach == 1
    assert copier.outlet not in cov.reporting_outlets
    assert next(o for o in cov.outlets if o.outlet == built.tt.outlet).copied == 1
    assert all(copier.outlet not in f.outlets and built.copy.id not in f.articles
               for f in cov.facts), "the copy never reports a fact independently"


@pytest.mark.slow
def test_outlets_by_facts_and_entities(built: Built, event: tuple[Story, Coverage]) -> None:
    s, cov = event
    assert {o.outlet for o in cov.outlets} == set(s.outlets), "each outlet of the story"
    assert set(cov.reporting_outlets) == set(s.outlets) - {built.copy.outlet}
    matrix = cov.fact_matrix()
    assert len(matrix) == len(cov.reporting_outlets)
    assert all(len(row) == len(cov.facts) for row in matrix)
    assert all(sum(row[k] for row in matrix) == len(f.articles)
               for k, f in enumerate(cov.facts))
    assert all(set(f.outlets) <= set(s.outlets) for f in cov.facts)
    pair = {built.tt.outlet, built.stern.outlet}
    shared = [f for f in cov.facts if pair <= set(f.outlets)]
    assert shared, [f.text for f in cov.facts]
    assert any("surf" in fold(r.text) for f in shared for r in f.reports), shared
    # reach: the two originals plus tt.com's syndicated copy
    assert all(f.reach == len(f.articles) + 1 for f in shared)
    assert all(f.first_outlet == built.tt.outlet for f in shared), "tt.com was first"
    ents = cov.entity_matrix()
    assert len(ents) == len(cov.reporting_outlets)
    assert all(len(row) == len(cov.entities) for row in ents)
    assert any("haag" in fold(e.name) and pair <= set(e.outlets) for e in cov.entities)
    assert all(e.label in {"PER", "ORG", "LOC", "?"} for e in cov.entities)
    for o in cov.outlets:
        if o.articles:
            assert o.tone is not None and o.tone.method == "lexicon:de"


@pytest.mark.slow
def test_timeline_starts_with_the_first_publisher(built: Built,
                                                  event: tuple[Story, Coverage]) -> None:
    _, cov = event
    first = cov.first_publisher
    assert first is not None and first.article == built.tt.id
    dated = [(t.article, t.hours_after_first) for t in cov.timeline if t.published]
    assert dated[:3] == [(built.tt.id, 0.0), (built.copy.id, 1.0), (built.stern.id, 3.5)]
    copy_row = next(t for t in cov.timeline if t.article == built.copy.id)
    assert copy_row.copy_of == built.tt.id and copy_row.new_facts == []
    stern_new = next(t for t in cov.timeline if t.article == built.stern.id).new_facts
    facts = {f.id: f for f in cov.facts}
    assert all(facts[i].outlets == [built.stern.outlet] for i in stern_new), (
        "stern.de followed: only what tt.com had not reported is new with it")


@pytest.mark.slow
def test_storyline_of_the_french_examples(built: Built) -> None:
    members = [{"id": a.id, "duplicate_of": None} for a in (built.jforum, built.presstv)]
    cov = story_coverage([built.presstv, built.jforum], members)
    assert len(cov.reporting_outlets) == 2, "no outlet: one stand-in per article, not merged"
    first = cov.first_publisher
    assert first is not None and first.article == built.presstv.id
    assert cov.timeline[1].hours_after_first == pytest.approx(264 * 24)
    both = [f for f in cov.facts if len(f.articles) == 2]
    assert any("erdogan" in fold(r.text) for f in both for r in f.reports), [
        f.text for f in both]
    presstv = next(o for o in cov.outlets if built.presstv.id in o.articles)
    assert any("sioniste" in fold(d) for _, d in presstv.distinctive), presstv.designations
    assert {o.tone.method for o in cov.outlets if o.tone} == {"lexicon:fr"}
    with open_store(built.db) as store:
        assignment = store.article_assignment(built.presstv.id)
    assert assignment is not None
    res = CliRunner().invoke(_app(), ["story", assignment.storyline_id, "--db", str(built.db)])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"storyline {assignment.storyline_id}")
    assert "Timeline" in res.stdout


@pytest.mark.slow
def test_cli_json_and_html(built: Built, event: tuple[Story, Coverage],
                           tmp_path: Path) -> None:
    s, _ = event
    page = tmp_path / "story.html"
    res = CliRunner().invoke(_app(), ["story", s.id, "--db", str(built.db), "--json",
                                      "--html", str(page)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["story"]["id"] == s.id and len(data["story"]["members"]) == s.size
    cov = data["coverage"]
    assert set(cov["matrices"]["outlets"]) == set(s.outlets) - {built.copy.outlet}
    assert len(cov["matrices"]["facts"]["columns"]) == len(cov["facts"])
    assert cov["first_publisher"]["article"] == built.tt.id
    html = page.read_text(encoding="utf-8")
    assert "Outlets × facts" in html and "Outlets × entities" in html
    assert "Timeline" in html and built.stern.outlet in html
    assert "<script" not in html and "&lt;script&gt;" in html, "hostile text escaped"
    res = CliRunner().invoke(_app(), ["story", s.id, "--db", str(built.db)])
    assert res.exit_code == 0, res.output
    assert "Outlets × facts" in res.stdout and built.copy.outlet in res.stdout


@pytest.mark.slow
def test_html_escapes_a_hostile_title(event: tuple[Story, Coverage]) -> None:
    s, cov = event
    html = render_coverage_html(replace(s, title=HOSTILE + "<img src=x onerror=alert(1)>"),
                                cov)
    assert "<script" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unknown_story_is_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    open_store(db).close()
    res = CliRunner().invoke(_app(), ["story", "ev-nope", "--db", str(db)])
    assert res.exit_code == 2
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and "ev-nope" in lines[0] and "Traceback" not in res.output
