"""A local HTTP server on 127.0.0.1 for the fetch, sources and watch tests.

Routes map a path to a handler returning ``(status, headers, body)``; a body may be an
iterator of chunks (streamed, for endless responses). Every request is logged as
``(method, path, headers)`` so tests check what was (not) fetched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Body = bytes | Iterator[bytes]
Reply = tuple[int, dict[str, str], Body]
Handler = Callable[[dict[str, str]], Reply]


class LocalServer:
    """``with LocalServer(routes) as srv: srv.url("/feed.xml")``."""

    def __init__(self, routes: dict[str, Handler | Reply]) -> None:
        self.routes = routes
        self.log: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.log.append(("GET", self.path, headers))
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    status, hdrs, body = 404, {"Content-Type": "text/plain"}, b"not found"
                else:
                    status, hdrs, body = route(headers) if callable(route) else route
                self.send_response(status)
                for k, v in hdrs.items():
                    self.send_header(k, v)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in body:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up on purpose (size limits) is not news

        self.httpd = _Server(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p.split("?", 1)[0] == path)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
