"""XSS: article fields, search input and URLs holding markup must reach every page as
text, never as tags or attributes. Checked by parsing the served HTML, not by grepping."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from storylens.server import create_app
from tests.browser.serverproc import TestClient

TOKEN = "xss-test-token-0123456789"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL = {
    "title": f"Breaking {SCRIPT} news {IMG}",
    "url": "javascript:alert(1)",
    "outlet": '"><script>alert(2)</script>',
    "lang": "en",
    "text": (f"The city council met on Tuesday to discuss the budget {SCRIPT} for next year.\n"
             f"Members argued for three hours about school repairs {IMG} and road works.\n"
             "The final vote is expected next month, according to the council's spokesman."),
}


class TagCollector(HTMLParser):
    """Every start tag with its attributes, and all text, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TagCollector:
    p = TagCollector()
    p.feed(html)
    p.close()
    return p


def assert_inert(html: str) -> TagCollector:
    """No injected element or handler: the only script is the app's own, no <img>, no on*
    attribute, no javascript: link."""
    doc = parse(html)
    scripts = [a.get("src") for t, a in doc.tags if t == "script"]
    assert all(s and s.startswith("/static/app.js") for s in scripts), scripts
    assert not [a for t, a in doc.tags if t in ("img", "svg", "iframe", "object")]
    for _, attrs in doc.tags:
        assert not [k for k in attrs if k.startswith("on")], attrs
        assert not (attrs.get("href") or "").strip().lower().startswith("javascript:")
    return doc


@pytest.fixture(scope="module")
def xss(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str]:
    db = tmp_path_factory.mktemp("xss") / "store.db"
    client = TestClient(create_app(db, token=TOKEN, allow_no_auth=False))
    resp = client.post("/api/v1/articles", json=[EVIL],
                       headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.json()["ingested"] == 1, resp.text
    aid = resp.json()["items"][0]["id"]
    stored = client.get(f"/api/v1/articles/{aid}").json()
    # The payloads really are in what the page will render, or the test proves nothing.
    assert SCRIPT in stored["title"] and IMG in stored["title"]
    assert SCRIPT in stored["text"] and IMG in stored["text"]
    return client, aid


def test_article_page_escapes_title_and_text(xss: tuple[TestClient, str]) -> None:
    client, aid = xss
    html = client.get(f"/articles/{aid}").text
    doc = assert_inert(html)
    text = "".join(doc.text)
    assert SCRIPT in text and IMG in text  # shown to the reader, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # A javascript: URL is printed, never linked.
    assert "javascript:alert(1)" in text
    assert not any(a.get("href", "") == "javascript:alert(1)" for _, a in doc.tags)


def test_list_page_escapes_titles_excerpts_and_outlets(xss: tuple[TestClient, str]) -> None:
    client, _ = xss
    html = client.get("/articles").text
    doc = assert_inert(html)
    assert SCRIPT in "".join(doc.text)
    outlet_links = [a["href"] for t, a in doc.tags if t == "a" and "outlet=" in (a.get("href")
                                                                                 or "")]
    assert outlet_links and all("<" not in (h or "") and '"' not in (h or "")
                                for h in outlet_links)


def test_search_input_is_escaped_in_the_form(xss: tuple[TestClient, str]) -> None:
    client, _ = xss
    q = f'"><svg onload=alert(1)>{SCRIPT}'
    html = client.get("/articles", params={"q": q, "lang": IMG, "outlet": SCRIPT}).text
    doc = assert_inert(html)
    values = {a.get("name"): a.get("value") for t, a in doc.tags if t == "input"}
    assert values["q"] == q and values["lang"] == IMG.lower() and values["outlet"] == SCRIPT


def test_error_page_escapes_the_requested_id(xss: tuple[TestClient, str]) -> None:
    client, _ = xss
    resp = client.get("/articles/" + SCRIPT.replace("/", "%2F"))
    assert resp.status_code == 404
    assert_inert(resp.text)


def test_json_api_is_never_sniffed_as_html(xss: tuple[TestClient, str]) -> None:
    client, aid = xss
    resp = client.get(f"/api/v1/articles/{aid}")
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_templates_autoescape_everything() -> None:
    from storylens.server import templating

    assert templating._env.autoescape is True
    for name in templating._env.list_templates():
        assert Path(name).suffix == ".html"
        src = (Path(templating.TEMPLATES_DIR) / name).read_text("utf-8")
        assert "|safe" not in src.replace(" ", "") and "autoescape false" not in src
        assert "<style" not in src and " style=" not in src  # CSP: no inline styles
        assert "<script>" not in src  # CSP: no inline scripts


def test_inline_code_filter_escapes_every_part() -> None:
    from storylens.server.templating import inline_code, safe_href

    assert str(inline_code("a <b> `<i>x</i>` c")) == (
        "a &lt;b&gt; <code>&lt;i&gt;x&lt;/i&gt;</code> c")
    assert str(inline_code("`<script>")) == "<code>&lt;script&gt;</code>"
    assert safe_href("https://example.org/x") == "https://example.org/x"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>",
                "//evil.example", "http:/no-host", None, ""):
        assert safe_href(bad) is None
