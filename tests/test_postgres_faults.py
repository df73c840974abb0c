"""PostgreSQL going away mid-ingest: a clear one-line error and exit code 2, whole batches
only in the store, and the next run completes the work without duplicates.

Each test here runs its own throwaway server (``scripts/dev-postgres.sh`` with a state
file of its own) so stopping it disturbs no other test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storylens import api
from storylens.errors import StoreError
from storylens.store import open_store
from tests.pg_server import SCRIPT, start_server, stop_server

psycopg = pytest.importorskip("psycopg")  # the [postgres] extra (in the test extra)

CLI = [sys.executable, "-c", "from storylens.cli.app import main; main()"]
N, BATCH = 400, 25


@pytest.fixture
def own_server(pg_dsn: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server of this test's own: (DSN, state file). ``pg_dsn`` first, so the test is
    skipped (or fails in CI) exactly as the other PostgreSQL tests are."""
    if os.environ.get("STORYLENS_TEST_PG_DSN"):
        pytest.skip("uses scripts/dev-postgres.sh to stop and restart a server")
    state = tmp_path / "own.state"
    dsn = start_server(state)
    try:
        yield dsn, state
    finally:
        stop_server(state)


def _script(cmd: str, state: Path) -> None:
    subprocess.run(["bash", str(SCRIPT), cmd], check=True, capture_output=True, timeout=120,
                   env={**os.environ, "STORYLENS_PG_STATE": str(state)})


def _corpus(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N):
            fh.write(json.dumps({"id": f"f{i}", "title": f"Harbour report {i}", "lang": "en",
                                 "text": f"Report {i} on the harbour works, day {i}. " * 8})
                     + "\n")
    return path


def _count(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else 0


@pytest.mark.slow
def test_server_stopped_mid_ingest_then_the_next_run_completes(
        own_server: tuple[str, Path], tmp_path: Path) -> None:
    dsn, state = own_server
    data = _corpus(tmp_path / "c.jsonl")
    open_store(dsn).close()
    env = {**os.environ, "STORYLENS_DB": dsn, "STORYLENS_BATCH_SIZE": str(BATCH),
           "COLUMNS": "200"}
    proc = subprocess.Popen([*CLI, "ingest", str(data), "--no-cluster"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _count(dsn) < 2 * BATCH and time.monotonic() < deadline:
        time.sleep(0.05)
    _script("down", state)  # PostgreSQL goes away mid-ingest
    _, err = proc.communicate(timeout=120)
    _script("up", state)
    assert proc.returncode == 2, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: postgresql://"), err
    assert "Traceback" not in err
    stored = _count(dsn)
    assert 0 < stored < N, "stopped part way"
    assert stored % BATCH == 0, "whole batches only: nothing half-written"

    again = subprocess.run([*CLI, "ingest", str(data), "--no-cluster", "--json"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["ingested"] == N - stored and report["duplicates"] == stored
    assert _count(dsn) == N


@pytest.mark.slow
def test_connections_killed_between_batches_are_replaced(pg_url: str, tmp_path: Path
                                                         ) -> None:
    """``pg_terminate_backend`` on every connection of the store (what a server restart
    or a failover does to idle pooled connections): the pool checks each connection it
    hands out, so the ingest goes on with fresh ones and stores everything once."""
    data = _corpus(tmp_path / "c.jsonl")
    killed = 0

    def progress(source: str, outcome: str) -> None:
        nonlocal killed
        if outcome == "ingested" and killed < 3 and progress.seen % 100 == 99:  # type: ignore[attr-defined]
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                              "datname = current_database() AND pid <> pg_backend_pid() "
                              "AND backend_type = 'client backend'")
            killed += 1
        progress.seen += 1  # type: ignore[attr-defined]

    progress.seen = 0  # type: ignore[attr-defined]
    with open_store(pg_url) as store:
        report = api.ingest([str(data)], store, batch_size=BATCH, progress=progress)
        assert killed == 3
        assert len(report.ingested) == N and not report.failed
        assert store.count_articles() == N


@pytest.mark.slow
def test_a_connection_killed_inside_a_transaction_rolls_it_back(pg_url: str) -> None:
    from tests.store_contract import article

    with open_store(pg_url) as store:
        store.add_articles([article(1)])
        with pytest.raises(StoreError, match="PostgreSQL connection failed"), \
                store.transaction():
            store.add_articles([article(2), article(3)])
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND "
                              "pid <> pg_backend_pid() AND state = 'idle in transaction'")
            store.add_articles([article(4)])
        assert store.count_articles() == 1, "the interrupted transaction left nothing"
        assert store.add_articles([article(2), article(3), article(4)]) == 3
