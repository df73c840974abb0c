"""Bad input: each gets one clear line naming the input and the reason, the batch goes on,
the exit code says some inputs failed, and nothing already stored changes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storylens.api import ingest
from storylens.store import open_store
from tests.conftest import JFORUM, PRESSTV, RunCli

GOOD = ("Le conseil municipal a voté mardi soir le budget de la ville pour l'année prochaine. "
        "Les dépenses d'investissement augmentent de dix pour cent, a précisé le maire.\n")


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    d = tmp / "bad"
    d.mkdir()
    files = {
        "binary": d / "image.txt",
        "empty": d / "empty.txt",
        "huge": d / "huge.html",
        "jsonl": d / "mixed.jsonl",
    }
    files["binary"].write_bytes(bytes(range(256)) * 40)
    files["empty"].write_bytes(b"   \n\n")
    with files["huge"].open("wb") as fh:
        fh.write(b"<html><body>")
        chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
        while fh.tell() < 50_000_000:
            fh.write(chunk)
        fh.write(b"</body></html>")
    files["jsonl"].write_text(
        json.dumps({"text": GOOD, "title": "Budget", "lang": "fr"}) + "\n"
        + "{not json\n"
        + json.dumps({"title": "no text"}) + "\n"
        + json.dumps(["a", "list"]) + "\n"
        + json.dumps({"text": GOOD.replace("mardi", "jeudi"), "title": 5, "outlet": {"x": 1}})
        + "\n",
        encoding="utf-8",
    )
    return files


def test_each_bad_input_is_named_and_batch_goes_on(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("ingest", str(JFORUM), check_rc=0)
    before = json.loads(run_cli("articles", "--json").stdout)["articles"]

    files = _bad_inputs(tmp_path)
    legacy = tmp_path / "latin1.txt"
    legacy.write_bytes(("Élection à Besançon\n\n" + GOOD).encode("cp1252"))
    missing = tmp_path / "nope.txt"
    proc = run_cli("ingest", *map(str, files.values()), str(missing), str(legacy), str(PRESSTV),
                   "--json", check_rc=1)
    report = json.loads(proc.stdout)
    reasons = {f["input"]: f["reason"] for f in report["failed"]}
    assert "binary" in reasons[str(files["binary"])]
    assert "empty" in reasons[str(files["empty"])]
    assert "over the" in reasons[str(files["huge"])] and "MB" in reasons[str(files["huge"])]
    assert "no such file" in reasons[str(missing)]
    assert "malformed JSON" in reasons[f"{files['jsonl']}:2"]
    assert "'text' or 'html'" in reasons[f"{files['jsonl']}:3"]
    assert "JSON object" in reasons[f"{files['jsonl']}:4"]
    assert "must be a string" in reasons[f"{files['jsonl']}:5"]
    # good inputs around the bad ones went in: the JSONL's first line, legacy, PressTV
    assert report["ingested"] == 3
    assert "Traceback" not in proc.stderr

    after = json.loads(run_cli("articles", "--json", "--limit", "100").stdout)["articles"]
    assert [a for a in after if a["id"] == before[0]["id"]] == before
    latin = next(a for a in after if a["source"] == str(legacy))
    assert latin["title"] == "Élection à Besançon"
    assert any("decoded as" in w for w in latin["warnings"])


def test_human_output_is_one_line_per_failure(run_cli: RunCli, tmp_path: Path) -> None:
    files = _bad_inputs(tmp_path)
    proc = run_cli("ingest", str(files["binary"]), str(files["empty"]), str(tmp_path / "nope"),
                   check_rc=1)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 3
    assert all(ln.startswith("failed: ") for ln in lines)
    assert "failed 3" in proc.stdout


def test_directory_recurses_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "one.txt").write_text("Titre un\n\n" + GOOD, encoding="utf-8")
    (tmp_path / "a" / ".hidden.txt").write_text("Caché\n\n" + GOOD, encoding="utf-8")
    (tmp_path / "a" / "two.html").write_text(
        "<html><head><title>Deux</title></head><body><article><h1>Deux</h1><p>"
        + GOOD.replace("mardi", "lundi") + "</p></article></body></html>", encoding="utf-8")
    with open_store(":memory:") as store:
        report = ingest([str(tmp_path / "a")], store)
        assert len(report.ingested) == 2 and not report.failed
        assert store.count_articles() == 2


def test_stdin_sniffs_jsonl(run_cli: RunCli) -> None:
    line = json.dumps({"text": GOOD, "title": "Budget", "url": "https://www.ville.fr/2022/03/01/b"})
    proc = run_cli("ingest", "-", "--json", input=line + "\n", check_rc=0)
    assert json.loads(proc.stdout)["ingested"] == 1
    art = json.loads(run_cli("articles", "--json").stdout)["articles"][0]
    assert art["outlet"] == "ville.fr" and art["published"].startswith("2022-03-01")
    assert art["published_source"] == "url" and art["source"] == "<stdin>:1"


def test_unusable_store_is_a_one_line_error(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    proc = run_cli("ingest", str(JFORUM), db_path=bad, check_rc=2)
    assert "not a usable storylens store" in proc.stderr and "Traceback" not in proc.stderr
    assert bad.read_bytes() == b"garbage" * 1000


@pytest.mark.parametrize("payload", [b"\xff\xfe\x00\x00bad", b"\x1f\x8b\x08corrupt"])
def test_odd_bytes_never_raise(tmp_path: Path, payload: bytes) -> None:
    p = tmp_path / "odd.txt"
    p.write_bytes(payload)
    with open_store(":memory:") as store:
        report = ingest([str(p)], store)
    assert len(report.failed) == 1 and report.failed[0][0] == str(p)


def test_store_untouched_when_every_input_fails(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ingest([str(JFORUM)], store)
    snapshot = sqlite3.connect(db).execute("SELECT id, text FROM articles").fetchall()
    with open_store(db) as store:
        report = ingest([str(tmp_path / "missing.txt")], store)
    assert report.failed and not report.ingested
    assert sqlite3.connect(db).execute("SELECT id, text FROM articles").fetchall() == snapshot
