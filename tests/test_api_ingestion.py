"""``api.ingest_raw``'s report, input by input: ingested, duplicate (in the store or
earlier in the same batch), failed with the reader's reason, internal errors reported on
their input without sinking the batch, progress callbacks, batching and ``to_dict``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from storylens.api import ingestion
from storylens.api.ingestion import IngestReport, ingest, ingest_raw
from storylens.errors import InputError, StoreError
from storylens.records import RawDoc, article_id
from storylens.store import ArticleQuery, open_store
from tests.conftest import JFORUM

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def doc(i: int, **kw: object) -> RawDoc:
    text = (f"Article number {i} reports that the council met on Tuesday. "
            "Members debated the budget for hours and voted late at night.")
    base: dict[str, object] = dict(source=f"in.jsonl:{i}", content=text, fmt="text",
                                   title=f"Council meets {i}", lang="en",
                                   url=f"https://news{i % 2}.example/a{i}")
    base.update(kw)
    return RawDoc(**base)  # type: ignore[arg-type]


@pytest.fixture
def store() -> Iterator[object]:
    s = open_store(":memory:")
    yield s
    s.close()


def test_report_counts_every_outcome(store) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    items = [doc(1), doc(2), doc(1), InputError("bad.bin", "binary file; skipped"), doc(3)]
    rep = ingest_raw(items, store, now=NOW, progress=lambda s, o: seen.append((s, o)))
    assert rep.ingested == [article_id(doc(i)) for i in (1, 2, 3)]
    assert rep.duplicates == [article_id(doc(1))], "a repeat within the batch"
    assert rep.failed == [("bad.bin", "binary file; skipped")]
    assert not rep.ok and rep.internal_errors == 0
    assert seen == [("in.jsonl:1", "ingested"), ("in.jsonl:2", "ingested"),
                    ("in.jsonl:1", "duplicate"), ("bad.bin", "failed"),
                    ("in.jsonl:3", "ingested")]
    assert store.count_articles() == 3
    again = ingest_raw([doc(2), doc(4)], store, now=NOW)
    assert again.duplicates == [article_id(doc(2))] and again.ok
    assert len(again.ingested) == 1


def test_to_dict(store) -> None:  # type: ignore[no-untyped-def]
    rep = ingest_raw([doc(1), doc(1), InputError("x", "why")], store, now=NOW)
    assert rep.to_dict() == {"ingested": 1, "duplicates": 1,
                             "failed": [{"input": "x", "reason": "why"}],
                             "warnings": rep.warnings, "skipped": {}, "internal_errors": 0,
                             "ids": [article_id(doc(1))]}
    assert IngestReport().ok and IngestReport().to_dict()["ids"] == []


def test_a_bug_on_one_input_is_that_inputs_internal_error(
        store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    real = ingestion.extract_article

    def flaky(raw: RawDoc, **kw: object):  # type: ignore[no-untyped-def]
        if raw.source.endswith(":2"):
            raise ZeroDivisionError("boom in extract")
        return real(raw, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ingestion, "extract_article", flaky)
    rep = ingest_raw([doc(1), doc(2), doc(3)], store, now=NOW)
    assert len(rep.ingested) == 2 and rep.internal_errors == 1
    (src, reason), = rep.failed
    assert src == "in.jsonl:2"
    assert reason.startswith("internal error ZeroDivisionError: boom in extract")
    assert "please report it" in reason
    assert store.count_articles() == 2


def test_a_reader_bug_stops_that_source_only(store) -> None:  # type: ignore[no-untyped-def]
    def reader() -> Iterator[RawDoc]:
        yield doc(1)
        raise KeyError("reader broke")

    rep = ingest_raw(reader(), store, now=NOW)
    assert len(rep.ingested) == 1 and rep.internal_errors == 1
    assert rep.failed[0][0] == "<input>" and "KeyError" in rep.failed[0][1]
    assert store.count_articles() == 1, "what was read before is kept"


def test_an_input_error_from_extraction_is_a_plain_failure(
        store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(raw: RawDoc, **kw: object) -> None:
        raise InputError(raw.source, "no text left after cleaning; skipped")

    monkeypatch.setattr(ingestion, "extract_article", refuse)
    rep = ingest_raw([doc(1)], store, now=NOW)
    assert rep.failed == [("in.jsonl:1", "no text left after cleaning; skipped")]
    assert rep.internal_errors == 0 and rep.ingested == []


def test_store_errors_propagate(store, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                ) -> None:
    def broken(ids: object) -> set[str]:
        raise StoreError("disk full")

    monkeypatch.setattr(store, "existing_ids", broken)
    with pytest.raises(StoreError, match="disk full"):
        ingest_raw([doc(1)], store, now=NOW)


def test_batches_are_written_as_they_fill(store) -> None:  # type: ignore[no-untyped-def]
    counts: list[int] = []

    def progress(source: str, outcome: str) -> None:
        counts.append(store.count_articles())

    rep = ingest_raw([doc(i) for i in range(5)], store, batch_size=2, now=NOW,
                     progress=progress)
    assert len(rep.ingested) == 5 and store.count_articles() == 5
    # progress for article k runs before its batch flushes: 0, 0, 2, 2, 4
    assert counts == [0, 0, 2, 2, 4]


def test_ingested_articles_carry_the_input_metadata(store) -> None:  # type: ignore[no-untyped-def]
    rep = ingest_raw([doc(7, published="2022-10-24T08:00:00Z", outlet="council.example")],
                     store, now=NOW)
    a = store.get_article(rep.ingested[0])
    assert a.title == "Council meets 7" and a.outlet == "council.example"
    assert a.published == datetime(2022, 10, 24, 8, tzinfo=UTC)
    assert a.published_source == "input" and a.lang == "en" and a.source == "in.jsonl:7"


def test_ingest_files_and_missing_paths(tmp_path, store) -> None:  # type: ignore[no-untyped-def]
    rep = ingest([str(JFORUM), str(tmp_path / "nope.txt")], store, now=NOW)
    assert len(rep.ingested) == 1
    assert len(rep.failed) == 1 and "nope.txt" in rep.failed[0][0]
    assert store.list_articles(ArticleQuery())[0].source.endswith(JFORUM.name)
