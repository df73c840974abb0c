"""The batch driver: shards out, articles and representations in, one writer.

Design (what makes ``batch`` store what ``ingest`` stores):

* **Single writer.** Workers never touch the store; the driver writes each shard's
  articles in one transaction (``store_batch``, the same code as ``ingest``), in input
  order, skipping ids already stored: no lock fights on SQLite, and a rerun after a
  crash skips what is stored (idempotent by article id).
* **Repeated-line counts** (the cleaner drops lines an outlet prints in >= 2 other
  articles). ``ingest`` counts each article's lines into its outlet as it goes, so an
  article sees the lines of the outlet's earlier articles. Here a shard is cleaned in
  two steps: workers do the order-free part (HTML extraction, outlet); the driver, taking
  shards in order, hands each shard the counts of its outlets' lines in the store plus in
  the shards before it that are still in flight; the worker adds the shard's own earlier
  articles. For text and JSONL these are exactly ``ingest``'s counts; for HTML they are a
  guess, checked when the shard comes back and redone where wrong (``settle``), so the
  store always gets what ``ingest`` writes.
* **Document frequencies** (IDF of the lexical vectors) are a running table updated
  article by article in stream order. Workers compute the IDF-free parts of each
  representation (dense vector, term counts, names, numbers, MinHash); the driver counts
  and weights them in exactly ``cluster_store``'s order (``unclustered_ids``, 256 at a
  time) and stores them with the table, so the vectors are the ones ``cluster`` would
  compute, and ``cluster_store`` then reuses every one of them and only links.
* **Linking** stays one process over the whole stream in publication order (not time
  shards merged at the borders): no quality cost, and the serial part that bounds the
  speed (numbers and the 10^8 estimate in BENCHMARKS.md).
* **Ingest time** (what orders undated articles) is taken once per shard by the driver,
  in input order, so undated articles keep the input order whichever worker is faster.
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from storylens.api.ingestion import IngestReport, store_batch
from storylens.batch.engine import Engine, TaskFailed
from storylens.batch.settle import settle
from storylens.batch.shards import Shard, plan_shards
from storylens.batch.tasks import (
    Failure,
    FinishedShard,
    FinishTask,
    PreparedShard,
    RepsTask,
    finish_shard,
    prepare_reps,
    prepare_shard,
)
from storylens.extract.pipeline import Prepared, raw_line_keys
from storylens.ingest.files import InputFormat
from storylens.link.service import (
    LINK_EMBEDDER,
    ClusterReport,
    cluster_store,
    embedder_name,
    repr_key,
    text_hash,
)
from storylens.records import Article
from storylens.represent.article import finish_rep
from storylens.represent.base import get_embedder
from storylens.represent.lexical import DocFreq
from storylens.store.base import Store

KILL_DRIVER_ENV = "STORYLENS_TEST_KILL_DRIVER"
"""Fault injection for tests: ``N`` makes the driver exit at once after writing shard N."""
REPS_BATCH = 256
"""Articles per representation task: ``cluster_store``'s batch, so even an embedder
whose output depends on its batch gives the same vectors."""

Progress = Callable[[str, int, int | None], None]
"""Called with (phase, done, total or None) as shards and chunks finish."""


@dataclass(slots=True)
class BatchReport:
    """What a batch did: the ingest report, then representation and linking."""

    ingest: IngestReport
    engine: str
    workers: int
    shards: int = 0
    represented: int = 0
    represented_cpu: float = 0.0
    recleaned: int = 0
    """Articles the driver cleaned again with exact line counts (HTML only)."""
    cluster: ClusterReport | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**self.ingest.to_dict(), "engine": self.engine, "workers": self.workers,
                "shards": self.shards, "represented": self.represented,
                "recleaned": self.recleaned,
                "cluster": self.cluster.to_dict() if self.cluster else None,
                "seconds": self.seconds}


def run_batch(
    paths: Iterable[str], store: Store, engine: Engine, *, shard_size: int = 500,
    fmt: InputFormat = "auto", max_bytes: int = 20_000_000, now: datetime | None = None,
    cluster: bool = True, embedder: str | None = None, progress: Progress | None = None,
) -> BatchReport:
    """Ingest ``paths`` with ``engine`` doing the per-article work, then (unless
    ``cluster`` is false) represent on the engine and link every unclustered article."""
    t0, c0 = time.perf_counter(), time.process_time()
    plan = plan_shards(paths, shard_size=shard_size, fmt=fmt, max_bytes=max_bytes)
    report = BatchReport(IngestReport(), engine.name, engine.workers, len(plan.shards))
    for e in plan.refused:
        report.ingest.failed.append((e.source, e.reason))
    tick = (lambda d: progress("ingest", d, plan.articles_hint)) if progress else None
    cpu, report.recleaned = _ingest(plan.shards, store, engine, report.ingest, now=now,
                                    progress=tick)
    t1 = time.perf_counter()
    report.seconds["ingest"] = round(t1 - t0, 3)
    if cluster:
        report.represented, report.represented_cpu = represent_stored(
            store, engine, embedder=embedder,
            progress=(lambda d, n: progress("represent", d, n)) if progress else None)
        t2 = time.perf_counter()
        report.cluster = cluster_store(
            store, embedder=embedder,
            progress=(lambda d, n: progress("link", d, n)) if progress else None)
        report.seconds["represent"] = round(t2 - t1, 3)
        report.seconds["link"] = round(time.perf_counter() - t2, 3)
        cpu += report.represented_cpu
    report.seconds["worker_cpu"] = round(cpu, 3)
    report.seconds["driver_cpu"] = round(time.process_time() - c0, 3)
    return report


def window_for(engine: Engine) -> int:
    """Tasks in flight per stage: enough to keep every worker busy while the driver
    writes, few enough to bound the driver's memory."""
    return max(1, 2 * engine.workers)


