"""benchmarks/extraction_eval.py and storylens.learn.extraction_dev on a tiny hand-made data
folder in the trafilatura-eval-dev layout: loading, the tune/held-out split, per-line gold
labels, and the scoring glue (texts -> the data folder's own score.py).  The real data's
scorer is used when ../shared/data holds it; a small stand-in written here otherwise."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from storylens.learn import extraction_dev as xd
from tests.conftest import ROOT, SHARED_DATA

# A scorer with score.py's interface (norm + score(gold, articles) -> (result, details)):
# each "with" segment found is a TP, each "without" found a FP, missing pages count FN.
STAND_IN_SCORER = '''
import re
def norm(t):
    return re.sub(r"\\s+", " ", t).strip()
def score(gold, articles):
    texts = {a["url"]: a["text"] for a in articles if a.get("text")}
    tp = fp = fn = found = 0
    for url, item in gold.items():
        t = norm(texts.get(url) or "")
        found += bool(t)
        hits = sum(norm(w) in t for w in item["with"]) if t else 0
        tp, fn = tp + hits, fn + len(item["with"]) - hits
        fp += sum(norm(w) in t for w in item["without"]) if t else 0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return ({"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
             "tp": tp, "fp": fp, "fn": fn, "pages": len(gold), "pages_found": found}, {})
'''

STORY = ("The council approved the new budget on Tuesday after a long debate about schools. "
         "Spending on roads rises by ten percent next year, the mayor told reporters.")


def _url_in(half: str, n: int) -> str:
    """The n-th URL of the form https://site{i}.example/a whose half is ``half``."""
    found = [u for i in range(200) if xd.half_of(u := f"https://site{i}.example/a") == half]
    return found[n]


