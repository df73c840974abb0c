"""Two ingests of the same input into one store at once: nothing is lost or doubled, and
the two reports together count each new article once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storylens.store import open_store

N = 300


@pytest.mark.slow
def test_two_writers_report_each_new_article_once(tmp_path: Path) -> None:
    corpus, db = tmp_path / "c.jsonl", tmp_path / "s.db"
    with corpus.open("w", encoding="utf-8") as fh:
        for i in range(N):
            fh.write(json.dumps({"id": f"c{i}", "title": f"Report {i}", "lang": "en",
                                 "text": f"Report {i} on the council budget, day {i}. " * 6})
                     + "\n")
    open_store(db).close()  # created once, so both writers only migrate nothing
    env = {**os.environ, "STORYLENS_DB": str(db), "STORYLENS_BATCH_SIZE": "10"}
    cmd = [sys.executable, "-c", "from storylens.cli.app import main; main()", "ingest",
           str(corpus), "--no-cluster", "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    assert sum(r["ingested"] for r in reports) == N
    assert all(r["ingested"] + r["duplicates"] == N for r in reports)
    with open_store(db) as store:
        assert store.count_articles() == N
