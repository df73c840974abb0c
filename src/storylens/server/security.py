"""Request-level protections: security headers, Host check, body-size limit, bearer auth.

The middlewares are plain ASGI so they see every response (including static files and
errors) and can stop an oversized body while it is still arriving, before any of it is
parsed.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storylens.server.deps import config_of
from storylens.server.errors import ApiError, error_body
from storylens.server.headers import SECURITY_HEADERS
from storylens.server.params import form_int

_RAW_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                for k, v in SECURITY_HEADERS.items()]


class SecurityHeadersMiddleware:
    """Add the CSP and friends to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _RAW_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HostCheckMiddleware:
    """Answer 400 when the Host header is not one of ``allowed`` (``None``: any).

    A server on loopback is still reachable from a browser through DNS rebinding (a
    hostile name that resolves to 127.0.0.1); checking Host defeats that.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.allowed is not None:
            host = Headers(scope=scope).get("host", "").strip().lower()
            name = host[: host.find("]") + 1] if host.startswith("[") else host.split(":")[0]
            if name not in self.allowed:
                resp = JSONResponse(error_body(
                    "bad_host", "Host header not allowed: this server is on loopback; "
                    "open it as http://127.0.0.1:PORT or http://localhost:PORT"), 400)
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


class HeadMiddleware:
    """Answer ``HEAD`` as the same ``GET`` without its body (RFC 9110 §9.3.2): uptime
    checkers and link checkers send HEAD, and a 405 tells them the page is broken."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, counting bytes as they arrive.

    A declared ``Content-Length`` over the limit is refused before reading anything; a
    chunked or lying body is refused as soon as the running total passes the limit. The
    accepted body is handed on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if form_int(declared, 0, 10**15) is None:
                await _reject(scope, receive, send, 400, "bad_request", "invalid Content-Length")
                return
            if int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _reject(scope, receive, send, 413, "payload_too_large",
                      f"request body over the {self.max_bytes:,} byte limit; "
                      "send fewer articles per request")


async def _reject(scope: Scope, receive: Receive, send: Send, status: int, code: str,
                  message: str) -> None:
    resp = JSONResponse(error_body(code, message), status_code=status,
                        headers={"Connection": "close"})
    await resp(scope, receive, send)


_bearer = HTTPBearer(auto_error=False, description="The token given to `storylens serve`.")


def require_writer(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Dependency for routes that write: a valid bearer token, unless the app was made
    with ``allow_no_auth`` (which ``storylens serve`` permits on loopback only)."""
    cfg = config_of(request)
    if cfg.token is None:
        if cfg.allow_no_auth:
            return
        raise ApiError(401, "writes_disabled",
                       "this server accepts no writes: restart it with --token "
                       "(or --no-auth on a loopback address)")
    given = creds.credentials.encode("utf-8") if creds else b""
    if not creds or not hmac.compare_digest(given, cfg.token.encode("utf-8")):
        raise ApiError(401, "unauthorized", "missing or wrong bearer token "
                       "(send 'Authorization: Bearer <token>')",
                       headers={"WWW-Authenticate": "Bearer"})
