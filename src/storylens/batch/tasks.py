"""The functions a batch runs on workers: pure functions of their (picklable) arguments,
so any engine can run them anywhere, retry them, or run one twice.

1. ``prepare_shard``: read a shard, give each input its id and do the order-free part of
   extraction (decode, HTML extraction, outlet, first language guess).
2. ``finish_shard``: clean the shard's articles with their outlets' repeated-line counts
   (base counts from the driver plus the shard's own earlier articles, exactly as
   ``ingest_raw`` counts them), then title, language and date.
3. ``prepare_reps``: the IDF-free part of the linker's representation of stored articles.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storylens.api.ingestion import stored_line_keys
from storylens.batch.shards import Shard, read_shard
from storylens.errors import InputError
from storylens.extract.pipeline import Prepared, finish_article, prepare_article
from storylens.records import Article, article_id
from storylens.represent.article import Item, PartialRep, prepare_batch
from storylens.represent.base import get_embedder

KILL_ENV = "STORYLENS_TEST_KILL_WORKER"
"""Fault injection for tests: ``STAGE:SHARD:MARKER`` (several joined by ``,``) makes the
worker process running task ``STAGE`` (prepare, finish or reps) on shard (or chunk)
``SHARD`` exit at once, the first time only (it creates the file ``MARKER``), as a worker
killed mid-batch would."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that is not an article: its source and the one-line reason."""

    source: str
    reason: str
    internal: bool = False
    """A storylens bug, not bad input."""


@dataclass(slots=True)
class PreparedShard:
    """What ``prepare_shard`` found, in input order."""

    index: int
    items: list[tuple[str, Prepared] | Failure] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    cpu_s: float = 0.0
    """CPU seconds the task took on its worker (for the per-article cost)."""


@dataclass(frozen=True, slots=True)
class FinishTask:
    """A shard's prepared articles (duplicates removed) with the base line counts of
    their outlets: the store's plus the shards still in flight before this one."""

    index: int
    items: list[Prepared]
    base: Mapping[tuple[str, str], int]
    now: datetime | None


@dataclass(slots=True)
class FinishedShard:
    """Finished articles with the line keys each adds to its outlet, in input order."""

    index: int
    items: list[tuple[Article, set[str]] | Failure] = field(default_factory=list)
    cpu_s: float = 0.0


@dataclass(frozen=True, slots=True)
class RepsTask:
    """Stored articles to represent (in stream order) with the embedder's registry name."""

    index: int
    embedder: str
    items: list[Item]


def _maybe_die(stage: str, index: int) -> None:
    for spec in filter(None, os.environ.get(KILL_ENV, "").split(",")):
        want_stage, want_index, marker = spec.split(":", 2)
        if want_stage == stage and int(want_index) == index:
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                continue  # killed once already: the retry runs normally
            os.close(fd)
            os._exit(17)


def prepare_shard(shard: Shard) -> PreparedShard:
    """Step 1 over one shard; bad inputs become ``Failure`` items, never exceptions."""
    _maybe_die("prepare", shard.index)
    t0 = time.process_time()
    out = PreparedShard(shard.index)
    for item in read_shard(shard, out.skipped):
        if isinstance(item, InputError):
            out.items.append(Failure(item.source, item.reason))
            continue
        try:
            out.items.append((article_id(item), prepare_article(item)))
        except InputError as e:
            out.items.append(Failure(e.source, e.reason))
        except Exception as e:  # a bug on one input must not sink the shard
            out.items.append(Failure(item.source, internal_reason(e), internal=True))
    out.cpu_s = time.process_time() - t0
    return out


def finish_shard(task: FinishTask) -> FinishedShard:
    """Step 2: clean each article with the line counts ``ingest`` would have seen."""
    _maybe_die("finish", task.index)
    t0 = time.process_time()
    out = FinishedShard(task.index)
    pending: Counter[tuple[str, str]] = Counter()
    for p in task.items:
        try:
            counts: dict[str, int] | None = None
            if p.outlet:
                counts = {}
                for k in p.line_keys():
                    n = task.base.get((p.outlet, k), 0) + pending.get((p.outlet, k), 0)
                    if n:
                        counts[k] = n
            art = finish_article(p, now=task.now or datetime.now(UTC), counts=counts)
            keys = stored_line_keys(art)
        except InputError as e:
            out.items.append(Failure(e.source, e.reason))
            continue
        except Exception as e:
            out.items.append(Failure(p.raw.source, internal_reason(e), internal=True))
            continue
        for k in keys:
            pending[(art.outlet or "", k)] += 1
        out.items.append((art, keys))
    out.cpu_s = time.process_time() - t0
    return out


def prepare_reps(task: RepsTask) -> tuple[list[PartialRep], float]:
    """Step 3: IDF-free representations (names, numbers, MinHash and the dense vector),
    with the CPU seconds they took."""
    _maybe_die("reps", task.index)
    t0 = time.process_time()
    parts = prepare_batch(task.items, get_embedder(task.embedder))
    return parts, time.process_time() - t0


def internal_reason(e: BaseException) -> str:
    """The one-line reason of an unexpected error (a storylens bug worth reporting)."""
    return f"internal error {type(e).__name__}: {str(e)[:200]} (a bug; please report it)"
