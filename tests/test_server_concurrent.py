"""`storylens serve` keeps answering while `storylens ingest` writes to the same SQLite
store (WAL): no error, no lock timeout, and the new articles and stories show up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.serverproc import ServerProcess, build_corpus_store

ROOT = Path(__file__).resolve().parents[1]
# Enough articles that a quiet machine still needs several seconds to write them.
N_EXTRA = 3000


def _batch(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            body = (f"Report {i}: the harbour authority of Bremen said on Monday that ship "
                    f"number {1000 + i} was unloaded after a delay of {i % 9 + 2} days. ") * 4
            fh.write(json.dumps({"id": f"c{i}", "title": f"Harbour report {i}", "text": body,
                                 "lang": "en", "url": f"https://port.example/{i}",
                                 "published": f"2024-03-{i % 27 + 1:02d}"}) + "\n")


@pytest.mark.slow
def test_reads_keep_working_while_ingest_writes(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    before = len(build_corpus_store(db).ingested)
    extra = tmp_path / "extra.jsonl"
    _batch(extra, N_EXTRA)
    with ServerProcess(db, "--no-auth") as server:
        writer = subprocess.Popen(
            [sys.executable, "-c", "from storylens.cli.app import main; main()", "ingest",
             str(extra), "--no-progress", "--db", str(db)],
            env={**os.environ, "STORYLENS_BATCH_SIZE": "20"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        statuses: list[int] = []
        totals: list[int] = []
        with httpx.Client(base_url=server.base, timeout=10) as client:
            while writer.poll() is None and len(statuses) < 2000:
                r = client.get("/api/v1/articles", params={"limit": 1})
                statuses.append(r.status_code)
                if r.status_code == 200:
                    totals.append(int(r.json()["total"]))
                statuses.append(client.get("/api/v1/stories", params={"limit": 5}).status_code)
                statuses.append(client.get("/").status_code)
                time.sleep(0.02)
            _, err = writer.communicate(timeout=300)
            assert writer.returncode == 0, err
            final = client.get("/api/v1/articles", params={"limit": 1}).json()["total"]
            stories = client.get("/api/v1/stories", params={"limit": 1}).json()["total"]
    assert len(statuses) >= 15, "the ingest finished before the server was exercised"
    assert set(statuses) == {200}
    assert totals == sorted(totals), "readers see the store grow, never shrink"
    assert totals[0] < before + N_EXTRA and final == before + N_EXTRA
    assert stories >= 1
