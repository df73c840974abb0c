"""The fetcher's transport (storylens.fetch.transport): public httpx/httpcore APIs only, the
address check on the very connection, and httpcore's errors raised as the httpx errors the
fetcher catches (a silent server is a read timeout, not a crash)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from storylens.fetch.client import Fetcher, FetchError, Limits
from storylens.fetch.safety import AllowList, BlockedAddress
from storylens.fetch.transport import GuardedTransport, mapped_errors
from tests.http_server import LocalServer
from tests.web_fixtures import page

LOOPBACK = AllowList.parse(["127.0.0.1"])


@pytest.mark.parametrize(("source", "target"), [
    (httpcore.ReadTimeout, httpx.ReadTimeout), (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
])
def test_httpcore_errors_become_the_most_specific_httpx_error(
        source: type[Exception], target: type[Exception]) -> None:
    with pytest.raises(target, match="boom") as e, mapped_errors():
        raise source("boom")
    assert type(e.value) is target and isinstance(e.value.__cause__, source)


def test_other_errors_pass_through_unchanged() -> None:
    with pytest.raises(BlockedAddress, match="refused"), mapped_errors():
        raise BlockedAddress("10.0.0.1 is a private address; refused")


def test_transport_serves_a_page_and_refuses_an_unlisted_address() -> None:
    with LocalServer({"/a.html": page("/news/budget.html")}) as srv:
        with httpx.Client(transport=GuardedTransport(LOOPBACK)) as client:
            resp = client.get(srv.url("/a.html"))
            assert resp.status_code == 200 and b"<html" in resp.content.lower()
        with httpx.Client(transport=GuardedTransport(AllowList())) as client, \
                pytest.raises(BlockedAddress, match="loopback address; refused"):
            client.get(srv.url("/a.html"))
        assert [path for _, path, *_ in srv.log] == ["/a.html"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        sock.close()


def test_a_silent_server_is_a_one_line_timeout(silent_port: int) -> None:
    lim = Limits(delay=0.0, read_timeout=0.3, connect_timeout=0.3, retries=0)
    with Fetcher(LOOPBACK, lim, respect_robots=False, sleep=lambda s: None) as f, \
            pytest.raises(FetchError, match="timed out") as e:
        f.get(f"http://127.0.0.1:{silent_port}/x.html")
    assert "\n" not in str(e.value)
