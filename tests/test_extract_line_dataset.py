"""The cleaner's line-labelled data (storylens.learn.line_dataset) and its training entry
point (storylens.learn.train_cleaner) on a tiny synthetic article-extraction set: visible
lines per block, the labelling rule, the hash split, and a real fit that writes usable weights.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from storylens.extract.line_features import all_feature_names
from storylens.learn import train_cleaner
from storylens.learn.line_dataset import (
    LabelledPage,
    data_available,
    html_to_lines,
    iter_pages,
    label_lines,
    split_of,
    tokens,
)

# --- html_to_lines --------------------------------------------------------------------------


def test_one_line_per_block_inline_text_joined() -> None:
    html = ("<html><head><title>T</title><style>p{}</style></head><body>"
            "<nav><a href=/>Home</a> <a href=/n>News</a></nav>"
            "<h1>Storm  hits coast</h1><p>The <b>storm</b> hit the <i>coast</i>.</p>"
            "<script>var x = 1;</script><!-- comment --><p>Second<br>line</p>"
            "<ul><li>one</li><li>two</li></ul></body></html>")
    assert html_to_lines(html) == ["Home News", "Storm hits coast", "The storm hit the coast.",
                                   "Second", "line", "one", "two"]


@pytest.mark.xfail(strict=True, reason="a newline in the HTML source inside one block splits "
                   "it into two lines, though HTML renders it as a space (the docstring says "
                   "inline text is joined); left as is: the benchmark's lines depend on it")
def test_source_newline_inside_a_block_is_a_space() -> None:
    assert html_to_lines("<p>Storm hits\n the coast</p>") == ["Storm hits the coast"]


def test_tail_text_after_a_dropped_element_is_kept() -> None:
    assert html_to_lines("<p>before<script>x()</script> after</p>") == ["before after"]


def test_declared_charset_is_used_for_bytes() -> None:
    html = '<html><head><meta charset="windows-1251"></head><body><p>Привет</p></body></html>'
    assert html_to_lines(html.encode("cp1251")) == ["Привет"]


def test_undeclared_utf8_bytes() -> None:
    assert html_to_lines("<p>Besançon à l'été</p>".encode()) == ["Besançon à l'été"]


def test_xml_declaration_and_empty_pages() -> None:
    assert html_to_lines('<?xml version="1.0" encoding="utf-8"?><html><p>x</p></html>') == ["x"]
    assert html_to_lines("") == []
    assert html_to_lines("<html></html>") == []


def test_nested_page_keeps_its_text() -> None:
    html = "<p>a</p>" + "<div>" * 250 + "deep" + "</div>" * 250 + "<p>z</p>"
    assert html_to_lines(html) == ["a", "deep", "z"]


@pytest.mark.xfail(strict=True, reason="libxml2's HTML parser stops at depth 255 and the text "
                   "below is silently lost (HTMLParser(huge_tree=True) would reach 2048); left "
                   "as is: the benchmark's lines depend on it")
def test_text_deeper_than_255_elements_is_kept() -> None:
    html = "<p>a</p>" + "<div>" * 300 + "deep" + "</div>" * 300 + "<p>z</p>"
    assert html_to_lines(html) == ["a", "deep", "z"]


# --- labels ---------------------------------------------------------------------------------

GOLD = ("The storm hit the northern coast on Monday night, flooding three villages.\n"
        "He refused.\n"
        "Rescue teams evacuated four hundred residents before dawn.")


def test_tokens() -> None:
    assert tokens("The Storm's 3 days—ÉTÉ") == ["the", "storm", "s", "3", "days", "été"]


def test_label_rule() -> None:
    lines = [
        "The storm hit the northern coast on Monday night, flooding three villages.",  # story
        "Rescue teams evacuated four hundred residents",  # all shingles in gold
        "Rescue teams evacuated four people from a burning building downtown",  # 1 of 7
        "He refused.",  # whole gold paragraph, 2 tokens
        "Northern coast",  # 2 tokens, inside the body but not a paragraph: a tag link
        "Storm",  # one token: always furniture
        "",
    ]
    assert label_lines(lines, GOLD) == [True, True, False, True, False, False, False]


def test_half_of_the_shingles_is_enough() -> None:
    # 7 tokens -> 4 shingles; the first two are gold shingles: 2*2 >= 4
    assert label_lines(["the storm hit the northern sea today"], GOLD) == [True]
    # 6 tokens -> 3 shingles; only the first is gold: 1*2 < 3
    assert label_lines(["the storm hit the sea today"], GOLD) == [False]
    # 7 tokens -> 4 shingles; only the first is gold: 1*2 < 4
    assert label_lines(["the storm hit the old pier yesterday"], GOLD) == [False]


def test_empty_gold_labels_everything_furniture() -> None:
    assert label_lines(["The storm hit the northern coast"], "") == [False]


def test_split_is_a_stable_hash_of_the_id() -> None:
    ids = [f"page{i}" for i in range(200)]
    splits = [split_of(i) for i in ids]
    assert set(splits) == {"train", "test"}
    assert 60 < splits.count("train") < 140
    assert splits == [split_of(i) for i in ids]


# --- iter_pages and training on a tiny set --------------------------------------------------

STORY = [
    "The council met on Tuesday to vote on the budget for the coming year, the mayor said.",
    "Spending on schools rises by ten percent, while road repairs are delayed to spring.",
    "Opposition members walked out before the vote, calling the plan reckless and unfair.",
    "The final vote came late in the evening after hours of debate in the town hall.",
]
MENU = ["Home", "News", "Sport", "Weather", "Contact us", "Privacy policy",
        "© 2024 Example Media. All rights reserved.", "Share on Facebook"]


def _make_set(root: Path, n: int) -> list[str]:
    (root / "html").mkdir(parents=True)
    gold: dict[str, dict[str, str]] = {}
    for k in range(n):
        pid = f"p{k:03d}"
        story = [s.replace("Tuesday", f"day {k}") for s in STORY[: 2 + k % 3]]
        body = "".join(f"<p>{s}</p>" for s in story)
        menu = "".join(f"<li>{m}</li>" for m in MENU[k % 3:])
        html = f"<html><body><ul>{menu}</ul><article>{body}</article><footer>{MENU[6]}" \
               f"</footer></body></html>"
        (root / "html" / f"{pid}.html.gz").write_bytes(gzip.compress(html.encode()))
        gold[pid] = {"articleBody": "\n".join(story)}
    gold["missing"] = {"articleBody": "no page for this one"}
    (root / "ground-truth.json").write_text(json.dumps(gold), encoding="utf-8")
    return sorted(k for k in gold if k != "missing")


def test_iter_pages_labels_and_splits(tmp_path: Path) -> None:
    ids = _make_set(tmp_path, 6)
    assert data_available(tmp_path) and not data_available(tmp_path / "nope")
    pages = list(iter_pages(tmp_path))
    assert [p.page_id for p in pages] == ids  # sorted, the page without html skipped
    first = pages[0]
    assert isinstance(first, LabelledPage)
    assert first.lines[: len(MENU)] == MENU
    assert first.labels == [False] * len(MENU) + [True, True] + [False]
    assert all(p.split == split_of(p.page_id) for p in pages)


@pytest.mark.slow
def test_train_writes_weights_the_cleaner_can_use(tmp_path: Path) -> None:
    _make_set(tmp_path / "data", 24)
    out = tmp_path / "w.json"
    w = train_cleaner.train(tmp_path / "data", out)
    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored == w
    assert stored["features"] == all_feature_names()
    n = len(all_feature_names())
    assert len(stored["mean"]) == len(stored["scale"]) == len(stored["coef"]) == n
    assert 0.3 <= stored["cv_threshold"] <= 0.9 and 0.0 <= stored["cv_f1"] <= 1.0
    assert stored["train_pages"] == sum(split_of(f"p{k:03d}") == "train" for k in range(24))
    # the learnt direction: ending a sentence and length push towards "story"
    coef = dict(zip(stored["features"], stored["coef"], strict=True))
    assert coef["log_words"] > 0
    x, y, groups = train_cleaner.build_xy(
        [p for p in iter_pages(tmp_path / "data") if p.split == "train"])
    assert x.shape == (len(y), n) and len(groups) == len(y)
    z = ((x - np.asarray(stored["mean"])) / np.asarray(stored["scale"])) @ np.asarray(
        stored["coef"]) + stored["intercept"]
    assert ((z > 0) == (y == 1)).mean() > 0.9


def test_main_skips_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert train_cleaner.main(["--data", str(tmp_path / "none"), "--out",
                               str(tmp_path / "w.json")]) == 0
    assert "skip: no article-extraction data" in capsys.readouterr().err
    assert not (tmp_path / "w.json").exists()
