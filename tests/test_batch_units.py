"""The batch driver's failure paths and the settle rule, in process (no cluster): a task
the engine gives up on, a representation chunk that must be redone here, and which line
counts decide a re-clean."""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from storylens.api.ingestion import ingest
from storylens.batch.driver import run_batch
from storylens.batch.engine import LocalEngine, TaskFailed
from storylens.batch.settle import decisive, short_keys
from storylens.batch.shards import plan_shards
from storylens.extract.pipeline import prepare_article
from storylens.extract.plaintext import line_key
from storylens.records import RawDoc
from storylens.store import open_store
from tests.batch_helpers import NOW, dump_articles, dump_events, write_corpus


class FlakyEngine(LocalEngine):
    """The in-process engine, except that the engine "gives up" on chosen tasks: the
    ``nth`` call of task function ``name`` yields ``TaskFailed`` (as after a worker died
    more times than the scheduler allows)."""

    def __init__(self, name: str, nth: int) -> None:
        self.fail_name, self.nth = name, nth

    def map_ordered(self, fn: Callable[[Any], Any], items: Iterable[Any], *, window: int
                    ) -> Iterator[Any]:
        for i, out in enumerate(super().map_ordered(fn, items, window=window)):
            yield TaskFailed("KilledWorker: gave up") if (
                fn.__name__ == self.fail_name and i == self.nth) else out


def test_a_shard_the_engine_gave_up_on_is_reported_and_a_rerun_stores_it(
        tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 40, bad=False)
    with open_store(tmp_path / "s.db") as store:
        report = run_batch([str(corpus)], store, FlakyEngine("finish_shard", 1),
                           shard_size=10, now=NOW, cluster=False)
        lost = [s for s, r in report.ingest.failed]
        assert len(lost) == 10 and report.ingest.internal_errors == 10
        assert all("run batch again" in r for _, r in report.ingest.failed)
        assert store.count_articles() == 40 - 10
        again = run_batch([str(corpus)], store, LocalEngine(), shard_size=10, now=NOW,
                          cluster=False)
        assert len(again.ingest.ingested) == 10 and again.ingest.ok
        assert store.count_articles() == 40


def test_a_prepare_task_given_up_names_its_line_range(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 30, bad=False)
    with open_store(tmp_path / "s.db") as store:
        report = run_batch([str(corpus)], store, FlakyEngine("prepare_shard", 0),
                           shard_size=10, now=NOW, cluster=False)
    assert [s for s, _ in report.ingest.failed] == [f"{corpus}:1-10"]
    assert len(report.ingest.ingested) == 30 - 9  # lines 1-10: 9 articles and a repeat


def test_a_representation_chunk_given_up_is_computed_by_the_driver(tmp_path: Path) -> None:
    """The vectors must be weighted in stream order, so a lost chunk is redone in place:
    the events are still the ones plain ingest + cluster gives."""
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 300, bad=False)  # two chunks of 256
    with open_store(tmp_path / "a.db") as ref, open_store(tmp_path / "b.db") as got:
        ingest([str(corpus)], ref, now=NOW)
        from storylens.link.service import cluster_store

        cluster_store(ref)
        report = run_batch([str(corpus)], got, FlakyEngine("prepare_reps", 0),
                           shard_size=100, now=NOW)
        assert report.represented == got.count_articles()
        assert dump_events(got) == dump_events(ref)
        assert dump_articles(got) == dump_articles(ref)


def _prepared(text: str) -> Any:
    return prepare_article(RawDoc(source="t", content=text, fmt="text",
                                  url="https://a.example/x", lang="en"))


def test_only_short_lines_seen_twice_decide_a_reclean() -> None:
    long_line = " ".join(["word"] * 45) + "."
    p = _prepared(f"Share this story\n{long_line}\nA story line about the council.")
    short = short_keys(p)
    assert line_key("Share this story") in short and line_key(long_line) not in short
    k_short, k_long = line_key("Share this story"), line_key(long_line)
    # a long repeated paragraph's count never matters; a short line's does from 2 on
    assert decisive({k_long: 9, k_short: 1}, short) == decisive({k_long: 2}, short) == {}
    assert decisive({k_short: 2}, short) != decisive({k_short: 3}, short)


def test_gzipped_jsonl_and_small_files_are_whole_file_shards(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"text": "One story."}\n{"text": "Two stories."}\n')
    for i in range(5):
        (tmp_path / f"t{i}.txt").write_text(f"Story {i} text.\n", encoding="utf-8")
    plan = plan_shards([str(tmp_path)], shard_size=2)
    assert [len(s.paths) for s in plan.shards] == [2, 2, 2]
    assert plan.shards[0].paths[0].endswith("a.jsonl.gz") and plan.articles_hint == 6
    assert Counter(s.jsonl for s in plan.shards) == Counter({None: 3})
