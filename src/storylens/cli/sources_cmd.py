"""``storylens sources``: follow feeds, sitemaps and pages (add, list, remove)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from storylens.api import sources as api_sources
from storylens.cli.common import (
    EXIT_SOME_FAILED,
    DbOption,
    JsonOption,
    err_console,
    fail,
    out_console,
    print_json,
    store_for,
)
from storylens.cli.fetch_cmd import AllowHostOption, make_fetcher
from storylens.errors import InputError, NotFoundError
from storylens.settings import Settings

sources_app = typer.Typer(help="Follow feeds, sitemaps and pages: add, list, remove. "
                               "`storylens watch` polls them.", no_args_is_help=True)


@sources_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="A feed, sitemap or home page URL.",
                                       show_default=False)],
    kind: Annotated[str, typer.Option(
        "--kind", help="auto (detect a feed or sitemap, or discover the feeds an HTML page "
                       "links to), feed, sitemap or page.")] = "auto",
    interval: Annotated[float, typer.Option(
        "--interval", min=60.0, help="Seconds between two polls of this source.")
    ] = api_sources.DEFAULT_INTERVAL,
    db: DbOption = None,
    allow_host: AllowHostOption = None,
    as_json: JsonOption = False,
) -> None:
    """Follow URL. Exit codes: 0 added, 1 the URL could not be used (one line says
    why), 2 usage or store error."""
    if kind not in ("auto", "feed", "sitemap", "page"):
        raise typer.BadParameter(f"{kind!r}: choose auto, feed, sitemap or page",
                                 param_hint="--kind")
    settings = Settings.load(db=db)
    with store_for(settings.db) as store, \
            make_fetcher(settings, allow_host, 0.0, store) as fetcher:
        try:
            added = api_sources.add_source(store, fetcher, url, kind, interval=interval)
        except InputError as e:
            err_console.print(f"[red]failed:[/] {escape(str(e))}", markup=True)
            raise typer.Exit(EXIT_SOME_FAILED) from None
    if as_json:
        print_json([s.to_dict() for s in added])
        return
    for s in added:
        out_console.print(f"source {s.id}: {s.kind} {s.url}" + (f" ({s.title})" if s.title
                                                                 else ""))


@sources_app.command("list")
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every followed source: kind, last fetch, last status, articles brought, next due."""
    with store_for(Settings.load(db=db).db) as store:
        found = store.list_sources()
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    if not found:
        out_console.print("no sources yet; add one with `storylens sources add URL`")
        return
    table = Table("id", "kind", "url", "last fetch", "last status", "articles", "next due")
    for s in found:
        table.add_row(str(s.id), s.kind, s.url,
                      s.last_fetch.strftime("%Y-%m-%d %H:%M") if s.last_fetch else "never",
                      (s.last_status or "-")[:60], str(s.articles),
                      s.next_due.strftime("%Y-%m-%d %H:%M"))
    out_console.print(table)


@sources_app.command("remove")
def remove(source_id: Annotated[int, typer.Argument(metavar="ID", help="A source id.")],
           db: DbOption = None) -> None:
    """Stop following a source (the articles it brought stay)."""
    with store_for(Settings.load(db=db).db) as store:
        try:
            gone = store.remove_source(source_id)
        except NotFoundError as e:
            fail(str(e))
    out_console.print(f"removed source {gone.id}: {gone.url}")
