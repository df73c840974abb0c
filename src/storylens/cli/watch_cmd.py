"""``storylens watch``: poll the due sources, fetch and ingest what is new, cluster,
sleep, repeat; SIGTERM or Ctrl-C stops it after the source in hand."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from types import FrameType
from typing import Annotated

import typer
from rich.markup import escape

from storylens.api import sources as api_sources
from storylens.cli.common import (
    EXIT_OK,
    ON_TERMINAL,
    DbOption,
    EmbedderOption,
    JsonOption,
    NoClusterOption,
    ProgressOption,
    cluster_after,
    err_console,
    exit_code,
    out_console,
    print_failures,
    print_json,
    store_for,
)
from storylens.cli.fetch_cmd import AllowHostOption, DelayOption, make_fetcher, recently
from storylens.fetch.client import Fetcher
from storylens.records_source import Source
from storylens.settings import Settings
from storylens.store.base import Store


class _Stop:
    """Set by SIGTERM/SIGINT: the batch in hand finishes, then the loop ends."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.asked:  # a second Ctrl-C: stop now (what is stored is kept)
            raise KeyboardInterrupt
        self.asked = True
        err_console.print("stopping after the batch in hand (again to stop now)",
                          markup=False)


def watch(
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Poll the due sources once, then exit."
                                       )] = False,
    interval: Annotated[float | None, typer.Option(
        "--interval", min=0.0, help="Seconds between polls of a source (default: each "
                                    "source's own, set by `sources add --interval`).")
    ] = None,
    allow_host: AllowHostOption = None,
    delay: DelayOption = 1.0,
    progress: ProgressOption = ON_TERMINAL,
    no_cluster: NoClusterOption = False,
    embedder: EmbedderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Poll every due source, fetch the new article URLs it lists, ingest and cluster
    them; without --once, sleep and repeat until SIGTERM or Ctrl-C.

    Exit codes: 0 every source and page fine, 1 something failed (one line each; the
    source's status records it), 2 usage or store error, 3 an internal error.
    """
    settings = Settings.load(db=db)
    stop = _Stop()
    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    worst = EXIT_OK
    try:
        with store_for(settings.db) as store, \
                make_fetcher(settings, allow_host, delay, store) as fetcher:
            while True:
                worst = max(worst, _one_round(store, fetcher, interval, settings, progress,
                                              no_cluster, embedder, as_json, stop))
                if once or stop.asked:
                    break
                _sleep_until_due(store, interval, stop)
                if stop.asked:
                    break
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    raise typer.Exit(worst)


def _one_round(store: Store, fetcher: Fetcher, interval: float | None, settings: Settings,
               progress: bool, no_cluster: bool, embedder: str | None, as_json: bool,
               stop: _Stop) -> int:
    """One poll of the due sources, then clustering; the exit code it deserves."""
    def on_source(source: Source, listed: int) -> None:
        if progress and not as_json:
            err_console.print(f"source {source.id} {source.kind} {source.url}: "
                              f"{listed} listed", markup=False)

    def tick(src: str, outcome: str) -> None:
        if progress and not as_json:
            err_console.print(f"  {outcome}: {src[-90:]}", markup=False)

    report = api_sources.poll(store, fetcher, interval=interval, progress=tick,
                              on_source=on_source, should_stop=lambda: stop.asked,
                              batch_size=settings.batch_size)
    clustered = cluster_after(store, wanted=bool(report.ingest.ingested) and not no_cluster,
                              embedder=embedder, progress=False)
    cluster_note = (f"; clustering skipped: {clustered.error}" if clustered.error else
                    f"; clustered into {clustered.report.new_events} new events"
                    if clustered.report else "")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if as_json:
        print_json({"at": stamp, **report.to_dict()})
    else:
        print_failures(report.ingest.failed)
        out_console.print(
            f"{stamp} polled {len(report.polled)} sources: new articles "
            f"{len(report.ingest.ingested)}, already stored "
            f"{report.ingest.skipped.get('already stored', 0)}, failed "
            f"{len(report.ingest.failed)}{recently(report.ingest)}{escape(cluster_note)}")
    return exit_code(report.ingest.internal_errors, report.ok)


def _sleep_until_due(store: Store, interval: float | None, stop: _Stop) -> None:
    """Sleep (in short steps, so a stop request is seen) until a source is due; at
    least a second, at most an hour (sources added meanwhile are seen then)."""
    now = datetime.now(UTC)
    dues = [api_sources.next_due(s, interval) for s in store.list_sources()]
    wait = min((d - now).total_seconds() for d in dues) if dues else (interval or 60.0)
    end = time.monotonic() + max(1.0, min(wait, 3600.0))
    while not stop.asked and time.monotonic() < end:
        time.sleep(max(0.0, min(0.5, end - time.monotonic())))
