"""HTTP bodies -> text: what a response's Content-Type says it is, and its charset.

Shared by the WARC reader and the live fetcher, so a page reads the same whether it
came from a crawl archive or from the web. The declared charset is tried first (servers
usually say the truth), then the byte-level guess of ``decode_bytes``; a charset that
lies ("wrong charset" pages) falls through to the guess rather than producing mojibake
or an error.
"""

from __future__ import annotations

import codecs

from storylens.ingest.decode import decode_bytes

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
            name = value.strip().strip("\"'").lower()
            try:
                return codecs.lookup(name).name if name else None
            except LookupError:
                return None
    return None


def is_html(content_type: str | None) -> bool:
    """Whether the Content-Type says HTML (or says nothing: sniffed later)."""
    return media_type(content_type) in HTML_TYPES


def decode_body(data: bytes, content_type: str | None, source: str) -> tuple[str, str | None]:
    """``(text, note)`` for a body: the declared charset when the bytes fit it, else
    UTF-8 or the guessed legacy encoding (``note`` names what was used). Raises
    ``InputError`` for binary or undecodable bodies."""
    declared = charset_of(content_type)
    if declared and declared not in ("utf-8", "ascii"):
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if "\x00" not in text[:8192]:
                return text, None
    return decode_bytes(data, source)
