"""The CLI and the web server on a PostgreSQL store, as a user runs them: ``--db URL``
for ingest, cluster, stories, articles and serve (with two worker processes sharing the
database), and a store error never shows the password."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.browser.serverproc import ServerProcess
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "news-sample.jsonl"
CLI = [sys.executable, "-c", "from storylens.cli.app import main; main()"]


def cli(*args: str) -> Any:
    proc = subprocess.run([*CLI, *args, "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_ingest_cluster_stories_and_serve_with_a_database_url(pg_url: str) -> None:
    report = cli("ingest", str(SAMPLE), "--db", pg_url)
    assert report["ingested"] == 28 and report["failed"] == []
    assert cli("cluster", "--db", pg_url)["clustered"] == 0, "ingest clustered already"
    listed = cli("stories", "--db", pg_url, "--limit", "100")
    assert listed["total"] > 0
    assert sum(s["size"] for s in listed["stories"]) == 28
    found = cli("articles", "--db", pg_url, "--search", "coronavirus")
    assert 0 < found["total"] < 28

    with ServerProcess(pg_url, "--no-auth", "--workers", "2") as srv:  # type: ignore[arg-type]
        with httpx.Client(base_url=srv.base, timeout=60) as client:
            stories = client.get("/api/v1/stories").json()
            assert stories["total"] == listed["total"]
            assert client.get("/").status_code == 200
            item = [{"title": "Harbour works", "text": "The harbour works began. " * 5}]
            assert client.post("/api/v1/articles", json=item).json()["ingested"] == 1
        for _ in range(4):  # either worker sees the write
            assert httpx.get(srv.base + "/api/v1/articles").json()["total"] == 29
        srv.stop()
        out = srv.output()
    assert "storylens serving postgresql://" in out


def test_a_store_error_never_prints_the_password() -> None:
    url = "postgresql://storylens:s3cret@127.0.0.1:1/none"  # nothing listens on port 1
    proc = subprocess.run([*CLI, "stories", "--db", url], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "s3cret" not in proc.stderr and "***" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
