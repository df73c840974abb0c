"""HTTP bodies -> text: what a response's Content-Type says it is, and its charset.

Shared by the WARC reader and the live fetcher, so a page reads the same whether it
came from a crawl archive or from the web. Bytes that are valid UTF-8 and not plain
ASCII are read as UTF-8 whatever the header says (a legacy label on a UTF-8 page is the
common lie; legacy text is almost never valid UTF-8 by chance). Otherwise the charset
of the Content-Type header is tried, then the page's own ``<meta charset>`` (or
``http-equiv`` Content-Type) in its first 4 KB, then the byte-level guess of
``decode_bytes``; a label the bytes do not fit falls through to the next rather than
producing mojibake or an error.
"""

from __future__ import annotations

import codecs
import re

from storylens.ingest.decode import decode_bytes

_META_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""", re.IGNORECASE)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""Media types that hold an article page."""


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header ("" when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, when it names a known codec."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return _codec(value.strip().strip("\"'"))
    return None


def meta_charset(data: bytes) -> str | None:
    """The charset a page names itself in its first 4 KB (``<meta charset="...">`` or
    ``<meta http-equiv="Content-Type" content="...; charset=...">``), when a known
    codec."""
    found = _META_CHARSET.search(data[:4096])
    return _codec(found.group(1).decode("ascii")) if found else None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.lower()).name if name else None
    except LookupError:
        return None


def is_html(content_type: str | None) -> bool:
    """Whether the Content-Type says HTML (or says nothing: sniffed later)."""
    return media_type(content_type) in HTML_TYPES


def decode_body(data: bytes, content_type: str | None, source: str) -> tuple[str, str | None]:
    """``(text, note)`` for a body: UTF-8 when the bytes are UTF-8 beyond ASCII, else the
    header's charset, else the page's ``<meta charset>``, each when the bytes fit it,
    else the guessed legacy encoding (``note`` names what was used). Raises
    ``InputError`` for binary or undecodable bodies."""
    if b"\x00" not in data[:8192] and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return decode_bytes(data, source)
    for declared in (charset_of(content_type), meta_charset(data)):
        if not declared or declared in ("utf-8", "ascii"):
            continue
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" not in text[:8192]:
            return text, None
    return decode_bytes(data, source)
