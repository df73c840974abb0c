"""Fetch: pages from the web into the store, each one checked, fetched once, ingested.

The same batch policy as ``ingest``: one line per URL refused, the others go on; a URL
already stored (after normalisation) is not fetched again, and one that failed is left
alone for a while (the store's fetch log: minutes after a timeout or a 5xx, a day and
more after a 404 or a page that is no article, doubling with each failure in a row), so
a poll does not hammer the same dead links every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from storylens.api.ingestion import IngestReport, Progress, ingest_raw
from storylens.fetch.client import Fetcher
from storylens.fetch.pages import PageRef, PageTally, fetch_pages
from storylens.store.base import Store


def fetch(urls: Iterable[str | PageRef], store: Store, fetcher: Fetcher, *,
          batch_size: int = 200, progress: Progress | None = None,
          now: datetime | None = None) -> IngestReport:
    """Fetch and ingest ``urls``; ``report.skipped`` counts URLs not fetched because
    they were stored already, given twice or failed recently."""
    report, _ = fetch_and_ingest(urls, store, fetcher, batch_size=batch_size,
                                 progress=progress, now=now)
    return report


def fetch_and_ingest(urls: Iterable[str | PageRef], store: Store, fetcher: Fetcher, *,
                     batch_size: int = 200, progress: Progress | None = None,
                     now: datetime | None = None) -> tuple[IngestReport, PageTally]:
    """``fetch``, also answering what was tried (``poll`` needs the transient
    failures). Every URL tried is logged: a failure (fetching it or making an article
    of it) postpones its next try, a success clears it."""
    when = now or datetime.now(UTC)
    tally = PageTally()
    report = ingest_raw(fetch_pages(urls, fetcher, store, tally, when), store,
                        batch_size=batch_size, progress=progress, now=now)
    report.skipped = dict(sorted(tally.skipped.items()))
    tried = set(tally.attempted)
    failed = {src: reason for src, reason in report.failed if src in tried}
    for url, reason in failed.items():  # (tally.transient holds only this run's tries
        store.record_fetch_failure(url, reason, when,  # among the failed ones)
                                   transient=url in tally.transient)
    fine = [u for u in tally.attempted if u not in failed]
    if fine:
        store.clear_fetch_failures(fine)
    return report, tally
