"""``storylens serve``: run the HTTP API and web UI with uvicorn.

Safe by default: it listens on 127.0.0.1; on any other address it refuses to start
without a token (writes would be open to the network) and never accepts ``--no-auth``.
On loopback it also rejects foreign Host headers, so a web page cannot reach it through
DNS rebinding.

``--workers N`` runs N uvicorn processes on the one listening socket (uvicorn's
supervisor restarts a worker that dies); each builds its app from the same arguments.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from typing import Annotated, Any

import typer

from storylens.cli.common import DbOption, err_console, fail
from storylens.errors import StorylensError
from storylens.settings import Settings
from storylens.store import redact

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (only this machine can connect)."""
    h = host.strip().lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but loopback "
                                           "needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="STORYLENS_TOKEN", show_envvar=True, show_default=False,
        help="Bearer token that POST /api/v1/articles requires.")] = None,
    no_auth: Annotated[bool, typer.Option(
        "--no-auth", help="Accept writes without a token (loopback addresses only).")] = False,
    max_body: Annotated[int, typer.Option(min=1, help="Largest request body, in bytes.")
                        ] = 5_000_000,
    workers: Annotated[int, typer.Option(min=1, max=64, help=(
        "Server processes sharing the port, each with its own page cache and store "
        "connections. More than 1 helps on a machine with cores to spare."))] = 1,
    page_cache_mb: Annotated[int, typer.Option(min=0, max=65_536, help=(
        "Memory per process for computed pages and API lists, kept while the store is "
        "unchanged; 0 computes every request."))] = 64,
) -> None:
    """Serve the web UI and the JSON API (docs at /docs) over the store."""
    token = token.strip() if token and token.strip() else None
    loopback = is_loopback(host)
    if no_auth and not loopback:
        fail(f"--no-auth is only allowed on a loopback address, not {host!r}; "
             "give --token (or STORYLENS_TOKEN) instead")
    if no_auth and token:
        fail("give either --token or --no-auth, not both (unset STORYLENS_TOKEN?)")
    if not loopback and not token:
        fail(f"listening on {host!r} needs a token: give --token or set STORYLENS_TOKEN "
             "(or listen on 127.0.0.1)")
    if token and len(token) < 16:
        err_console.print("warning: the token is short; use 16+ random characters, "
                          "e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`")

    import uvicorn

    from storylens.server.app import create_app

    try:
        settings = Settings.load(db=db)
        app_args: dict[str, Any] = {
            "db_path": str(settings.db), "token": token, "allow_no_auth": no_auth,
            "max_body_bytes": max_body,
            "allowed_hosts": sorted(_names(host)) if loopback else None,
            "page_cache_bytes": page_cache_mb * 1_000_000,
            "allow_fetch": settings.allow_hosts}
        app = create_app(**app_args)  # also checks the store before any worker starts
    except StorylensError as e:
        fail(str(e))
    sock = _listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    mode = "writes need the token" if token else (
        "writes open (--no-auth)" if no_auth else "read-only (no token)")
    procs = f", {workers} worker processes" if workers > 1 else ""
    err_console.print(f"storylens serving {redact(settings.db)} on http://{shown}:{sock.getsockname()[1]}"
                      f" ({mode}{procs}); Ctrl-C to stop")
    options: dict[str, Any] = {"log_level": "info", "timeout_graceful_shutdown": 10,
                               "server_header": False, "proxy_headers": False,
                               "access_log": True}
    if workers == 1:
        uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])
        return
    from uvicorn.supervisors import Multiprocess

    from storylens.server.app import APP_ENV

    os.environ[APP_ENV] = json.dumps(app_args)  # what each spawned worker builds from
    config = uvicorn.Config("storylens.server.app:app_from_env", factory=True,
                            workers=workers, **options)
    Multiprocess(config, sockets=[sock]).run()


def _names(host: str) -> frozenset[str]:
    """The Host header names a loopback server answers to: the usual loopback names and
    the address it was given (``--host 127.0.0.2`` is reached as 127.0.0.2)."""
    h = host.strip().lower()
    bare = h.strip("[]")
    return LOOPBACK_HOSTS | {bare, f"[{bare}]"} if ":" in bare else LOOPBACK_HOSTS | {h}


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves so a busy port or bad address is one clear
    error line, not a log record."""
    name = host.strip("[]")
    family = socket.AF_INET6 if ":" in name else socket.AF_INET
    try:
        if name == "localhost":
            name = "127.0.0.1"
        return socket.create_server((name, port), family=family, backlog=2048)
    except OSError as e:
        fail(f"cannot listen on {host}:{port} ({e.strerror or e})")
