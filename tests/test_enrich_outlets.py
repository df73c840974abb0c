"""The outlet of an article (storylens.enrich.outlets): registered domains from URLs, offline,
and the order given name > URL domain > page site name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.enrich.outlets import domain_of, outlet_of


@pytest.mark.parametrize(
    ("url", "domain"),
    [("https://www.bbc.co.uk/news", "bbc.co.uk"), ("http://news.example.com:8080/a", "example.com"),
     ("www.lemonde.fr/x", "lemonde.fr"), ("HTTPS://WWW.LEMONDE.FR", "lemonde.fr"),
     ("french.presstv.ir/Detail/2022", "presstv.ir"), ("https://user:pw@blog.x.de/a", "x.de"),
     ("https://192.168.0.1/a", "192.168.0.1")],
)
def test_domain_of(url: str, domain: str) -> None:
    assert domain_of(url) == domain


@pytest.mark.parametrize(
    "url",
    [None, "", "ftp://x.org/a", "javascript:alert(1)", "mailto:a@b.org", "data:text/html,x",
     "//cdn.x.com/a", "https://[::1", "http://[::1]/a",
     # Fixed bug: free text in a url field became an "outlet" ("not a url", "n").
     "not a url", "n/a", "unknown", "https://localhost/a"],
)
def test_no_domain(url: str | None) -> None:
    assert domain_of(url) is None


def test_outlet_order() -> None:
    assert outlet_of("  Le Monde ", "LM", "https://x.fr") == "Le Monde"
    assert outlet_of(" ", "Le Monde.fr", "https://www.lemonde.fr/a") == "lemonde.fr"
    assert outlet_of(None, " Le Monde ", None) == "Le Monde"
    assert outlet_of(None, " ", "n/a") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_domain_of_never_raises_and_is_lower_case(url: str) -> None:
    d = domain_of(url)
    assert d is None or (d == d.lower() and d and " " not in d)
