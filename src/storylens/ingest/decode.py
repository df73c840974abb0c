"""Bytes -> text, refusing binaries and naming the encoding used when it is not UTF-8."""

from __future__ import annotations

from storylens.errors import InputError

_CONTROL = {*range(0, 9), 11, 12, *range(14, 32), 127}


def looks_binary(data: bytes) -> bool:
    """True for content that is not text: NUL bytes, or many control characters, in the
    first 8 KB (the same test git and grep use, with a control-character ratio added)."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    ctrl = sum(1 for b in head if b in _CONTROL)
    return ctrl / len(head) > 0.05


def decode_bytes(data: bytes, source: str) -> tuple[str, str | None]:
    """Decode ``data`` as UTF-8, else as the legacy encoding charset-normalizer finds.

    Returns ``(text, note)`` where ``note`` says which encoding was used when it was not
    UTF-8. Raises ``InputError`` for binary content or content no text encoding fits.
    """
    if looks_binary(data):
        raise InputError(source, "binary file, not text, HTML or JSONL; skipped")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise InputError(source, "not valid UTF-8 and no known text encoding fits; skipped")
    # charset-normalizer breaks ties by code page name, so Western text it cannot tell
    # apart ("Besançon", "Straße") came out as cp1250 or cp1257 mojibake. Among equally
    # good fits, prefer windows-1252, the web's default legacy encoding (WHATWG).
    tied = [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]
    best = next((m for m in tied if m.encoding == "cp1252"), best)
    return str(best), f"not valid UTF-8; decoded as {best.encoding}"
