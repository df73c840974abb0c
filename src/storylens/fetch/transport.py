"""The fetcher's httpx transport, built from public APIs only: an ``httpx.BaseTransport``
over an ``httpcore.ConnectionPool`` whose ``network_backend`` is ``GuardedBackend`` (the
address check on every new connection).

Why not ``httpx.HTTPTransport``: it builds its pool itself and takes no network backend,
so the address check had to be put in through its private ``_pool._network_backend``
attributes, which any httpx release may rename (the check would then silently vanish or
the fetcher fail to start).  This module does what ``HTTPTransport.handle_request`` does,
the request and response conversion and the mapping of httpcore's exceptions to httpx's
(the fetcher catches httpx's), with the pool's public constructor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpcore
import httpx

from storylens.fetch.safety import AllowList, GuardedBackend

# httpcore exception -> the httpx exception HTTPTransport raises for it, most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def mapped_errors() -> Iterator[None]:
    """Re-raise httpcore's exceptions as httpx's; anything else (``BlockedAddress``) as is."""
    try:
        yield
    except Exception as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    """A response body read from httpcore, its errors mapped as it streams."""

    def __init__(self, stream: httpcore.Response) -> None:
        self._response = stream

    def __iter__(self) -> Iterator[bytes]:
        with mapped_errors():
            yield from self._response.iter_stream()

    def close(self) -> None:
        with mapped_errors():
            self._response.close()


class GuardedTransport(httpx.BaseTransport):
    """HTTP/1.1 over a connection pool that checks each address it connects to."""

    def __init__(self, allow: AllowList) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=GuardedBackend(allow))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream,
            extensions=request.extensions)
        with mapped_errors():
            resp = self._pool.handle_request(req)
        return httpx.Response(status_code=resp.status, headers=resp.headers,
                              stream=_Body(resp), extensions=resp.extensions)

    def close(self) -> None:
        self._pool.close()
