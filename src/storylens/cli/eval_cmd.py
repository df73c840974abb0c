"""``storylens eval``: measure the pipeline on labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storylens.cli.common import EmbedderOption, JsonOption, fail, out_console, print_json

eval_app = typer.Typer(help="Measure storylens on labelled data (nothing is stored).",
                       no_args_is_help=True)


@eval_app.command("clustering")
def clustering(
    input: Annotated[Path, typer.Option("--input", help="Labelled JSONL: ingest format plus "
                                        "'event' (and optional 'storyline').")],
    embedder: EmbedderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cluster a labelled stream in a throwaway store; print B³ and pairwise scores."""
    from storylens.eval.clustering import evaluate_clustering

    if not input.is_file():
        fail(f"{input}: no such file")
    r = evaluate_clustering(input, embedder=embedder)
    if as_json:
        print_json(r)
        return
    out_console.print(f"{r['input']}: {r['n_articles']} articles, {r['n_gold']} gold events, "
                      f"{r['n_pred']} predicted, {r['seconds']} s")
    rows = [("events", r)] + ([("storylines", r["storyline"])] if "storyline" in r else [])
    for name, s in rows:
        for metric in ("bcubed", "pairwise", "crosslingual_pairwise"):
            m = s[metric]
            out_console.print(f"  {name:<10} {metric:<22} P {m['precision']:.3f}  "
                              f"R {m['recall']:.3f}  F1 {m['f1']:.3f}")
    if r["failed"]:
        out_console.print(f"  {len(r['failed'])} inputs failed (see --json)")
