"""Sources over HTTP through the real app: ``GET/POST /api/v1/sources``,
``DELETE /api/v1/sources/{id}`` (writes need the token, bad input is a one-line error
naming it) and the ``/sources`` page (escaped, linked from the nav, in OpenAPI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storylens.errors import ConfigError
from storylens.records_source import Source
from storylens.server import create_app
from storylens.store import open_store
from tests.browser.serverproc import TestClient
from tests.http_server import LocalServer
from tests.web_fixtures import HTML, rss

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def feeds() -> Iterator[LocalServer]:
    srv = LocalServer({})
    base = srv.url("").rstrip("/")
    home = (b"<html><head><link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
            b"</head><body><p>Home</p></body></html>")
    srv.routes.update({
        "/robots.txt": (404, {}, b""),
        "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, rss(base, ["/a"])),
        "/home.html": (200, HTML, home),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n"),
    })
    with srv:
        yield srv


def _client(tmp_path: Path, allow_fetch: str | None = "127.0.0.1") -> TestClient:
    return TestClient(create_app(tmp_path / "s.db", token=TOKEN, allow_no_auth=False,
                                 allow_fetch=allow_fetch))


def test_add_list_remove_through_the_api(tmp_path: Path, feeds: LocalServer) -> None:
    c = _client(tmp_path)
    assert c.get("/api/v1/sources").json() == []
    added = c.post("/api/v1/sources", json={"url": feeds.url("/home.html")}, headers=AUTH)
    assert added.status_code == 200, added.text
    [feed] = added.json()
    assert (feed["kind"], feed["url"]) == ("feed", feeds.url("/feed.xml"))  # discovered
    page = c.post("/api/v1/sources", json={"url": "https://news.example/world",
                                           "kind": "page", "interval": 3600}, headers=AUTH)
    assert page.status_code == 200 and page.json()[0]["interval"] == 3600
    listed = c.get("/api/v1/sources").json()
    assert [(s["id"], s["kind"], s["last_status"]) for s in listed] == [
        (1, "feed", None), (2, "page", None)]
    gone = c.delete("/api/v1/sources/1", headers=AUTH)
    assert gone.status_code == 200 and gone.json()["url"] == feeds.url("/feed.xml")
    assert [s["id"] for s in c.get("/api/v1/sources").json()] == [2]
    missing = c.delete("/api/v1/sources/1", headers=AUTH)
    assert missing.status_code == 404
    assert "source 1: no such source" in missing.json()["error"]["message"]


def test_writes_need_the_token(tmp_path: Path) -> None:
    c = _client(tmp_path)
    body = {"url": "https://news.example/feed", "kind": "feed"}
    assert c.post("/api/v1/sources", json=body).status_code == 401
    assert c.post("/api/v1/sources", json=body,
                  headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.delete("/api/v1/sources/1").status_code == 401
    assert c.get("/api/v1/sources").json() == [], "nothing was added"
    read_only = TestClient(create_app(tmp_path / "s.db", token=None, allow_no_auth=False))
    assert read_only.post("/api/v1/sources", json=body).json()["error"]["code"] == \
        "writes_disabled"


def test_unusable_urls_are_one_line_422s(tmp_path: Path, feeds: LocalServer) -> None:
    c = _client(tmp_path)
    cases = {
        feeds.url("/image.png"): "not what was asked for",
        feeds.url("/nothing.xml"): "HTTP 404",
        "ftp://news.example/feed": "only http and https",
        "http://news.example:99999/": "bad port",
    }
    for url, why in cases.items():
        resp = c.post("/api/v1/sources", json={"url": url}, headers=AUTH)
        err = resp.json()["error"]
        assert resp.status_code == 422 and err["code"] == "unusable_source", url
        assert url in err["message"] and why in err["message"] and "\n" not in err["message"]
    bad = c.post("/api/v1/sources", json={"url": "https://x.example/", "kind": "podcast",
                                          "interval": 1}, headers=AUTH)
    assert bad.status_code == 422
    assert {d["loc"][-1] for d in bad.json()["error"]["details"]} == {"kind", "interval"}
    assert c.get("/api/v1/sources").json() == []


def test_loopback_is_refused_unless_the_server_allows_it(tmp_path: Path,
                                                        feeds: LocalServer) -> None:
    c = _client(tmp_path, allow_fetch=None)
    resp = c.post("/api/v1/sources", json={"url": feeds.url("/feed.xml")}, headers=AUTH)
    assert resp.status_code == 422 and "loopback address; refused" in resp.text
    assert feeds.log == [], "nothing was sent to the refused address"
    with pytest.raises(ConfigError, match="not a network"):
        create_app(tmp_path / "s.db", token=TOKEN, allow_no_auth=False,
                   allow_fetch="10.0.0.0/99")


def test_sources_are_in_openapi(tmp_path: Path) -> None:
    paths = _client(tmp_path).get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/sources"]) == {"get", "post"}
    assert set(paths["/api/v1/sources/{source_id}"]) == {"delete"}
    assert "/sources" not in paths


def test_sources_page_escapes_and_is_linked(tmp_path: Path) -> None:
    when = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    with open_store(tmp_path / "s.db") as store:
        store.add_source(Source("https://news.example/feed?a=<script>", "feed", when,
                                title="<img src=x onerror=alert(1)>"))
        s = store.add_source(Source("javascript:alert(1)", "page", when))
        store.update_source(s.polled(when, "error: HTTP 500 <b>boom</b>", 0))
    c = _client(tmp_path)
    empty = TestClient(create_app(tmp_path / "e.db", token=None, allow_no_auth=False))
    assert "No sources yet" in empty.get("/sources").text
    resp = c.get("/sources")
    html = resp.text
    assert resp.status_code == 200 and "2 sources" in html
    assert "<script>" not in html and "<img src=x" not in html and "<b>boom" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html, "only http(s) URLs become links"
    assert 'href="/sources" aria-current="page"' in html
    assert 'href="/sources"' in c.get("/articles").text
    assert "script-src 'self'" in resp.headers["content-security-policy"]
