"""``storylens batch``: an archive backfill with the per-article work on an engine."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from storylens.cli.cluster_cmd import EmbedderOption
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
from storylens.ingest.files import InputFormat
from storylens.settings import Settings


def batch(
    paths: Annotated[list[str], typer.Argument(
        help="Files or directories (recursed) of .jsonl, .txt, .html or .warc[.gz] "
             "archives. JSONL files are split into line ranges, WARC archives go one "
             "file to a task.", show_default=False)],
    engine: Annotated[str, typer.Option(
        help="Where the per-article work runs: dask (Dask distributed, "
             "pip install 'storylens[batch]') or local (this process).")] = "dask",
    address: Annotated[str | None, typer.Option(
        help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786; without it a local "
             "cluster of --workers processes is started and stopped here.")] = None,
    connect_timeout: Annotated[float, typer.Option(
        "--connect-timeout", min=0.1,
        help="Seconds to wait for the --address scheduler and its first worker.")] = 20.0,
    workers: Annotated[int, typer.Option(
        min=0, help="Worker processes of the local cluster (0: run in this process).")
    ] = 2,
    shard_size: Annotated[int, typer.Option(
        "--shard-size", min=1, help="Articles (JSONL lines, or files) per task.")] = 500,
    db: DbOption = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="Force the input format: auto, text, html or jsonl.")] = "auto",
    max_bytes: Annotated[int | None, typer.Option(
        "--max-bytes", min=1, help="Largest file or JSONL line accepted (default 20 MB).")
    ] = None,
    no_cluster: Annotated[bool, typer.Option(
        "--no-cluster", help="Only store the articles; `storylens cluster` links later.")
    ] = False,
    embedder: EmbedderOption = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show progress (default: on a terminal).")
    ] = sys.stderr.isatty(),
    as_json: JsonOption = False,
) -> None:
    """Backfill an archive: read, extract, clean and represent articles on an engine's
    workers; this process alone writes the store, shard by shard in input order, then
    links every unclustered article in publication order.

    Stores the same articles and events as `storylens ingest` on the same inputs. Safe to
    rerun after an interruption: what is stored is skipped. A worker that dies has its
    shard retried on another. Exit codes: 0 all stored, 1 some inputs refused (one line
    each; the others are stored), 2 usage, engine or store error, 3 an internal error.
    """
    from storylens.batch.driver import run_batch
    from storylens.batch.engine import open_engine

    if fmt not in ("auto", "text", "html", "jsonl"):
        raise typer.BadParameter(f"{fmt!r}: choose auto, text, html or jsonl",
                                 param_hint="--format")
    fmt_t: InputFormat = fmt  # type: ignore[assignment]
    settings = Settings.load(db=db, max_bytes=max_bytes)
    with store_for(settings.db) as store:
        try:
            eng = open_engine(engine, address=address, workers=workers,
                              connect_timeout=connect_timeout)
        except StorylensError as e:
            fail(str(e))
        try:
            if progress and not as_json:
                with _Bar() as bar:
                    report = run_batch(paths, store, eng, shard_size=shard_size, fmt=fmt_t,
                                       max_bytes=settings.max_bytes, cluster=not no_cluster,
                                       embedder=embedder, progress=bar.update)
            else:
                report = run_batch(paths, store, eng, shard_size=shard_size, fmt=fmt_t,
                                   max_bytes=settings.max_bytes, cluster=not no_cluster,
                                   embedder=embedder)
        finally:
            eng.close()
    ing = report.ingest
    if as_json:
        print_json(report.to_dict())
    else:
        print_failures(ing.failed)
        out_console.print(
            f"ingested {len(ing.ingested)}, duplicates skipped {len(ing.duplicates)}, "
            f"failed {len(ing.failed)} ({report.shards} shards on {report.engine}"
            + (f", {report.workers} workers" if report.workers else "") + ")"
            + (f"; clustered {report.cluster.clustered} into {report.cluster.new_events} "
               "new events" if report.cluster and report.cluster.clustered else ""))
    raise typer.Exit(exit_code(ing.internal_errors, ing.ok))


class _Bar:
    """One rich progress bar per phase (ingest, represent, link), on stderr."""

    def __init__(self) -> None:
        self._p = Progress(TextColumn("{task.description:<9}"), BarColumn(),
                           MofNCompleteColumn(), console=err_console, transient=True)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bar:
        self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.__exit__(None, None, None)

    def update(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self._tasks:
            self._tasks[phase] = self._p.add_task(escape(phase), total=total)
        self._p.update(self._tasks[phase], completed=done, total=total)
