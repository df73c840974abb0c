"""``server.templating``: the filters and globals the templates use (inline code spans,
safe links, query URLs, dates) and the environment's guarantees: autoescape on every
template, undefined variables are errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError
from markupsafe import Markup

from storylens.server.templating import (
    NAV_LINKS,
    _date,
    _env,
    _iso,
    inline_code,
    query_url,
    render_html,
    safe_href,
)


def test_inline_code_marks_backticks_and_escapes_everything() -> None:
    assert inline_code("use `limit` and `offset`") == Markup(
        "use <code>limit</code> and <code>offset</code>")
    assert inline_code("<b>`<i>`</b>") == Markup(
        "&lt;b&gt;<code>&lt;i&gt;</code>&lt;/b&gt;")
    assert inline_code("odd ` tick") == Markup("odd <code> tick</code>")
    assert inline_code("") == Markup("")


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60))
def test_inline_code_adds_only_code_tags(text: str) -> None:
    out = str(inline_code(text))
    stripped = out.replace("<code>", "").replace("</code>", "")
    assert "<" not in stripped and ">" not in stripped


@pytest.mark.parametrize(("url", "ok"), [
    ("https://x.org/a?b=1", True), ("http://x.org", True), ("  https://x.org/a  ", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False),
    ("data:text/html,<script>", False), ("//x.org/a", False), ("/local/path", False),
    ("https://", False), ("ftp://x.org", False), ("http://[::1", False), ("", False),
    (None, False),
])
def test_safe_href(url: str | None, ok: bool) -> None:
    assert safe_href(url) == (url.strip() if ok and url else None)


def test_query_url_drops_empty_values_and_encodes() -> None:
    assert query_url("/articles") == "/articles"
    assert query_url("/articles", q="", lang=None, page=2) == "/articles?page=2"
    assert query_url("/a", q="hamas & <b>", lang="fr") == "/a?q=hamas+%26+%3Cb%3E&lang=fr"
    assert query_url("/a", n=0) == "/a?n=0", "zero is a value"


def test_date_filters() -> None:
    d = datetime(2022, 10, 24, 8, 5, tzinfo=UTC)
    assert _date(d) == "2022-10-24" and _date(d, "%H:%M") == "08:05"
    assert _date(None) == "—"
    assert _iso(d) == "2022-10-24T08:05:00+00:00" and _iso(None) == ""


def test_environment_escapes_and_refuses_undefined() -> None:
    t = _env.from_string("{{ x }}|{{ x|code }}")
    assert t.render(x="<i>`a`</i>") == "&lt;i&gt;`a`&lt;/i&gt;|&lt;i&gt;<code>a</code>&lt;/i&gt;"
    with pytest.raises(UndefinedError):
        _env.from_string("{{ missing }}").render()
    assert _env.globals["nav_links"] == NAV_LINKS
    assert ("Stories", "/") in NAV_LINKS and ("API", "/docs") in NAV_LINKS


def test_render_html_sets_defaults_and_status() -> None:
    resp = render_html("error.html", status_code=404, status=404, code="not_found",
                       message="<script>x</script> gone")
    assert resp.status_code == 404 and resp.media_type == "text/html"
    body = bytes(resp.body).decode()
    assert "<title>" in body and "storylens" in body
    assert "<script>x</script>" not in body and "&lt;script&gt;" in body
