"""``storylens fetch``: pages from the web into the store, safely and politely."""

from __future__ import annotations

from typing import Annotated

import typer

from storylens import api
from storylens.api.ingestion import IngestReport
from storylens.cli.common import (
    ON_TERMINAL,
    DbOption,
    EmbedderOption,
    JsonOption,
    NoClusterOption,
    ProgressOption,
    cluster_after,
    fail,
    finish,
    item_bar,
    store_for,
)
from storylens.errors import StorylensError
from storylens.fetch.client import Fetcher, Limits
from storylens.fetch.safety import AllowList
from storylens.settings import Settings
from storylens.store.base import Store

AllowHostOption = Annotated[list[str] | None, typer.Option(
    "--allow-host", help="A host or CIDR to reach although it is loopback, private or "
                         "otherwise not public (repeatable; adds to STORYLENS_ALLOW_HOSTS).")]
DelayOption = Annotated[float, typer.Option(
    "--delay", min=0.0, help="Seconds between two requests to one host (raised to the "
                             "site's robots.txt Crawl-delay).")]


def make_fetcher(settings: Settings, allow_host: list[str] | None, delay: float,
                 store: Store) -> Fetcher:
    """The fetcher the options ask for, keeping robots.txt in ``store`` (so the next
    run need not ask each site again that day); a malformed allowed host is a usage
    error."""
    try:
        allow = AllowList.parse([settings.allow_hosts or "", *(allow_host or [])])
    except StorylensError as e:
        fail(str(e))
    return Fetcher(allow, Limits(max_bytes=min(settings.max_bytes, 10_000_000), delay=delay),
                   robots_store=store)


def fetch(
    urls: Annotated[list[str], typer.Argument(help="Article page URLs (http or https).",
                                              show_default=False)],
    db: DbOption = None,
    allow_host: AllowHostOption = None,
    delay: DelayOption = 1.0,
    progress: ProgressOption = ON_TERMINAL,
    no_cluster: NoClusterOption = False,
    embedder: EmbedderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch article pages and store them like `ingest` does, then cluster.

    A URL already stored (after normalisation) is not fetched again. Only http and
    https; hosts that resolve to loopback, private, link-local, multicast or reserved
    addresses are refused unless allowed (--allow-host, STORYLENS_ALLOW_HOSTS);
    robots.txt is honoured (kept in the store for a day). Exit codes: 0 all stored,
    1 some URLs refused (one line each), 2 usage or store error, 3 an internal error.
    """
    settings = Settings.load(db=db)
    show = progress and not as_json
    with store_for(settings.db) as store, \
            make_fetcher(settings, allow_host, delay, store) as fetcher:
        with item_bar("fetch", len(urls), show=show, tail=60) as tick:
            report = api.fetch(urls, store, fetcher, batch_size=settings.batch_size,
                               progress=tick)
        clustered = cluster_after(store, wanted=not no_cluster and bool(report.ingested),
                                  embedder=embedder, progress=show)
    finish(report, f"fetched and stored {len(report.ingested)}, already stored "
           f"{report.skipped.get('already stored', 0)}, duplicates {len(report.duplicates)}, "
           f"failed {len(report.failed)}" + recently(report) + clustered.note(),
           as_json=as_json, clustered=clustered)


def recently(report: IngestReport) -> str:
    """The note on URLs left alone because they failed recently (the fetch log)."""
    n = report.skipped.get("failed recently", 0)
    return f", not retried yet {n} (failed recently)" if n else ""

