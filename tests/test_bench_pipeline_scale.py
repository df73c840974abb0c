"""benchmarks/pipeline_scale.py's resume helpers: a kept store an earlier (killed) run left
unfinished is continued with only the articles it lacks, and the runs' results add up."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from storylens.api import ingest
from storylens.link.service import cluster_store
from storylens.store import open_store
from tests.conftest import ROOT


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pipeline_scale", ROOT / "benchmarks" / "pipeline_scale.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["pipeline_scale"] = mod
    spec.loader.exec_module(mod)
    return mod


def _line(i: int) -> str:
    return json.dumps({"id": f"g{i}", "title": f"Flood closes the bridge in town {i}",
                       "text": f"The river rose {i} metres overnight and the bridge was "
                               "closed to traffic while engineers inspected it.",
                       "lang": "en", "url": f"https://outlet{i}.example/{i}",
                       "published": f"2024-01-0{i + 1}T08:00:00+00:00"}) + "\n"


def test_resume_corpus_keeps_only_what_the_store_lacks(tmp_path: Path) -> None:
    bench = _bench()
    first = tmp_path / "first.jsonl"
    first.write_text(_line(0) + _line(1), encoding="utf-8")
    db = tmp_path / "s3.db"
    with open_store(db) as store:  # the killed run: two stored, none clustered
        assert len(ingest([str(first)], store).ingested) == 2
    corpus = tmp_path / "c3.jsonl"
    corpus.write_text(_line(0) + _line(1) + _line(2), encoding="utf-8")
    assert bench._resume_corpus(corpus, db) == (2, 0)
    assert corpus.read_text(encoding="utf-8") == _line(2)
    with open_store(db) as store:
        cluster_store(store)
    corpus.write_text(_line(0) + _line(1) + _line(2), encoding="utf-8")
    assert bench._resume_corpus(corpus, db) == (2, 2), "both clustered now"


def test_runs_total_sums_the_runs() -> None:
    bench = _bench()
    run = {"ingest_s": 10.0, "cluster_s": 5.0, "events": 3, "storylines": 2,
           "duplicates": 0, "peak_rss_mb": 300, "articles": 7,
           "cluster_split_s": {"represent": 1.0, "link": 2.0, "store": 1.5, "restore": None},
           "ingest_chunk_ms": [4.0], "cluster_chunk_ms": [], "ingest_chunk_cpu_ms": [3.5],
           "cluster_chunk_cpu_ms": []}
    later = {**run, "ingest_s": 0.0, "cluster_s": 20.0, "events": 4, "peak_rss_mb": 500,
             "cluster_split_s": {"represent": 3.0, "link": 4.0, "store": 2.0,
                                 "restore": 0.5},
             "ingest_chunk_ms": [], "cluster_chunk_ms": [12.0, 13.0],
             "cluster_chunk_cpu_ms": [11.0, 12.5], "ingest_chunk_cpu_ms": []}
    total = bench._runs_total([run, later])
    assert (total["ingest_s"], total["cluster_s"], total["events"]) == (10.0, 25.0, 7)
    assert total["cluster_split_s"] == {"represent": 4.0, "link": 6.0, "store": 3.5,
                                        "restore": 0.5}
    assert total["ingest_chunk_ms"] == [4.0]
    assert total["cluster_chunk_cpu_ms"] == [11.0, 12.5]
    assert (total["peak_rss_mb"], total["runs"]) == (500, 2)
