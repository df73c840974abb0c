"""The server-rendered pages: the article list, one article (with a link to its story),
and the API reference. The home page, the stories, is in ``routes_stories``.

Query parameters here come from people typing in forms, so bad values are ignored with a
notice instead of answered with 422, and a malformed full-text query falls back to a
plain word search.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from storylens import api
from storylens.errors import NotFoundError
from storylens.records_story import Story
from storylens.server.api_docs import operations
from storylens.server.deps import cached_page, request_store, run_query
from storylens.server.highlight import highlighted_paragraphs
from storylens.server.page_cache import Page
from storylens.server.params import day_end, form_int, iso_datetime
from storylens.server.templating import query_url, render_html, render_page
from storylens.store.base import ArticleQuery, Store

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
_Text = Annotated[str, Query(max_length=500)]


def _day(value: str, name: str, notices: list[str], *, inclusive_end: bool = False
         ) -> datetime | None:
    """A date from the form; as an end bound a plain day counts whole (until 2020-01-31
    includes that day), since people read a date picker that way."""
    value = value.strip()
    if not value:
        return None
    try:
        when = iso_datetime(value)
    except ValueError as e:
        notices.append(f"Ignored {name} {value[:40]!r}: {e}.")
        return None
    return day_end(when, value) if inclusive_end else when


@router.get("/articles", response_class=HTMLResponse)
def articles_page(
    request: Request, q: _Text = "", lang: _Text = "", outlet: _Text = "",
    since: _Text = "", until: _Text = "", page: _Text = "1",
) -> Response:
    """Articles newest first, with a search box, language/outlet/date filters and pages."""
    notices: list[str] = []
    page_no = form_int(page, 1, 999_999) or 1
    q, lang, outlet = q.strip(), lang.strip().lower(), outlet.strip()
    query = ArticleQuery(lang=lang or None, outlet=outlet or None,
                         since=_day(since, "since", notices),
                         until=_day(until, "until", notices, inclusive_end=True),
                         search=q or None,
                         limit=PER_PAGE, offset=(page_no - 1) * PER_PAGE)

    def compute(store: Store) -> Page:
        rows, total, ran = run_query(store, query, lenient=True)
        if q and ran.search != q:
            notices.append("Searched the words of your query: it was not valid search "
                           "syntax.")
        filters = {"q": q, "lang": lang, "outlet": outlet, "since": since.strip(),
                   "until": until.strip()}
        pages = max(1, -(-total // PER_PAGE))
        return render_page(
            "articles.html", page_title="Articles · storylens", nav_active="/articles",
            articles=rows, total=total, filters=filters, notices=notices, page=page_no,
            pages=pages, filtered=any(filters.values()),
            prev_url=query_url("/articles", **filters, page=page_no - 1)
            if page_no > 1 else None,
            next_url=query_url("/articles", **filters, page=page_no + 1)
            if page_no < pages else None)

    return cached_page(request, compute)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request, article_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> HTMLResponse:
    """One article: clean text, metadata, the lines the cleaner removed and why, warnings,
    and the raw input folded away."""
    with request_store(request) as store:
        article = api.get_article(store, article_id)
        placed = store.article_assignment(article.id)
        stories = [s for s in (_story_or_none(store, placed.event_id),
                               _story_or_none(store, placed.storyline_id)) if s] \
            if placed else []
        mentions = api.article_entities(store, article)
    raw = article.raw if len(article.raw) <= 200_000 else article.raw[:200_000] + "\n…"
    return render_html("article.html", page_title=f"{article.title[:80]} · storylens",
                       nav_active="/articles", a=article,
                       paragraphs=highlighted_paragraphs(article.text, mentions),
                       raw=raw, placed=placed, stories=stories)


@router.get("/docs", response_class=HTMLResponse)
def api_docs_page(request: Request) -> HTMLResponse:
    """The API reference, rendered on the server from the app's own OpenAPI schema."""
    schema = request.app.openapi()
    return render_html("api_docs.html", page_title="API · storylens", nav_active="/docs",
                       info=schema.get("info", {}), ops=operations(schema))


def _story_or_none(store: Store, story_id: str) -> Story | None:
    """The story, or ``None`` if it vanished (re-clustered) since the assignment was read."""
    try:
        return store.get_story(story_id)
    except NotFoundError:
        return None
