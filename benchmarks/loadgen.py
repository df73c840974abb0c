"""An open-loop HTTP/1.1 load generator on raw asyncio sockets, for ``serve_load.py``.

Open loop: request ``i`` is due at ``start + i / rate`` whatever happened to the earlier
ones, and its latency is measured from that due time, not from when a connection became
free to send it. A slow server therefore shows up as latency (requests queue in the
client while all connections are busy) instead of as a lower request rate, which a
closed-loop client would report as good latencies ("coordinated omission").

Raw sockets rather than httpx: a GET over a kept-alive connection costs the client a few
tens of microseconds instead of about a millisecond, so on a small machine the client is
not what limits the rate. ``send_lag`` (due time to the moment the request is handed to
a connection or queued for one) shows it: milliseconds of lag mean the client fell
behind. ``null_server`` answers every request at once, to measure the client alone.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


class HttpError(Exception):
    """A malformed response or a closed connection."""


class Connection:
    """One kept-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port,
                                                                 limit=1 << 22)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, int]:
        """GET ``path``; returns (status, body bytes). Reconnects if the server closed."""
        if self.writer is None or self.writer.is_closing():
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                          f"Accept: */*\r\n\r\n".encode("ascii"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"bad status line {lines[0][:80]!r}")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (x.partition(":") for x in lines[1:] if x)}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
            size = len(body)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            size = await self._chunked()
        else:
            raise HttpError("response without a length")
        if headers.get("connection", "").lower() == "close":
            self.close()
        return int(parts[1]), size

    async def _chunked(self) -> int:
        assert self.reader is not None
        size = 0
        while True:
            n = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if n == 0:
                await self.reader.readuntil(b"\r\n")
                return size
            size += len(await self.reader.readexactly(n + 2)) - 2


@dataclass(slots=True)
class StepResult:
    """One endpoint at one offered rate. Latencies in ms; failed or unfinished requests
    count as infinitely slow in the percentiles."""

    path: str
    offered_rps: float
    seconds: float
    sent: int
    ok: int
    errors: int
    timeouts: int
    achieved_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    send_lag_p99_ms: float
    mean_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and math.isinf(v) else v)
                for k, v in asdict(self).items()}


def percentile(xs: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of ``xs`` (``nan`` when empty)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


async def open_loop(host: str, port: int, paths: Sequence[str], rate: float,
                    seconds: float, connections: int = 200, timeout: float = 15.0
                    ) -> StepResult:
    """Offer ``rate`` GETs a second for ``seconds`` over ``connections`` kept-alive
    connections, cycling through ``paths``; wait up to ``timeout`` for stragglers."""
    if rate <= 0 or seconds <= 0 or connections < 1 or not paths:
        raise ValueError("rate, seconds and connections must be positive, paths non-empty")
    loop = asyncio.get_running_loop()
    conns = [Connection(host, port) for _ in range(connections)]
    await asyncio.gather(*(c.open() for c in conns))
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for c in conns:
        idle.put_nowait(c)
    lat: list[float] = []
    lags: list[float] = []
    sizes: list[int] = []
    errors = 0
    finished = [0.0]  # when the last successful request ended: achieved rate's span

    async def one(due: float, path: str) -> None:
        nonlocal errors
        lags.append(loop.time() - due)
        conn = await idle.get()
        try:
            status, size = await conn.get(path)
        except (OSError, HttpError, asyncio.IncompleteReadError, ValueError):
            conn.close()
            errors += 1
            return
        finally:
            idle.put_nowait(conn)
        if status == 200:
            finished[0] = loop.time()
            lat.append(finished[0] - due)
            sizes.append(size)
        else:
            errors += 1

    n = max(1, round(rate * seconds))
    start = loop.time() + 0.05
    tasks: list[asyncio.Task[None]] = []
    i = 0
    while i < n:
        now = loop.time()
        while i < n and start + i / rate <= now:
            tasks.append(asyncio.create_task(one(start + i / rate, paths[i % len(paths)])))
            i += 1
        if i < n:
            await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
    pending: set[asyncio.Task[None]] = set()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for c in conns:
        c.close()
    all_lat = [x * 1000 for x in lat] + [math.inf] * (errors + len(pending))
    span = max(1e-9, finished[0] - start)
    return StepResult(
        path=" ".join(dict.fromkeys(paths)), offered_rps=rate, seconds=seconds, sent=n,
        ok=len(lat), errors=errors, timeouts=len(pending),
        achieved_rps=round(len(lat) / span, 1),
        p50_ms=round(percentile(all_lat, 0.50), 1), p90_ms=round(percentile(all_lat, 0.90), 1),
        p99_ms=round(percentile(all_lat, 0.99), 1), max_ms=round(max(all_lat, default=0), 1),
        send_lag_p99_ms=round(percentile([x * 1000 for x in lags], 0.99), 2),
        mean_bytes=round(sum(sizes) / len(sizes)) if sizes else 0)


# -- a server that answers at once, to measure the client alone ---------------------------
_REPLY = (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok")


async def _serve_null(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(_REPLY)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def null_server(port: int) -> None:
    """Answer every GET on 127.0.0.1:``port`` with ``200 ok`` until killed (run it in a
    subprocess: it shares no CPU time with the client's event loop)."""

    async def main() -> None:
        server = await asyncio.start_server(_serve_null, "127.0.0.1", port, backlog=2048)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def wait_port(port: int, timeout: float = 10.0) -> None:
    """Block until something accepts connections on 127.0.0.1:``port``."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")
