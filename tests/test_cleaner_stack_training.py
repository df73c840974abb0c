"""The second look's wider context features (``line_stack.context_columns``), how its
verdicts are applied (``FirstPass.overruled``), and its training (``train_cleaner_stack``):
silver labels from a reference extraction of the same page, gold labels over them, the
out-of-fold threshold chosen on the scorer's F1, and a stack file that ``clean_text`` loads.
Hand-made pages and data folders in the layouts of the real sets, so nothing here needs
../shared/data."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest

from storylens.extract import line_stack, plaintext
from storylens.extract.line_features import measure_document
from storylens.extract.plaintext import FirstPass, clean_text, first_pass
from storylens.learn import extraction_dev as xd
from storylens.learn import train_cleaner_stack as tcs

PARA = ("The regional council approved the budget for next year on Tuesday evening after a "
        "long debate about schools, roads and the new swimming pool in the town centre.")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- silver labels ------------------------------------------------------------------------


def test_reference_labels_long_lines_inside_short_lines_whole() -> None:
    reference = f"{PARA}\nDistrict | Spending\nNorthgate | 4.2 million\nHome is where it starts."
    lines = [PARA, "  " + PARA[:60] + "  ", "Home", "Northgate", "4.2 million",
             "Menu | Home | Sport", "", "Share this article on your favourite network"]
    got = xd.reference_labels(lines, reference, _norm)
    # a long line anywhere inside the reference; "Home" only inside a sentence: furniture;
    # table cells count whole; an empty line never
    assert got == [True, True, False, True, True, False, False, False]
    assert xd.reference_labels(["Home"], "", _norm) == [False]


def test_page_labels_gold_over_silver_and_weights() -> None:
    y, w = tcs.page_labels([True, None, False, None], [False, True, True, False])
    assert y.tolist() == [1, 1, 0, 0]
    assert w.tolist() == [tcs.GOLD_WEIGHT, tcs.SILVER_WEIGHT, tcs.GOLD_WEIGHT,
                          tcs.SILVER_WEIGHT]
    with pytest.raises(ValueError):
        tcs.page_labels([True], [True, False])


# --- how the second look's verdicts apply --------------------------------------------------


def _state(kept: list[bool], reasons: list[str | None], start: int) -> FirstPass:
    lines = [f"line {i}" for i in range(len(kept))]
    doc = measure_document(lines, "en", "LATIN")
    return FirstPass(lines, doc.infos, np.zeros(len(kept)), kept, reasons, start)


def test_overruled_flips_all_but_hard_reasons_and_the_title() -> None:
    st = _state([False, True, False, False, True, False],
                ["guessed title", None, "low story score 0.1", "photo caption or credit",
                 None, "seen in 3 other articles of this outlet"], start=1)
    assert st.overruled([True] * 6) == [False, True, True, False, True, False]
    assert st.overruled([False] * 6) == [False, False, False, False, False, False]
    assert st.overruled(list(st.kept)) == st.kept


def test_overruled_may_flip_the_language_rules() -> None:
    """A whole page's quote or name in another script or language is story when the pattern
    around it says so: the second look may keep lines the language rules dropped, never
    captions, copyright lines or outlet repeats."""
    st = _state([True, False, False, False, False, True],
                [None, "foreign-script line (CYRILLIC, document LATIN)",
                 "line in de, document in en", "copyright line", "photo caption or credit",
                 None], start=0)
    assert st.overruled([True] * 6) == [True, True, True, False, False, True]
    assert plaintext.HARD_REASONS == ("seen in", "photo caption", "copyright")


def test_clean_text_applies_the_same_rule_as_training() -> None:
    """Whatever the shipped second look says, clean_text's kept lines are the first pass's
    verdicts overruled by it: the rule training scores is the rule ingest runs."""
    lines = [f"Menu item {i}" for i in range(40)]
    lines[10:10] = [PARA.replace("Tuesday", d) for d in DAYS] * 4
    text = "\n".join(lines)
    st = first_pass(text, lang="en")
    assert st is not None and len(st.lines) >= plaintext.LOOK_MIN_LINES
    look = line_stack.second_look(st.infos, st.p, st.kept, st.reasons)
    assert look is not None
    want = [ln for ln, k in zip(st.lines, st.overruled(look), strict=True) if k]
    assert clean_text(text, lang="en").paragraphs == want


# --- wider context features -----------------------------------------------------------------


def test_context_columns_runs_blocks_and_windows() -> None:
    lines = ["Home", "News", "Sport", *(PARA.replace("Tuesday", d) for d in DAYS),
             "Share", "Print", "A short sentence here, five words."]
    doc = measure_document(lines, "en", "LATIN")
    n = len(lines)
    keep = np.asarray([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1], dtype=np.float64)
    c = line_stack.context_columns(doc.infos, np.linspace(0, 1, n), keep)
    names = line_stack.context_names()
    assert c.shape == (n, len(names))
    col = {name: c[:, k] for k, name in enumerate(names)}
    # runs of short lines: 3 menu items, 2 buttons; the prose and the last sentence none
    assert np.allclose(np.expm1(col["short_run"]), [3, 3, 3, 0, 0, 0, 0, 0, 0, 2, 2, 0])
    # the densest block is the six paragraphs, and distances grow away from it
    assert col["in_block"].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    assert col["block_dist"][0] > col["block_dist"][2] > 0 and col["block_dist"][5] == 0
    assert col["chars_before"][0] == 0 and np.all(np.diff(col["chars_before"]) > 0)
    # a 10-line window over 12 lines averages nearly everything; kept share is 7 / 12 at most
    assert np.allclose(col["w25_kept"], keep.mean())
    assert 0 < col["w10_short"][0] < 1


def test_context_helpers_edge_cases() -> None:
    assert line_stack.window_mean(np.asarray([1.0, 0.0, 1.0]), 1).tolist() == [0.5, 2 / 3, 0.5]
    assert line_stack.densest_block(np.asarray([5.0, 400.0, 300.0, 5.0, 5.0])) == (1, 2)
    assert line_stack.context_columns([], np.zeros(0), np.zeros(0)).shape == (
        0, len(line_stack.context_names()))
    one = measure_document(["Only line"], "en", "LATIN").infos
    assert line_stack.stack_matrix(one, np.zeros(1), [False], [None]).shape == (
        1, len(line_stack.stack_feature_names()))


# --- training end to end on hand-made data folders ------------------------------------------


def _story(i: int) -> list[str]:
    return [PARA.replace("Tuesday", d).replace("council", f"council of town {i}") for d in DAYS]


def _dev_folder(folder: Path, pages: int) -> list[str]:
    """``pages`` tune-half pages of 70 lines: a menu, six story paragraphs, a footer."""
    urls = [u for i in range(400) if xd.half_of(u := f"https://site{i}.example/a") == "tune"]
    gold, html_rows, text_rows = {}, [], []
    for i, url in enumerate(urls[:pages]):
        story = _story(i)
        menu = [f"Section {k} of site {i}" for k in range(40)]
        foot = [f"Footer link {k} here" for k in range(24)]
        text_rows.append({"url": url, "text": "\n".join(menu + story + foot)})
        html_rows.append({"url": url, "html": (
            "<html><body><nav>" + "".join(f"<a href='/{k}'>{m}</a><br>" for k, m in
                                          enumerate(menu))
            + "</nav><article>" + "".join(f"<p>{p}</p>" for p in story) + "</article><footer>"
            + "".join(f"<p>{f}</p>" for f in foot) + "</footer></body></html>")})
        gold[url] = {"with": [story[0], story[3]], "without": [menu[5], foot[3]]}
    for name, rows in (("pages-html.jsonl.gz", html_rows), ("pages-text.jsonl.gz", text_rows)):
        with gzip.open(folder / name, "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    (folder / "score.py").write_text(
        "import re\n"
        "def norm(t):\n    return re.sub(r'\\s+', ' ', t).strip()\n"
        "def score(gold, articles):\n"
        "    texts = {a['url']: a['text'] for a in articles}\n"
        "    tp = fp = fn = 0\n"
        "    for url, item in gold.items():\n"
        "        t = norm(texts.get(url) or '')\n"
        "        h = sum(norm(w) in t for w in item['with']) if t else 0\n"
        "        tp, fn = tp + h, fn + len(item['with']) - h\n"
        "        fp += sum(norm(w) in t for w in item['without']) if t else 0\n"
        "    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0\n"
        "    return {'f1': round(f1, 4), 'precision': 0.0, 'recall': 0.0}, {}\n",
        encoding="utf-8")
    return urls[:pages]


def _ae_folder(folder: Path) -> None:
    (folder / "html").mkdir()
    truth = {}
    for k in range(4):
        pid = f"page{k}"
        story = _story(100 + k)
        html = ("<html><body><nav><a>Home</a><a>World</a></nav>"
                + "".join(f"<p>{p}</p>" for p in story) + "<footer>About us</footer></body>"
                "</html>")
        (folder / "html" / f"{pid}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[pid] = {"articleBody": "\n".join(story), "url": f"https://ae.example/{k}"}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")


def test_train_stack_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dev, ae = tmp_path / "dev", tmp_path / "ae"
    dev.mkdir()
    ae.mkdir()
    _dev_folder(dev, 6)
    _ae_folder(ae)
    monkeypatch.setattr(tcs, "N_TREES", 10)
    pages = tcs.dev_pages(dev)
    assert len(pages) == 6 and all(d.x.shape[0] == len(d.y) == 70 for d in pages)
    # trafilatura keeps the six paragraphs: silver story; the gold's two + two lines weigh more
    assert all(d.y.sum() == 6 and d.gold == 4 for d in pages)
    assert all(np.sum(d.w == tcs.GOLD_WEIGHT) == 4 for d in pages)
    out = tmp_path / "stack.json"
    result = tcs.train_stack(ae, dev, out)
    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored["features"] == line_stack.stack_feature_names()
    assert stored["threshold"] in tcs.THRESHOLDS
    meta = result["meta"]
    assert meta["tune_pages"] == 6 and meta["tune_lines"] == 420 and meta["gold_lines"] == 24
    assert 0.0 <= meta["oof_tune_segment_f1"] <= 1.0
    # the stack it wrote is what clean_text runs: the menu and footer go, the story stays
    monkeypatch.setattr(line_stack, "STACK_FILE", out)
    line_stack._stack.cache_clear()
    try:
        with gzip.open(dev / "pages-text.jsonl.gz", "rt", encoding="utf-8") as f:
            page = json.loads(f.readline())["text"]
        got = clean_text(page, lang="en")
        assert all(p in got.paragraphs for p in _story(0)[1:])
        assert not any(p.startswith(("Section", "Footer")) for p in got.paragraphs)
    finally:
        line_stack._stack.cache_clear()


def test_cleaned_texts_leave_short_texts_to_the_first_pass() -> None:
    st = _state([True, False, True], [None, "low story score 0.2", None], start=0)
    page = tcs.DevPage(xd.DevPage("u", "", "", (), (), "tune"), st, np.zeros((3, 1)),
                       np.zeros(3, dtype=np.int_), np.ones(3), 0)
    assert tcs.cleaned_texts([page], [np.ones(3)], 0.5) == ["line 0\nline 2"]
