"""HTML pages (storylens.extract.html): trafilatura's article and metadata, the visible-text
fallback with its warnings when trafilatura finds nothing or fails, and empty pages."""

from __future__ import annotations

import pytest

from storylens.errors import InputError
from storylens.extract.html import extract_html, visible_text

ARTICLE = (
    "<html><head><title>T</title><meta property='og:site_name' content='Example News'>"
    "<meta name='date' content='2022-10-24'></head><body><nav>Home | News</nav><article>"
    "<h1>Storm hits the coast</h1>"
    + "".join(f"<p>The storm hit the northern coast on Monday night and paragraph {i} "
              "describes the flooding of villages in detail.</p>" for i in range(6))
    + "</article><footer>© Example</footer></body></html>")
PLAIN = ("<html><head><title> My \n Page </title><script>x=1</script></head><body>"
         "<div>First block</div><div>Second <b>block</b></div></body></html>")


def test_article_text_and_metadata() -> None:
    h = extract_html(ARTICLE, url="https://www.example.com/2022/10/24/storm", source="s")
    lines = h.text.splitlines()
    assert lines[0] == "Storm hits the coast" and len(lines) == 7
    assert "Home" not in h.text and "©" not in h.text
    assert (h.title, h.date, h.site_name) == ("Storm hits the coast", "2022-10-24",
                                              "Example News")
    assert h.url == "https://www.example.com/2022/10/24/storm" and h.warnings == ()


def test_fallback_to_visible_text_when_trafilatura_finds_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    h = extract_html(PLAIN, url="https://x.org/a", source="p.html")
    assert h.text == "First block\nSecond block"
    assert (h.title, h.date, h.site_name, h.url) == ("My Page", None, None, "https://x.org/a")
    assert h.warnings == ("no article body found by trafilatura; used all visible text",)


def test_fallback_when_trafilatura_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("broken markup")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    h = extract_html(PLAIN, url=None, source="p.html")
    assert h.text == "First block\nSecond block"
    assert h.warnings == ("HTML extraction failed (RuntimeError); used page text",
                          "no article body found by trafilatura; used all visible text")


def test_a_page_without_text_is_an_input_error_naming_it() -> None:
    with pytest.raises(InputError) as ei:
        extract_html("<html><body><script>var x;</script><p>  </p></body></html>", url=None,
                     source="empty.html")
    assert ei.value.source == "empty.html" and "no readable text" in ei.value.reason


def test_visible_text_keeps_tails_and_drops_code() -> None:
    html = ("<p>a<br>b</p><style>p{}</style>tail<noscript>n</noscript> after"
            "<template>t</template><svg><text>s</text></svg><ul><li>one</li><li>two</li></ul>")
    assert visible_text(html) == "a\nb\ntail after\none\ntwo"


@pytest.mark.parametrize("html", ["", "   ", "<!-- only a comment -->"])
def test_visible_text_of_nothing(html: str) -> None:
    assert visible_text(html) == ""