def _write_data(folder: Path, scorer_src: str) -> list[str]:
    urls = [_url_in("tune", 0), _url_in("heldout", 0), _url_in("heldout", 1)]
    pages, gold = [], {}
    for i, url in enumerate(urls):
        story = STORY.replace("Tuesday", f"day {i}")
        text = f"Home | News | Sport\n{story}\n{story.replace('roads', 'parks')}\nShare on X"
        html = (f"<html><body><nav>Home | News | Sport</nav><article><p>{story}</p>"
                f"<p>{story.replace('roads', 'parks')}</p></article><p>Share on X</p>"
                "</body></html>")
        pages.append((url, html, text))
        gold[url] = {"with": [f"approved the new budget on day {i}", "Spending on parks"],
                     "without": ["Share on X", "Home | News"]}
    for name, field in (("pages-html.jsonl.gz", 1), ("pages-text.jsonl.gz", 2)):
        with gzip.open(folder / name, "wt", encoding="utf-8") as f:
            for page in pages:
                key = "html" if field == 1 else "text"
                f.write(json.dumps({"url": page[0], key: page[field]}) + "\n")
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    (folder / "score.py").write_text(scorer_src, encoding="utf-8")
    return urls


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    real = SHARED_DATA / "trafilatura-eval-dev" / "score.py"
    src = real.read_text(encoding="utf-8") if real.is_file() else STAND_IN_SCORER
    _write_data(tmp_path, src)
    return tmp_path


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extraction_eval", ROOT / "benchmarks" / "extraction_eval.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["extraction_eval"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_half_is_sha256_parity_and_fixed() -> None:
    for url in ("https://a.example/x", "http://b.example/", "https://c.example/ü"):
        even = hashlib.sha256(url.encode()).digest()[0] % 2 == 0
        assert xd.half_of(url) == ("tune" if even else "heldout")
    halves = {xd.half_of(f"https://site{i}.example/a") for i in range(20)}
    assert halves == {"tune", "heldout"}


def test_load_pages_by_split(data_dir: Path) -> None:
    assert xd.data_available(data_dir) and not xd.data_available(data_dir / "nope")
    every = xd.load_pages(data_dir)
    assert len(every) == 3 and [p.half for p in every] == ["tune", "heldout", "heldout"]
    assert [p.url for p in xd.load_pages(data_dir, "tune")] == [every[0].url]
    assert len(xd.load_pages(data_dir, "heldout")) == 2
    assert every[0].html.startswith("<html>") and every[0].text.startswith("Home | News")
    assert every[1].with_ == ("approved the new budget on day 1", "Spending on parks")
    with pytest.raises(ValueError, match="split 'train'"):
        xd.load_pages(data_dir, "train")


def test_segment_labels_follow_the_gold(data_dir: Path) -> None:
    page = xd.load_pages(data_dir)[0]
    norm = xd.load_scorer(data_dir).norm
    lines = page.text.splitlines()
    assert xd.segment_labels(lines, page, norm) == [False, True, True, False]
    assert xd.segment_labels(["unrelated line"], page, norm) == [None]


def test_scoring_glue_counts_hits_leaks_and_failures(data_dir: Path) -> None:
    pages = xd.load_pages(data_dir)
    scorer = xd.load_scorer(data_dir)
    everything = xd.score_texts(scorer, pages, [p.text for p in pages])
    assert (everything["tp"], everything["fp"], everything["fn"]) == (6, 6, 0)
    # a failed page (None) is missing: its "with" segments are false negatives
    one_failed = xd.score_texts(scorer, pages, [None, pages[1].text, pages[2].text])
    assert (one_failed["tp"], one_failed["fn"], one_failed["pages_found"]) == (4, 2, 2)


def test_evaluate_runs_each_system_and_reports_halves(data_dir: Path) -> None:
    b = _bench()
    pages = xd.load_pages(data_dir)
    systems = [s for s in b.default_systems() if s.name in ("keep-all", "text-now")]
    systems.append(b.System("broken", "always fails", lambda page: None))
    out = b.evaluate(pages, systems, xd.load_scorer(data_dir))
    assert set(out) == {"keep-all", "text-now", "broken"}
    keep = out["keep-all"]
    assert set(keep["scores"]) == {"tune", "heldout", "all"}
    assert keep["scores"]["all"]["recall"] == 1.0 and keep["scores"]["all"]["precision"] == 0.5
    assert keep["scores"]["heldout"]["tp"] == 4 and keep["failed"] == 0
    cleaned = out["text-now"]["scores"]["all"]  # the cleaner drops the menu and the button
    assert cleaned["tp"] == 6 and cleaned["fp"] == 0
    assert out["broken"]["failed"] == 3 and out["broken"]["scores"]["all"]["tp"] == 0
    table = b.markdown(out)
    assert "| keep-all: every line" in table and "heldout F1 (P / R)" in table


def test_main_json_and_bad_system_name(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                       ) -> None:
    b = _bench()
    assert b.main(["--data", str(data_dir), "--systems", "keep-all,html-now", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["meta"]["pages"] == 3 and got["meta"]["halves"] == {"heldout": 2, "tune": 1}
    assert got["results"]["html-now"]["scores"]["all"]["tp"] == 6
    assert b.main(["--data", str(data_dir), "--systems", "nope"]) == 2
    assert "--systems nope: unknown" in capsys.readouterr().err
    assert b.main(["--data", str(data_dir / "absent")]) == 0
    assert "skip:" in capsys.readouterr().out


def test_train_cleaner_refuses_bad_dev_options(shared_data: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from storylens.learn import train_cleaner

    ae = shared_data / "article-extraction"
    if not (ae / "ground-truth.json").is_file():
        pytest.skip("article-extraction is absent")
    assert train_cleaner.main(["--data", str(ae), "--dev", str(tmp_path)]) == 2
    assert f"--dev {tmp_path}: no trafilatura-eval-dev data there" in capsys.readouterr().err
    assert train_cleaner.main(["--data", str(ae), "--stack-only"]) == 2
    assert "--stack-only needs --dev" in capsys.readouterr().err
