"""``storylens cluster`` and ``storylens stories`` (``storylens story`` lives with its
coverage in ``storylens.cli.story_cmd``)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from storylens import api
from storylens.cli.common import (
    DbOption,
    EmbedderOption,
    JsonOption,
    fail,
    out_console,
    print_json,
    run_cluster,
    store_for,
)


def cluster(
    db: DbOption = None,
    embedder: EmbedderOption = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress",
                                           help="Show a progress bar.")] = sys.stderr.isatty(),
    as_json: JsonOption = False,
) -> None:
    """Assign every article not yet clustered to an event and a storyline.

    Runs after each ingest unless `ingest --no-cluster`. Events are reports of one
    happening (within days); storylines chain events over months. Syndicated copies join
    their original's event as copies. Re-running continues with the same ids.
    """
    with store_for(db) as store:
        report = run_cluster(store, embedder=embedder, progress=progress and not as_json)
    if as_json:
        print_json(report.to_dict())
        return
    out_console.print(
        f"clustered {report.clustered}: {report.new_events} new events, "
        f"{report.new_storylines} new storylines, {report.duplicates} syndicated copies, "
        f"{report.undated} without date")


def stories(
    db: DbOption = None,
    level: Annotated[str, typer.Option(help="event or storyline.")] = "event",
    min_size: Annotated[int, typer.Option("--min-size", min=1,
                                          help="Only stories with this many articles.")] = 1,
    sort: Annotated[str, typer.Option(help="recent or size.")] = "recent",
    limit: Annotated[int, typer.Option(min=1)] = 30,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List events (or storylines) with title, size, outlets, languages and time span."""
    if level not in ("event", "storyline"):
        fail(f"--level {level!r}: choose event or storyline")
    if sort not in ("recent", "size"):
        fail(f"--sort {sort!r}: choose recent or size")
    with store_for(db) as store:
        rows, total = api.list_stories(store, level=level, sort=sort,  # type: ignore[arg-type]
                                       min_size=min_size, limit=limit, offset=offset)
    if as_json:
        print_json({"total": total, "limit": limit, "offset": offset,
                    "stories": [s.to_dict() for s in rows]})
        return
    table = Table(title=f"{len(rows)} of {total} {level}s", title_justify="left")
    for col, width in (("id", 20), ("size", 6), ("outlets", 7), ("langs", 5), ("span", 10)):
        table.add_column(col, no_wrap=True, min_width=width)
    table.add_column("title", no_wrap=True, overflow="ellipsis", min_width=20, max_width=70)
    for s in rows:
        size = f"{s.size}" + (f" (+{s.n_copies} copies)" if s.n_copies else "")
        if level == "storyline":
            size += f" / {s.n_events} ev"
        table.add_row(s.id, size, str(len(s.outlets)), ",".join(s.langs), s.span(), Text(s.title))
    out_console.print(table)
