"""``storylens articles`` and ``storylens show``: read back what is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from storylens import api
from storylens.cli.common import DbOption, JsonOption, fail, out_console, print_json, store_for
from storylens.enrich.dates import parse_date
from storylens.records import Article
from storylens.store.base import ArticleQuery


def _date_opt(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    dt = parse_date(value)
    if dt is None:
        fail(f"{name} {value!r}: not a date; use e.g. 2022-10-24")
    return dt


def articles(
    db: DbOption = None,
    lang: Annotated[str | None, typer.Option(help="Only this language (ISO code: fr).")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (e.g. presstv.ir).")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Published before this date.")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "-s", help="Full-text query over title and text (FTS5 syntax).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many articles.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """List stored articles, newest first, with optional filters."""
    q = ArticleQuery(lang=lang, outlet=outlet, since=_date_opt(since, "--since"),
                     until=_date_opt(until, "--until"), search=search, limit=limit, offset=offset)
    with store_for(db) as store:
        rows = api.list_articles(store, q)
        total = store.count_articles(q)
    if as_json:
        print_json({"total": total, "limit": limit, "offset": offset,
                    "articles": [a.to_dict() for a in rows]})
        return
    table = Table(title=f"{len(rows)} of {total} articles", title_justify="left")
    for col, width in (("id", 16), ("published", 10), ("lang", 4), ("outlet", 10)):
        table.add_column(col, no_wrap=True, min_width=width)
    table.add_column("title", no_wrap=True, overflow="ellipsis", min_width=20, max_width=70)
    for a in rows:
        table.add_row(a.id, a.published.date().isoformat() if a.published else "—",
                      a.lang or "?", a.outlet or "—", Text(a.title))
    out_console.print(table)


def show(
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix of it).")],
    db: DbOption = None,
    raw: Annotated[bool, typer.Option("--raw", help="Include the raw input.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show one article: metadata, clean text, and what the cleaner removed and why."""
    with store_for(db) as store:
        a = api.get_article(store, article_id)
    if as_json:
        print_json(a.to_dict(include_raw=raw))
        return
    _print_article(a, raw=raw)


def _print_article(a: Article, *, raw: bool) -> None:
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    published = (f"{a.published.isoformat()} (from {a.published_source})" if a.published
                 else "unknown")
    for k, v in (("id", a.id), ("title", a.title), ("outlet", a.outlet or "—"),
                 ("url", a.url or "—"), ("published", published),
                 ("language", f"{a.lang or '?'} ({a.lang_score:.2f})"), ("source", a.source)):
        meta.add_row(k, Text(v))
    out_console.print(meta)
    out_console.rule("text")
    out_console.print(Text(a.text or "(no text)"))
    if a.removed:
        out_console.rule(f"removed by the cleaner ({len(a.removed)} lines)")
        for r in a.removed:
            out_console.print(Text.assemble((f"{r.line_no:>4} ", "dim"), (r.text[:100], "red"),
                                            ("  — " + r.reason, "dim")))
    if a.warnings:
        out_console.rule("warnings")
        for w in a.warnings:
            out_console.print(Text("• " + w))
    if raw:
        out_console.rule("raw input")
        out_console.print(Text(a.raw))
