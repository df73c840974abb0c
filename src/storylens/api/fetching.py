"""Fetch: pages from the web into the store, each one checked, fetched once, ingested.

The same batch policy as ``ingest``: one line per URL refused, the others go on; a URL
already stored (after normalisation) is not fetched again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from storylens.api.ingestion import IngestReport, Progress, ingest_raw
from storylens.fetch.client import Fetcher
from storylens.fetch.pages import PageRef, fetch_pages
from storylens.store.base import Store


def fetch(urls: Iterable[str | PageRef], store: Store, fetcher: Fetcher, *,
          batch_size: int = 200, progress: Progress | None = None,
          now: datetime | None = None) -> IngestReport:
    """Fetch and ingest ``urls``; ``report.skipped`` counts URLs not fetched because
    they were stored already (or given twice)."""
    skipped: Counter[str] = Counter()
    report = ingest_raw(fetch_pages(urls, fetcher, store.known_urls, skipped), store,
                        batch_size=batch_size, progress=progress, now=now)
    report.skipped = dict(sorted(skipped.items()))
    return report
