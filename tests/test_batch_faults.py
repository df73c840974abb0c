"""`storylens batch` through its real entry point: a worker process killed mid-batch (its
shard is retried, nothing lost or doubled), the driver killed mid-run (the rerun
completes), bad inputs (one line each, exit 1) and the --json summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
