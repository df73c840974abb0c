"""Typer command functions for ``storylens compare`` and ``storylens eval pairs``.

Registered by the CLI app (this module does not create an app), e.g.::

    app.command("compare")(compare)
    eval_app.command("pairs")(eval_pairs)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from storylens import api
from storylens.cli.common import DbOption, JsonOption, fail, out_console, print_json, store_for
from storylens.errors import StorylensError


def compare(
    a: Annotated[str, typer.Argument(help="First article: id, id prefix, ingested file or URL.")],
    b: Annotated[str, typer.Argument(help="Second article: id, id prefix, ingested file or URL.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    html: Annotated[Path | None, typer.Option(
        "--html", dir_okay=False, help="Also write a side-by-side HTML page to this file.")] = None,
) -> None:
    """Compare two stored articles: same event/storyline (as `storylens stories` clustered
    them, with the pair model's probability), dimensions, facts, framing, tone. What it
    computes is kept in the store: comparing them again is fast."""
    with store_for(db) as store:
        try:
            result = api.compare(store, a, b)
        except StorylensError as e:
            fail(str(e))
    if html is not None:
        from storylens.server.compare_html import render_comparison_html

        try:
            html.write_text(render_comparison_html(result), encoding="utf-8")
        except OSError as e:
            fail(f"{html}: cannot write ({e.strerror or e})")
    if as_json:
        print_json(result.to_dict())
        return
    from storylens.cli.compare_report import print_comparison

    print_comparison(result, out_console)
    if html is not None:
        out_console.print(f"HTML written to {html}")


def eval_pairs(
    input: Annotated[Path, typer.Option("--input", help="JSONL of labelled pairs: "
                                        "{'a': article, 'b': article, 'overall': 1..4, ...}")],
    as_json: JsonOption = False,
) -> None:
    """Score labelled article pairs on the SemEval-2022 Task 8 dimensions; print Pearson."""
    from storylens.eval.pairs import evaluate_pairs

    if not input.is_file():
        fail(f"{input}: no such file")
    try:
        r = evaluate_pairs(input)
    except StorylensError as e:
        fail(str(e))
    if r["n_pairs"] == 0:
        fail(f"{input}: no readable pairs")
    if as_json:
        print_json({"n_pairs": r["n_pairs"], "pearson": r["pearson"], "seconds": r["seconds"],
                    "pairs_per_s": r["pairs_per_s"], "failed": r["failed"]})
        return
    out_console.print(f"{input}: {r['n_pairs']} pairs in {r['seconds']} s "
                      f"({r['pairs_per_s']} pairs/s)")
    for d, v in r["pearson"].items():
        out_console.print(f"  {d:<10} Pearson {'n/a' if v is None else f'{v:.4f}'}")
    if r["failed"]:
        print(f"{len(r['failed'])} lines unreadable (see --json)", file=sys.stderr)
