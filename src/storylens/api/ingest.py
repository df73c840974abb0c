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

from storylens.errors import InputError
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

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingested": len(self.ingested),
            "duplicates": len(self.duplicates),
            "failed": [{"input": s, "reason": r} for s, r in self.failed],
            "warnings": self.warnings,
            "ids": self.ingested,
        }


Progress = Callable[[str, str], None]
"""Called once per input with (source, outcome) where outcome is ingested/duplicate/failed."""


def ingest(
    paths: Iterable[str], store: Store, *, fmt: InputFormat = "auto",
    max_bytes: int = 20_000_000, batch_size: int = 200, progress: Progress | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest files, directories (recursive) and ``-`` (stdin) into ``store``."""
    return ingest_raw(read_inputs(paths, fmt=fmt, max_bytes=max_bytes), store,
                      batch_size=batch_size, progress=progress, now=now)


def ingest_raw(
    items: Iterable[RawDoc | InputError], store: Store, *, batch_size: int = 200,
    progress: Progress | None = None, now: datetime | None = None,
) -> IngestReport:
    """Ingest already-read inputs (files, HTTP bodies, feeds): extract, dedupe, store."""
    report = IngestReport()
    batch: list[Article] = []
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
        if batch:
            store.add_articles(batch)
            store.add_outlet_lines(pending_lines)
            batch.clear()
            pending_lines.clear()

    for item in _with_ids(items):
        if isinstance(item, InputError):
            report.failed.append((item.source, item.reason))
            note(item.source, "failed")
            continue
        raw, aid = item
        if aid in seen or store.existing_ids([aid]):
            report.duplicates.append(aid)
            note(raw.source, "duplicate")
            continue
        try:
            art = extract_article(raw, now=now or datetime.now(UTC), site_lines=site_lines)
        except InputError as e:
            report.failed.append((e.source, e.reason))
            note(raw.source, "failed")
            continue
        except Exception as e:  # a bug must not sink the batch; report it on its input
            report.failed.append((raw.source, f"unexpected {type(e).__name__}: {e}"[:300]))
            note(raw.source, "failed")
            continue
        seen.add(aid)
        batch.append(art)
        if art.outlet:
            for k in set(raw_line_keys(art.raw if art.raw_format == "text" else art.text)):
                pending_lines[(art.outlet, k)] += 1
        report.ingested.append(aid)
        report.warnings += len(art.warnings)
        note(raw.source, "ingested")
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def _with_ids(items: Iterable[RawDoc | InputError]) -> Iterator[tuple[RawDoc, str] | InputError]:
    for it in items:
        yield it if isinstance(it, InputError) else (it, article_id(it))
