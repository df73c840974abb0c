"""Read files, directories and stdin into ``RawDoc`` records.

Formats: plain text, HTML, and JSONL (one article per line: ``text`` or ``html``
required; ``title``, ``url``, ``outlet``, ``published``, ``lang``, ``id`` optional), each
optionally gzip-compressed. The format comes from the extension, else from the content.

Every problem is yielded as an ``InputError`` for that one input (a file, or a JSONL line)
so the batch goes on; nothing here raises for bad input.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from storylens.errors import InputError
from storylens.ingest.decode import decode_bytes
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
    files and folders skipped). ``-`` stands for stdin."""
    for p in paths:
        if p == "-":
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                rel = f.relative_to(path)
                if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield str(f)
        elif path.is_file():
            yield str(path)
        elif path.exists():
            yield InputError(p, "not a regular file or directory; skipped")
        else:
            yield InputError(p, "no such file or directory")


def read_inputs(
    paths: Iterable[str], *, fmt: InputFormat = "auto", max_bytes: int = 20_000_000
) -> Iterator[Item]:
    """Yield a ``RawDoc`` per article found, or an ``InputError`` per input that failed."""
    for p in expand_paths(paths):
        if isinstance(p, InputError):
            yield p
            continue
        if p != "-" and (fmt == "jsonl" or (fmt == "auto" and Path(p).suffix.lower() in
                                            (".jsonl", ".ndjson"))):
            yield from _stream_jsonl_file(p, max_bytes)
            continue
        try:
            data = _read_bytes(p, max_bytes)
        except InputError as e:
            yield e
            continue
        yield from parse_bytes(data, "<stdin>" if p == "-" else p, fmt=fmt, max_bytes=max_bytes)


def _stream_jsonl_file(p: str, max_bytes: int) -> Iterator[Item]:
    """JSONL files are read line by line, so an archive of any size streams in bounded
    memory."""
    try:
        with open(p, "rb") as fh:
            first = fh.read(2)
            fh.seek(0)
            if first == b"\x1f\x8b":
                yield from parse_bytes(fh.read(), p, fmt="jsonl", max_bytes=max_bytes)
                return
            yield from _parse_jsonl(fh, p, max_bytes)
    except PermissionError:
        yield InputError(p, "permission denied")
    except OSError as e:
        yield InputError(p, f"cannot read ({e.strerror or e})")


def parse_bytes(
    data: bytes, source: str, *, fmt: InputFormat = "auto", max_bytes: int = 20_000_000
) -> Iterator[Item]:
    """Turn one input's bytes into articles (several for JSONL)."""
    name = source.lower()
    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data, max_bytes)
        except (OSError, EOFError) as e:
            yield InputError(source, f"corrupt gzip data ({e}); skipped")
            return
        except InputError as e:
            yield InputError(source, e.reason)
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
    yield RawDoc(source=source, content=text, fmt="html" if fmt == "html" else "text",
                 encoding_note=note)


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
        if size > max_bytes and not p.lower().endswith((".jsonl", ".ndjson")):
            raise InputError(p, f"file is {_mb(size)}, over the {_mb(max_bytes)} limit "
                                "(raise it with --max-bytes); skipped")
        return Path(p).read_bytes()
    except PermissionError:
        raise InputError(p, "permission denied") from None
    except OSError as e:
        raise InputError(p, f"cannot read ({e.strerror or e})") from None


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    out = gzip.decompress(data)
    if len(out) > max(max_bytes, 1) * 4:
        raise InputError("", f"decompresses to {_mb(len(out))}, over the limit; skipped")
    return out


def _parse_jsonl(lines: Iterable[bytes], source: str, max_bytes: int) -> Iterator[Item]:
    seen_any = False
    for lineno, raw_line in enumerate(lines, start=1):
        where = f"{source}:{lineno}"
        if not raw_line.strip():
            continue
        seen_any = True
        if len(raw_line) > max_bytes:
            yield InputError(where, f"line is {_mb(len(raw_line))}, over the limit; skipped")
            continue
        try:
            obj = json.loads(raw_line)
        except json.JSONDecodeError as e:
            yield InputError(where, f"malformed JSON ({e.msg} at column {e.colno}); skipped")
            continue
        except UnicodeDecodeError:
            yield InputError(where, "JSON line is not valid UTF-8; skipped")
            continue
        try:
            yield raw_from_json(obj, where)
        except InputError as e:
            yield e
    if not seen_any:
        yield InputError(source, "empty file; nothing to ingest")


def raw_from_json(obj: Any, where: str) -> RawDoc:
    """Validate one JSONL object and make it a ``RawDoc``; the HTTP ingest uses this too."""
    if not isinstance(obj, dict):
        raise InputError(where, f"expected a JSON object, got {type(obj).__name__}; skipped")
    html, text = obj.get("html"), obj.get("text")
    body = html if isinstance(html, str) and html.strip() else text
    if not isinstance(body, str) or not body.strip():
        raise InputError(where, "needs a non-empty string field 'text' or 'html'; skipped")
    fields: dict[str, str | None] = {}
    for key in _STRING_FIELDS:
        v = obj.get(key)
        if v is None or v == "":
            fields[key] = None
        elif isinstance(v, str | int | float) and not isinstance(v, bool):
            fields[key] = str(v).strip()
        else:
            raise InputError(where, f"field {key!r} must be a string; skipped")
    return RawDoc(
        source=where, content=body, fmt="html" if body is html else "text",
        url=fields["url"], title=fields["title"], outlet=fields["outlet"],
        published=fields["published"], lang=fields["lang"], given_id=fields["id"],
    )


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
