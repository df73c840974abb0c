"""``/api/v1``: health, version, and articles (list/search, get, batch ingest).

Read routes are sync functions: FastAPI runs each in a worker thread, which uses its own
store connection (``store_pool``); the article list is answered from the page cache while
the store is unchanged. Every error leaves as ``ErrorBody``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from storylens import __version__, api
from storylens.errors import InputError
from storylens.ingest.bounds import loads_record
from storylens.ingest.files import raw_from_json
from storylens.records import RawDoc, article_id
from storylens.server.deps import cached_page, json_page, parse_when, request_store, run_query
from storylens.server.errors import ApiError
from storylens.server.page_cache import Page
from storylens.server.schemas import (
    ArticleDetail,
    ArticleIn,
    ArticlePage,
    ArticleSummary,
    ErrorBody,
    Health,
    IngestItem,
    IngestResult,
    PageLinks,
    Version,
)
from storylens.server.security import require_writer
from storylens.server.templating import query_url
from storylens.store.base import ArticleQuery, Store

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX)

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": desc} for code, desc in (
        (400, "Malformed request (bad JSON, bad full-text query)."),
        (422, "A parameter or the body failed validation."),
        (500, "Server or store failure."),
    )
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such article, or an ambiguous prefix."}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong bearer token."},
    413: {"model": ErrorBody, "description": "Body over the server's size limit."},
    415: {"model": ErrorBody, "description": "Body is not `application/json`."},
}


@router.get("/health", tags=["meta"], summary="Health check", response_model=Health,
            responses=ERRORS)
def health(request: Request) -> Health:
    """Liveness and store check: answers only if the store can be opened and read."""
    with request_store(request) as store:
        return Health(status="ok", articles=store.count_articles())


@router.get("/version", tags=["meta"], summary="Versions", response_model=Version, responses=ERRORS)
def version(request: Request) -> Version:
    """The storylens version, API version and store schema version."""
    with request_store(request) as store:
        return Version(name="storylens", version=__version__, api="v1",
                       store_schema=store.schema_version)


@router.get("/articles", tags=["articles"], summary="List and search articles",
            response_model=ArticlePage, responses=ERRORS)
def list_articles(
    request: Request,
    q: Annotated[str | None, Query(max_length=500, description=(
        "Full-text query over title and text, FTS5 syntax: words (all must match), "
        '`"exact phrase"`, `OR`, `NOT`, `prefix*`.'))] = None,
    lang: Annotated[str | None, Query(max_length=20, description="ISO code, e.g. `fr`.")
                    ] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="e.g. `presstv.ir`.")
                      ] = None,
    since: Annotated[str | None, Query(max_length=40, description=(
        "Published (else ingested) on or after this ISO 8601 date/datetime."))] = None,
    until: Annotated[str | None, Query(max_length=40, description=(
        "Published (else ingested) before this ISO 8601 date/datetime."))] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Articles to skip.")
                      ] = 0,
) -> Response:
    """Articles newest first (by published date, else ingest time), filtered and paged.
    `total` counts all matches; `links.next`/`links.prev` hold the neighbouring pages."""
    query = ArticleQuery(lang=lang or None, outlet=outlet or None,
                         since=parse_when(since, "since"), until=parse_when(until, "until"),
                         search=q or None, limit=limit, offset=offset)

    def compute(store: Store) -> Page:
        rows, total, _ = run_query(store, query, lenient=False)
        keep = {"q": q, "lang": lang, "outlet": outlet, "since": since, "until": until,
                "limit": limit}
        nxt = (query_url(f"{PREFIX}/articles", **keep, offset=offset + limit)
               if offset + limit < total else None)
        prev = query_url(f"{PREFIX}/articles", **keep, offset=max(0, offset - limit)) \
            if offset > 0 else None
        return json_page(ArticlePage(total=total, limit=limit, offset=offset,
                                     articles=[ArticleSummary.of(a) for a in rows],
                                     links=PageLinks(next=nxt, prev=prev)))

    return cached_page(request, compute)


@router.get("/articles/{article_id}", tags=["articles"], summary="Get one article",
            response_model=ArticleDetail, responses={**ERRORS, **NOT_FOUND})
def get_article(
    request: Request,
    article_id: Annotated[str, Path(min_length=1, max_length=64,
                                    description="The id, or a unique prefix of it.")],
    raw: Annotated[bool, Query(description="Include the raw input.")] = False,
) -> ArticleDetail:
    """One article: clean text, metadata, each line the cleaner removed and why, and the
    extraction warnings."""
    with request_store(request) as store:
        return ArticleDetail.of(api.get_article(store, article_id), include_raw=raw)


_BODY_SCHEMA = {"type": "array", "items": ArticleIn.model_json_schema(),
                "description": "Articles in the JSONL ingest format, one object each."}


@router.post("/articles", tags=["articles"], summary="Ingest articles", response_model=IngestResult,
             responses={**ERRORS, **WRITE_ERRORS},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": _BODY_SCHEMA}}}})
async def post_articles(
    request: Request, _writer: Annotated[None, Depends(require_writer)],
) -> IngestResult:
    """Ingest a batch: a JSON array of article objects. Each item is reported on its own
    (`ingested`, `duplicate` — already stored or repeated — or `failed` with the reason);
    one bad item never fails the batch. Needs `Authorization: Bearer <token>`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiError(415, "unsupported_media_type",
                       "send the articles as a JSON array with Content-Type: application/json")
    body = await request.body()
    try:
        items = loads_record(body, "body")
    except InputError as e:
        raise ApiError(400, "invalid_json", f"body is not valid JSON: {e.reason}") from None
    if not isinstance(items, list):
        raise ApiError(422, "invalid_request",
                       f"body must be a JSON array of article objects, got "
                       f"{type(items).__name__}; wrap a single article in [ ]")
    return await run_in_threadpool(_ingest, request, items)


def _ingest(request: Request, items: list[Any]) -> IngestResult:
    """Validate each item, ingest the good ones in one batch, report every item."""
    docs: list[RawDoc | InputError] = []
    for i, obj in enumerate(items):
        try:
            docs.append(raw_from_json(obj, f"api[{i}]"))
        except InputError as e:
            docs.append(e)
    outcomes: list[str] = []
    with request_store(request) as store:
        report = api.ingest_raw(docs, store, progress=lambda _src, outcome: outcomes.append(
            outcome))
    reasons = iter(r for _, r in report.failed)
    result: list[IngestItem] = []
    for i, (doc, outcome) in enumerate(zip(docs, outcomes, strict=True)):
        if outcome == "failed":
            result.append(IngestItem(index=i, status="failed", reason=next(reasons, "failed")))
        else:
            assert isinstance(doc, RawDoc)
            result.append(IngestItem(index=i, id=article_id(doc),
                                     status="ingested" if outcome == "ingested" else "duplicate"))
    return IngestResult(ingested=len(report.ingested), duplicates=len(report.duplicates),
                        failed=len(report.failed), warnings=report.warnings, items=result)
