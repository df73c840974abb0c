"""``storylens batch``: an archive backfill with the per-article work on an engine."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from storylens.cli.common import (
    ON_TERMINAL,
    DbOption,
    EmbedderOption,
    FormatOption,
    JsonOption,
    MaxBytesOption,
    NoClusterOption,
    ProgressOption,
    err_console,
    fail,
    finish,
    input_format,
    store_for,
)
from storylens.errors import StorylensError
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
    fmt: FormatOption = "auto",
    max_bytes: MaxBytesOption = None,
    no_cluster: NoClusterOption = False,
    embedder: EmbedderOption = None,
    progress: ProgressOption = ON_TERMINAL,
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

    fmt_t = input_format(fmt)
    settings = Settings.load(db=db, max_bytes=max_bytes)
    with store_for(settings.db) as store:
        try:
            eng = open_engine(engine, address=address, workers=workers,
                              connect_timeout=connect_timeout)
        except StorylensError as e:
            fail(str(e))
        try:
            with _Bar(show=progress and not as_json) as bar:
                report = run_batch(paths, store, eng, shard_size=shard_size, fmt=fmt_t,
                                   max_bytes=settings.max_bytes, cluster=not no_cluster,
                                   embedder=embedder, progress=bar.update if bar else None)
        finally:
            eng.close()
    ing = report.ingest
    finish(ing, f"ingested {len(ing.ingested)}, duplicates skipped {len(ing.duplicates)}, "
           f"failed {len(ing.failed)} ({report.shards} shards on {report.engine}"
           + (f", {report.workers} workers" if report.workers else "") + ")"
           + (f"; clustered {report.cluster.clustered} into {report.cluster.new_events} "
              "new events" if report.cluster and report.cluster.clustered else ""),
           as_json=as_json, payload=report.to_dict())


class _Bar:
    """One rich progress bar per phase (ingest, represent, link), on stderr; entered as
    ``None`` when not ``show``n (scripts, --json), so nothing is drawn."""

    def __init__(self, show: bool) -> None:
        self._show = show
        self._p = Progress(TextColumn("{task.description:<9}"), BarColumn(),
                           MofNCompleteColumn(), console=err_console, transient=True)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bar | None:
        if not self._show:
            return None
        self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._show:
            self._p.__exit__(None, None, None)

    def update(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self._tasks:
            self._tasks[phase] = self._p.add_task(escape(phase), total=total)
        self._p.update(self._tasks[phase], completed=done, total=total)
