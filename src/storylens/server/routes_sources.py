"""Followed sources over HTTP: ``/api/v1/sources`` (list, add, remove) and the
``/sources`` page.

Adding with ``kind: auto`` fetches the URL from the server, so it runs the same
``Fetcher`` as the CLI: every address checked (loopback and private networks refused
unless the server was started with ``STORYLENS_ALLOW_HOSTS``), robots.txt honoured,
bounded in size and time. A URL that cannot be used is a 422 naming it and why. Adding
and removing need the bearer token, like every write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import HTMLResponse

from storylens.api import sources as api_sources
from storylens.errors import InputError
from storylens.fetch.client import Fetcher, Limits
from storylens.records_source import Source
from storylens.server.deps import config_of, request_store
from storylens.server.errors import ApiError
from storylens.server.routes_api import ERRORS, PREFIX, WRITE_ERRORS
from storylens.server.schemas import ErrorBody, SourceIn, SourceOut
from storylens.server.security import require_writer
from storylens.server.templating import render_html

router = APIRouter()

ADD_LIMITS = Limits(max_bytes=5_000_000, max_seconds=20.0, retries=0, delay=0.0)
"""One fetch of a URL being added: a request thread is not held longer than this."""
SOURCE_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No source with this id."}}
UNUSABLE: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad body, or a URL that cannot be followed "
                                             "(unreachable, refused, not a feed...)."}}


def source_out(s: Source) -> SourceOut:
    return SourceOut(id=s.id, url=s.url, kind=s.kind, title=s.title, added_at=s.added_at,
                     interval=s.interval, last_fetch=s.last_fetch, last_status=s.last_status,
                     articles=s.articles, next_due=s.next_due)


@router.get(f"{PREFIX}/sources", tags=["sources"], summary="List followed sources",
            response_model=list[SourceOut], responses=ERRORS)
def list_sources(request: Request) -> list[SourceOut]:
    """Every followed source in the order added, with what its last poll found.
    `storylens watch` polls them."""
    with request_store(request) as store:
        return [source_out(s) for s in store.list_sources()]


@router.post(f"{PREFIX}/sources", tags=["sources"], summary="Follow a source",
             response_model=list[SourceOut],
             responses={**ERRORS, **WRITE_ERRORS, **UNUSABLE})
def add_source(request: Request, body: SourceIn,
               _writer: Annotated[None, Depends(require_writer)]) -> list[SourceOut]:
    """Follow `url`; answers the sources added (an HTML page may add the several feeds
    it links to; a URL already followed answers its existing source). Needs
    `Authorization: Bearer <token>`."""
    cfg = config_of(request)
    with request_store(request) as store, \
            Fetcher(cfg.allow_fetch, ADD_LIMITS, robots_store=store) as fetcher:
        try:
            added = api_sources.add_source(store, fetcher, body.url, body.kind,
                                           interval=body.interval)
        except InputError as e:
            raise ApiError(422, "unusable_source", str(e)) from None
    return [source_out(s) for s in added]


@router.delete(f"{PREFIX}/sources/{{source_id}}", tags=["sources"],
               summary="Stop following a source", response_model=SourceOut,
               responses={**ERRORS, **WRITE_ERRORS, **SOURCE_NOT_FOUND})
def remove_source(request: Request,
                  source_id: Annotated[int, Path(ge=1, le=2**62, description="A source id.")],
                  _writer: Annotated[None, Depends(require_writer)]) -> SourceOut:
    """Stop following a source; the articles it brought stay. Answers the removed
    source. Needs `Authorization: Bearer <token>`."""
    with request_store(request) as store:
        return source_out(store.remove_source(source_id))


@router.get("/sources", response_class=HTMLResponse, include_in_schema=False)
def sources_page(request: Request) -> HTMLResponse:
    """The followed sources: kind, title, last poll and its status, articles, next poll."""
    with request_store(request) as store:
        found = store.list_sources()
    return render_html("sources.html", page_title="Sources · storylens",
                       nav_active="/sources", sources=found)