def expected_keys(p: Prepared) -> set[str]:
    """The line keys ``p`` will add to its outlet once stored: exact for text (its raw
    lines); for HTML none (the cleaned lines are not known yet; ``settle`` checks)."""
    if not p.outlet or p.raw.fmt != "text":
        return set()
    return set(raw_line_keys(p.raw.content))


def _ingest(shards: list[Shard], store: Store, engine: Engine, report: IngestReport, *,
            now: datetime | None, progress: Callable[[int], None] | None
            ) -> tuple[float, int]:
    """Read, extract and store the shards; returns the tasks' CPU seconds and how many
    articles the driver cleaned again (see ``settle``)."""
    seen: set[str] = set()
    pending: Counter[tuple[str, str]] = Counter()  # keys of shards sent but not written
    issued: deque[tuple[FinishTask, Counter[tuple[str, str]]]] = deque()
    window = window_for(engine)
    kill_after = os.environ.get(KILL_DRIVER_ENV)
    done = recleaned = 0
    cpu = 0.0

    def finish_tasks() -> Iterator[FinishTask]:
        nonlocal cpu
        prepared = engine.map_ordered(prepare_shard, shards, window=window)
        for shard, res in zip(shards, prepared, strict=True):
            if isinstance(res, TaskFailed):
                report.failed.append((shard.describe(), f"shard failed on the engine "
                                      f"({res.reason}); run batch again to retry it"))
                report.internal_errors += 1
                continue
            cpu += res.cpu_s
            task, contrib = _finish_task(res, store, seen, pending, report, now)
            pending.update(contrib)
            issued.append((task, contrib))
            yield task

    for fin in engine.map_ordered(finish_shard, finish_tasks(), window=window):
        task, contrib = issued.popleft()
        if not isinstance(fin, TaskFailed):
            cpu += fin.cpu_s
            recleaned += settle(fin, task, store)
        _write(fin, task, store, report)
        pending.subtract(contrib)
        pending += Counter()  # drop the zeros
        done += len(task.items)
        if progress:
            progress(done)
        if kill_after is not None and int(kill_after) == task.index:
            os._exit(9)
    return cpu, recleaned


