"""``storylens ingest``: files, directories and stdin into the store."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from storylens import api
from storylens.cli.cluster_cmd import EmbedderOption, run_cluster
from storylens.cli.common import (
    DbOption,
    JsonOption,
    err_console,
    exit_code,
    out_console,
    print_failures,
    print_json,
    store_for,
)
from storylens.errors import StorylensError
from storylens.ingest.files import InputFormat, expand_paths
from storylens.ingest.warc import is_warc_path
from storylens.settings import Settings


def ingest(
    paths: Annotated[list[str], typer.Argument(
        help="Files or directories (recursed) of .txt, .html, .jsonl (optionally .gz) "
             "or .warc[.gz] archives; '-' reads stdin.", show_default=False)],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="Force the input format: auto, text, html or jsonl.")] = "auto",
    max_bytes: Annotated[int | None, typer.Option(
        "--max-bytes", min=1, help="Largest file or JSONL line accepted (default 20 MB).")
    ] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar (default: on a terminal).")
    ] = sys.stderr.isatty(),
    no_cluster: Annotated[bool, typer.Option(
        "--no-cluster", help="Only store; don't cluster the new articles into stories.")
    ] = False,
    embedder: EmbedderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read articles and store them, cleaned and with language, date and outlet, then
    cluster every stored article not clustered yet (an interrupted run's included).

    Re-ingesting an article already stored does nothing. Bad inputs are reported one line
    each and skipped. Exit codes: 0 all stored, 1 some inputs refused (the others are
    stored), 2 usage or store error, 3 an internal error (a bug; the line says where).
    """
    if fmt not in ("auto", "text", "html", "jsonl"):
        raise typer.BadParameter(f"{fmt!r}: choose auto, text, html or jsonl",
                                 param_hint="--format")
    settings = Settings.load(db=db, max_bytes=max_bytes)
    fmt_t: InputFormat = fmt  # type: ignore[assignment]
    with store_for(settings.db) as store:
        if progress and not as_json:
            total = _count_items(paths)
            bar = Progress(SpinnerColumn(), TextColumn("ingest"), BarColumn(),
                           MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                           console=err_console, transient=True)
            with bar:
                task = bar.add_task("ingest", total=total, last="")

                def tick(source: str, outcome: str) -> None:
                    bar.update(task, advance=1, last=f"{outcome}: {source[-50:]}")

                report = api.ingest(paths, store, fmt=fmt_t, max_bytes=settings.max_bytes,
                                    batch_size=settings.batch_size, progress=tick)
        else:
            report = api.ingest(paths, store, fmt=fmt_t, max_bytes=settings.max_bytes,
                                batch_size=settings.batch_size)
        cluster_report, cluster_error = None, None
        if not no_cluster:  # also what an earlier, interrupted run stored but never clustered
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
            f"ingested {len(report.ingested)}, duplicates skipped {len(report.duplicates)}, "
            f"failed {len(report.failed)}"
            + (f" (warnings: {report.warnings}; see `storylens show ID`)" if report.warnings
               else "")
            + (f"; archive records skipped {sum(report.skipped.values())} ("
               + ", ".join(f"{k} {v}" for k, v in report.skipped.items()) + ")"
               if report.skipped else "")
            + (f"; clustered into {cluster_report.new_events} new events"
               if cluster_report and cluster_report.clustered else "")
            + (f" ({cluster_report.clustered - len(report.ingested)} of them left unclustered "
               "by an earlier run)" if cluster_report and
               cluster_report.clustered > len(report.ingested) else "")
        )
    raise typer.Exit(exit_code(report.internal_errors, report.ok))


def _count_items(paths: list[str]) -> int | None:
    """How many articles the inputs hold (JSONL lines counted), for the progress bar;
    ``None`` when reading stdin, where it cannot be known in advance."""
    total = 0
    for p in expand_paths(paths):
        if p == "-" or (isinstance(p, str) and is_warc_path(p)):
            return None  # stdin, or an archive whose records are only known once read
        if not isinstance(p, str):
            total += 1
        elif p.lower().endswith((".jsonl", ".ndjson")):
            try:
                with open(p, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total
