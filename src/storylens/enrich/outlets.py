"""The outlet an article comes from: the name the input gives, the page's site name, or
the registered domain of its URL (``www.presstv.ir`` -> ``presstv.ir``).

tldextract is used with its bundled Public Suffix List snapshot only: it never fetches.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def domain_of(url: str | None) -> str | None:
    """Registered domain of ``url`` (``bbc.co.uk`` for ``https://www.bbc.co.uk/news``)."""
    if not url:
        return None
    if ":" in url.split("/", 1)[0] and not url.lower().startswith(("http:", "https:")):
        return None  # javascript:, mailto:, data: ... name no outlet
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or (url.split(":", 1)[0].lower() not in ("http", "https") and "//" in url):
        return None
    if "." not in host or any(c.isspace() for c in host):
        return None  # "n/a", "unknown", "not a url", "localhost": no domain names an outlet
    ext = _extractor()(host)
    name = ext.top_domain_under_public_suffix if hasattr(ext, "top_domain_under_public_suffix") \
        else ext.registered_domain
    return str(name or host).lower()


def outlet_of(given: str | None, site_name: str | None, url: str | None) -> str | None:
    """Pick the outlet: given name, else the URL's domain, else the page's site name.

    The domain beats the site name because it is stable across an outlet's pages, where
    site names vary ("Le Monde", "Le Monde.fr", "LeMonde").
    """
    if given and given.strip():
        return given.strip()
    return domain_of(url) or (site_name.strip() if site_name and site_name.strip() else None)
