"""Killing an ingest midway leaves the store readable with only whole articles, and the
next ingest of the same input completes it without duplicates."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storylens.store import open_store

WORDS = [
    "minister", "city", "council", "budget", "river", "storm", "vaccine", "election",
    "court", "police", "museum", "festival", "strike", "border", "harbour", "airport",
    "bridge", "school", "hospital", "market",
]


def _corpus(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            body = " ".join(
                f"The {WORDS[(i + j) % len(WORDS)]} report number {i} sentence {j} was read "
                f"aloud on day {j}." for j in range(12))
            fh.write(json.dumps({"id": f"k{i}", "title": f"Report {i}", "text": body,
                                 "lang": "en", "url": f"https://news.example.org/{i}"}) + "\n")


@pytest.mark.slow
def test_kill_during_large_ingest_leaves_whole_articles(tmp_path: Path) -> None:
    corpus, db = tmp_path / "big.jsonl", tmp_path / "s.db"
    n = 4000
    _corpus(corpus, n)
    env = {**os.environ, "STORYLENS_DB": str(db), "STORYLENS_BATCH_SIZE": "25"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from storylens.cli.app import main; main()", "ingest",
         str(corpus), "--no-progress"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                con = sqlite3.connect(db, timeout=0.2)
                stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if stored >= 100:
                break
    assert proc.poll() is None, "ingest finished before it could be killed; raise n"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    with open_store(db) as store:
        assert store.integrity_ok()
        count = store.count_articles()
        assert 100 <= count < n
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == count
        rows = con.execute("SELECT title, text FROM articles").fetchall()
        for title, text in rows:
            i = int(title.split()[1])
            assert text.count("sentence") == 12 and f"report number {i} " in text
        con.close()

    done = subprocess.run(
        [sys.executable, "-c", "from storylens.cli.app import main; main()", "ingest",
         str(corpus), "--json"], env=env, capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    assert report["duplicates"] == count and report["ingested"] == n - count
    with open_store(db) as store:
        assert store.count_articles() == n
