"""One error shape for the whole server: ``{"error": {"code", "message"}}``.

API paths (``/api/...``, ``/openapi.json``) get that JSON body; pages get the same code
and message in an HTML page. FastAPI's own validation errors, Starlette's 404/405, the
store's ``NotFoundError`` and unexpected exceptions all go through here, so clients only
ever have to parse one shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from storylens.errors import NotFoundError, StoreError
from storylens.server.headers import SECURITY_HEADERS
from storylens.server.templating import render_html

log = logging.getLogger("storylens.server")

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_request", 500: "internal_error",
}


class ApiError(Exception):
    """An error a route raises on purpose, with its HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None
               ) -> dict[str, Any]:
    """The JSON body of every error response."""
    err: dict[str, Any] = {"code": code, "message": message}
    if details:
        err["details"] = details
    return {"error": err}


def wants_json(request: Request) -> bool:
    """API clients get JSON errors; everything else is a page a person looks at."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


def error_response(request: Request, status: int, code: str, message: str, *,
                   details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """The error as JSON or as the HTML error page, depending on the path."""
    if wants_json(request):
        return JSONResponse(error_body(code, message, details), status_code=status,
                            headers=headers)
    resp = render_html("error.html", status_code=status, status=status, code=code,
                       message=message, page_title=f"{status} · storylens")
    if headers:
        resp.headers.update(headers)
    return resp


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Pydantic's entries carry the offending input; echo only where and what.
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()]


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.status, exc.code, exc.message, headers=exc.headers)


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if status == 404 and message == "Not Found":
        message = f"{request.url.path[:200]}: no such page or endpoint"
    headers = dict(exc.headers) if exc.headers else None
    return error_response(request, status, _CODES.get(status, f"http_{status}"), message,
                          headers=headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    first = details[0] if details else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"])
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    return error_response(request, 422, "invalid_request", message, details=details)


async def _on_not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404, "not_found", str(exc))


async def _on_store_error(request: Request, exc: Exception) -> Response:
    log.error("store error on %s: %s", request.url.path, exc)
    return error_response(request, 500, "store_error",
                          "the article store could not be read or written; see the server log")


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # Runs in Starlette's outermost middleware, outside ours: add the headers here.
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    resp = error_response(request, 500, "internal_error",
                          "an unexpected error occurred; see the server log")
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    return resp


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure to the one error shape."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(NotFoundError, _on_not_found)
    app.add_exception_handler(StoreError, _on_store_error)
    app.add_exception_handler(Exception, _on_unexpected)
