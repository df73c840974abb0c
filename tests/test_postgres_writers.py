"""Several writers on one PostgreSQL store, and the same input on SQLite and PostgreSQL.

- Two ``storylens ingest`` processes with overlapping inputs at once store each article
  once and count it once; two ``storylens cluster`` processes at once cluster each article
  once (the second waits for the first's lock, then finds nothing left).
- The same few hundred articles through ``ingest`` on SQLite and on PostgreSQL give the
  same articles and the same events (compared as partitions of the article ids).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storylens import api
from storylens.store import Store, open_store
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "news-sample.jsonl"
CLI = [sys.executable, "-c", "from storylens.cli.app import main; main()"]


def corpus(path: Path, n_extra: int, seed: int = 7) -> int:
    """The README sample plus ``n_extra`` articles recombined from its sentences (same
    language, dated over two weeks); how many lines were written."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        sents = [s for s in re.split(r"(?<=[.!?])\s+", r["text"]) if len(s) > 30]
        by_lang.setdefault(r.get("lang") or "en", []).extend(sents)
    rng = random.Random(seed)
    langs = sorted(lang for lang, s in by_lang.items() if len(s) >= 6)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        for i in range(n_extra):
            lang = rng.choice(langs)
            sents = rng.sample(by_lang[lang], 5)
            fh.write(json.dumps({
                "id": f"x{i}", "title": f"{sents[0][:80]} ({i})", "text": " ".join(sents),
                "lang": lang, "url": f"https://outlet{i % 13}.example/{i}",
                "published": (start + timedelta(hours=rng.random() * 24 * 14)).isoformat(),
            }, ensure_ascii=False) + "\n")
    return len(rows) + n_extra


def events(store: Store) -> set[frozenset[str]]:
    """The events as a partition of the article ids."""
    out: set[frozenset[str]] = set()
    total = store.count_stories("event")
    for s in store.list_stories("event", limit=total + 1):
        out.add(frozenset(m["id"] for m in store.get_story(s.id).members))
    return out


def run_at_once(cmds: list[list[str]], env: dict[str, str]) -> list[dict[str, object]]:
    """Start every command, then wait for each; their JSON reports."""
    procs = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for c in cmds]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    return reports


@pytest.mark.slow
def test_two_writers_at_once_lose_and_double_nothing(pg_url: str, tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"w{i}", "title": f"Council report {i}", "lang": "en",
                         "text": f"Report {i} on the council budget, day {i}. " * 6,
                         "published": f"2024-01-{1 + i % 28:02d}T10:00:00+00:00"})
             for i in range(300)]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    b.write_text("\n".join(lines[100:]) + "\n", encoding="utf-8")  # 100 in common
    open_store(pg_url).close()  # created once: the writers only race on rows
    env = {**os.environ, "STORYLENS_DB": pg_url, "STORYLENS_BATCH_SIZE": "10"}
    reports = run_at_once([[*CLI, "ingest", str(f), "--no-cluster", "--json"]
                           for f in (a, b)], env)
    assert sum(r["ingested"] for r in reports) == 300, "each new article counted once"
    assert all(r["ingested"] + r["duplicates"] == 200 for r in reports)
    with open_store(pg_url) as store:
        assert store.count_articles() == 300

    clustered = run_at_once([[*CLI, "cluster", "--json"]] * 2, env)
    assert sorted(r["clustered"] for r in clustered) == [0, 300], \
        "the second clusterer waited, then found nothing left"
    with open_store(pg_url) as store:
        assert store.unclustered_ids() == []
        members = [m for ev in events(store) for m in ev]
        assert len(members) == len(set(members)) == 300


@pytest.mark.slow
def test_same_articles_and_events_on_sqlite_and_postgres(pg_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("STORYLENS_EMBEDDER", "static")
    path = tmp_path / "corpus.jsonl"
    n = corpus(path, 272)
    results = []
    for location in (str(tmp_path / "s.db"), pg_url):
        with open_store(location) as store:
            report = api.ingest([str(path)], store, batch_size=50)
            assert not report.failed and len(report.ingested) == n
            api.cluster(store)
            arts = store.get_articles(sorted(report.ingested))
            results.append(([a.to_dict(include_raw=True) | {"ingested_at": None}
                             for a in arts], events(store)))
    (sq_articles, sq_events), (pg_articles, pg_events) = results
    assert pg_articles == sq_articles
    assert pg_events == sq_events
    assert len(sq_events) < n, "some articles were linked into shared events"
