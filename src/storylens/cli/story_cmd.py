"""``storylens story ID``: one event or storyline, its articles, and how it was covered.

Registered by the CLI app in place of the listing-only command::

    app.command("story")(story)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storylens import api
from storylens.cli.common import DbOption, JsonOption, fail, out_console, print_json, store_for
from storylens.errors import StorylensError


def story(
    story_id: Annotated[str, typer.Argument(help="Event (ev-...) or storyline (sl-...) id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    html: Annotated[Path | None, typer.Option(
        "--html", dir_okay=False,
        help="Also write a self-contained coverage page (matrices, framing, timeline).")] = None,
    max_articles: Annotated[int | None, typer.Option(
        "--max-articles", min=1,
        help="Originals analysed (round-robin over outlets). Default: 60.")] = None,
    fact_sentences: Annotated[int | None, typer.Option(
        "--fact-sentences", min=1,
        help="Distinct sentences grouped into facts, titles and leads first; the main "
             "cost of a big story (~100-250 sentences/s). Default: 240.")] = None,
) -> None:
    """Show one event or storyline: its articles in time order, and its coverage — which
    outlet reported which facts and entities, framing and tone per outlet, who was first.
    Syndicated copies count as reach, not as independent coverage. Big stories are
    bounded (a note says what was read): originals only, a sample of them, and a sentence
    budget for the facts."""
    with store_for(db) as store:
        try:
            s, cov = api.story_coverage(store, story_id, max_articles=max_articles,
                                        fact_sentences=fact_sentences)
        except StorylensError as e:
            fail(str(e))
    if html is not None:
        from storylens.server.coverage_html import render_coverage_html

        try:
            html.write_text(render_coverage_html(s, cov), encoding="utf-8")
        except OSError as e:
            fail(f"{html}: cannot write ({e.strerror or e})")
    if as_json:
        print_json({"story": s.to_dict(), "coverage": cov.to_dict()})
        return
    from storylens.cli.coverage_report import print_coverage, print_story

    print_story(s, out_console)
    print_coverage(cov, out_console)
    if html is not None:
        out_console.print(f"HTML written to {html}", markup=False)
