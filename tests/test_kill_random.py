"""Kill -9 at random points of ingest + cluster (while writing articles, while linking,
while saving assignments and snapshots), then run again: every article ends stored
once and clustered, and the store is sound. 50 kills, each in a forked child so the
models are loaded once."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from storylens import api
from storylens.link.service import cluster_store
from storylens.store import open_store

ITERATIONS = 50
N = 120
TOPICS = ["flood", "election", "vaccine", "strike", "bridge", "festival"]


def _corpus(path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N):
            topic = TOPICS[i % len(TOPICS)]
            body = " ".join(f"The {topic} in town {i % 7} was reported on day {j}, "
                            f"officials said, with {i * 3 + j} people affected."
                            for j in range(8))
            fh.write(json.dumps({"id": f"k{i}", "title": f"{topic.title()} report {i}",
                                 "text": body, "lang": "en", "outlet": f"o{i % 5}.example",
                                 "published": f"2024-03-{1 + i % 20:02d}T{i % 24:02d}:00:00Z"})
                     + "\n")


def _run(corpus: Path, db: Path, *, cluster: bool = True) -> None:
    with open_store(db) as store:
        api.ingest([str(corpus)], store, batch_size=7)
        if cluster:
            cluster_store(store, batch_size=9)


def _child(corpus: Path, db: Path, *, cluster: bool = True) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, killed or exits here
        try:
            _run(corpus, db, cluster=cluster)
        finally:
            os._exit(0)
    return pid


def _timed(corpus: Path, db: Path, *, cluster: bool) -> float:
    t0 = time.perf_counter()
    os.waitpid(_child(corpus, db, cluster=cluster), 0)
    return time.perf_counter() - t0


def _check(db: Path) -> None:
    with open_store(db) as store:
        assert store.integrity_ok()
        assert store.count_articles() == N
        assert store.unclustered_ids() == []
        sizes = sum(s.size for s in store.list_stories("event", limit=10**6))
        assert sizes == N  # every article in exactly one event summary
        assert sum(s.size for s in store.list_stories("storyline", limit=10**6)) == N


@pytest.mark.slow
def test_kill_at_random_points_then_rerun_loses_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus)
    warm = tmp_path / "warm.db"
    _run(corpus, warm)  # loads the models in this process (the children inherit them)
    _check(warm)
    ingest_s = _timed(corpus, tmp_path / "t1.db", cluster=False)
    full_s = max(_timed(corpus, tmp_path / "t2.db", cluster=True), ingest_s * 1.2)
    rng = random.Random(13)
    phases: dict[str, int] = {}
    for k in range(ITERATIONS):
        db = tmp_path / f"k{k}.db"
        pid = _child(corpus, db)
        # half the kills while ingesting, half while clustering (and saving snapshots)
        time.sleep(rng.uniform(0.0, ingest_s) if k % 2 else rng.uniform(ingest_s, full_s))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        phase = _phase(db)
        phases[phase] = phases.get(phase, 0) + 1
        _run(corpus, db)  # what the next `storylens ingest` does
        _check(db)
        db.unlink()
        for extra in ("-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
    # the kills really fell while writing articles and while clustering them
    assert phases.get("ingesting", 0) >= 5 and phases.get("clustering", 0) >= 5, phases


def _phase(db: Path) -> str:
    """Where the killed run was: nothing stored yet, ingesting, clustering, or done."""
    if not db.exists():
        return "start"
    with open_store(db) as store:
        stored, left = store.count_articles(), len(store.unclustered_ids())
    if stored < N:
        return "start" if stored == 0 else "ingesting"
    return "clustering" if left else "done"
