"""No 5xx for any query string or body: hostile parameters are 422s (API) or ignored with
a notice (pages); HEAD answers like GET without a body; a loopback server given another
loopback address answers on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storylens.cli.serve_cmd import _names
from storylens.server import create_app
from storylens.server.params import form_int, iso_datetime
from tests.browser.serverproc import TestClient

TOKEN = "hostile-test-token-0123456789"
VALID = {"title": "Harbour report", "text": "The harbour opened a new quay today. " * 6,
         "lang": "en"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "s.db", token=TOKEN, allow_no_auth=False))


PAGES = ["/", "/articles", "/compare"]
HOSTILE_VALUES = ["²", "٣", "1e9", "-1", "0", "9" * 400, "", " ", "\x00", "%00", "NaN",
                  "1_000", "+5", "0x10", "[]", "{}", "'\"<>"]
DATES = ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31", "9999-12-31T23:59:59-14:00",
         "2020-02-30", "２０２０-０１-０１", "-2020-01-01", "2020-01-01T25:00"]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_pages_ignore_hostile_numbers(client: TestClient, value: str) -> None:
    for path in PAGES:
        for name in ("page", "min_size"):
            r = client.get(path, params={name: value})
            assert r.status_code < 500, (path, name, value, r.status_code)


@pytest.mark.parametrize("value", DATES)
def test_dates_near_the_ends_of_time_are_refused_not_crashed(client: TestClient,
                                                              value: str) -> None:
    r = client.get("/articles", params={"since": value, "until": value})
    assert r.status_code == 200
    r = client.get("/api/v1/articles", params={"since": value})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert r.json()["error"]["code"] == "invalid_parameter"


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_api_numbers_are_422(client: TestClient, value: str) -> None:
    for name in ("limit", "offset"):
        r = client.get("/api/v1/articles", params={name: value})
        assert r.status_code in (200, 422), (name, value, r.status_code)
        r = client.get("/api/v1/stories", params={name: value})
        assert r.status_code in (200, 422), (name, value, r.status_code)


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    for path in ("/", "/articles", "/api/v1/health", "/openapi.json"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers.get("content-type") == get.headers.get("content-type")
    assert client.head("/no/such/page").status_code == 404


def test_post_ingest_with_crash_classes_keeps_the_valid_items(client: TestClient) -> None:
    body = ('[' + json.dumps(VALID) + ', {"text": "x", "id": ' + "9" * 5000 + '}, '
            '{"text": "bad \\ud800 surrogate text here", "title": "\\udfff"}, '
            + json.dumps({**VALID, "title": "Second report",
                          "text": "A second, different report. " * 6})
            + "]")
    r = client.post("/api/v1/articles", content=body,
                    headers={"Authorization": f"Bearer {TOKEN}",
                             "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items[0]["status"] == "ingested"
    assert items[-1]["status"] == "ingested"
    assert all(i["status"] in ("ingested", "failed", "duplicate") for i in items)
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post("/api/v1/articles", content=deep,
                    headers={"Authorization": f"Bearer {TOKEN}",
                             "Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]


def test_a_loopback_server_answers_on_the_address_it_was_given() -> None:
    assert "127.0.0.2" in _names("127.0.0.2")
    assert "localhost" in _names("127.0.0.2")
    assert "[::1]" in _names("::1")


def test_param_helpers() -> None:
    assert form_int("12", 1, 99) == 12
    assert form_int("²", 1, 99) is None and form_int("100", 1, 99) is None
    assert iso_datetime("2022-10-24").year == 2022
    with pytest.raises(ValueError, match="year"):
        iso_datetime("0001-01-01")
    with pytest.raises(ValueError, match="ISO"):
        iso_datetime("yesterday")
