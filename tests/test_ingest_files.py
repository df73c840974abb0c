"""Reading inputs (storylens.ingest.files): path expansion, format choice by extension and by
content, gzip, JSONL validation line by line, size limits, stdin, and properties: no input
makes the reader raise, and every JSONL article written comes back with its fields."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storylens.errors import InputError
from storylens.ingest.files import (
    expand_paths,
    parse_bytes,
    raw_from_json,
    read_inputs,
    sniff_format,
)
from storylens.records import RawDoc

BODY = "Le conseil municipal a voté le budget de la ville pour l'année prochaine.\n"


def _docs(items: list[RawDoc | InputError]) -> list[RawDoc]:
    return [i for i in items if isinstance(i, RawDoc)]


def _errors(items: list[RawDoc | InputError]) -> list[InputError]:
    return [i for i in items if isinstance(i, InputError)]


# --- expand_paths ---------------------------------------------------------------------------


def test_expand_paths_recurses_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "b" / "a.txt").write_text("a")
    (tmp_path / "b" / ".secret.txt").write_text("s")
    (tmp_path / ".git" / "config").write_text("c")
    (tmp_path / "top.html").write_text("t")
    got = list(expand_paths([str(tmp_path)]))
    assert got == [str(tmp_path / "b" / "a.txt"), str(tmp_path / "b" / "z.txt"),
                   str(tmp_path / "top.html")]


def test_hidden_parent_of_the_given_directory_does_not_hide_its_files(tmp_path: Path) -> None:
    d = tmp_path / ".cache" / "news"
    d.mkdir(parents=True)
    (d / "one.txt").write_text("x")
    assert list(expand_paths([str(d)])) == [str(d / "one.txt")]


def test_expand_paths_keeps_order_files_stdin_and_names_missing(tmp_path: Path) -> None:
    f = tmp_path / "f.txt"
    f.write_text("x")
    got = list(expand_paths([str(f), "-", str(tmp_path / "missing.txt")]))
    assert got[:2] == [str(f), "-"]
    err = got[2]
    assert isinstance(err, InputError)
    assert err.source == str(tmp_path / "missing.txt") and "no such file" in err.reason


def test_expand_paths_refuses_special_files() -> None:
    dev = Path("/dev/null")
    if not dev.exists():
        pytest.skip("no /dev/null")
    (err,) = list(expand_paths([str(dev)]))
    assert isinstance(err, InputError) and "not a regular file" in err.reason


# --- sniff_format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"text": "x"}', "jsonl"),
        ('  \n {"text": "x"}', "jsonl"),
        ("<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("<html lang=fr>", "html"),
        ('<?xml version="1.0"?><html/>', "html"),
        ("<div><body class=x>text", "html"),
        ("Title\n\n<p>Paragraph</p>", "html"),
        ("Just a title\n\nAnd a paragraph of text.", "text"),
        ("Prices < 5 and > 3 are fine", "text"),
        ("", "text"),
    ],
)
def test_sniff_format(text: str, fmt: str) -> None:
    assert sniff_format(text) == fmt


def test_sniff_looks_only_at_the_head() -> None:
    assert sniff_format("x" * 1000 + "<p>late</p>") == "text"
    assert sniff_format("x" * 900 + "<p>early</p>") == "html"


# --- parse_bytes ----------------------------------------------------------------------------


def test_text_file_is_one_text_doc() -> None:
    (doc,) = list(parse_bytes(BODY.encode(), "a.txt"))
    assert isinstance(doc, RawDoc)
    assert (doc.source, doc.content, doc.fmt, doc.encoding_note) == ("a.txt", BODY, "text", None)


@pytest.mark.parametrize("name", ["page.html", "page.HTM", "page.xhtml", "page.shtml"])
def test_html_extensions(name: str) -> None:
    (doc,) = list(parse_bytes(b"just words, no tags", name))
    assert isinstance(doc, RawDoc) and doc.fmt == "html"


def test_html_sniffed_when_the_extension_says_nothing() -> None:
    (doc,) = list(parse_bytes(b"<html><body><p>Hi</p></body></html>", "download"))
    assert isinstance(doc, RawDoc) and doc.fmt == "html"


def test_explicit_format_beats_the_extension() -> None:
    (doc,) = list(parse_bytes(b"<p>Hi</p>", "notes.html", fmt="text"))
    assert isinstance(doc, RawDoc) and doc.fmt == "text"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n"])
def test_empty_input_is_one_error(data: bytes) -> None:
    (err,) = list(parse_bytes(data, "e.txt"))
    assert isinstance(err, InputError)
    assert err.source == "e.txt" and "empty" in err.reason


def test_binary_input_is_one_error() -> None:
    (err,) = list(parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "pic.txt"))
    assert isinstance(err, InputError) and "binary" in err.reason


def test_legacy_encoding_note_travels_on_the_doc() -> None:
    data = "Всё хорошо, сказал мэр Москвы, и ушёл домой.".encode("cp1251")
    (doc,) = list(parse_bytes(data, "ru.txt"))
    assert isinstance(doc, RawDoc)
    assert doc.content.startswith("Всё хорошо")
    assert doc.encoding_note and "decoded as" in doc.encoding_note


def test_gzip_by_name_and_by_magic() -> None:
    packed = gzip.compress(b"<html><body><p>Hi</p></body></html>")
    (by_name,) = list(parse_bytes(packed, "page.html.gz"))
    (by_magic,) = list(parse_bytes(packed, "page.bin"))
    assert isinstance(by_name, RawDoc) and by_name.fmt == "html"
    assert by_name.source == "page.html.gz"  # the source keeps its real name
    assert isinstance(by_magic, RawDoc) and by_magic.fmt == "html"  # sniffed


def test_gzipped_jsonl_is_split_into_lines() -> None:
    lines = [json.dumps({"text": f"{BODY} {i}", "title": f"T{i}"}) for i in range(3)]
    packed = gzip.compress("\n".join(lines).encode())
    docs = list(parse_bytes(packed, "dump.jsonl.gz"))
    assert [d.title for d in _docs(docs)] == ["T0", "T1", "T2"]
    assert [d.source for d in _docs(docs)] == [f"dump.jsonl.gz:{i}" for i in (1, 2, 3)]


def test_corrupt_gzip_is_one_error() -> None:
    (err,) = list(parse_bytes(b"\x1f\x8b\x08\x00garbage", "x.gz"))
    assert isinstance(err, InputError)
    assert err.source == "x.gz" and "corrupt gzip" in err.reason


def test_gzip_bomb_is_refused() -> None:
    packed = gzip.compress(b"a" * 50_000)
    (err,) = list(parse_bytes(packed, "bomb.txt.gz", max_bytes=1000))
    assert isinstance(err, InputError)
    assert err.source == "bomb.txt.gz" and "decompresses to" in err.reason


def test_jsonl_by_content_without_extension() -> None:
    data = (json.dumps({"text": BODY}) + "\n" + json.dumps({"html": "<p>x</p>"})).encode()
    docs = _docs(list(parse_bytes(data, "<stdin>")))
    assert [d.fmt for d in docs] == ["text", "html"]
    assert [d.source for d in docs] == ["<stdin>:1", "<stdin>:2"]


def test_jsonl_errors_are_per_line_with_line_numbers() -> None:
    data = b"\n".join([
        json.dumps({"text": BODY}).encode(),
        b"",
        b"{broken",
        json.dumps({"text": "   "}).encode(),
        json.dumps(42).encode(),
        json.dumps({"text": BODY, "lang": True}).encode(),
        b'{"text": "caf\xe9"}',
        json.dumps({"html": "<p>ok</p>", "title": "Fine"}).encode(),
    ])
    items = list(parse_bytes(data, "f.jsonl"))
    by_source = {i.source: i for i in items}
    reason = {e.source: e.reason for e in _errors(items)}
    assert isinstance(by_source["f.jsonl:1"], RawDoc)
    assert "f.jsonl:2" not in by_source  # blank lines are skipped silently
    assert "malformed JSON" in reason["f.jsonl:3"]
    assert "column" in reason["f.jsonl:3"]
    assert "'text' or 'html'" in reason["f.jsonl:4"]
    assert "got int" in reason["f.jsonl:5"]
    assert "'lang' must be a string" in reason["f.jsonl:6"]
    assert "not valid UTF-8" in reason["f.jsonl:7"]
    ok = by_source["f.jsonl:8"]
    assert isinstance(ok, RawDoc) and ok.title == "Fine" and ok.fmt == "html"
    assert len(items) == 7


def test_jsonl_crlf_lines_parse() -> None:
    data = (json.dumps({"text": "a"}) + "\r\n" + json.dumps({"text": "b"}) + "\r\n").encode()
    assert [d.content for d in _docs(list(parse_bytes(data, "w.jsonl")))] == ["a", "b"]


def test_jsonl_line_over_the_limit() -> None:
    data = json.dumps({"text": "x" * 500}).encode()
    (err,) = list(parse_bytes(data, "big.jsonl", max_bytes=100))
    assert isinstance(err, InputError)
    assert err.source == "big.jsonl:1" and "over the limit" in err.reason


# --- raw_from_json --------------------------------------------------------------------------


def test_raw_from_json_fields() -> None:
    doc = raw_from_json({"text": BODY, "title": " Budget ", "url": "https://x.fr/a",
                         "outlet": "X", "published": "2022-03-01", "lang": "fr", "id": 7},
                        "w:1")
    assert doc == RawDoc(source="w:1", content=BODY, fmt="text", url="https://x.fr/a",
                         title="Budget", outlet="X", published="2022-03-01", lang="fr",
                         given_id="7")


def test_html_field_wins_over_text() -> None:
    doc = raw_from_json({"text": "plain", "html": "<p>rich</p>"}, "w")
    assert (doc.content, doc.fmt) == ("<p>rich</p>", "html")


def test_blank_html_falls_back_to_text() -> None:
    doc = raw_from_json({"text": "plain", "html": "  "}, "w")
    assert (doc.content, doc.fmt) == ("plain", "text")


def test_empty_string_and_null_fields_are_absent() -> None:
    doc = raw_from_json({"text": "t", "title": "", "url": None}, "w")
    assert doc.title is None and doc.url is None


@pytest.mark.parametrize("value", [True, [1], {"a": 1}])
def test_non_scalar_field_is_refused_naming_it(value: object) -> None:
    with pytest.raises(InputError) as ei:
        raw_from_json({"text": "t", "outlet": value}, "w:3")
    assert ei.value.source == "w:3" and "'outlet'" in ei.value.reason


@pytest.mark.parametrize("obj", [[], "text", None, 1.5])
def test_non_object_is_refused_naming_its_type(obj: object) -> None:
    with pytest.raises(InputError, match=type(obj).__name__):
        raw_from_json(obj, "w")


@pytest.mark.parametrize("obj", [{}, {"text": 5}, {"html": ["x"]}, {"title": "only"}])
def test_missing_body_is_refused(obj: dict[str, object]) -> None:
    with pytest.raises(InputError, match="'text' or 'html'"):
        raw_from_json(obj, "w")


# --- read_inputs ----------------------------------------------------------------------------


def test_read_inputs_mixes_files_and_errors_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        json.dumps({"text": BODY, "title": "J1"}) + "\nnot json\n", encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"\x00\x01")
    items = list(read_inputs([str(tmp_path), str(tmp_path / "nope.txt")]))
    docs, errs = _docs(items), _errors(items)
    assert [d.source for d in docs] == [str(tmp_path / "a.txt"), f"{tmp_path / 'b.jsonl'}:1"]
    assert [e.source for e in errs] == [f"{tmp_path / 'b.jsonl'}:2", str(tmp_path / "c.txt"),
                                        str(tmp_path / "nope.txt")]


def test_file_over_max_bytes_is_refused_with_sizes(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"word " * 1000)
    (err,) = list(read_inputs([str(p)], max_bytes=2000))
    assert isinstance(err, InputError)
    assert err.source == str(p)
    assert "0.0 MB" in err.reason and "--max-bytes" in err.reason


def test_jsonl_file_over_max_bytes_streams_line_by_line(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    p.write_text("\n".join(json.dumps({"text": f"article {i}"}) for i in range(200)))
    assert p.stat().st_size > 1000
    docs = list(read_inputs([str(p)], max_bytes=1000))
    assert len(_docs(docs)) == 200 and not _errors(docs)


def test_gzipped_jsonl_file_is_read(tmp_path: Path) -> None:
    p = tmp_path / "dump.jsonl"
    p.write_bytes(gzip.compress((json.dumps({"text": "x", "title": "G"}) + "\n").encode()))
    (doc,) = list(read_inputs([str(p)]))
    assert isinstance(doc, RawDoc) and doc.title == "G"


def test_empty_jsonl_file_is_one_error(tmp_path: Path) -> None:
    p = tmp_path / "e.ndjson"
    p.write_text("\n\n  \n")
    (err,) = list(read_inputs([str(p)]))
    assert isinstance(err, InputError) and err.source == str(p) and "empty" in err.reason


def test_format_override_reads_a_txt_as_jsonl(tmp_path: Path) -> None:
    p = tmp_path / "lines.txt"
    p.write_text(json.dumps({"text": "x"}) + "\n")
    (doc,) = list(read_inputs([str(p)], fmt="jsonl"))
    assert isinstance(doc, RawDoc) and doc.source == f"{p}:1"


def test_stdin_is_read_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(BODY.encode())))
    (doc,) = list(read_inputs(["-"]))
    assert isinstance(doc, RawDoc) and doc.source == "<stdin>" and doc.content == BODY


def test_stdin_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(b"x" * 101)))
    (err,) = list(read_inputs(["-"], max_bytes=100))
    assert isinstance(err, InputError) and err.source == "<stdin>" and "limit" in err.reason


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    # A file that vanishes between listing and reading is named, not raised.
    p = tmp_path / "gone.txt"
    p.write_text("x")
    it = read_inputs([str(p)])
    p.unlink()
    (err,) = list(it)
    assert isinstance(err, InputError) and err.source == str(p)


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["x.txt", "x.html", "x.jsonl", "x.gz", "x"]))
def test_parse_bytes_never_raises(data: bytes, name: str) -> None:
    for item in parse_bytes(data, name, max_bytes=10_000):
        assert isinstance(item, RawDoc | InputError)
        assert item.source.startswith(name)
        if isinstance(item, RawDoc):
            assert item.content.strip()


_field = st.one_of(st.none(), st.text(max_size=20), st.integers(-5, 5),
                   st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                   st.lists(st.integers(), max_size=2))
_json_obj = st.dictionaries(
    st.sampled_from(["text", "html", "title", "url", "outlet", "published", "lang", "id", "x"]),
    _field, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_json_obj, _field))
def test_raw_from_json_validates_or_names_the_problem(obj: object) -> None:
    try:
        doc = raw_from_json(obj, "s:1")
    except InputError as e:
        assert e.source == "s:1" and e.reason.endswith("skipped")
        return
    assert isinstance(obj, dict)
    assert doc.content.strip() and doc.content in (obj.get("text"), obj.get("html"))
    for key, attr in [("title", "title"), ("url", "url"), ("outlet", "outlet"),
                      ("published", "published"), ("lang", "lang"), ("id", "given_id")]:
        v = obj.get(key)
        got = getattr(doc, attr)
        if v is None or v == "":
            assert got is None
        else:  # stripped, capped at 2,000 characters; a blank value is no value
            assert got == (str(v).strip()[:2000] or None)


_article = st.fixed_dictionaries(
    {"text": st.text(min_size=1, max_size=40).filter(str.strip)},
    optional={"title": st.text(max_size=20).filter(str.strip).map(str.strip),
              "url": st.from_regex(r"https://[a-z]{1,8}\.(fr|de|com)/[a-z0-9/]{0,12}",
                                   fullmatch=True),
              "lang": st.sampled_from(["fr", "en", "de"])},
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_article, min_size=1, max_size=6))
def test_jsonl_round_trip(articles: list[dict[str, str]]) -> None:
    data = "\n".join(json.dumps(a, ensure_ascii=False) for a in articles).encode("utf-8")
    items = list(parse_bytes(data, "rt.jsonl"))
    assert not _errors(items)
    docs = _docs(items)
    assert len(docs) == len(articles)
    for i, (a, d) in enumerate(zip(articles, docs, strict=True), 1):
        assert d.source == f"rt.jsonl:{i}"
        assert d.content == a["text"] and d.fmt == "text"
        assert d.title == a.get("title") and d.url == a.get("url") and d.lang == a.get("lang")


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n", "\u00a0\u3000\n".encode()])
def test_bom_or_unicode_space_only_is_empty(data: bytes) -> None:
    # Fixed bug: bytes.strip() keeps a BOM and non-ASCII spaces, so these became a RawDoc
    # with blank content instead of the "empty file" error.
    (err,) = list(parse_bytes(data, "blank.txt"))
    assert isinstance(err, InputError) and "empty" in err.reason
