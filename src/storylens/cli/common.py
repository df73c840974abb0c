"""Shared CLI plumbing: the --db option, store opening, one-line errors, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from storylens.errors import StorylensError
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
