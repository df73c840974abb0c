"""``storylens fetch``: pages from the web into the store, safely and politely."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from storylens import api
from storylens.api.ingestion import IngestReport
from storylens.cli.cluster_cmd import EmbedderOption, run_cluster
from storylens.cli.common import (
    DbOption,
    JsonOption,
    err_console,
    exit_code,
    fail,
    out_console,
    print_failures,
    print_json,
    store_for,
)
from storylens.errors import StorylensError
from storylens.fetch.client import Fetcher, Limits
from storylens.fetch.safety import AllowList
from storylens.settings import Settings

AllowHostOption = Annotated[list[str] | None, typer.Option(
    "--allow-host", help="A host or CIDR to reach although it is loopback, private or "
                         "otherwise not public (repeatable; adds to STORYLENS_ALLOW_HOSTS).")]
DelayOption = Annotated[float, typer.Option(
    "--delay", min=0.0, help="Seconds between two requests to one host (raised to the "
                             "site's robots.txt Crawl-delay).")]
ON_TERMINAL = sys.stderr.isatty()
ProgressOption = Annotated[bool, typer.Option(
    "--progress/--no-progress", help="Show progress (default: on a terminal).")]


def make_fetcher(settings: Settings, allow_host: list[str] | None, delay: float) -> Fetcher:
    """The fetcher the options ask for; a malformed allowed host is a usage error."""
    try:
        allow = AllowList.parse([settings.allow_hosts or "", *(allow_host or [])])
    except StorylensError as e:
        fail(str(e))
    return Fetcher(allow, Limits(max_bytes=min(settings.max_bytes, 10_000_000), delay=delay))


def fetch(
    urls: Annotated[list[str], typer.Argument(help="Article page URLs (http or https).",
                                              show_default=False)],
    db: DbOption = None,
    allow_host: AllowHostOption = None,
    delay: DelayOption = 1.0,
    progress: ProgressOption = ON_TERMINAL,
    no_cluster: Annotated[bool, typer.Option(
        "--no-cluster", help="Only store; don't cluster the new articles into stories.")
    ] = False,
    embedder: EmbedderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch article pages and store them like `ingest` does, then cluster.

    A URL already stored (after normalisation) is not fetched again. Only http and
    https; hosts that resolve to loopback, private, link-local, multicast or reserved
    addresses are refused unless allowed (--allow-host, STORYLENS_ALLOW_HOSTS);
    robots.txt is honoured. Exit codes: 0 all stored, 1 some URLs refused (one line
    each), 2 usage or store error, 3 an internal error.
    """
    settings = Settings.load(db=db)
    with store_for(settings.db) as store, make_fetcher(settings, allow_host, delay) as fetcher:
        if progress and not as_json:
            bar = Progress(SpinnerColumn(), TextColumn("fetch"), BarColumn(),
                           MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                           console=err_console, transient=True)
            with bar:
                task = bar.add_task("fetch", total=len(urls), last="")

                def tick(source: str, outcome: str) -> None:
                    bar.update(task, advance=1, last=f"{outcome}: {source[-60:]}")

                report = api.fetch(urls, store, fetcher, batch_size=settings.batch_size,
                                   progress=tick)
        else:
            report = api.fetch(urls, store, fetcher, batch_size=settings.batch_size)
        cluster_report, cluster_error = None, None
        if not no_cluster and report.ingested:
            try:
                cluster_report = run_cluster(store, embedder=embedder,
                                             progress=progress and not as_json)
            except StorylensError as e:
                cluster_error = str(e)
    if as_json:
        print_json({**report.to_dict(),
                    "cluster": cluster_report.to_dict() if cluster_report else None,
                    **({"cluster_error": cluster_error} if cluster_error else {})})
    else:
        if cluster_error:
            err_console.print(f"[yellow]clustering skipped:[/] {escape(cluster_error)}",
                              markup=True)
        print_failures(report.failed)
        out_console.print(
            f"fetched and stored {len(report.ingested)}, already stored "
            f"{report.skipped.get('already stored', 0)}, duplicates {len(report.duplicates)}, "
            f"failed {len(report.failed)}" + recently(report)
            + (f"; clustered into {cluster_report.new_events} new events"
               if cluster_report and cluster_report.clustered else ""))
    raise typer.Exit(exit_code(report.internal_errors, report.ok))


def recently(report: IngestReport) -> str:
    """The note on URLs left alone because they failed recently (the fetch log)."""
    n = report.skipped.get("failed recently", 0)
    return f", not retried yet {n} (failed recently)" if n else ""

