"""The cluster job over a real store with the shipped models and default embedder:
resumable with stable ids, vectors stored and reused, copies grouped, bad dates placed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storylens.api import ingest, ingest_raw
from storylens.link.service import cluster_store
from storylens.records import RawDoc
from storylens.store import ArticleQuery, open_store
from tests.conftest import JFORUM, PRESSTV, ROOT, RunCli

SAMPLE = ROOT / "samples" / "news-sample.jsonl"


def _assignments(store: object) -> dict[str, tuple[str, str]]:
    rows = store._db.execute(  # type: ignore[attr-defined]
        "SELECT article_id, event_id, storyline_id FROM article_clusters").fetchall()
    return {a: (e, s) for a, e, s in rows}


@pytest.mark.slow
def test_examples_are_two_events_of_one_storyline() -> None:
    raws = [RawDoc(source=str(PRESSTV), content=PRESSTV.read_text(encoding="utf-8"),
                   fmt="text", published="2022-02-02"),
            RawDoc(source=str(JFORUM), content=JFORUM.read_text(encoding="utf-8"),
                   fmt="text", published="2022-10-24")]
    with open_store(":memory:") as store:
        report = ingest_raw(raws, store)
        cluster_store(store)
        got = _assignments(store)
    (ev1, sl1), (ev2, sl2) = (got[i] for i in report.ingested)
    assert ev1 != ev2, "different events (eight months apart, different happenings)"
    assert sl1 == sl2, "one storyline (Turkey, Israel and the Hamas leaders in Turkey)"


@pytest.mark.slow
def test_resume_keeps_ids_reuses_vectors_and_groups_copies(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ingest([str(SAMPLE)], store)
        first = cluster_store(store)
        before = _assignments(store)
        assert first.clustered == len(before) == 28 and first.reused_vectors == 0
        assert cluster_store(store).clustered == 0  # nothing new: nothing done

    rows = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
    copy = {**rows[0], "id": "copy-1", "url": "https://other.example/copy",
            "text": rows[0]["text"] + " (dpa)"}
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps(copy, ensure_ascii=False) + "\n", encoding="utf-8")
    with open_store(db) as store:
        rep = ingest([str(extra)], store)
        second = cluster_store(store)
        after = _assignments(store)
        assert {k: after[k] for k in before} == before, "ids of earlier articles never change"
        new = after[rep.ingested[0]]
        orig_id = next(a.id for a in store.list_articles(ArticleQuery(limit=100))
                   if a.title == rows[0]["title"] and a.id != rep.ingested[0])
        assert new[0] == before[orig_id][0], "the syndicated copy joins its original's event"
        assert second.duplicates == 1
        story = store.get_story(new[0])
        assert story.n_copies == 1 and story.size >= 2
        assert [m["duplicate_of"] for m in story.members if m["id"] == rep.ingested[0]] == [
            orig_id]


def test_future_and_missing_dates_are_placed_and_flagged() -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    body = ("Le conseil municipal de Lyon a voté le budget 2024 mardi soir après un long "
            "débat, a indiqué la mairie dans un communiqué publié mercredi matin.")
    raws = [RawDoc(source="a", content=body, fmt="text", title="Budget voté à Lyon",
                   published=(now - timedelta(hours=2)).isoformat()),
            RawDoc(source="b", content=body + " Suite.", fmt="text", title="Lyon: budget",
                   published="2031-01-01"),
            RawDoc(source="c", content=body + " Fin.", fmt="text", title="Budget lyonnais")]
    with open_store(":memory:") as store:
        ids = ingest_raw(raws, store, now=now).ingested
        report = cluster_store(store, embedder="static")
        assert report.clustered == 3 and report.undated == 2
        rows = {a: store.article_assignment(a) for a in ids}
        assert all(r is not None for r in rows.values())
        assert rows[ids[1]].undated and rows[ids[2]].undated  # type: ignore[union-attr]


def test_cli_cluster_stories_and_story(run_cli: RunCli) -> None:
    rep = json.loads(run_cli("ingest", str(SAMPLE), "--json", check_rc=0).stdout)
    assert rep["cluster"]["clustered"] == 28
    listed = json.loads(run_cli("stories", "--json", "--limit", "100", check_rc=0).stdout)
    assert listed["total"] == len(listed["stories"]) >= 10
    sizes = sum(s["size"] for s in listed["stories"])
    assert sizes == 28
    s0 = listed["stories"][0]
    assert {"id", "title", "size", "outlets", "langs", "first_time", "last_time"} <= set(s0)
    shown = json.loads(run_cli("story", s0["id"], "--json", check_rc=0).stdout)
    one = shown["story"]
    assert one["id"] == s0["id"] and len(one["members"]) == s0["size"]
    assert "coverage" in shown
    sl = json.loads(run_cli("stories", "--level", "storyline", "--json").stdout)
    assert sum(s["size"] for s in sl["stories"]) == 28
    assert run_cli("story", "ev-nope", check_rc=2).stderr.count("\n") == 1
    again = json.loads(run_cli("cluster", "--json", check_rc=0).stdout)
    assert again["clustered"] == 0


def test_ingest_no_cluster_then_cluster(run_cli: RunCli) -> None:
    rep = json.loads(run_cli("ingest", str(SAMPLE), "--no-cluster", "--json").stdout)
    assert rep["cluster"] is None
    assert json.loads(run_cli("stories", "--json").stdout)["total"] == 0
    done = json.loads(run_cli("cluster", "--json", check_rc=0).stdout)
    assert done["clustered"] == 28
