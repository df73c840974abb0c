"""Stories: ``/api/v1/stories``, ``/api/v1/stories/{id}``, ``/api/v1/compare`` and the
pages ``/`` (the stories), ``/stories/{id}`` (one story) and ``/compare?a=&b=``.

As in ``routes_web``, page parameters come from forms: bad values are ignored with a
notice. The compare stage is imported on first use; a comparison is cached by the two
articles' ids and text hashes, since the first one loads models (seconds).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from storylens import api
from storylens.lru import LRUCache
from storylens.records import Article
from storylens.records_story import Level, Story
from storylens.server.deps import cached_page, json_page, request_store
from storylens.server.errors import ApiError
from storylens.server.page_cache import Page
from storylens.server.params import form_int
from storylens.server.routes_api import ERRORS, PREFIX
from storylens.server.schemas import ErrorBody, PageLinks
from storylens.server.schemas_story import StoryDetail, StoryPage, StorySummary
from storylens.server.story_coverage import story_coverage
from storylens.server.story_members import (
    Member,
    compare_pairs,
    fold_members,
    outlets_of,
    timeline,
)
from storylens.server.story_view import as_level, as_sort, cards
from storylens.server.templating import query_url, render_html, render_page
from storylens.store.base import Store

router = APIRouter()
PER_PAGE = 20
MEMBERS_PER_PAGE = 50
"""Original reports listed per story page (each with its copies folded under it)."""
_Text = Annotated[str, Query(max_length=500)]
_Id = Annotated[str, Path(min_length=1, max_length=80)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such story or article."}}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "The compare stage is not installed."}}


# -- API --------------------------------------------------------------------------------
@router.get(f"{PREFIX}/stories", tags=["stories"], summary="List stories",
            response_model=StoryPage, responses=ERRORS)
def api_list_stories(
    request: Request,
    level: Annotated[Literal["event", "storyline"], Query(description=(
        "`event`: reports of one happening; `storyline`: related events over time."))
                     ] = "event",
    sort: Annotated[Literal["recent", "size"], Query(description=(
        "`recent`: latest article first; `size`: most articles first."))] = "recent",
    min_size: Annotated[int, Query(ge=1, le=1_000_000, description="Fewest articles.")] = 1,
    lang: Annotated[str | None, Query(max_length=20, description=(
        "Only stories with an article in this language, e.g. `fr`."))] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Stories to skip.")
                      ] = 0,
) -> Response:
    """Events or storylines, filtered and paged. `total` counts all matches;
    `links.next`/`links.prev` hold the neighbouring pages."""
    lang = (lang or "").strip().lower() or None

    def compute(store: Store) -> Page:
        rows, total = api.list_stories(store, level=level, sort=sort, min_size=min_size,
                                       lang=lang, limit=limit, offset=offset)
        keep = {"level": level, "sort": sort, "min_size": min_size, "lang": lang,
                "limit": limit}
        nxt = (query_url(f"{PREFIX}/stories", **keep, offset=offset + limit)
               if offset + limit < total else None)
        prev = (query_url(f"{PREFIX}/stories", **keep, offset=max(0, offset - limit))
                if offset > 0 else None)
        return json_page(StoryPage(total=total, limit=limit, offset=offset, level=level,
                                   sort=sort, stories=[StorySummary.of(s) for s in rows],
                                   links=PageLinks(next=nxt, prev=prev)))

    return cached_page(request, compute)


@router.get(f"{PREFIX}/stories/{{story_id}}", tags=["stories"], summary="Get one story",
            response_model=StoryDetail, responses={**ERRORS, **NOT_FOUND})
def api_get_story(request: Request, story_id: _Id) -> Response:
    """One story: its articles oldest first (`duplicate_of` marks syndicated copies) and
    `coverage`: outlets x facts and outlets x entities, tone and framing per outlet."""

    def compute(store: Store) -> Page:
        story, members, outlets = _load_story(store, story_id)
        cov = story_coverage(story, members, outlets, store)
        return json_page(StoryDetail.of_story(story, cov.to_dict()))

    return cached_page(request, compute)


@router.get(f"{PREFIX}/compare", tags=["stories"], summary="Compare two articles",
            responses={**ERRORS, **NOT_FOUND, **UNAVAILABLE})
def api_compare(
    request: Request,
    a: Annotated[str, Query(min_length=1, max_length=64, description="An article id.")],
    b: Annotated[str, Query(min_length=1, max_length=64, description="Another one.")],
) -> dict[str, Any]:
    """How two articles tell the story: link-model verdicts, similarity dimensions
    (1 = very similar .. 4), shared and unique facts, framing, tone and timing."""
    with request_store(request) as store:
        first, second = api.get_article(store, a), api.get_article(store, b)
        return compare_json(store, first, second)


# -- compare, cached ----------------------------------------------------------------------
CACHE_SIZE = 64
_CACHE: LRUCache[tuple[str, ...], dict[str, Any]] = LRUCache(CACHE_SIZE)


def compare_json(store: Store, a: Article, b: Article) -> dict[str, Any]:
    """``api.compare(store, a, b).to_dict()``, cached by the articles' texts and where
    they are clustered (a verdict follows the clusters); 503 when compare is not
    installed."""
    where = [store.article_assignment(x.id) for x in (a, b)]
    key = (a.id, a.content_hash, b.id, b.content_hash,
           *[f"{w.event_id}/{w.storyline_id}" if w else "" for w in where])
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    try:
        import storylens.compare.pair  # noqa: F401
    except ImportError as e:
        raise ApiError(503, "compare_unavailable",
                       f"the compare stage is not available in this install ({e})") from None
    result = api.compare(store, a, b).to_dict()
    _CACHE.put(key, result)
    return result


# -- pages --------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def stories_page(
    request: Request, q: _Text = "", level: _Text = "event", lang: _Text = "",
    min_size: _Text = "1", sort: _Text = "recent", page: _Text = "1",
) -> Response:
    """Stories with a search box (full text over articles, then their stories), level,
    language and minimum-size filters, and sort order."""
    notices: list[str] = []
    lvl: Level = as_level(level) or "event"
    srt = as_sort(sort) or "recent"
    for name, value, ok in (("level", level, as_level(level)), ("sort", sort, as_sort(sort))):
        if value.strip() and not ok:
            notices.append(f"Ignored {name} {value[:40]!r}.")
    size = form_int(min_size, 1, 999_999) or 1
    if min_size.strip() and str(size) != min_size.strip():
        notices.append(f"Ignored min size {min_size[:40]!r}: not a positive number.")
    page_no = form_int(page, 1, 999_999) or 1
    q, lang = q.strip(), lang.strip().lower()

    def compute(store: Store) -> Page:
        n_hits: int | None = None
        if q:
            found, n_hits, rewritten = api.search_stories(store, q, level=lvl, sort=srt,
                                                          min_size=size, lang=lang or None)
            if rewritten:
                notices.append("Searched the words of your query: it was not valid search "
                               "syntax.")
            total = len(found)
            rows = found[(page_no - 1) * PER_PAGE: page_no * PER_PAGE]
        else:
            rows, total = api.list_stories(store, level=lvl, sort=srt, min_size=size,
                                           lang=lang or None, limit=PER_PAGE,
                                           offset=(page_no - 1) * PER_PAGE)
        filters = {"q": q, "level": lvl, "lang": lang, "min_size": size, "sort": srt}
        url_filters = {**filters, "level": lvl if lvl != "event" else "",
                       "min_size": size if size > 1 else "",
                       "sort": srt if srt != "recent" else ""}
        pages = max(1, -(-total // PER_PAGE))
        return render_page(
            "stories.html", page_title="Stories · storylens", nav_active="/",
            cards=cards(store, rows), total=total, n_hits=n_hits, filters=filters,
            notices=notices, page=page_no, pages=pages,
            filtered=bool(q or lang or size > 1 or lvl != "event" or srt != "recent"),
            prev_url=query_url("/", **url_filters, page=page_no - 1) if page_no > 1 else None,
            next_url=query_url("/", **url_filters, page=page_no + 1)
            if page_no < pages else None)

    return cached_page(request, compute)


@router.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
def story_page(request: Request, story_id: _Id, page: _Text = "1") -> Response:
    """One story: outlets x facts and outlets x entities, tone and framing per outlet,
    the publication timeline, languages, and the articles with their copies folded,
    ``MEMBERS_PER_PAGE`` originals a page (the rest on ``?page=2``...): a 300-article
    story would otherwise be half a megabyte of HTML, most of it below the fold."""
    wanted = form_int(page, 1, 999_999) or 1

    def compute(store: Store) -> Page:
        story, members, outlets = _load_story(store, story_id)
        parent = store.get_story(story.storyline_id) if story.storyline_id else None
        cov = story_coverage(story, members, outlets, store)
        pages = max(1, -(-len(members) // MEMBERS_PER_PAGE))
        page_no = min(wanted, pages)
        start = (page_no - 1) * MEMBERS_PER_PAGE
        here = f"/stories/{story.id}"
        return render_page(
            "story.html", page_title=f"{story.title[:80]} · storylens", nav_active="/",
            s=story, members=members, outlets=outlets, parent=parent, cov=cov,
            timeline=timeline(members), pairs=compare_pairs(members),
            shown=members[start:start + MEMBERS_PER_PAGE], offset=start,
            page=page_no, pages=pages,
            prev_url=query_url(here, page=page_no - 1 if page_no > 2 else None)
            if page_no > 1 else None,
            next_url=query_url(here, page=page_no + 1) if page_no < pages else None)

    return cached_page(request, compute)


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, a: _Text = "", b: _Text = "") -> HTMLResponse:
    """Two articles side by side: verdicts, dimensions, shared core and unique facts,
    framing and tone. Without both ids, a form to enter them."""
    a, b = a.strip(), b.strip()
    if not a or not b:
        return render_html("compare.html", page_title="Compare · storylens",
                           nav_active="/compare", c=None, a=a, b=b)
    with request_store(request) as store:
        first, second = api.get_article(store, a), api.get_article(store, b)
        stories = {x.id: store.article_assignment(x.id) for x in (first, second)}
        c = compare_json(store, first, second)
    return render_html("compare.html", page_title=f"Compare · {first.title[:40]} · storylens",
                       nav_active="/compare", c=c, a=first.id, b=second.id, stories=stories)


def _load_story(store: Store, story_id: str) -> tuple[Story, list[Member], list[str]]:
    """The story, its members (copies folded) and its outlets; 404 when unknown."""
    story = store.get_story(story_id.strip())
    articles = {x.id: x for x in store.get_articles([str(m["id"]) for m in story.members])}
    members = fold_members(story, articles)
    return story, members, outlets_of(members)
