"""Hostile inputs, each between two valid files: every one is refused (or repaired) on
one line, never a traceback, and the valid articles of the same batch are all stored."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from storylens import api
from storylens.errors import InputError
from storylens.ingest.bounds import bounded_lines, clean_str, gunzip_bounded, loads_record
from storylens.store import open_store
from tests.conftest import RunCli

VALID = {"title": "Valid report", "text": "A valid report about the harbour. " * 6,
         "lang": "en"}


def _valid(path: Path, n: int) -> Path:
    path.write_text(json.dumps({**VALID, "id": f"v{n}", "title": f"Valid report {n}"}) + "\n",
                    encoding="utf-8")
    return path


HOSTILE_LINES = {
    "huge_int": '{"text": "x", "id": ' + "9" * 5000 + "}",
    "huge_int_text": '{"text": "about ' + "a" * 10 + '", "n": ' + "1" * 5000 + "}",
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep_object": '{"text": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
    "surrogate_text": '{"text": "bad \\ud800 text that is long enough to keep around"}',
    "surrogate_title": '{"text": "body text", "title": "\\udfff"}',
    "surrogate_url": '{"text": "body text", "url": "https://x.org/\\ud800"}',
    "nul": '{"text": "nul \\u0000 inside"}',
    "not_object": '"just a string"',
    "bad_type": '{"text": "t", "title": {"nested": 1}}',
    "bool": '{"text": "t", "title": true}',
    "nan": '{"text": "t", "title": NaN}',
    "empty_text": '{"text": ""}',
    "brackets": '{"text": "[bold red]markup[/] and [link=x]", "title": "[/]"}',
}


def test_each_hostile_jsonl_line_is_refused_or_repaired_alone(tmp_path: Path) -> None:
    paths = [str(_valid(tmp_path / "a.jsonl", 0))]
    for name, line in HOSTILE_LINES.items():
        p = tmp_path / f"{name}.jsonl"
        p.write_text(line + "\n", encoding="utf-8")
        paths.append(str(p))
    paths.append(str(_valid(tmp_path / "z.jsonl", 1)))
    with open_store(tmp_path / "s.db") as store:
        report = api.ingest(paths, store)
        titles = {a.title for a in store.get_articles(report.ingested)}
        assert {"Valid report 0", "Valid report 1"} <= titles
        texts = [a.text for a in store.get_articles(report.ingested)]
    assert report.internal_errors == 0, report.failed
    assert len(report.ingested) + len(report.failed) == len(paths)
    assert all("\ud800" not in t for t in texts)
    failed = {src.split(":")[0].rsplit("/", 1)[-1]: r for src, r in report.failed}
    assert "nested too deeply" in failed["deep.jsonl"]
    assert "must be a string" in failed["bad_type.jsonl"]
    assert "expected a JSON object" in failed["not_object.jsonl"]


def test_gzip_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"a" * 50_000_000))
    assert bomb.stat().st_size < 100_000
    with open_store(tmp_path / "s.db") as store:
        report = api.ingest([str(bomb), str(_valid(tmp_path / "ok.jsonl", 0))], store,
                            max_bytes=1_000_000)
    assert len(report.ingested) == 1
    assert "decompresses to over" in report.failed[0][1]


def test_gzipped_jsonl_streams_and_bounds_each_line(tmp_path: Path) -> None:
    p = tmp_path / "mixed.jsonl.gz"
    lines = [json.dumps({**VALID, "id": "g1"}), "x" * 3_000_000, json.dumps({**VALID, "id": "g2"})]
    p.write_bytes(gzip.compress("\n".join(lines).encode()))
    with open_store(tmp_path / "s.db") as store:
        report = api.ingest([str(p)], store, max_bytes=1_000_000)
    assert len(report.ingested) == 2 and len(report.failed) == 1
    assert report.failed[0][0].endswith(":2") and "over the" in report.failed[0][1]


def test_a_line_without_end_costs_bounded_memory() -> None:
    import io

    data = io.BytesIO(b'{"text": "ok"}\n' + b"y" * 5_000_000 + b"\n" + b'{"text": "2"}\n')
    out = list(bounded_lines(data, 1000))
    assert out[0] == b'{"text": "ok"}\n' and out[1] is None and out[2] == b'{"text": "2"}\n'


def test_bounds_helpers() -> None:
    assert clean_str("a\ud800b\x00c") == "a\ufffdb\x00c"
    assert loads_record(b'{"n": ' + b"7" * 100 + b"}", "x")["n"] == "7" * 100
    with pytest.raises(InputError, match="nested too deeply"):
        loads_record("[" * 200_000, "x")
    with pytest.raises(InputError, match="corrupt gzip"):
        gunzip_bounded(b"\x1f\x8b" + b"garbage" * 10, 100, "x")
    with pytest.raises(InputError, match="truncated"):
        gunzip_bounded(gzip.compress(b"hello world" * 100)[:-12], 10_000, "x")
    two = gzip.compress(b"one ") + gzip.compress(b"two")
    assert gunzip_bounded(two, 100, "x") == b"one two"


def test_paths_that_cannot_be_used_are_one_line_each(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("text " * 50, encoding="utf-8")
    ok = _valid(tmp_path / "ok.jsonl", 0)
    os.chmod(locked, 0o000)
    try:
        with open_store(tmp_path / "s.db") as store:
            report = api.ingest(["", str(locked), str(tmp_path / "missing.txt"), str(ok)],
                                store)
    finally:
        os.chmod(locked, 0o755)
    assert len(report.ingested) == (2 if os.geteuid() == 0 else 1)  # root reads any folder
    reasons = " | ".join(r for _, r in report.failed)
    assert "empty path" in reasons and "no such file" in reasons
    if os.geteuid() != 0:
        assert "cannot list" in reasons or "permission" in reasons


def test_file_names_that_are_not_utf8_or_hold_markup(tmp_path: Path, run_cli: RunCli) -> None:
    bad = os.fsencode(tmp_path) + b"/caf\xe9 [red]x[red].txt"
    with open(bad, "wb") as fh:
        fh.write(("A report about the river and the bridge, long enough to keep. " * 4)
                 .encode())
    empty = tmp_path / "[bold]empty[bold].txt"
    empty.write_text("", encoding="utf-8")
    ok = _valid(tmp_path / "ok.jsonl", 0)
    proc = run_cli("ingest", str(tmp_path), "--no-cluster")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "[bold]empty[bold].txt" in proc.stderr  # printed as is, not read as markup
    assert "ingested 2" in proc.stdout
    assert ok.exists()


def test_max_bytes_must_be_positive(run_cli: RunCli, tmp_path: Path) -> None:
    ok = _valid(tmp_path / "ok.jsonl", 0)
    for bad in ("0", "-1"):
        proc = run_cli("ingest", str(ok), "--max-bytes", bad)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr


BUGGY = '''
import storylens.api.ingestion as _ing

_real = _ing.extract_article


def _buggy(raw, **kw):
    if raw.title == "BOOM":
        raise RuntimeError("injected bug")
    if raw.title == "CRASH-ALL":
        raise SystemError("whole run")
    return _real(raw, **kw)


_ing.extract_article = _buggy

import os as _os

if _os.environ.get("CRASH_ALL"):
    def _crash(*a, **kw):
        raise SystemError("whole run [red]x")

    _ing.ingest_raw = _crash
'''


def test_exit_codes_0_1_2_3(tmp_path: Path, run_cli: RunCli,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    ok = _valid(tmp_path / "ok.jsonl", 0)
    assert run_cli("ingest", str(ok), "--no-cluster").returncode == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n", encoding="utf-8")
    assert run_cli("ingest", str(bad), "--no-cluster").returncode == 1
    proc = run_cli("ingest", str(ok), "--db", str(tmp_path))  # a folder is no store
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(BUGGY, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{hooks}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    boom = tmp_path / "boom.jsonl"
    boom.write_text(json.dumps({**VALID, "title": "BOOM"}) + "\n"
                    + json.dumps({**VALID, "title": "fine", "text": "Fine text. " * 9}) + "\n",
                    encoding="utf-8")
    proc = run_cli("ingest", str(boom), "--no-cluster", "--json")
    assert proc.returncode == 3, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ingested"] == 1 and report["internal_errors"] == 1
    assert "internal error RuntimeError" in report["failed"][0]["reason"]
    assert "Traceback" not in proc.stderr
    monkeypatch.setenv("CRASH_ALL", "1")  # a bug outside any one input: one line, exit 3
    proc = run_cli("ingest", str(ok), "--no-cluster")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert "internal error SystemError: whole run [red]x" in proc.stderr
    crash_file = proc.stderr.split("Details: ")[1].split(";")[0]
    assert "SystemError" in Path(crash_file).read_text(encoding="utf-8")


@pytest.mark.parametrize("html", [
    "<html><body>" + "".join(f"<p>Paragraph {i} of a long page.</p>" for i in range(60_000))
    + "</body></html>",
    "<html><body><p>" + "<br>" * 300_000 + "Some words at the end of it all.</p></body></html>",
    "<html><body>" + "<div>" * 30_000 + "Deep text here." + "</div>" * 30_000 + "</body></html>",
])
def test_huge_or_deep_html_costs_bounded_time(html: str) -> None:
    import time
    from datetime import UTC, datetime

    from storylens.extract.pipeline import extract_article
    from storylens.records import RawDoc

    t0 = time.perf_counter()
    try:
        art = extract_article(RawDoc(source="big.html", content=html, fmt="html"),
                              now=datetime.now(UTC))
    except InputError as e:
        assert "no readable text" in e.reason or "no text" in e.reason
    else:
        assert art.text is not None
    assert time.perf_counter() - t0 < 30  # minutes before; seconds now (generous for CI)


def test_a_text_over_the_article_bound_is_cut_with_a_warning() -> None:
    from datetime import UTC, datetime

    from storylens.extract.pipeline import MAX_BODY_CHARS, extract_article
    from storylens.records import RawDoc

    text = "A sentence of a very long report about the harbour works.\n" * 30_000
    art = extract_article(RawDoc(source="long.txt", content=text, fmt="text", lang="en"),
                          now=datetime.now(UTC))
    assert len(art.text) <= MAX_BODY_CHARS
    assert any("text cut at" in w for w in art.warnings)
