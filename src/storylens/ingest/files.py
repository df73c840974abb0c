"""Read files, directories and stdin into ``RawDoc`` records.

Formats: plain text, HTML, and JSONL (one article per line: ``text`` or ``html``
required; ``title``, ``url``, ``outlet``, ``published``, ``lang``, ``id`` optional), each
optionally gzip-compressed, and WARC archives (``storylens.ingest.warc``). The format
comes from the extension, else from the content.

Every problem is yielded as an ``InputError`` for that one input (a file, or a JSONL line)
so the batch goes on; nothing here raises for bad input.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from storylens.errors import InputError
from storylens.ingest.bounds import bounded_lines, clean_str, gunzip_bounded, label, loads_record
from storylens.ingest.decode import decode_bytes
from storylens.ingest.warc import is_warc_path, read_warc
from storylens.records import RawDoc

InputFormat = Literal["auto", "text", "html", "jsonl"]

_EXT: dict[str, InputFormat] = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
_STRING_FIELDS = ("title", "url", "outlet", "published", "lang", "id")

Item = RawDoc | InputError


def expand_paths(paths: Iterable[str]) -> Iterator[str | InputError]:
    """Each path as given, directories replaced by their files (recursive, sorted, hidden
    files and folders skipped). ``-`` stands for stdin. A path that cannot be used (empty,
    missing, unreadable folder) is one ``InputError``; the others go on."""
    for p in paths:
        if p == "-":
            yield p
            continue
        if not p.strip():
            yield InputError("''", "empty path; give a file or folder (or - for stdin)")
            continue
        path = Path(p)
        try:
            if path.is_dir():
                yield from _walk(path)
            elif path.is_file():
                yield str(path)
            elif path.exists():
                yield InputError(label(p), "not a regular file or directory; skipped")
            else:
                yield InputError(label(p), "no such file or directory")
        except (OSError, ValueError) as e:
            yield InputError(label(p), f"cannot read ({getattr(e, 'strerror', None) or e})")


def _walk(root: Path) -> Iterator[str | InputError]:
    """Files under ``root`` (sorted, hidden ones skipped); a folder that cannot be listed
    is reported and skipped, its siblings still read."""
    try:
        entries = sorted(root.iterdir())
    except OSError as e:
        yield InputError(label(str(root)), f"cannot list this folder "
                                           f"({e.strerror or e}); skipped")
        return
    for f in entries:
        if f.name.startswith("."):
            continue
        try:
            if f.is_dir() and not f.is_symlink():
                yield from _walk(f)
            elif f.is_file():
                yield str(f)
        except OSError as e:
            yield InputError(label(str(f)), f"cannot read ({e.strerror or e}); skipped")


def read_inputs(
    paths: Iterable[str], *, fmt: InputFormat = "auto", max_bytes: int = 20_000_000,
    skipped: Counter[str] | None = None,
) -> Iterator[Item]:
    """Yield a ``RawDoc`` per article found, or an ``InputError`` per input that failed.
    Records of an archive that are not articles (WARC requests, revisits, non-HTML
    responses) are counted in ``skipped`` by kind."""
    for p in expand_paths(paths):
        if isinstance(p, InputError):
            yield p
            continue
        if p != "-" and fmt == "auto" and is_warc_path(p):
            yield from read_warc(p, max_bytes=max_bytes, skipped=skipped)
            continue
        if p != "-" and (fmt == "jsonl" or (fmt == "auto" and p.lower().removesuffix(".gz")
                                            .endswith((".jsonl", ".ndjson")))):
            yield from _stream_jsonl_file(p, max_bytes)
            continue
        try:
            data = _read_bytes(p, max_bytes)
        except InputError as e:
            yield e
            continue
        yield from parse_bytes(data, "<stdin>" if p == "-" else label(p), fmt=fmt,
                               max_bytes=max_bytes)


def _stream_jsonl_file(p: str, max_bytes: int) -> Iterator[Item]:
    """JSONL files (gzipped or not) are read line by line with each line bounded, so an
    archive of any size, or a line with no end, streams in bounded memory."""
    where = label(p)
    try:
        with open(p, "rb") as fh:
            first = fh.read(2)
            fh.seek(0)
            if first == b"\x1f\x8b":
                with gzip.open(fh) as gz:
                    yield from _parse_jsonl(bounded_lines(gz, max_bytes), where, max_bytes)
                return
            yield from _parse_jsonl(bounded_lines(fh, max_bytes), where, max_bytes)
    except PermissionError:
        yield InputError(where, "permission denied")
    except (OSError, EOFError, zlib.error) as e:
        yield InputError(where, f"cannot read ({getattr(e, 'strerror', None) or e}); the "
                                "lines before were read")


def parse_bytes(
    data: bytes, source: str, *, fmt: InputFormat = "auto", max_bytes: int = 20_000_000
) -> Iterator[Item]:
    """Turn one input's bytes into articles (several for JSONL)."""
    name = source.lower()
    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = gunzip_bounded(data, max_bytes, source)
        except InputError as e:
            yield e
            return
        name = name.removesuffix(".gz")
    if not data.strip():
        yield InputError(source, "empty file; nothing to ingest")
        return
    if fmt == "auto":
        fmt = _EXT.get(Path(name).suffix, "auto")
    if fmt == "jsonl":
        yield from _parse_jsonl(data.split(b"\n"), source, max_bytes)
        return
    try:
        text, note = decode_bytes(data, source)
    except InputError as e:
        yield e
        return
    if not text.strip():  # a lone BOM, or only Unicode spaces that bytes.strip() keeps
        yield InputError(source, "empty file; nothing to ingest")
        return
    if fmt == "auto":
        fmt = sniff_format(text)
        if fmt == "jsonl":
            yield from _parse_jsonl(data.split(b"\n"), source, max_bytes)
            return
    yield RawDoc(source=source, content=clean_str(text),
                 fmt="html" if fmt == "html" else "text", encoding_note=note)


