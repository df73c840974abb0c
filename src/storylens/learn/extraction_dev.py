"""The trafilatura-eval-dev set: pages, gold segments, its own scorer and the tune/held-out split.

``../shared/data/trafilatura-eval-dev`` holds 598 pages of trafilatura's evaluation corpus as
HTML (``pages-html.jsonl.gz``) and as whole-page text (``pages-text.jsonl.gz``, every visible
block on its own line), ``gold.json`` (per page, segments that must / must not appear in the
article) and ``score.py`` (micro P/R/F1 the way trafilatura scores itself).

Why a split: every decision about the cleaner (thresholds, which steps run, training data)
is made on the TUNE half only, and quality is reported on the HELD-OUT half (and on all 598,
said as such).  The half of a page is the parity of the first byte of sha256(url): fixed,
independent of the content and of the order of the files.  The scorer is imported from the
data folder, never copied, so the numbers are the data author's.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

Half = Literal["tune", "heldout"]
HALVES: tuple[Half, ...] = ("tune", "heldout")
SPLITS = ("heldout", "tune", "all")


@dataclass(frozen=True, slots=True)
class DevPage:
    """One page: its URL, HTML, whole-page text, gold segments and half."""

    url: str
    html: str
    text: str
    with_: tuple[str, ...]
    without: tuple[str, ...]
    half: Half


def half_of(url: str) -> Half:
    """``"tune"`` when the first byte of sha256(url) is even, else ``"heldout"``."""
    return "tune" if hashlib.sha256(url.encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def data_available(data_dir: Path) -> bool:
    """True when ``data_dir`` holds the gold file, both page files and the scorer."""
    return all((data_dir / n).is_file() for n in
               ("gold.json", "pages-html.jsonl.gz", "pages-text.jsonl.gz", "score.py"))


def _read_jsonl_gz(path: Path, field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("url"), str):
                raise ValueError(f"{path}:{n}: not an object with a url")
            out[obj["url"]] = str(obj.get(field) or "")
    return out


def load_pages(data_dir: Path, split: str = "all") -> list[DevPage]:
    """The pages of ``split`` (``tune``, ``heldout`` or ``all``) in gold-file order."""
    if split not in SPLITS:
        raise ValueError(f"split {split!r}: expected one of {', '.join(SPLITS)}")
    gold: dict[str, dict[str, list[str]]] = json.loads(
        (data_dir / "gold.json").read_text(encoding="utf-8"))
    html = _read_jsonl_gz(data_dir / "pages-html.jsonl.gz", "html")
    text = _read_jsonl_gz(data_dir / "pages-text.jsonl.gz", "text")
    pages = []
    for url, item in gold.items():
        half = half_of(url)
        if split != "all" and half != split:
            continue
        pages.append(DevPage(url, html.get(url, ""), text.get(url, ""),
                             tuple(item.get("with", ())), tuple(item.get("without", ())), half))
    return pages


def load_scorer(data_dir: Path) -> ModuleType:
    """The data's own ``score.py`` as a module (its ``score(gold, articles)``)."""
    path = data_dir / "score.py"
    spec = importlib.util.spec_from_file_location("trafilatura_eval_score", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{path}: cannot be imported")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gold_of(pages: Iterable[DevPage]) -> dict[str, dict[str, list[str]]]:
    """The gold mapping of ``pages`` in the scorer's format."""
    return {p.url: {"with": list(p.with_), "without": list(p.without)} for p in pages}


def score_texts(scorer: ModuleType, pages: Sequence[DevPage],
                texts: Sequence[str | None]) -> dict[str, Any]:
    """Micro P/R/F1 of ``texts`` (one per page, None for a failed page) by the data's scorer."""
    articles = [{"url": p.url, "text": t} for p, t in zip(pages, texts, strict=True)
                if t is not None]
    result, _details = scorer.score(gold_of(pages), articles)
    return dict(result)


def segment_labels(lines: Sequence[str], page: DevPage,
                   norm: Callable[[str], str]) -> list[bool | None]:
    """Per line: True when it holds a gold "with" segment, False when it holds a "without"
    segment (and no "with"), None when the gold says nothing about it.  ``norm`` is the
    scorer's whitespace normaliser, so a line matches exactly when the scorer would see it."""
    w = [norm(s) for s in page.with_]
    wo = [norm(s) for s in page.without]
    out: list[bool | None] = []
    for line in lines:
        t = norm(line)
        if any(s and s in t for s in w):
            out.append(True)
        elif any(s and s in t for s in wo):
            out.append(False)
        else:
            out.append(None)
    return out


_WORD = re.compile(r"\w+")
SILVER_MIN_WORDS = 4
"""A line of at least this many words is story by ``reference_labels`` when its text occurs
anywhere in the reference extraction; a shorter line must equal one of its lines or table
cells (a word or two, such as "Home" or "Share", occurs inside many sentences)."""


def reference_labels(lines: Sequence[str], reference: str,
                     norm: Callable[[str], str]) -> list[bool]:
    """Per line: True when the line is part of ``reference`` (an extraction of the same page,
    such as trafilatura's from its HTML), by the rule of ``SILVER_MIN_WORDS``.

    Why: the gold speaks about a few segments per page (1,833 lines of the tune half's
    53,237); an HTML extractor's verdict on the same page labels every line, a silver label
    that lets the cleaner learn the shape of whole pages from all their lines.  ``norm`` is
    the scorer's normaliser, so that a line matches where the scorer would find it."""
    whole = norm(reference)
    parts: set[str] = set()
    for row in reference.splitlines():
        parts.add(norm(row))
        parts.update(norm(cell) for cell in row.split("|"))
    parts.discard("")
    out: list[bool] = []
    for line in lines:
        t = norm(line)
        if not t:
            out.append(False)
        elif len(_WORD.findall(t)) >= SILVER_MIN_WORDS:
            out.append(t in whole)
        else:
            out.append(t in parts)
    return out