def _finish_task(res: PreparedShard, store: Store, seen: set[str],
                 pending: Counter[tuple[str, str]], report: IngestReport,
                 now: datetime | None) -> tuple[FinishTask, Counter[tuple[str, str]]]:
    """The shard's new articles in order with their base counts, and the keys they add."""
    for kind, n in res.skipped.items():
        report.skipped[kind] = report.skipped.get(kind, 0) + n
    ids = [it[0] for it in res.items if not isinstance(it, Failure)]
    stored = store.existing_ids(ids) if ids else set()
    items: list[Prepared] = []
    contrib: Counter[tuple[str, str]] = Counter()
    by_outlet: dict[str, set[str]] = {}
    for it in res.items:
        if isinstance(it, Failure):
            report.failed.append((it.source, it.reason))
            report.internal_errors += it.internal
            continue
        aid, p = it
        if aid in seen or aid in stored:
            report.duplicates.append(aid)
            continue
        seen.add(aid)
        items.append(p)
        if p.outlet:
            by_outlet.setdefault(p.outlet, set()).update(p.line_keys())
            contrib.update((p.outlet, k) for k in expected_keys(p))
    base: dict[tuple[str, str], int] = {}
    for outlet, keys in by_outlet.items():
        counts = store.outlet_line_counts(outlet, sorted(keys))
        for k in keys:
            n = counts.get(k, 0) + pending.get((outlet, k), 0)
            if n:
                base[(outlet, k)] = n
    # one ingest time per shard, taken in input order: undated articles (ordered by it)
    # keep the input order whichever worker finishes first
    return FinishTask(res.index, items, base, now or datetime.now(UTC)), contrib


def _write(fin: FinishedShard | TaskFailed, task: FinishTask, store: Store,
           report: IngestReport) -> None:
    """Store one finished shard (one transaction), reporting each of its inputs."""
    if isinstance(fin, TaskFailed):
        for p in task.items:
            report.failed.append((p.raw.source, f"its shard failed on the engine "
                                  f"({fin.reason}); run batch again to retry it"))
            report.internal_errors += 1
        return
    batch: list[tuple[Article, set[str]]] = []
    for it in fin.items:
        if isinstance(it, Failure):
            report.failed.append((it.source, it.reason))
            report.internal_errors += it.internal
            continue
        batch.append(it)
        report.ingested.append(it[0].id)
        report.warnings += len(it[0].warnings)
    store_batch(store, batch, report)


def represent_stored(store: Store, engine: Engine, *, embedder: str | None = None,
                     progress: Callable[[int, int], None] | None = None
                     ) -> tuple[int, float]:
    """Represent every unclustered article with no stored vectors, on the engine, and
    store the vectors with the document frequencies, in ``cluster_store``'s order.
    Returns how many were represented and the tasks' CPU seconds."""
    todo = store.unclustered_ids()
    if not todo:
        return 0, 0.0
    registry = embedder_name(embedder or store.get_setting(LINK_EMBEDDER))
    name = repr_key(registry, get_embedder(registry))
    df = DocFreq(*store.load_docfreq())
    issued: deque[tuple[RepsTask, list[Article]]] = deque()
    done = represented = 0
    cpu = 0.0

    def tasks() -> Iterator[RepsTask]:
        for i, start in enumerate(range(0, len(todo), REPS_BATCH)):
            arts = store.get_articles(todo[start:start + REPS_BATCH])
            stored = store.get_reprs([a.id for a in arts], name)
            fresh = [a for a in arts if stored.get(a.id, ("", None))[0] != text_hash(a)]
            task = RepsTask(i, registry, [(a.id, a.title, a.text, a.published, a.lang,
                                           a.outlet) for a in fresh])
            issued.append((task, fresh))
            yield task

    for res in engine.map_ordered(prepare_reps, tasks(), window=window_for(engine)):
        task, fresh = issued.popleft()
        if isinstance(res, TaskFailed):  # the order must hold: do this chunk here
            res = prepare_reps(task)
        parts, spent = res
        cpu += spent
        reps = [finish_rep(p, df) for p in parts]
        with store.transaction():
            store.put_reprs([(name, text_hash(a), r) for a, r in zip(fresh, reps, strict=True)])
            store.save_docfreq(df.take_pending(), df.n_docs)
        represented += len(reps)
        done = min(len(todo), (task.index + 1) * REPS_BATCH)
        if progress:
            progress(done, len(todo))
    return represented, cpu
