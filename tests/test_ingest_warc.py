"""WARC archives (storylens.ingest.warc): HTML responses become articles with their target
URL and WARC-Date; requests, revisits, non-HTML and non-200 responses are skipped and
counted; a truncated archive keeps the pages before the cut and names the file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from storylens import api
from storylens.errors import InputError
from storylens.ingest.files import read_inputs
from storylens.ingest.warc import is_warc_path, read_warc
from storylens.records import RawDoc
from storylens.store import open_store
from tests.warc_helpers import page, write_warc

BUDGET = page("Budget vote in Lyon", "The city council of Lyon voted the budget on Monday "
              "after a long debate about public transport and schools.")
FLOOD = page("Floods in Porto", "Heavy rain flooded the lower town of Porto, and the "
             "river rose to its highest level in twenty years, firefighters said.")


def _mixed(path: Path, *, gzip: bool = True) -> Path:
    return write_warc(path, [
        {"kind": "warcinfo"},
        {"kind": "request", "url": "https://news.example/budget"},
        {"url": "https://news.example/budget", "body": BUDGET, "date": "2024-03-05T10:00:00Z"},
        {"url": "https://news.example/logo.png", "body": b"\x89PNG\r\n", "ctype": "image/png"},
        {"url": "https://news.example/gone", "body": BUDGET, "status": 404},
        {"kind": "revisit", "url": "https://news.example/budget"},
        {"url": "https://other.example/floods", "body": FLOOD.decode().encode("cp1252"),
         "ctype": "text/html; charset=windows-1252", "date": "2024-03-06T08:30:00Z"},
    ], gzip=gzip)


def test_is_warc_path() -> None:
    assert is_warc_path("a/B.WARC.gz") and is_warc_path("x.warc")
    assert not is_warc_path("x.warc.json") and not is_warc_path("x.html")


@pytest.mark.parametrize("gzip", [True, False])
def test_html_responses_become_pages_and_the_rest_is_counted(tmp_path: Path,
                                                             gzip: bool) -> None:
    path = _mixed(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip=gzip)
    skipped: Counter[str] = Counter()
    items = list(read_warc(str(path), skipped=skipped))
    docs = [i for i in items if isinstance(i, RawDoc)]
    assert [i for i in items if isinstance(i, InputError)] == []
    assert [(d.url, d.fetched, d.fmt) for d in docs] == [
        ("https://news.example/budget", "2024-03-05T10:00:00Z", "html"),
        ("https://other.example/floods", "2024-03-06T08:30:00Z", "html")]
    assert docs[0].source.startswith(str(path) + "@")
    assert "Lyon" in docs[0].content and "firefighters" in docs[1].content
    assert skipped == Counter({"warcinfo": 1, "request": 1, "revisit": 1, "non-html": 1,
                               "status 404": 1})


def _offsets(path: Path) -> list[int]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        return [it.get_record_offset() for _ in it]


@pytest.mark.parametrize("where", ["header", "body"])
def test_a_truncated_archive_keeps_the_pages_before_the_cut(tmp_path: Path,
                                                            where: str) -> None:
    full_path = _mixed(tmp_path / "full.warc.gz")
    full, offsets = full_path.read_bytes(), _offsets(full_path)
    cut = tmp_path / "cut.warc.gz"
    # a cut 30 bytes into the 5th record's gzip member, or in the middle of the last page
    end = offsets[4] + 30 if where == "header" else (offsets[-1] + len(full)) // 2
    cut.write_bytes(full[:end])
    items = list(read_warc(str(cut)))
    docs = [i for i in items if isinstance(i, RawDoc)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [d.url for d in docs] == ["https://news.example/budget"]
    assert len(errors) == 1 and errors[0].source == str(cut)
    assert "truncated or corrupt WARC" in errors[0].reason


def test_garbage_named_warc_is_one_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.warc"
    bad.write_bytes(b"this is not a warc file at all\n" * 10)
    items = list(read_warc(str(bad)))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert items[0].source == str(bad)


def test_oversized_record_is_refused_by_name(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "big.warc.gz", [
        {"url": "https://news.example/huge", "body": b"<html><body>" + b"x" * 5000},
        {"url": "https://news.example/budget", "body": BUDGET}])
    items = list(read_warc(str(path), max_bytes=2000))
    assert isinstance(items[0], InputError) and "https://news.example/huge" in items[0].source
    assert isinstance(items[1], RawDoc)


def test_read_inputs_finds_archives_in_folders(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    _mixed(tmp_path / "d" / "one.warc.gz")
    (tmp_path / "d" / "note.txt").write_text("A short note about the council vote.\n")
    skipped: Counter[str] = Counter()
    docs = [i for i in read_inputs([str(tmp_path / "d")], skipped=skipped)
            if isinstance(i, RawDoc)]
    assert len(docs) == 3 and skipped["request"] == 1


def test_ingest_stores_articles_with_url_and_capture_date(tmp_path: Path) -> None:
    path = _mixed(tmp_path / "crawl.warc.gz")
    with open_store(tmp_path / "s.db") as store:
        report = api.ingest([str(path)], store)
        assert len(report.ingested) == 2 and report.failed == []
        assert report.skipped == {"non-html": 1, "request": 1, "revisit": 1,
                                  "status 404": 1, "warcinfo": 1}
        arts = {a.url: a for a in store.get_articles(report.ingested)}
        flood = arts["https://other.example/floods"]
        assert "Porto" in flood.title
        assert flood.published is not None and flood.published_source in ("fetched", "text")
        again = api.ingest([str(path)], store)
        assert again.ingested == [] and len(again.duplicates) == 2


def test_cli_ingest_warc_reports_skipped_records(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = _mixed(tmp_path / "crawl.warc.gz")
    proc = run_cli("ingest", str(path), "--no-cluster", check_rc=0)
    assert "ingested 2" in proc.stdout and "archive records skipped 5" in proc.stdout
