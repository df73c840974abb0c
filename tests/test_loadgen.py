"""The open-loop load generator behind benchmarks/serve_load.py: it sends what it is
told, reads both response framings, counts failures, and measures latency from each
request's due time, so a slow server shows as latency rather than a lower rate."""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import math
import sys
from collections.abc import Coroutine
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _loadgen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("loadgen", ROOT / "benchmarks" / "loadgen.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["loadgen"] = mod  # dataclasses look their module up while building
    spec.loader.exec_module(mod)
    return mod


lg = _loadgen()
T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the browser tests keep Playwright's sync
    event loop running in the main thread for the whole session, and ``asyncio.run``
    refuses to start inside a running loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _with_server(handler: object, run: object) -> object:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)  # type: ignore[arg-type]
    port = server.sockets[0].getsockname()[1]
    async with server:
        return await run(port)  # type: ignore[operator]


def test_percentile_is_nearest_rank() -> None:
    xs = [float(x) for x in range(1, 101)]
    assert lg.percentile(xs, 0.99) == 99.0 and lg.percentile(xs, 0.5) == 50.0
    assert lg.percentile([3.0], 0.99) == 3.0 and math.isnan(lg.percentile([], 0.5))
    assert lg.percentile([1.0, math.inf], 0.99) == math.inf


def test_sends_every_request_and_reads_both_framings() -> None:
    seen: list[str] = []
    chunked = (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                path = head.split(" ")[1]
                seen.append(path)
                writer.write(chunked if path == "/c" else lg._REPLY)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    r = _run(_with_server(handler, lambda port: lg.open_loop(
        "127.0.0.1", port, ["/a", "/c"], rate=200, seconds=0.5, connections=4)))
    assert (r.sent, r.ok, r.errors, r.timeouts) == (100, 100, 0, 0)
    assert sorted(set(seen)) == ["/a", "/c"] and len(seen) == 100
    assert r.mean_bytes == round((50 * 2 + 50 * 5) / 100)
    assert r.to_dict()["path"] == "/a /c"


def test_latency_counts_from_the_due_time() -> None:
    """One connection, a server taking 0.1 s a request, a request due every 0.02 s: the
    tenth waits for the nine before it, so its latency is at least 10 x 0.1 - 9 x 0.02 s.
    A closed-loop client would have reported about 0.1 s for every request."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(0.1)
                writer.write(lg._REPLY)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    r = _run(_with_server(handler, lambda port: lg.open_loop(
        "127.0.0.1", port, ["/"], rate=50, seconds=0.2, connections=1)))
    assert r.ok == 10 and r.max_ms >= 10 * 100 - 9 * 20
    assert r.achieved_rps < 50, "the server, not the offered rate, set the pace"


def test_failures_and_stragglers_count_as_infinitely_slow() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if b"GET /bad" in head:
            writer.write(b"HTTP/1.1 500 Oops\r\ncontent-length: 0\r\n\r\n")
        elif b"GET /hang" in head:
            await asyncio.sleep(5)
        writer.close()

    async def run(port: int) -> tuple[object, object]:
        bad = await lg.open_loop("127.0.0.1", port, ["/bad"], 20, 0.25, connections=2)
        hang = await lg.open_loop("127.0.0.1", port, ["/hang"], 20, 0.1, connections=2,
                                  timeout=0.3)
        return bad, hang

    bad, hang = _run(_with_server(handler, run))
    assert bad.errors == bad.sent == 5 and bad.ok == 0  # type: ignore[attr-defined]
    assert bad.to_dict()["p99_ms"] is None  # type: ignore[attr-defined]
    assert hang.timeouts == 2 and hang.ok == 0  # type: ignore[attr-defined]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="rate, seconds and connections"):
        _run(lg.open_loop("127.0.0.1", 1, ["/"], rate=0, seconds=1))
