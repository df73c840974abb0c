"""``storylens ingest``: files, directories and stdin into the store."""

from __future__ import annotations

from typing import Annotated

import typer

from storylens import api
from storylens.cli.common import (
    ON_TERMINAL,
    DbOption,
    EmbedderOption,
    FormatOption,
    JsonOption,
    MaxBytesOption,
    NoClusterOption,
    ProgressOption,
    cluster_after,
    finish,
    input_format,
    item_bar,
    store_for,
)
from storylens.ingest.files import expand_paths
from storylens.ingest.warc import is_warc_path
from storylens.settings import Settings


def ingest(
    paths: Annotated[list[str], typer.Argument(
        help="Files or directories (recursed) of .txt, .html, .jsonl (optionally .gz) "
             "or .warc[.gz] archives; '-' reads stdin.", show_default=False)],
    db: DbOption = None,
    fmt: FormatOption = "auto",
    max_bytes: MaxBytesOption = None,
    progress: ProgressOption = ON_TERMINAL,
    no_cluster: NoClusterOption = False,
    embedder: EmbedderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read articles and store them, cleaned and with language, date and outlet, then
    cluster every stored article not clustered yet (an interrupted run's included).

    Re-ingesting an article already stored does nothing. Bad inputs are reported one line
    each and skipped. Exit codes: 0 all stored, 1 some inputs refused (the others are
    stored), 2 usage or store error, 3 an internal error (a bug; the line says where).
    """
    fmt_t = input_format(fmt)
    settings = Settings.load(db=db, max_bytes=max_bytes)
    show = progress and not as_json
    with store_for(settings.db) as store:
        with item_bar("ingest", _count_items(paths) if show else None, show=show,
                      tail=50) as tick:
            report = api.ingest(paths, store, fmt=fmt_t, max_bytes=settings.max_bytes,
                                batch_size=settings.batch_size, progress=tick)
        # also what an earlier, interrupted run stored but never clustered
        clustered = cluster_after(store, wanted=not no_cluster, embedder=embedder,
                                  progress=show)
    finish(report, f"ingested {len(report.ingested)}, duplicates skipped "
           f"{len(report.duplicates)}, failed {len(report.failed)}"
           + (f" (warnings: {report.warnings}; see `storylens show ID`)" if report.warnings
              else "")
           + (f"; archive records skipped {sum(report.skipped.values())} ("
              + ", ".join(f"{k} {v}" for k, v in report.skipped.items()) + ")"
              if report.skipped else "")
           + clustered.note(len(report.ingested)),
           as_json=as_json, clustered=clustered)


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
