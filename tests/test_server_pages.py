"""The web pages over the real corpus: list, search, filters, pagination, one article,
the API reference and error pages. Escaping is tested in test_server_security.py, the
same pages in a real browser in tests/browser/."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from storylens.server import create_app
from tests.browser.serverproc import SAMPLE, TestClient, build_corpus_store

SAMPLE_ROWS = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines()]
N_CORPUS = 2 + len(SAMPLE_ROWS)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("pages") / "store.db"
    build_corpus_store(db)
    with TestClient(create_app(db, token=None, allow_no_auth=False)) as c:
        yield c


def _jforum_id(client: TestClient) -> str:
    hits = client.get("/api/v1/articles", params={"q": "Gantz"}).json()["articles"]
    return str(next(a["id"] for a in hits if "Erdogan" in a["title"]))


def test_docs_page_lists_every_endpoint_without_cdn(client: TestClient) -> None:
    html = client.get("/docs").text
    for path in client.get("/openapi.json").json()["paths"]:
        assert path in html
    assert "cdn" not in html.lower() and "swagger" not in html.lower()
    assert client.get("/redoc").status_code == 404


def test_home_lists_articles_with_search_and_pages(client: TestClient) -> None:
    html = client.get("/articles").text
    assert f"{N_CORPUS} articles" in html and 'name="q"' in html and 'name="lang"' in html
    assert html.count('class="article-item"') == 25 and 'rel="next"' in html
    assert client.get("/articles?page=2").text.count('class="article-item"') == N_CORPUS - 25
    hits = client.get("/articles", params={"q": "Bruxelles"}).text
    assert "2 articles match" in hits and hits.count('class="article-item"') == 2
    de = client.get("/articles", params={"lang": "de"}).text
    assert de.count('class="article-item"') == Counter(r["lang"] for r in SAMPLE_ROWS)["de"]


def test_home_search_forgives_bad_syntax(client: TestClient) -> None:
    resp = client.get("/articles", params={"q": "Top Chef 2020 :", "since": "not-a-date"})
    assert resp.status_code == 200
    assert "not valid search syntax" in resp.text and "Ignored since" in resp.text
    assert resp.text.count('class="article-item"') == 2


def test_article_page_shows_text_removed_lines_and_reasons(client: TestClient) -> None:
    aid = _jforum_id(client)
    full = client.get(f"/api/v1/articles/{aid}").json()
    html = client.get(f"/articles/{aid[:8]}").text
    assert "Removed by the cleaner" in html and f"({len(full['removed'])} lines)" in html
    assert html.count('class="reason"') == len(full["removed"])
    assert full["removed"][0]["reason"] in html and "Gantz" in html
    page404 = client.get("/articles/ffffffffffffffff0")
    assert page404.status_code == 404 and "text/html" in page404.headers["content-type"]
    assert "no such article" in page404.text


def test_home_date_filters_count_the_until_day(client: TestClient) -> None:
    html = client.get("/articles", params={"since": "2019-12-31", "until": "2019-12-31"}).text
    assert html.count('class="article-item"') == 1 and "Thousands Ring In 2020" in html
