"""Shared CLI plumbing: the options every command shares (--db, --json, and those of the
commands that store articles: --format, --max-bytes, --progress, --no-cluster, --embedder),
store opening, one-line errors, JSON output, and the "cluster what the batch stored, then
print its summary" ending of ``ingest``, ``fetch``, ``batch`` and ``watch``.

Typer reads options from a command's signature, so the shared ones are ``Annotated``
aliases (one definition each: name, default help, limits) rather than a decorator."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from storylens import api
from storylens.api.ingestion import IngestReport
from storylens.errors import StorylensError
from storylens.ingest.files import InputFormat
from storylens.link.service import ClusterReport
from storylens.settings import Settings
from storylens.store import Store, open_store

err_console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
# Piped output (logs, `| less`) gets a wide fixed width rather than rich's 80 columns,
# which would squeeze the tables' fixed columns to nothing.
out_console = Console(highlight=False, soft_wrap=True, markup=False,
                      width=None if sys.stdout.isatty() else 160)

EXIT_OK = 0
EXIT_SOME_FAILED = 1
"""Some inputs were refused (each named on one line); the others were stored."""
EXIT_ERROR = 2
"""A usage, settings or store error: nothing was done, or what was stored is kept."""
EXIT_INTERNAL = 3
"""A storylens bug (the one-line message says where the details were written)."""
ISSUES_URL = "https://github.com/storylens/storylens/issues"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", envvar="STORYLENS_DB", show_envvar=True,
        help="SQLite store file, or a postgresql://user@host:port/database URL. Default: "
             "storylens.db in the per-user data directory.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
EmbedderOption = Annotated[str | None, typer.Option(
    "--embedder", envvar="STORYLENS_EMBEDDER",
    help="Dense text embedder for linking: static (distilled, fast), use, e5 or hashing. "
         "Default: the one the store was clustered with, else static.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="Force the input format: auto, text, html or jsonl.")]
MaxBytesOption = Annotated[int | None, typer.Option(
    "--max-bytes", min=1, help="Largest file or JSONL line accepted (default 20 MB).")]
NoClusterOption = Annotated[bool, typer.Option(
    "--no-cluster", help="Only store; don't cluster the new articles into stories "
                         "(`storylens cluster` does it later).")]
ProgressOption = Annotated[bool, typer.Option(
    "--progress/--no-progress", help="Show progress (default: on a terminal).")]
ON_TERMINAL = sys.stderr.isatty()
"""The --progress default: on when stderr is a terminal."""


def exit_code(internal_errors: object, ok: bool) -> int:
    """The documented exit code of a batch: 3 when storylens itself failed on an item,
    else 0 when every input went in, else 1."""
    return EXIT_INTERNAL if internal_errors else EXIT_OK if ok else EXIT_SOME_FAILED


def print_failures(failed: Iterable[tuple[str, str]]) -> None:
    """One line per refused input, naming it and the reason."""
    for source, reason in failed:
        err_console.print(f"[red]failed:[/] {escape(source)}: {escape(reason)}", markup=True)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print one error line and exit: never a traceback for expected errors."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    raise typer.Exit(code)


@contextmanager
def store_for(db: str | Path | None) -> Iterator[Store]:
    """Open the store named by --db / STORYLENS_DB / the default, mapping errors to exit 2."""
    try:
        settings = Settings.load(db=db)
        store = open_store(settings.db)
    except StorylensError as e:
        fail(str(e))
    try:
        yield store
    except StorylensError as e:
        fail(str(e))
    finally:
        store.close()


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (UTF-8, not ASCII-escaped)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def input_format(fmt: str) -> InputFormat:
    """The --format value checked: a usage error (exit 2) names the choices."""
    if fmt not in ("auto", "text", "html", "jsonl"):
        raise typer.BadParameter(f"{fmt!r}: choose auto, text, html or jsonl",
                                 param_hint="--format")
    return fmt  # type: ignore[return-value]


@contextmanager
def item_bar(label: str, total: int | None, *, show: bool, tail: int
             ) -> Iterator[Callable[[str, str], None] | None]:
    """A transient progress bar on stderr, one step per input, showing the last input's
    outcome and the last ``tail`` characters of its name; yields the per-input callback
    (``None`` when not ``show``n, so nothing is drawn for scripts)."""
    if not show:
        yield None
        return
    bar = Progress(SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[last]}"), console=err_console, transient=True)
    with bar:
        task = bar.add_task(label, total=total, last="")

        def tick(source: str, outcome: str) -> None:
            bar.update(task, advance=1, last=f"{outcome}: {source[-tail:]}")

        yield tick


def run_cluster(store: Store, *, embedder: str | None, progress: bool) -> ClusterReport:
    """Cluster what is new in ``store``, with a progress bar on a terminal."""
    if not progress:
        return api.cluster(store, embedder=embedder)
    bar = Progress(TextColumn("cluster"), BarColumn(), MofNCompleteColumn(),
                   console=err_console, transient=True)
    with bar:
        task = bar.add_task("cluster", total=None)
        return api.cluster(store, embedder=embedder,
                           progress=lambda d, t: bar.update(task, completed=d, total=t))


@dataclass(frozen=True, slots=True)
class Clustered:
    """How clustering after a batch went: its report, or why it was skipped (the
    articles stay stored and unclustered; the next run clusters them)."""

    report: ClusterReport | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``cluster`` (and ``cluster_error``) keys of a batch's JSON summary."""
        return {"cluster": self.report.to_dict() if self.report else None,
                **({"cluster_error": self.error} if self.error else {})}

    def note(self, ingested: int | None = None) -> str:
        """The summary line's clustering part; with ``ingested``, also how many of the
        clustered articles an earlier, interrupted run left unclustered."""
        c = self.report
        if not (c and c.clustered):
            return ""
        return (f"; clustered into {c.new_events} new events"
                + (f" ({c.clustered - ingested} of them left unclustered by an earlier run)"
                   if ingested is not None and c.clustered > ingested else ""))


def cluster_after(store: Store, *, wanted: bool, embedder: str | None,
                  progress: bool) -> Clustered:
    """Cluster every unclustered article (the batch's, and any an earlier, interrupted
    run stored) when ``wanted``; a failure is reported, not raised: what the batch stored
    is kept."""
    if not wanted:
        return Clustered()
    try:
        return Clustered(run_cluster(store, embedder=embedder, progress=progress))
    except StorylensError as e:
        return Clustered(error=str(e))


def finish(report: IngestReport, summary: str, *, as_json: bool,
           clustered: Clustered | None = None,
           payload: Mapping[str, Any] | None = None) -> NoReturn:
    """End a storing command: its JSON summary (``payload``, else the report and its
    clustering), or one line per refused input then ``summary`` (with the clustering
    note appended by the caller); exit with the documented code."""
    if as_json:
        print_json(dict(payload) if payload is not None else
                   {**report.to_dict(), **(clustered.to_dict() if clustered else {})})
    else:
        if clustered and clustered.error:
            err_console.print(f"[yellow]clustering skipped:[/] {escape(clustered.error)}",
                              markup=True)
        print_failures(report.failed)
        out_console.print(summary)
    raise typer.Exit(exit_code(report.internal_errors, report.ok))
