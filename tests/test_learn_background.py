"""The background builder (storylens.learn.background): the README sample's articles are
left out, the kept articles are picked stably, and the file loads as a Background."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storylens.learn import background
from storylens.link.calibration import Background

TEXT = ("{city} council approved a new budget of {n} million on Tuesday after a long debate "
        "about schools, roads and the river harbour, officials said in a statement.")


def _stream(path: Path, n: int) -> Path:
    lines = [json.dumps({"id": str(k), "url": f"https://news{k}.example/a", "lang": "en",
                         "title": f"Budget vote number {k}",
                         "text": TEXT.format(city=f"Town{k}", n=k),
                         "published": "2020-01-01", "event": f"e{k}", "storyline": f"e{k}"})
             for k in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sample_urls_reads_the_readme_sample(tmp_path: Path) -> None:
    urls = background.sample_urls()
    assert len(urls) == 28 and all(u.startswith("http") for u in urls)
    assert background.sample_urls(tmp_path / "absent.jsonl") == set()


def test_build_leaves_out_excluded_urls_and_is_stable(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    stream = _stream(tmp_path / "s.jsonl", 14)
    a = background.build(stream, "hashing", 12, {"https://news3.example/a"})
    assert a.vectors.shape[0] == 12
    b = background.build(stream, "hashing", 12, {"https://news3.example/a"})
    assert np.array_equal(a.vectors, b.vectors)
    full = background.build(stream, "hashing", 14, set())
    assert full.vectors.shape[0] == 14
    short = background.build(stream, "hashing", 14, {"https://news3.example/a"})
    assert short.vectors.shape[0] == 13
    assert "13 usable articles, fewer than --size 14" in capsys.readouterr().err
    # the excluded article is not among the kept vectors
    only3 = background.build(_stream(tmp_path / "t.jsonl", 14), "hashing", 14, set())
    missing = {tuple(np.round(v, 4)) for v in only3.vectors} - {
        tuple(np.round(v, 4)) for v in short.vectors}
    assert len(missing) == 1


def test_main_writes_a_loadable_file(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    stream = _stream(tmp_path / "s.jsonl", 12)
    out = tmp_path / "bg.npy"
    assert background.main(["--stream", str(stream), "--embedder", "hashing", "--size", "12",
                            "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["vectors"] == 12 and report["out"] == str(out)
    assert Background.load(out).vectors.shape[0] == 12
    with pytest.raises(SystemExit):
        background.main(["--stream", str(tmp_path / "none.jsonl")])
