"""The HTTP API against a store built from the real corpus (the two example articles and
the 28-article sample, ingested through ``storylens.api``): list, search, filters,
pagination, get, batch ingest with auth, size limit, error shape, headers, OpenAPI."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from storylens.server import create_app
from storylens.server.headers import CSP
from tests.browser.serverproc import SAMPLE, TestClient, build_corpus_store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAMPLE_ROWS = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines()]
N_CORPUS = 2 + len(SAMPLE_ROWS)


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("corpus") / "store.db"
    report = build_corpus_store(db)
    assert len(report.ingested) == N_CORPUS
    return db


@pytest.fixture(scope="module")
def client(corpus_db: Path) -> Iterator[TestClient]:
    """Read-only tests share this client; writing tests make their own store."""
    with TestClient(create_app(corpus_db, token=TOKEN, allow_no_auth=False)) as c:
        yield c


def fresh(tmp_path: Path, **kw: Any) -> TestClient:
    kw.setdefault("token", TOKEN)
    kw.setdefault("allow_no_auth", False)
    return TestClient(create_app(tmp_path / "w.db", **kw))


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return dict(body["error"])


# -- meta -------------------------------------------------------------------------------
def test_health_and_version(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "articles": N_CORPUS}
    v = client.get("/api/v1/version").json()
    assert v["name"] == "storylens" and v["api"] == "v1" and v["store_schema"] >= 1


# -- list, search, filters, pagination --------------------------------------------------
def test_list_all_has_total_and_summaries(client: TestClient) -> None:
    body = client.get("/api/v1/articles").json()
    assert body["total"] == N_CORPUS == len(body["articles"])
    assert body["links"] == {"next": None, "prev": None}
    first = body["articles"][0]
    assert {"id", "title", "lang", "outlet", "published", "excerpt", "href"} <= set(first)
    assert "text" not in first and "raw" not in first
    assert first["href"] == f"/api/v1/articles/{first['id']}"


def test_pagination_walks_every_article_once(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/articles?limit=7"
    pages = []
    while url:
        page = client.get(url).json()
        assert page["total"] == N_CORPUS and page["limit"] == 7
        pages.append(page)
        seen += [a["id"] for a in page["articles"]]
        url = page["links"]["next"]
    assert len(pages) == 5 and len(seen) == N_CORPUS == len(set(seen))
    assert pages[0]["links"]["prev"] is None
    back = client.get(pages[1]["links"]["prev"]).json()
    assert [a["id"] for a in back["articles"]] == [a["id"] for a in pages[0]["articles"]]


def test_pagination_links_keep_filters(client: TestClient) -> None:
    page = client.get("/api/v1/articles", params={"lang": "de", "limit": 2}).json()
    nxt = page["links"]["next"]
    assert "lang=de" in nxt and "offset=2" in nxt and "limit=2" in nxt
    assert all(a["lang"] == "de" for a in client.get(nxt).json()["articles"])


def test_full_text_search(client: TestClient) -> None:
    body = client.get("/api/v1/articles", params={"q": "Bruxelles"}).json()
    assert body["total"] == 2
    assert all("bruxelles" in a["title"].lower() for a in body["articles"])
    hamas = client.get("/api/v1/articles", params={"q": "Hamas Erdogan"}).json()
    assert {a["lang"] for a in hamas["articles"]} == {"fr"} and hamas["total"] == 2
    assert client.get("/api/v1/articles", params={"q": "zzzxqqnotaword"}).json()["total"] == 0


def test_malformed_search_is_400(client: TestClient) -> None:
    err = assert_error(client.get("/api/v1/articles", params={"q": 'AND "open'}), 400,
                       "invalid_query")
    assert "full-text" in err["message"]


def test_filter_by_language_and_outlet(client: TestClient) -> None:
    want = Counter(r["lang"] for r in SAMPLE_ROWS)
    de = client.get("/api/v1/articles", params={"lang": "de"}).json()
    assert de["total"] == want["de"] and {a["lang"] for a in de["articles"]} == {"de"}
    bx1 = client.get("/api/v1/articles", params={"outlet": "bx1.be"}).json()
    assert bx1["total"] == 1 and "bx1.be" in bx1["articles"][0]["url"]
    both = client.get("/api/v1/articles", params={"lang": "de", "outlet": "bx1.be"}).json()
    assert both["total"] == 0


def test_filter_by_dates(client: TestClient) -> None:
    old = client.get("/api/v1/articles", params={"until": "2020-01-01"}).json()
    assert [a["published"][:10] for a in old["articles"]] == ["2019-12-31"]
    jan = client.get("/api/v1/articles",
                     params={"since": "2020-01-01", "until": "2020-02-01T00:00:00Z"}).json()
    assert [a["published"][:10] for a in jan["articles"]] == ["2020-01-01"]
    err = assert_error(client.get("/api/v1/articles", params={"since": "last tuesday"}), 422,
                       "invalid_parameter")
    assert "since" in err["message"]


# -- one article ------------------------------------------------------------------------
def _jforum_id(client: TestClient) -> str:
    hits = client.get("/api/v1/articles", params={"q": "Gantz"}).json()["articles"]
    return str(next(a["id"] for a in hits if "Erdogan" in a["title"]))


def test_get_by_id_and_prefix_with_removed_lines(client: TestClient) -> None:
    aid = _jforum_id(client)
    full = client.get(f"/api/v1/articles/{aid}").json()
    assert full["id"] == aid and full["lang"] == "fr" and "Gantz" in full["text"]
    assert full["removed"] and all(r["reason"] and r["line_no"] > 0 for r in full["removed"])
    assert full["raw"] is None
    assert client.get(f"/api/v1/articles/{aid[:6]}").json()["id"] == aid
    with_raw = client.get(f"/api/v1/articles/{aid}", params={"raw": "true"}).json()
    assert with_raw["raw"] and len(with_raw["raw"]) > len(full["text"])


def test_unknown_and_ambiguous_ids_are_404(client: TestClient) -> None:
    err = assert_error(client.get("/api/v1/articles/ffffffffffffffff0"), 404, "not_found")
    assert "no such article" in err["message"]
    ids = [a["id"] for a in client.get("/api/v1/articles").json()["articles"]]
    shared = next(c for c, n in Counter(i[0] for i in ids).items() if n > 1)
    assert "ambiguous" in assert_error(client.get(f"/api/v1/articles/{shared}"), 404)["message"]


def test_unknown_route_and_method_use_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_error(client.delete("/api/v1/articles"), 405, "method_not_allowed")


def test_validation_errors_have_the_error_shape(client: TestClient) -> None:
    err = assert_error(client.get("/api/v1/articles", params={"limit": "abc"}), 422,
                       "invalid_request")
    assert err["details"][0]["loc"] == ["query", "limit"]
    assert "input" not in err["details"][0]
    assert_error(client.get("/api/v1/articles", params={"limit": 1000}), 422)
    assert_error(client.get("/api/v1/articles", params={"offset": -1}), 422)


# -- ingest -----------------------------------------------------------------------------
GOOD = {"title": "Un article de test", "url": "https://example.org/a/1", "lang": "fr",
        "text": "Le conseil municipal a voté mardi un budget de dix millions d'euros pour "
                "rénover les écoles de la ville.\nLes travaux commenceront au printemps."}


def test_ingest_requires_the_token(tmp_path: Path) -> None:
    c = fresh(tmp_path)
    resp = c.post("/api/v1/articles", json=[GOOD])
    assert_error(resp, 401, "unauthorized")
    assert resp.headers["www-authenticate"] == "Bearer"
    assert_error(c.post("/api/v1/articles", json=[GOOD],
                        headers={"Authorization": "Bearer wrong"}), 401)
    assert_error(c.post("/api/v1/articles", json=[GOOD],
                        headers={"Authorization": f"Basic {TOKEN}"}), 401)
    assert c.get("/api/v1/health").json()["articles"] == 0


def test_ingest_reports_each_item(tmp_path: Path) -> None:
    c = fresh(tmp_path)
    items = [GOOD, 42, {"title": "no body"}, {**GOOD, "url": ["not", "a", "string"]},
             {**GOOD, "id": "second", "text": GOOD["text"] + " Encore une phrase."}, GOOD]
    resp = c.post("/api/v1/articles", json=items, headers=AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["ingested"], body["duplicates"], body["failed"]) == (2, 1, 3)
    status = [(it["index"], it["status"]) for it in body["items"]]
    assert status == [(0, "ingested"), (1, "failed"), (2, "failed"), (3, "failed"),
                      (4, "ingested"), (5, "duplicate")]
    reasons = {it["index"]: it["reason"] for it in body["items"] if it["status"] == "failed"}
    assert "JSON object" in reasons[1] and "'text' or 'html'" in reasons[2]
    assert "'url'" in reasons[3]
    first = body["items"][0]["id"]
    assert body["items"][5]["id"] == first
    got = c.get(f"/api/v1/articles/{first}").json()
    assert got["title"] == GOOD["title"] and "budget" in got["text"]
    again = c.post("/api/v1/articles", json=[GOOD], headers=AUTH).json()
    assert again["duplicates"] == 1 and again["items"][0]["id"] == first
    assert c.get("/api/v1/health").json()["articles"] == 2


def test_ingest_rejects_bad_bodies(tmp_path: Path) -> None:
    c = fresh(tmp_path)
    post = c.post
    assert_error(post("/api/v1/articles", content=b"[{", headers={
        **AUTH, "Content-Type": "application/json"}), 400, "invalid_json")
    assert "array" in assert_error(post("/api/v1/articles", json=GOOD, headers=AUTH), 422,
                                   "invalid_request")["message"]
    assert_error(post("/api/v1/articles", content=json.dumps([GOOD]), headers={
        **AUTH, "Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert post("/api/v1/articles", json=[], headers=AUTH).json()["items"] == []


def test_ingest_without_token_needs_allow_no_auth(tmp_path: Path) -> None:
    closed = fresh(tmp_path, token=None)
    assert_error(closed.post("/api/v1/articles", json=[GOOD]), 401, "writes_disabled")
    opened = fresh(tmp_path, token=None, allow_no_auth=True)
    assert opened.post("/api/v1/articles", json=[GOOD]).json()["ingested"] == 1


def test_oversized_body_is_413_before_ingest(tmp_path: Path) -> None:
    c = fresh(tmp_path, max_body_bytes=10_000)
    big = [{**GOOD, "text": GOOD["text"] + " mot" * 5_000}]
    err = assert_error(c.post("/api/v1/articles", json=big, headers=AUTH), 413,
                       "payload_too_large")
    assert "10,000" in err["message"]
    chunks = (json.dumps(big).encode()[i:i + 1000] for i in range(0, 30_000, 1000))
    streamed = c.post("/api/v1/articles", content=chunks,  # chunked: no Content-Length
                      headers={**AUTH, "Content-Type": "application/json"})
    assert_error(streamed, 413, "payload_too_large")
    assert c.get("/api/v1/health").json()["articles"] == 0
    assert c.post("/api/v1/articles", json=[GOOD], headers=AUTH).json()["ingested"] == 1


# -- headers, host check, errors --------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/articles", "/docs", "/api/v1/health",
                                  "/api/v1/articles/nope", "/nope", "/static/app.css",
                                  "/openapi.json"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    h = client.get(path).headers
    assert h["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"


def test_host_check_blocks_foreign_hosts(tmp_path: Path) -> None:
    c = fresh(tmp_path, allowed_hosts=["127.0.0.1", "localhost", "[::1]"])
    assert c.get("/api/v1/health", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert c.get("/api/v1/health", headers={"Host": "[::1]:8000"}).status_code == 200
    resp = c.get("/api/v1/health", headers={"Host": "evil.example:8000"})
    assert_error(resp, 400, "bad_host")
    assert resp.headers["content-security-policy"] == CSP


def test_unexpected_error_is_500_with_shape_and_headers(
    corpus_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storylens.api

    def boom(*_a: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(storylens.api, "get_article", boom)
    app: FastAPI = create_app(corpus_db, token=TOKEN, allow_no_auth=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        resp = c.get("/api/v1/articles/abc")
        err = assert_error(resp, 500, "internal_error")
        assert "secret" not in err["message"]
        assert resp.headers["content-security-policy"] == CSP
        page = c.get("/articles/abc")
        assert page.status_code == 500 and "text/html" in page.headers["content-type"]


# -- OpenAPI and docs -------------------------------------------------------------------
def test_openapi_is_valid_and_complete(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == "storylens"
    ops = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
    assert ops == {("GET", "/api/v1/health"), ("GET", "/api/v1/version"),
                   ("GET", "/api/v1/articles"), ("POST", "/api/v1/articles"),
                   ("GET", "/api/v1/articles/{article_id}"), ("GET", "/api/v1/stories"),
                   ("GET", "/api/v1/stories/{story_id}"), ("GET", "/api/v1/compare"),
                   ("GET", "/api/v1/sources"), ("POST", "/api/v1/sources"),
                   ("DELETE", "/api/v1/sources/{source_id}")}
    schemas = spec["components"]["schemas"]

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for v in node.values():
                yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    for ref in refs(spec):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas
    for item in spec["paths"].values():
        for op in item.values():
            assert op["summary"] and "200" in op["responses"]
            err = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert err.endswith("/ErrorBody")
    post = spec["paths"]["/api/v1/articles"]["post"]
    assert post["security"] == [{"HTTPBearer": []}]
    assert post["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "HTTPValidationError" not in schemas
