"""The issue's acceptance path, through the real console entry point:
`storylens ingest examples/*.txt && storylens articles --json`."""

from __future__ import annotations

import json

from tests.conftest import JFORUM, PRESSTV, RunCli
from tests.example_lines import FURNITURE, TITLES, story_lines


def test_examples_ingest_and_list_clean(run_cli: RunCli) -> None:
    proc = run_cli("ingest", str(JFORUM), str(PRESSTV), "--json", check_rc=0)
    report = json.loads(proc.stdout)
    assert report["ingested"] == 2 and report["failed"] == []

    listed = json.loads(run_cli("articles", "--json", check_rc=0).stdout)
    assert listed["total"] == 2
    by_title = {a["title"]: a for a in listed["articles"]}
    assert set(by_title) == set(TITLES.values())
    for path, title in TITLES.items():
        art = by_title[title]
        assert art["lang"] == "fr"
        kept = art["text"].splitlines()
        for line in story_lines(path):
            assert line in kept, f"story line lost from {path.name}: {line[:60]!r}"
        for bad in FURNITURE[path]:
            assert not any(bad in k for k in kept), f"furniture kept in {path.name}: {bad!r}"
        removed_text = " ".join(r["text"] for r in art["removed"])
        assert "Partager Cet Article" in removed_text or path != PRESSTV


def test_reingest_stores_nothing_new(run_cli: RunCli) -> None:
    run_cli("ingest", str(JFORUM), str(PRESSTV), check_rc=0)
    again = json.loads(run_cli("ingest", str(JFORUM), str(PRESSTV), "--json",
                               check_rc=0).stdout)
    assert again["ingested"] == 0 and again["duplicates"] == 2
    assert json.loads(run_cli("articles", "--json").stdout)["total"] == 2


def test_show_json_gives_text_and_removed_lines_apart(run_cli: RunCli) -> None:
    ids = json.loads(run_cli("ingest", str(PRESSTV), "--json", check_rc=0).stdout)["ids"]
    shown = json.loads(run_cli("show", ids[0][:8], "--json", check_rc=0).stdout)
    assert shown["id"] == ids[0]
    assert "Mossad a déjoué 12 tentatives" in shown["text"]
    assert "Partager Cet Article" not in shown["text"]
    assert all({"line_no", "text", "reason"} <= set(r) for r in shown["removed"])
    assert any(r["text"] == "Partager Cet Article" and r["reason"] for r in shown["removed"])
    human = run_cli("show", ids[0], check_rc=0).stdout
    assert "removed by the cleaner" in human and "Partager Cet Article" in human


def test_unknown_id_is_one_line_error(run_cli: RunCli) -> None:
    proc = run_cli("show", "doesnotexist", check_rc=2)
    assert proc.stderr.strip().count("\n") == 0
    assert "doesnotexist" in proc.stderr and "Traceback" not in proc.stderr


def test_articles_filters(run_cli: RunCli, tmp_path: object) -> None:
    run_cli("ingest", str(JFORUM), str(PRESSTV), check_rc=0)
    assert json.loads(run_cli("articles", "--lang", "en", "--json").stdout)["total"] == 0
    hits = json.loads(run_cli("articles", "--search", "Mossad", "--json").stdout)
    assert [a["title"] for a in hits["articles"]] == [TITLES[PRESSTV]]
    bad = run_cli("articles", "--since", "notadate", check_rc=2)
    assert "--since" in bad.stderr and "Traceback" not in bad.stderr
