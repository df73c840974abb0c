"""Line-labelled data for training and measuring the plain-text cleaner.

The article-extraction set (``<dir>/html/<id>.html.gz`` + ``<dir>/ground-truth.json``) gives
whole news pages and their gold article body.  Here each page becomes the visible text lines a
scraper would produce (one line per block element) and each line gets a label, "story" or
"furniture", by comparing it with the gold body.  The same code feeds the training entry point
(``storylens.learn.train_cleaner``) and the benchmark (``benchmarks/cleaner_lines.py``), so
both see identical lines, labels and the identical train/test split.

Labelling rule (documented in BENCHMARKS.md):

* tokens are ``\\w+`` runs, lower-cased; a line with >= 4 tokens is "story" when at least half
  of its 4-token shingles occur among the gold body's 4-token shingles;
* a line with 2-3 tokens is "story" only when it equals a whole gold paragraph token for
  token (a sub-heading or a one-line quote such as "He refused."), because matching it anywhere
  inside the body labels tag links ("Air Quality", "Delhi Pollution") as story;
* a line with 0-1 tokens is always "furniture" (a one-word line carries no story text worth
  scoring, and matching single words against a long body would be noise).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+")
_WS = re.compile(r"\s+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)

DROP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe",
                       "object", "canvas", "math"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "menu", "nav", "ol",
    "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "button", "select", "label", "legend", "picture", "video", "audio",
})


@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One benchmark page: its id, visible lines, per-line gold labels and split."""

    page_id: str
    lines: list[str]
    labels: list[bool]
    split: str  # "train" or "test"


def split_of(page_id: str) -> str:
    """Deterministic train/test half from a hash of the page id (never from the content)."""
    return "train" if hashlib.sha1(page_id.encode()).digest()[0] % 2 == 0 else "test"


def html_to_lines(html: bytes | str) -> list[str]:
    """Visible text of a page, one line per block element, inline text joined.

    Drops script/style/noscript/template/svg/head (and iframes etc.) and HTML comments.
    """
    import lxml.html
    from lxml import etree

    if isinstance(html, bytes):
        html = _decode(html)
    html = _XML_DECL.sub("", html, count=1)
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    parts: list[str] = []
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        _walk(root, parts)
    finally:
        sys.setrecursionlimit(limit)
    lines = []
    for raw in "".join(parts).split("\n"):
        line = _WS.sub(" ", raw).strip()
        if line:
            lines.append(line)
    return lines


def _decode(data: bytes) -> str:
    """Bytes to text: the declared charset, else UTF-8, else charset-normalizer's guess
    (lxml alone falls back to Latin-1 and garbles undeclared UTF-8 pages)."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii", "ignore"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("latin-1")


def _walk(el: Any, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.lower()
    if tag in DROP_TAGS or not tag:  # comments / processing instructions have no str tag
        if el.tail:
            out.append(el.tail)
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n")
    if el.text:
        out.append(el.text)
    for child in el:
        _walk(child, out)
    if block:
        out.append("\n")
    if el.tail:
        out.append(el.tail)


def tokens(text: str) -> list[str]:
    """Lower-cased ``\\w+`` tokens."""
    return _TOKEN.findall(text.lower())


def label_lines(lines: list[str], gold_body: str) -> list[bool]:
    """Gold "story" flag for each line (see the module docstring for the rule)."""
    gold_toks = tokens(gold_body)
    shingles = {tuple(gold_toks[i:i + 4]) for i in range(len(gold_toks) - 3)}
    gold_paras = {" ".join(tokens(p)) for p in gold_body.splitlines() if p.strip()}
    labels = []
    for line in lines:
        toks = tokens(line)
        if len(toks) >= 4:
            sh = [tuple(toks[i:i + 4]) for i in range(len(toks) - 3)]
            hit = sum(1 for s in sh if s in shingles)
            labels.append(hit * 2 >= len(sh))
        elif len(toks) >= 2:
            labels.append(" ".join(toks) in gold_paras)
        else:
            labels.append(False)
    return labels


def iter_pages(data_dir: Path) -> Iterator[LabelledPage]:
    """All pages of the set, labelled, in id order."""
    gold: dict[str, dict[str, str]] = json.loads(
        (data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(gold):
        path = data_dir / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        lines = html_to_lines(gzip.decompress(path.read_bytes()))
        labels = label_lines(lines, gold[page_id].get("articleBody") or "")
        yield LabelledPage(page_id, lines, labels, split_of(page_id))


def data_available(data_dir: Path) -> bool:
    """True when ``data_dir`` holds the ground truth and the html folder."""
    return (data_dir / "ground-truth.json").is_file() and (data_dir / "html").is_dir()