def sniff_format(text: str) -> InputFormat:
    """Guess the format of content with no telling extension."""
    head = text.lstrip()[:1000].lower()
    if head.startswith("{"):
        return "jsonl"
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<p>" in head:
        return "html"
    return "text"


def _read_bytes(p: str, max_bytes: int) -> bytes:
    if p == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError("<stdin>", f"larger than the {_mb(max_bytes)} limit (--max-bytes)")
        return data
    try:
        size = Path(p).stat().st_size
        if size > max_bytes:
            raise InputError(label(p), f"file is {_mb(size)}, over the {_mb(max_bytes)} "
                                       "limit (raise it with --max-bytes); skipped")
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:  # grew since stat, or a special file
            raise InputError(label(p), f"over the {_mb(max_bytes)} limit; skipped")
        return data
    except PermissionError:
        raise InputError(label(p), "permission denied") from None
    except OSError as e:
        raise InputError(label(p), f"cannot read ({e.strerror or e})") from None


def _parse_jsonl(lines: Iterable[bytes | None], source: str, max_bytes: int
                 ) -> Iterator[Item]:
    """One item per non-blank line; ``None`` stands for a line over ``max_bytes``."""
    seen_any = False
    for lineno, raw_line in enumerate(lines, start=1):
        where = f"{source}:{lineno}"
        if raw_line is None or len(raw_line) > max_bytes:
            seen_any = True
            yield InputError(where, f"line is over the limit ({_mb(max_bytes)}, "
                                    "--max-bytes); skipped")
            continue
        if not raw_line.strip():
            continue
        seen_any = True
        try:
            yield raw_from_json(loads_record(raw_line, where), where)
        except InputError as e:
            yield e
    if not seen_any:
        yield InputError(source, "empty file; nothing to ingest")


def raw_from_json(obj: Any, where: str) -> RawDoc:
    """Validate one JSONL object and make it a ``RawDoc``; the HTTP ingest uses this too."""
    if not isinstance(obj, dict):
        raise InputError(where, f"expected a JSON object, got {type(obj).__name__}; skipped")
    html, text = obj.get("html"), obj.get("text")
    is_html = isinstance(html, str) and bool(html.strip())
    body = html if is_html else text
    if not isinstance(body, str) or not body.strip():
        raise InputError(where, "needs a non-empty string field 'text' or 'html'; skipped")
    body = clean_str(body)
    fields: dict[str, str | None] = {}
    for key in _STRING_FIELDS:
        v = obj.get(key)
        if v is None or v == "":
            fields[key] = None
        elif isinstance(v, str | int | float) and not isinstance(v, bool):
            fields[key] = clean_str(str(v)).strip()[:2000] or None
        else:
            raise InputError(where, f"field {key!r} must be a string; skipped")
    return RawDoc(
        source=where, content=body, fmt="html" if is_html else "text",
        url=fields["url"], title=fields["title"], outlet=fields["outlet"],
        published=fields["published"], lang=fields["lang"], given_id=fields["id"],
    )


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
