"""The bundled sample corpus goes through the pipeline whole: every article keeps its text."""

from __future__ import annotations

import json

from storylens.api import ingest
from storylens.store import open_store
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "news-sample.jsonl"


def test_sample_corpus_ingests_with_text_kept() -> None:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert 20 <= len(rows) <= 30 and all(r.get("url") for r in rows)
    assert len({r["lang"] for r in rows}) >= 6
    with open_store(":memory:") as store:
        report = ingest([str(SAMPLE)], store)
        assert len(report.ingested) == len(rows) and not report.failed
        by_title = {a.title: a for a in store.get_articles(report.ingested)}
    for r in rows:
        art = by_title[r["title"]]
        assert art.lang == r["lang"]
        assert len(art.text) >= 0.8 * len(r["text"]), (r["title"], len(art.text))
