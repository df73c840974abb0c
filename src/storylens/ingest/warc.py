"""WARC archives (``.warc``, ``.warc.gz``) -> ``RawDoc`` records, one per HTML page.

Common Crawl's news WARCs are the case this is built for: every ``response`` record
whose HTTP status is 200 and whose body is HTML becomes an article with the record's
target URL and ``WARC-Date`` (the capture time, used as the published date only when
the page itself names none: ``RawDoc.published`` is left empty and the date goes in as
a fallback via ``fetched``). Other records (``request``, ``revisit``, ``metadata``,
``warcinfo``, non-HTML or non-200 responses) are skipped and counted by kind, so a
run can say what an archive held. A truncated or corrupt archive yields one
``InputError`` naming the file and the offset reached; the pages before it are kept.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import BinaryIO

from storylens.errors import InputError
from storylens.ingest.bounds import clean_str, label
from storylens.ingest.httpbody import decode_body, is_html, media_type
from storylens.records import RawDoc

WARC_SUFFIXES = (".warc", ".warc.gz")


def is_warc_path(path: str) -> bool:
    """Whether ``path`` names a WARC archive by its extension."""
    return path.lower().endswith(WARC_SUFFIXES)


def read_warc(path: str, *, max_bytes: int = 20_000_000,
              skipped: Counter[str] | None = None) -> Iterator[RawDoc | InputError]:
    """The HTML pages of the WARC at ``path`` as ``RawDoc``; bad records and a broken
    archive as ``InputError`` (the batch goes on). ``skipped`` counts records that are
    not pages, by reason (``request``, ``revisit``, ``non-html``, ``status 404``...)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    where = label(path)
    counts: Counter[str] = skipped if skipped is not None else Counter()
    n, end = 0, 0
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, no_record_parse=False, arc2warc=True)
            for record in it:
                n += 1
                item = _page(record, lambda: f"{where}@{it.get_record_offset()}",
                             max_bytes, counts)
                offset, length = it.get_record_offset(), it.get_record_length()
                if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than it says
                    raise EOFError(f"record at offset {offset} is cut short")
                end = offset + length
                if item is not None:
                    yield item
            if n and _junk_after(fh, end, size):  # warcio stops quietly at a cut header
                raise EOFError(f"{size - end} bytes after the last whole record at offset "
                               f"{end} are not a record")
    except PermissionError:
        yield InputError(where, "permission denied")
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as e:
        yield InputError(where, f"truncated or corrupt WARC after {max(0, n - 1)} whole "
                                f"records ({str(e)[:120] or type(e).__name__}); the records "
                                "before were read")


def _junk_after(fh: BinaryIO, end: int, size: int) -> bool:
    """Whether the file holds more than record separators after offset ``end``."""
    if size - end > 64:
        return True
    fh.seek(end)
    return bool(fh.read(64).strip(b"\r\n\x00 "))


def _page(record: object, where_am_i: Callable[[], str], max_bytes: int,
          counts: Counter[str]) -> RawDoc | InputError | None:
    """One record as a page, an error, or ``None`` (skipped and counted). The record's
    label (``file@offset``, as Common Crawl indexes name records) is asked for only once
    its body is read: warcio finds the offset by reading to the record's end."""
    rec_type: str = getattr(record, "rec_type", "") or "unknown"
    if rec_type != "response":
        counts[rec_type] += 1
        return None
    headers = record.rec_headers  # type: ignore[attr-defined]
    url = clean_str(headers.get_header("WARC-Target-URI") or "").strip() or None
    date = headers.get_header("WARC-Date")
    http = getattr(record, "http_headers", None)
    if http is None:  # a response that is not HTTP (dns:, ftp:...)
        counts["non-http"] += 1
        return None
    status = http.get_statuscode() or ""
    if status != "200":
        counts[f"status {status or '?'}"] += 1
        return None
    ctype = http.get_header("Content-Type")
    if ctype and not is_html(ctype):
        counts["non-html"] += 1
        return None
    try:
        data = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    except (OSError, EOFError, zlib.error, ValueError) as e:
        return InputError(url or where_am_i(), f"unreadable record body ({str(e)[:80]}); "
                                               "skipped")
    source = where_am_i()
    where = f"{source} ({url})" if url else source
    if len(data) > max_bytes:
        return InputError(where, f"body over {max_bytes / 1e6:.1f} MB (--max-bytes); skipped")
    if not data.strip():
        counts["empty"] += 1
        return None
    try:
        text, note = decode_body(data, ctype, where)
    except InputError as e:
        return e
    if not ctype and not _looks_html(text):
        counts["non-html"] += 1
        return None
    return RawDoc(source=source, content=clean_str(text), fmt="html", url=url,
                  encoding_note=note, fetched=date)


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


__all__ = ["WARC_SUFFIXES", "is_warc_path", "media_type", "read_warc"]
