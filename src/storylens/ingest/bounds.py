"""Bounds and sanitising for untrusted input: what any one input may cost, and the
repairs that make hostile text storable.

- ``label``: a file name or source made printable and storable (bytes that are not
  UTF-8 in a file name become U+FFFD; the file itself is still read by its real name).
- ``clean_str``: lone UTF-16 surrogates (``"\\ud800"`` in JSON) become U+FFFD (they
  cannot be encoded, so stored, hashed or printed); everything else is kept.
- ``loads_record``: one JSON record, with every failure class (syntax, encoding,
  nesting, integers too long for Python) as that record's ``InputError``.
- ``gunzip_bounded`` and ``bounded_lines``: decompression and line reading that stop at
  a size limit, so a gzip bomb or a file with no newline costs bounded memory.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from typing import Any, Protocol

from storylens.errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_INT_DIGITS = 40
"""Longer JSON integers are kept as their digits (a string), never converted."""
CHUNK = 1 << 16


def label(name: str) -> str:
    """``name`` as a storable, printable label (undecodable bytes -> U+FFFD)."""
    return clean_str(name)


def clean_str(s: str) -> str:
    """``s`` with lone surrogates replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", s) if _SURROGATE.search(s) else s


def _int_or_digits(digits: str) -> int | str:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INT_DIGITS else digits


def loads_record(data: bytes | str, where: str) -> Any:
    """Decode one JSON value; raises ``InputError`` naming ``where`` and the reason."""
    try:
        return json.loads(data, parse_int=_int_or_digits)
    except json.JSONDecodeError as e:
        raise InputError(where, f"malformed JSON ({e.msg} at column {e.colno}); skipped"
                         ) from None
    except UnicodeDecodeError:
        raise InputError(where, "JSON is not valid UTF-8; skipped") from None
    except RecursionError:
        raise InputError(where, "JSON nested too deeply; skipped") from None
    except (ValueError, OverflowError) as e:
        raise InputError(where, f"unreadable JSON value ({str(e)[:80]}); skipped") from None


def gunzip_bounded(data: bytes, limit: int, where: str) -> bytes:
    """Decompress gzip ``data`` (several members allowed), refusing it as soon as the
    output passes ``limit`` bytes: memory stays bounded whatever the ratio."""
    out = bytearray()
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        while pending:
            try:
                out += d.decompress(pending, max(1, limit + 1 - len(out)))
            except zlib.error as e:
                raise InputError(where, f"corrupt gzip data ({e}); skipped") from None
            if len(out) > limit:
                raise InputError(where, f"decompresses to over {_mb(limit)}, the limit "
                                        "(--max-bytes); skipped")
            pending = d.unconsumed_tail
        if not d.eof:
            raise InputError(where, "corrupt gzip data (truncated); skipped")
        rest = d.unused_data.lstrip(b"\x00")
    return bytes(out)


class _Readable(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def bounded_lines(fh: _Readable, limit: int) -> Iterator[bytes | None]:
    """The lines of ``fh``; a line longer than ``limit`` bytes is skipped in chunks and
    yielded as ``None`` (so the caller can report it) without ever being held whole."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversized line
                more = fh.readline(CHUNK)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
