"""URL normalisation: one spelling per page, so a URL already stored is not refetched.

courlan lower-cases the scheme and host, drops default ports and tracking parameters
(``utm_*``, ``fbclid``...) and sorts the query; the fragment, which never reaches the
server, is dropped too.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from storylens.errors import InputError


def normalize_url(url: str) -> str:
    """The canonical spelling of an http(s) URL. Raises ``InputError`` naming the URL
    for anything else (another scheme, no host, unparsable)."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
    except ValueError as e:
        raise InputError(raw[:300], f"not a URL ({e}); skipped") from None
    if parts.scheme.lower() not in ("http", "https"):
        why = f"the {parts.scheme}: scheme" if parts.scheme else "no scheme"
        raise InputError(raw[:300], f"{why}; only http and https URLs are fetched")
    if not parts.hostname:
        raise InputError(raw[:300], "no host in the URL; skipped")
    try:
        parts.port  # noqa: B018 -- urlsplit checks the port only when asked
    except ValueError as e:
        raise InputError(raw[:300], f"bad port ({e}); skipped") from None
    if any(c.isspace() or ord(c) < 0x20 or c in "<>\"\\^`{|}" for c in parts.hostname):
        raise InputError(raw[:300], "the host name holds characters a host cannot have; "
                                    "skipped")
    from courlan import normalize_url as courlan_normalize

    try:
        norm = str(courlan_normalize(raw, strict=False))
    except (ValueError, TypeError):  # courlan gave up: keep the URL as the server sees it
        norm = raw
    p = urlsplit(norm)
    return urlunsplit((p.scheme.lower(), p.netloc, p.path or "/", p.query, ""))


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL: the unit of robots.txt and politeness."""
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, or None when it is malformed (an unclosed
    ``[`` of an IPv6 host, say): links come from pages and feeds, which are input."""
    try:
        joined = urljoin(base, href.strip())
        urlsplit(joined).port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return None
    return joined
