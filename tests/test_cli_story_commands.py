"""The real ``storylens`` entry point (subprocesses, so few of them) on a hand-clustered
store: ``stories`` (JSON and a refused option), ``story`` (JSON coverage) and ``compare``
(JSON) with the hashing embedder, and the one-line error of an unknown story."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storylens.records import Article
from storylens.records_story import ClusterAssignment
from storylens.store import open_store
from tests.conftest import RunCli

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
LEAD = "The dam on the Rhine broke near Basel on Monday night."


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STORYLENS_COMPARE_EMBEDDER", "hashing")
    path = tmp_path / "s.db"
    arts = [Article(id=f"{i:016x}", source=f"{i}.txt", title=f"Dam breaks {i}",
                    text=f"{LEAD} Detail {i} about street {i * 7}.", raw="",
                    raw_format="text", outlet=f"o{i}.example", lang="en",
                    published=T0 + timedelta(hours=i)) for i in range(4)]
    with open_store(path) as store:
        store.add_articles(arts)
        store.save_assignments([
            ClusterAssignment(a.id, "ev-dam" if k < 3 else "ev-other", "sl-dam", None, 1.0,
                              1.0, False, a.published.timestamp())  # type: ignore[union-attr]
            for k, a in enumerate(arts)])
    return path


def test_stories_json_and_bad_option(run_cli: RunCli, db: Path) -> None:
    r = run_cli("stories", "--json", "--sort", "size", db_path=db, check_rc=0)
    data = json.loads(r.stdout)
    assert data["total"] == 2 and [s["id"] for s in data["stories"]] == ["ev-dam", "ev-other"]
    assert data["stories"][0]["size"] == 3 and data["stories"][0]["storyline_id"] == "sl-dam"
    bad = run_cli("stories", "--level", "saga", db_path=db)
    assert bad.returncode != 0 and "--level 'saga'" in bad.stderr + bad.stdout
    assert "Traceback" not in bad.stderr


def test_story_json_coverage(run_cli: RunCli, db: Path) -> None:
    r = run_cli("story", "ev-dam", "--json", db_path=db, check_rc=0)
    data = json.loads(r.stdout)
    assert data["story"]["id"] == "ev-dam" and len(data["story"]["members"]) == 3
    cov = data["coverage"]
    assert cov["embedder"] == "hashing"
    assert cov["matrices"]["outlets"] == ["o0.example", "o1.example", "o2.example"]
    lead = next(f for f in cov["facts"] if f["text"] == LEAD)
    assert len(lead["outlets"]) == 3 and lead["first"]["outlet"] == "o0.example"
    missing = run_cli("story", "ev-nope", db_path=db)
    assert missing.returncode == 2
    lines = [x for x in (missing.stdout + missing.stderr).splitlines() if x.strip()]
    assert len(lines) == 1 and "ev-nope" in lines[0]


def test_compare_json(run_cli: RunCli, db: Path) -> None:
    a, b = f"{0:016x}", f"{3:016x}"
    r = run_cli("compare", a, b, "--json", db_path=db, check_rc=0)
    data = json.loads(r.stdout)
    assert data["a"]["id"] == a and data["b"]["id"] == b
    assert data["timing"] == {"first": "a", "gap_hours": 3.0}
    assert any(p["a"]["text"] == LEAD for p in data["facts"]["shared"])
    verdict = data["verdicts"]["same_event"]
    if verdict is not None:
        assert verdict["source"] == "clusters" and verdict["decision"] is False
    assert data["verdicts"]["same_storyline"] is None or \
        data["verdicts"]["same_storyline"]["decision"] is True
