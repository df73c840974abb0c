"""``storylens story ID``: one event or storyline, its articles, and how it was covered.

Registered by the CLI app in place of the listing-only command::

    app.command("story")(story)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storylens.cli.common import DbOption, JsonOption, fail, out_console, print_json, store_for
from storylens.errors import StorylensError


def story(
    story_id: Annotated[str, typer.Argument(help="Event (ev-...) or storyline (sl-...) id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    html: Annotated[Path | None, typer.Option(
        "--html", dir_okay=False,
        help="Also write a self-contained coverage page (matrices, framing, timeline).")] = None,
) -> None:
    """Show one event or storyline: its articles in time order, and its coverage — which
    outlet reported which facts and entities, framing and tone per outlet, who was first.
    Syndicated copies count as reach, not as independent coverage."""
    from storylens.compare.coverage import story_coverage

    with store_for(db) as store:
        s = store.get_story(story_id)
        articles = store.get_articles([m["id"] for m in s.members])
    try:
        cov = story_coverage(articles, s.members)
    except StorylensError as e:
        fail(str(e))
    if html is not None:
        from storylens.compare.coverage_html import render_coverage_html

        try:
            html.write_text(render_coverage_html(s, cov), encoding="utf-8")
        except OSError as e:
            fail(f"{html}: cannot write ({e.strerror or e})")
    if as_json:
        print_json({"story": s.to_dict(), "coverage": cov.to_dict()})
        return
    from storylens.compare.coverage_report import print_coverage, print_story

    print_story(s, out_console)
    print_coverage(cov, out_console)
    if html is not None:
        out_console.print(f"HTML written to {html}", markup=False)
