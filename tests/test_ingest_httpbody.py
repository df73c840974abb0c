"""HTTP bodies to text (storylens.ingest.httpbody): the page's own <meta charset> is read
when the header lies or says nothing, UTF-8 bytes win over a legacy label, and a label
the bytes do not fit falls through to the guess."""

from __future__ import annotations

import pytest

from storylens.errors import InputError
from storylens.ingest.httpbody import decode_body, meta_charset

TURKISH = "Ağrı Dağı'nda kış erken geldi; köylüler yolları açmak için çalışıyor."


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(("head", "found"), [
    ('<meta charset="iso-8859-9">', "iso8859-9"), ("<META CHARSET=windows-1251>", "cp1251"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', "shift_jis"),
    ('<meta charset="no-such-codec">', None), ("", None)])
def test_meta_charset(head: str, found: str | None) -> None:
    assert meta_charset(page("x", head).encode("ascii")) == found


@pytest.mark.parametrize("ctype", ["text/html; charset=utf-8", "text/html"])
def test_meta_charset_wins_when_the_header_lies_or_is_silent(ctype: str) -> None:
    body = page(TURKISH, '<meta charset="iso-8859-9">').encode("iso-8859-9")
    text, _ = decode_body(body, ctype, "https://n.example/tr")
    assert TURKISH in text


def test_utf8_bytes_win_over_a_legacy_label() -> None:
    body = page("Besançon, Straße, Ağrı", '<meta charset="iso-8859-1">').encode("utf-8")
    text, note = decode_body(body, "text/html; charset=iso-8859-1", "https://n.example/a")
    assert "Besançon, Straße, Ağrı" in text and note is None


def test_a_label_the_bytes_do_not_fit_falls_through_to_the_guess() -> None:
    body = page("Besançon " * 20, '<meta charset="utf-8">').encode("cp1252")
    text, note = decode_body(body, "text/html; charset=ascii", "https://n.example/b")
    assert "Besançon" in text and note and note.startswith("not valid UTF-8")


def test_seven_bit_legacy_encodings_keep_their_label() -> None:
    body = page("日本語のニュース").encode("iso2022_jp")
    text, _ = decode_body(body, "text/html; charset=iso-2022-jp", "https://n.example/j")
    assert "日本語のニュース" in text


def test_binary_is_still_one_error() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_body(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "", "https://n.example/p")
