"""The story API and pages over the real corpus (ingested, then clustered): stories list
pagination and filters, one story with its coverage, compare errors, the stories/story/
compare pages, the article -> story link, and escaping of hostile titles."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storylens.errors import ConfigError
from storylens.link.service import cluster_store
from storylens.server import create_app
from storylens.store import open_store
from tests.browser.serverproc import TestClient, build_corpus_store

SCRIPT = "<script>alert('x')</script>"
HOSTILE_TITLE = f"Budget vote {SCRIPT} \"quoted\" & <b>bold</b>"


def _clustered_store(db: Path, extra: list[dict[str, str]] | None = None) -> None:
    build_corpus_store(db)
    store = open_store(db)
    try:
        if extra:
            from storylens import api
            from storylens.ingest.files import raw_from_json

            assert api.ingest_raw([raw_from_json(e, f"t[{i}]") for i, e in enumerate(extra)],
                                  store).ok
        try:
            report = cluster_store(store)
        except ConfigError as e:  # link models out of step with the code: no stories
            pytest.skip(f"clustering is unavailable in this checkout: {e}")
        assert report.clustered > 0
    finally:
        store.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("stories") / "store.db"
    _clustered_store(db, [{"title": HOSTILE_TITLE, "lang": "en", "outlet": "evil<i>.example",
                           "text": "The council met on Tuesday to debate the budget. "
                                   f"Members argued {SCRIPT} for hours about repairs."}])
    with TestClient(create_app(db, token=None, allow_no_auth=False)) as c:
        yield c


def _all(client: TestClient, level: str = "event") -> list[dict[str, object]]:
    return list(client.get("/api/v1/stories", params={"level": level, "limit": 200}
                           ).json()["stories"])


def _biggest(client: TestClient) -> dict[str, object]:
    """The largest story told by at least two outlets (coverage compares outlets)."""
    stories = client.get("/api/v1/stories", params={"sort": "size", "limit": 100}
                         ).json()["stories"]
    return dict(next(s for s in stories if len(s["outlets"]) >= 2))


def test_stories_api_pages_with_total_and_links(client: TestClient) -> None:
    everything = _all(client)
    total = len(everything)
    assert total >= 5
    first = client.get("/api/v1/stories", params={"limit": 2}).json()
    assert first["total"] == total and len(first["stories"]) == 2 and first["offset"] == 0
    assert first["links"]["prev"] is None and "offset=2" in first["links"]["next"]
    second = client.get(first["links"]["next"]).json()
    assert [s["id"] for s in second["stories"]] == [s["id"] for s in everything[2:4]]
    assert "offset=0" in second["links"]["prev"]
    last = client.get("/api/v1/stories", params={"limit": 2, "offset": total - 1}).json()
    assert len(last["stories"]) == 1 and last["links"]["next"] is None
    # Every article is in exactly one event: sizes add up to the articles stored.
    n_articles = client.get("/api/v1/health").json()["articles"]
    assert sum(int(str(s["size"])) for s in everything) == n_articles
    assert all(s["href"] == f"/api/v1/stories/{s['id']}" for s in everything)


def test_stories_api_filters_and_sorts(client: TestClient) -> None:
    by_size = client.get("/api/v1/stories", params={"sort": "size", "limit": 200}).json()
    sizes = [s["size"] for s in by_size["stories"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] >= 2
    big = client.get("/api/v1/stories", params={"min_size": 2, "limit": 200}).json()
    assert big["total"] == sum(1 for n in sizes if n >= 2)
    de = client.get("/api/v1/stories", params={"lang": "de", "limit": 200}).json()
    assert de["total"] >= 1 and all("de" in s["langs"] for s in de["stories"])
    lines = client.get("/api/v1/stories", params={"level": "storyline"}).json()
    assert lines["level"] == "storyline" and all(s["id"].startswith("sl-")
                                                 for s in lines["stories"])
    bad = client.get("/api/v1/stories", params={"level": "saga"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    assert client.get("/api/v1/stories", params={"limit": 0}).status_code == 422


def test_story_api_has_members_and_coverage(client: TestClient) -> None:
    top = _biggest(client)
    body = client.get(f"/api/v1/stories/{top['id']}").json()
    assert body["id"] == top["id"] and len(body["members"]) == body["size"]
    assert all(m["href"] == f"/api/v1/articles/{m['id']}" for m in body["members"])
    cov = body["coverage"]
    assert cov["source"] in ("compare", "fallback")
    if cov["source"] == "compare":
        assert cov["facts"] and len(cov["matrices"]["outlets"]) >= 2
        assert len(cov["matrices"]["facts"]["rows"]) == len(cov["matrices"]["outlets"])
    else:
        assert cov["facts"]["rows"]
    missing = client.get("/api/v1/stories/ev-nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found" and "ev-nope" in missing.text


def test_compare_api_errors_and_result(client: TestClient) -> None:
    members = client.get(f"/api/v1/stories/{_biggest(client)['id']}").json()["members"]
    resp = client.get("/api/v1/compare", params={"a": members[0]["id"], "b": "nope"})
    assert resp.status_code == 404
    assert resp.json() == {"error": {"code": "not_found", "message": resp.json()["error"][
        "message"]}} and "nope" in resp.json()["error"]["message"]
    assert client.get("/api/v1/compare", params={"a": "x"}).status_code == 422
    ok = client.get("/api/v1/compare", params={"a": members[0]["id"], "b": members[1]["id"]})
    assert ok.status_code == 200
    c = ok.json()
    assert c["a"]["id"] == members[0]["id"] and c["b"]["id"] == members[1]["id"]
    assert {"verdicts", "dimensions", "facts", "framing", "tone"} <= c.keys()


def test_stories_page_lists_searches_and_filters(client: TestClient) -> None:
    html = client.get("/").text
    total = client.get("/api/v1/stories").json()["total"]
    assert "<h1>Stories</h1>" in html and f"{total} events" in html
    assert html.count('class="story-item"') == min(total, 20)
    hits = client.get("/", params={"q": "Bachelor"}).text
    assert "2 articles match, in 1 event" in hits and hits.count('class="story-item"') == 1
    assert "Bachelor" in hits and 'value="Bachelor"' in hits
    de = client.get("/", params={"lang": "de", "level": "storyline", "sort": "size"}).text
    assert de.count('class="story-item"') == client.get(
        "/api/v1/stories", params={"lang": "de", "level": "storyline"}).json()["total"]
    odd = client.get("/", params={"min_size": "lots", "level": "saga", "q": "Top Chef 2020 :"})
    assert odd.status_code == 200
    assert "Ignored level" in odd.text and "not valid search syntax" in odd.text


def test_story_page_shows_matrices_timeline_and_pairs(client: TestClient) -> None:
    top = _biggest(client)
    html = client.get(f"/stories/{top['id']}").text
    assert 'id="facts-matrix"' in html and 'id="entities-matrix"' in html
    assert 'id="framing-table"' in html and 'class="members"' in html
    assert html.count('class="member"') >= 1 and "/compare?a=" in html
    story = next(str(s["id"]) for s in _all(client) if any(
        m["published"] for m in client.get(f"/api/v1/stories/{s['id']}").json()["members"]))
    page = client.get(f"/stories/{story}").text
    assert '<svg class="timeline"' in page and "<circle" in page
    assert client.get("/stories/ev-nope").status_code == 404


def test_compare_page_and_article_story_link(client: TestClient) -> None:
    members = client.get(f"/api/v1/stories/{_biggest(client)['id']}").json()["members"]
    a, b = members[0]["id"], members[1]["id"]
    html = client.get("/compare", params={"a": a, "b": b}).text
    for part in ("Verdicts", "Shared core", "Only A", "Only B", "Framing", "Tone"):
        assert part in html
    assert client.get("/compare").status_code == 200
    assert client.get("/compare", params={"a": a, "b": "nope"}).status_code == 404
    article = client.get(f"/articles/{a}").text
    assert f'href="/stories/{members[0]["event_id"]}"' in article


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_pages_escape_hostile_titles(client: TestClient) -> None:
    hostile = client.get("/api/v1/articles", params={"q": "council"}).json()["articles"][0]
    sid = client.get(f"/articles/{hostile['id']}").text.split('href="/stories/')[1].split(
        '"')[0]
    for path in ("/", f"/stories/{sid}", "/?q=council",
                 f"/compare?a={hostile['id']}&b={hostile['id']}"):
        html = client.get(path).text
        doc = _Tags()
        doc.feed(html)
        assert doc.tags.count("script") == 1  # only base.html's /static/app.js
        assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
        assert SCRIPT not in html
        assert HOSTILE_TITLE in "".join(doc.text)
    assert "evil&lt;i&gt;.example" in client.get(f"/stories/{sid}").text
