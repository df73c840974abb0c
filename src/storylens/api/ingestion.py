"""Ingest: inputs in, articles stored, one line per refused input.

Batch policy: each input either becomes an article, is skipped as already stored, or is
reported as failed with a one-line reason; one bad input never stops the batch, and
articles are written in per-batch transactions so a crash loses at most the batch in
flight, never half an article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from storylens.errors import InputError, StoreError
from storylens.extract.pipeline import extract_article, raw_line_keys
from storylens.ingest.files import InputFormat, read_inputs
from storylens.records import Article, RawDoc, article_id
from storylens.store.base import Store


@dataclass(slots=True)
class IngestReport:
    """What an ingest did, input by input."""

    ingested: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    """Archive records that are not articles, by kind (WARC request, revisit, non-html...)."""
    internal_errors: int = 0
    """Failures that were storylens bugs, not bad input (exit code 3 in the CLI)."""

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingested": len(self.ingested),
            "duplicates": len(self.duplicates),
            "failed": [{"input": s, "reason": r} for s, r in self.failed],
            "warnings": self.warnings,
            "skipped": dict(self.skipped),
            "internal_errors": self.internal_errors,
            "ids": self.ingested,
        }


Progress = Callable[[str, str], None]
"""Called once per input with (source, outcome) where outcome is ingested/duplicate/failed."""


def ingest(
    paths: Iterable[str], store: Store, *, fmt: InputFormat = "auto",
    max_bytes: int = 20_000_000, batch_size: int = 200, progress: Progress | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest files, directories (recursive), WARC archives and ``-`` (stdin) into
    ``store``."""
    skipped: Counter[str] = Counter()
    report = ingest_raw(read_inputs(paths, fmt=fmt, max_bytes=max_bytes, skipped=skipped),
                        store, batch_size=batch_size, progress=progress, now=now)
    report.skipped = dict(sorted(skipped.items()))
    return report


def ingest_raw(
    items: Iterable[RawDoc | InputError], store: Store, *, batch_size: int = 200,
    progress: Progress | None = None, now: datetime | None = None,
) -> IngestReport:
    """Ingest already-read inputs (files, HTTP bodies, feeds): extract, dedupe, store."""
    report = IngestReport()
    batch: list[tuple[Article, set[str]]] = []
    pending_lines: Counter[tuple[str, str]] = Counter()
    seen: set[str] = set()

    def note(source: str, outcome: str) -> None:
        if progress:
            progress(source, outcome)

    def site_lines(outlet: str, keys: list[str]) -> Mapping[str, int]:
        counts = store.outlet_line_counts(outlet, keys)
        for k in keys:
            extra = pending_lines.get((outlet, k), 0)
            if extra:
                counts[k] = counts.get(k, 0) + extra
        return counts

    def flush() -> None:
        store_batch(store, batch, report)
        batch.clear()
        pending_lines.clear()

    for item in _guarded(items, report, note):
        try:
            aid = article_id(item)
            if aid in seen or store.existing_ids([aid]):
                report.duplicates.append(aid)
                note(item.source, "duplicate")
                continue
            art = extract_article(item, now=now or datetime.now(UTC), site_lines=site_lines)
            keys = stored_line_keys(art)
        except InputError as e:
            report.failed.append((e.source, e.reason))
            note(item.source, "failed")
            continue
        except StoreError:
            raise  # the store, not the input: stop, keeping what was written
        except Exception as e:  # a bug must not sink the batch: report it on its input
            report.failed.append((item.source, _internal(e)))
            report.internal_errors += 1
            note(item.source, "failed")
            continue
        seen.add(aid)
        batch.append((art, keys))
        for k in keys:
            pending_lines[(art.outlet or "", k)] += 1
        report.ingested.append(aid)
        report.warnings += len(art.warnings)
        note(item.source, "ingested")
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def store_batch(store: Store, batch: list[tuple[Article, set[str]]],
                report: IngestReport) -> None:
    """Write ``batch`` (each article with the line keys it adds to its outlet's counts),
    whose ids ``report.ingested`` already lists, in one transaction; an article another
    writer stored meanwhile moves to the duplicates, one the store refuses to the failures
    (the others are then written one by one). Shared by ``ingest`` and ``batch``, so both
    write exactly the same rows."""
    if not batch:
        return
    try:
        with store.transaction():  # check and write under one lock: exact counts even
            already = store.existing_ids([a.id for a, _ in batch])  # with two writers
            fresh = [(a, keys) for a, keys in batch if a.id not in already]
            store.add_articles([a for a, _ in fresh])
            store.add_outlet_lines(Counter((a.outlet or "", k) for a, keys in fresh
                                           for k in keys))
    except StoreError:
        raise
    except Exception:  # one article the store refuses: write the others one by one
        already = set()
        for art, _ in batch:
            try:
                store.add_articles([art])
            except StoreError:
                raise
            except Exception as e:
                report.ingested.remove(art.id)
                report.failed.append((art.source, _internal(e)))
                report.internal_errors += 1
    for art, _ in batch:
        if art.id in already:  # another writer stored it since we looked
            report.ingested.remove(art.id)
            report.duplicates.append(art.id)


def stored_line_keys(art: Article) -> set[str]:
    """The line keys an article adds to its outlet's repeated-line counts once stored."""
    if not art.outlet:
        return set()
    return set(raw_line_keys(art.raw if art.raw_format == "text" else art.text))


def _guarded(items: Iterable[RawDoc | InputError], report: IngestReport,
             note: Callable[[str, str], None]) -> Iterator[RawDoc]:
    """The readable inputs of ``items``; failed ones are reported. Reading itself is
    guarded too: an unexpected error while reading one input is that input's failure,
    and reading goes on with the next item the reader can give."""
    it = iter(items)
    while True:
        try:
            item = next(it)
        except StopIteration:
            return
        except StoreError:
            raise
        except Exception as e:  # a reader bug: report it, then stop reading this source
            report.failed.append(("<input>", _internal(e)))
            report.internal_errors += 1
            note("<input>", "failed")
            return
        if isinstance(item, InputError):
            report.failed.append((item.source, item.reason))
            note(item.source, "failed")
            continue
        yield item


def _internal(e: BaseException) -> str:
    """The one-line reason of an unexpected error (a storylens bug worth reporting)."""
    return f"internal error {type(e).__name__}: {str(e)[:200]} (a bug; please report it)"
