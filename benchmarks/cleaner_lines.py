"""Line-level benchmark of the plain-text cleaner (``storylens.extract.plaintext``).

    python benchmarks/cleaner_lines.py [--data ../shared/data/article-extraction] [--json]

Each page of the article-extraction set becomes its visible text lines, labelled "story" or
"furniture" against the gold article body (rule in ``storylens.learn.line_dataset``).
Pages are split into train/test halves by a hash of the page id; the cleaner's model is trained
on the train half only, and everything printed here is measured on the TEST half (``--split``
to change).  Precision/recall/F1 are for the "story" (kept) class, per line and weighted by
characters; the title the cleaner picks counts as kept.  Baselines on the same lines:
keep everything, and jusText (each line wrapped in <p>, the page language's stoplist).
Speed: clean_text on the test pages as they are (whole pages), and on article-sized texts
(the two fixture examples, ~3,000 characters, language detected by the cleaner).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storylens.enrich.language import detect  # noqa: E402
from storylens.extract.line_features import _JUSTEXT_NAMES, sample_for_detection  # noqa: E402
from storylens.extract.plaintext import clean_text  # noqa: E402
from storylens.learn.line_dataset import LabelledPage, data_available, iter_pages  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction"
EXAMPLES = ROOT / "tests" / "fixtures" / "examples"


def cleaner_keep(page: LabelledPage) -> list[bool]:
    """Which lines the cleaner keeps (paragraphs or title)."""
    res = clean_text("\n".join(page.lines))
    dropped = {r.line_no - 1 for r in res.removed}
    return [i not in dropped for i in range(len(page.lines))]


def justext_keep(page: LabelledPage) -> list[bool]:
    """jusText with default settings over the lines wrapped in <p>."""
    import justext

    lang = detect(sample_for_detection(page.lines))[0] or "en"
    name = _JUSTEXT_NAMES.get(lang, "English")
    doc = "<html><body>" + "".join(f"<p>{html.escape(ln)}</p>" for ln in page.lines)
    paras = justext.justext((doc + "</body></html>").encode(), justext.get_stoplist(name),
                            encoding="utf-8")
    if len(paras) == len(page.lines):
        return [not p.is_boilerplate for p in paras]
    good = {p.text for p in paras if not p.is_boilerplate}
    return [" ".join(ln.split()) in good for ln in page.lines]


def scores(pages: list[LabelledPage], keeps: list[list[bool]]) -> dict[str, float]:
    """Story-class P/R/F1 per line and per character."""
    out: dict[str, float] = {}
    for unit in ("line", "char"):
        tp = fp = fn = 0
        for page, keep in zip(pages, keeps, strict=True):
            for line, gold, k in zip(page.lines, page.labels, keep, strict=True):
                w = 1 if unit == "line" else len(line)
                tp += w * (gold and k)
                fp += w * (k and not gold)
                fn += w * (gold and not k)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out[f"{unit}_p"] = prec
        out[f"{unit}_r"] = rec
        out[f"{unit}_f1"] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return out


def speed() -> dict[str, float]:
    """Documents per second of clean_text on article-sized texts (language detected)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    if not texts:
        return {}
    for t in texts:
        clean_text(t)
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 2.0:
        for t in texts:
            clean_text(t)
            n += 1
    dt = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = 0
    while time.perf_counter() - t0 < 2.0:
        for t in texts:
            clean_text(t, lang="fr")
            m += 1
    dt2 = time.perf_counter() - t0
    return {"article_docs_per_s": n / dt, "article_docs_per_s_lang_given": m / dt2,
            "article_chars": sum(map(len, texts)) / len(texts)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Line-level benchmark of the plain-text cleaner")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--split", choices=("test", "train", "all"), default="test")
    ap.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    args = ap.parse_args(argv)
    if not data_available(args.data):
        print(f"skip: article-extraction data not found at {args.data}")
        return 0
    pages = [p for p in iter_pages(args.data)
             if p.lines and (args.split == "all" or p.split == args.split)]
    t0 = time.perf_counter()
    ours = [cleaner_keep(p) for p in pages]
    page_dt = time.perf_counter() - t0
    systems = {
        "storylens cleaner": ours,
        "keep everything": [[True] * len(p.lines) for p in pages],
        "jusText (lines as <p>)": [justext_keep(p) for p in pages],
    }
    results = {name: scores(pages, keeps) for name, keeps in systems.items()}
    n_lines = sum(len(p.lines) for p in pages)
    meta = {
        "split": args.split, "pages": len(pages), "lines": n_lines,
        "story_lines": sum(sum(p.labels) for p in pages),
        "page_docs_per_s": len(pages) / page_dt,
        "page_chars": sum(len("\n".join(p.lines)) for p in pages) / max(len(pages), 1),
        **speed(),
    }
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=1))
        return 0
    print(f"{meta['split']} half: {meta['pages']} pages, {meta['lines']} lines "
          f"({meta['story_lines']} story)\n")
    print("| system | line P | line R | line F1 | char P | char R | char F1 |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['line_p']:.3f} | {r['line_r']:.3f} | {r['line_f1']:.3f} | "
              f"{r['char_p']:.3f} | {r['char_r']:.3f} | {r['char_f1']:.3f} |")
    print(f"\nspeed: {meta['page_docs_per_s']:.0f} whole pages/s "
          f"(avg {meta['page_chars']:.0f} chars); ", end="")
    if "article_docs_per_s" in meta:
        print(f"{meta['article_docs_per_s']:.0f} article texts/s "
              f"(avg {meta['article_chars']:.0f} chars, language detected), "
              f"{meta['article_docs_per_s_lang_given']:.0f}/s with lang given")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
