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

from storylens.cli.common import DbOption, JsonOption, fail, out_console, print_json, store_for
from storylens.errors import NotFoundError, StorylensError
from storylens.records import Article
from storylens.store.sqlite import SQLiteStore


def resolve_article(store: SQLiteStore, ref: str) -> Article:
    """An article by id, id prefix, ingested file path (source) or URL.

    Raises ``NotFoundError`` with a one-line message when nothing matches.
    """
    try:
        return store.get_article(ref)
    except NotFoundError as e:
        first_error = e
    candidates = {ref}
    p = Path(ref)
    if p.exists():
        candidates |= {str(p), str(p.resolve()), p.as_posix()}
    db = getattr(store, "_db", None)
    if db is not None:
        marks = ",".join("?" * len(candidates))
        rows = db.execute(f"SELECT id, source FROM articles WHERE source IN ({marks}) "
                          f"OR url IN ({marks}) LIMIT 2", [*candidates, *candidates]).fetchall()
        if not rows and p.exists():
            rows = [r for r in db.execute("SELECT id, source FROM articles").fetchall()
                    if _same_file(str(r[1]).rsplit(":", 1)[0], p)][:2]
        if len(rows) > 1:
            raise NotFoundError(f"{ref}: matches several stored articles; give an id")
        if rows:
            return store.get_article(str(rows[0][0]))
    if p.exists():
        raise NotFoundError(f"{ref}: this file is not ingested yet (storylens ingest {ref})")
    raise first_error


def _same_file(source: str, p: Path) -> bool:
    try:
        return Path(source).exists() and Path(source).resolve() == p.resolve()
    except OSError:
        return False


def compare(
    a: Annotated[str, typer.Argument(help="First article: id, id prefix, ingested file or URL.")],
    b: Annotated[str, typer.Argument(help="Second article: id, id prefix, ingested file or URL.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    html: Annotated[Path | None, typer.Option(
        "--html", dir_okay=False, help="Also write a side-by-side HTML page to this file.")] = None,
) -> None:
    """Compare two stored articles: same event/storyline, dimensions, facts, framing, tone."""
    from storylens.compare.pair import compare_articles

    with store_for(db) as store:
        try:
            art_a, art_b = resolve_article(store, a), resolve_article(store, b)
        except StorylensError as e:
            fail(str(e))
    try:
        result = compare_articles(art_a, art_b)
    except StorylensError as e:
        fail(str(e))
    if html is not None:
        from storylens.compare.html import render_comparison_html

        try:
            html.write_text(render_comparison_html(result), encoding="utf-8")
        except OSError as e:
            fail(f"{html}: cannot write ({e.strerror or e})")
    if as_json:
        print_json(result.to_dict())
        return
    from storylens.compare.report import print_comparison

    print_comparison(result, out_console)
    if html is not None:
        out_console.print(f"HTML written to {html}")


def eval_pairs(
    input: Annotated[Path, typer.Option("--input", help="JSONL of labelled pairs: "
                                        "{'a': article, 'b': article, 'overall': 1..4, ...}")],
    as_json: JsonOption = False,
) -> None:
    """Score labelled article pairs on the SemEval-2022 Task 8 dimensions; print Pearson."""
    from storylens.compare.evaluate import evaluate_pairs

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
