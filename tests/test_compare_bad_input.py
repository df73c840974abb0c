"""compare never crashes: self-compare, empty/short text, cross-script, no entities, and
one-line errors for unknown ids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from typer.testing import CliRunner

from storylens.cli.compare_cmd import compare
from storylens.compare.pair import compare_articles
from storylens.records import Article

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def art(aid: str, text: str, lang: str | None = "en", title: str = "") -> Article:
    return Article(id=aid, source=f"{aid}.txt", title=title, text=text, raw=text,
                   raw_format="text", lang=lang, published=NOW)


EN = art("en1", "The storm hit Lisbon on Monday. Officials in Portugal said 40 people "
         "were evacuated. The mayor called it a disaster.", title="Storm hits Lisbon")


def test_self_compare_is_identical() -> None:
    c = compare_articles(EN, EN, embedder="static", verdicts=False)
    assert c.identical
    assert any("same article" in n for n in c.notes)
    assert not c.facts.only_a and not c.facts.only_b
    assert c.facts.coverage_a == 1.0
    assert all(d.score == 1.0 for d in c.dimensions.values())
    assert c.first == "same time"


def test_empty_and_very_short() -> None:
    empty = art("e", "", title="")
    c = compare_articles(EN, empty, embedder="static", verdicts=False)
    assert c.facts.shared == [] and c.facts.coverage_b == 0.0
    assert any("very short" in n for n in c.notes)
    c2 = compare_articles(art("s", "Ok."), art("t", "Hi."), embedder="static", verdicts=False)
    d = c2.to_dict()
    assert len(d["facts"]["shared"]) <= 1 and d["a"]["chars"] == 3


def test_cross_script_pair() -> None:
    ru = art("ru1", "Шторм обрушился на Лиссабон в понедельник. Власти Португалии "
             "эвакуировали 40 человек.", lang="ru")
    c = compare_articles(EN, ru, embedder="static", verdicts=False)
    assert any("different languages" in n for n in c.notes)
    assert not [s for s in c.framing.substitutions if s.source == "aligned-diff"]
    assert c.tone_b.method == "lexicon:ru"
    assert c.to_dict()["b"]["lang"] == "ru"


def test_no_entities_and_unknown_language() -> None:
    a = art("x1", "it rained all day and everyone stayed inside.", lang=None)
    b = art("x2", "又是下雨的一天，大家都待在家里。", lang="zh")
    c = compare_articles(a, b, embedder="static", verdicts=False)
    assert any("no entities" in n for n in c.notes)
    assert c.tone_b.method == "none" and c.tone_b.label == "unknown"
    assert c.first == "same time"


def test_unknown_id_is_one_line_error(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(compare)
    r = CliRunner().invoke(app, ["deadbeef", "cafebabe", "--db", str(tmp_path / "s.db")])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "deadbeef" in lines[0]
