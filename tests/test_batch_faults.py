"""`storylens batch` through its real entry point: a worker process killed mid-batch (its
shard is retried, nothing lost or doubled), the driver killed mid-run (the rerun
completes), bad inputs (one line each, exit 1) and the --json summary."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storylens.api.ingestion import ingest
from storylens.batch.driver import KILL_DRIVER_ENV
from storylens.batch.tasks import KILL_ENV
from storylens.link.service import cluster_store
from storylens.store import open_store
from tests.batch_helpers import NOW, dump_articles, dump_events, write_corpus


def _batch(db: Path, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from storylens.cli.app import main; main()", "batch",
         *args, "--db", str(db)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "COLUMNS": "200", **(env or {})})


def _reference(tmp_path: Path, corpus: Path) -> Path:
    db = tmp_path / "ref.db"
    with open_store(db) as ref:
        ingest([str(corpus)], ref, now=NOW)
        cluster_store(ref)
    return db


def _assert_same_as(ref_db: Path, db: Path) -> None:
    with open_store(ref_db) as ref, open_store(db) as got:
        want, have = dump_articles(ref), dump_articles(got)
        assert [a[0] for a in have] == [a[0] for a in want]  # each exactly once, same order
        assert have == want
        assert dump_events(got) == dump_events(ref)


@pytest.mark.slow
def test_worker_killed_mid_batch_loses_and_doubles_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 120, bad=False)
    markers = [tmp_path / "killed-finish", tmp_path / "killed-reps"]
    kill = f"finish:2:{markers[0]},reps:0:{markers[1]}"
    proc = _batch(tmp_path / "s.db", str(corpus), "--workers", "2", "--shard-size", "15",
                  "--json", env={KILL_ENV: kill})
    assert proc.returncode == 0, proc.stderr
    assert all(m.exists() for m in markers)  # both workers really died once
    out = json.loads(proc.stdout)
    assert out["failed"] == [] and out["engine"] == "dask" and out["shards"] == 9  # 123 lines
    assert out["ingested"] == len(set(out["ids"])) == out["cluster"]["clustered"]
    _assert_same_as(_reference(tmp_path, corpus), tmp_path / "s.db")


@pytest.mark.slow
def test_driver_killed_mid_run_then_rerun_completes(tmp_path: Path) -> None:
    corpus, db = tmp_path / "c.jsonl", tmp_path / "s.db"
    write_corpus(corpus, 90, bad=False)
    args = (str(corpus), "--workers", "0", "--shard-size", "30", "--json")
    killed = _batch(db, *args, env={KILL_DRIVER_ENV: "1"})
    assert killed.returncode == 9 and killed.stdout == ""
    with open_store(db) as store:
        before = store.count_articles()
        assert 0 < before < 90  # shards 0 and 1 written, the rest not
        assert store.unclustered_ids()
    rerun = _batch(db, *args)
    assert rerun.returncode == 0, rerun.stderr
    out = json.loads(rerun.stdout)
    assert out["ingested"] == 90 - before
    assert out["duplicates"] == before + 3  # and the corpus's three repeats
    _assert_same_as(_reference(tmp_path, corpus), db)


def test_bad_inputs_are_one_line_each_and_exit_1(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 12)  # with one line that is not JSON, one with no body
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    proc = _batch(tmp_path / "s.db", str(corpus), str(tmp_path / "empty.txt"),
                  str(tmp_path / "missing"), "--workers", "0", "--no-cluster")
    assert proc.returncode == 1
    failed = [ln for ln in proc.stderr.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 4, proc.stderr
    assert any("missing: no such file" in ln for ln in failed)
    assert any("empty.txt: empty file" in ln for ln in failed)
    assert sum("c.jsonl:" in ln for ln in failed) == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("ingested 12, duplicates skipped 1, failed 4")  # 1 repeat


def test_json_summary_and_engine_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 10, bad=False)
    proc = _batch(tmp_path / "s.db", str(corpus), "--workers", "0", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["ingested"], out["engine"], out["workers"]) == (10, "local", 0)
    assert out["represented"] == 10 and out["cluster"]["reused_vectors"] == 10
    assert set(out["seconds"]) == {"ingest", "represent", "link", "worker_cpu", "driver_cpu"}
    shown = _batch(tmp_path / "p.db", str(corpus), "--workers", "0", "--progress",
                   "--no-cluster")
    assert shown.returncode == 0 and shown.stdout.startswith("ingested 10,"), shown.stderr
    bad = _batch(tmp_path / "s.db", str(corpus), "--engine", "spark")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: unknown engine 'spark'; choose one of dask, local"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_batch_on_a_cluster_started_with_the_dask_cli(tmp_path: Path) -> None:
    """--address: a scheduler and a worker started as users start them (`dask scheduler`,
    `dask worker`), here on loopback; the result is plain ingest's."""
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 60, bad=False)
    address = f"tcp://127.0.0.1:{_free_port()}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--dashboard-address", ":0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        _wait_for_port(int(address.rsplit(":", 1)[1]))
        lonely = _batch(tmp_path / "s.db", str(corpus), "--address", address,
                        "--connect-timeout", "3")  # the scheduler has no worker yet
        assert lonely.returncode == 2, lonely.stderr
        assert "no worker has joined the Dask scheduler" in lonely.stderr
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads",
             "1", "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        proc = _batch(tmp_path / "s.db", str(corpus), "--address", address,
                      "--shard-size", "20", "--json")
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        assert (out["engine"], out["workers"], out["shards"]) == ("dask", 1, 4)
        _assert_same_as(_reference(tmp_path, corpus), tmp_path / "s.db")
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)


def test_an_address_with_no_scheduler_is_one_line_exit_2(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 3, bad=False)
    proc = _batch(tmp_path / "s.db", str(corpus), "--address",
                  f"tcp://127.0.0.1:{_free_port()}", "--connect-timeout", "1")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach the Dask scheduler")
