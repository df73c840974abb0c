"""Extraction quality and speed on trafilatura-eval-dev (issue 14, item 5).

    python benchmarks/extraction_eval.py [--data ../shared/data/trafilatura-eval-dev]
        [--split heldout|tune|all] [--systems NAME,...] [--limit N] [--json]

Runs, on the same pages and in one run: trafilatura alone with its evaluation's parameters
(``extract(include_comments=False, include_tables=True)``); storylens's HTML path as it was
before issue 14 and as it is now, with each step switched on one at a time
(``extract_article`` on a ``RawDoc`` of format html, ``HtmlSteps`` choosing the steps: the
real path, not a copy of it); the plain-text cleaner on the whole-page text
(``extract_article`` on a ``RawDoc`` of format text); and keeping every line.  The text
scored is ``Article.text`` (the title is a separate field, as trafilatura's ``extract``
leaves the title out too); a page that fails counts as missing (every "with" segment a
false negative).  Scores come from the data's own ``score.py`` (imported, not copied).

Pages are split in halves by the parity of sha256(url)'s first byte
(``storylens.learn.extraction_dev.half_of``): every choice was made on the TUNE half;
``--split all`` (the default) runs all 598 pages and reports the held-out half, the tune half
and all pages separately.  Speed is pages per second of each path over the pages it ran,
on whatever the machine is doing (single process).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storylens.errors import StorylensError  # noqa: E402
from storylens.extract.pipeline import (  # noqa: E402
    BEFORE_ISSUE_14,
    DEFAULT_STEPS,
    HtmlSteps,
    extract_article,
)
from storylens.learn.extraction_dev import (  # noqa: E402
    SPLITS,
    DevPage,
    data_available,
    load_pages,
    load_scorer,
    score_texts,
)
from storylens.records import RawDoc  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "trafilatura-eval-dev"
NOW = datetime(2026, 12, 1, tzinfo=UTC)

Runner = Callable[[DevPage], str | None]


@dataclass(frozen=True, slots=True)
class System:
    """One extraction path: a name, what it does in a few words, and the page -> text run."""

    name: str
    what: str
    run: Runner


def html_path(steps: HtmlSteps) -> Runner:
    """storylens's HTML path with ``steps``: the text of the Article, None on failure."""
    def run(page: DevPage) -> str | None:
        raw = RawDoc(source=page.url, content=page.html, fmt="html", url=page.url)
        try:
            return extract_article(raw, now=NOW, steps=steps).text
        except StorylensError:
            return None
    return run


def text_path(page: DevPage) -> str | None:
    """storylens's plain-text path (the line cleaner) on the whole-page text."""
    raw = RawDoc(source=page.url, content=page.text, fmt="text", url=page.url)
    try:
        return extract_article(raw, now=NOW).text
    except StorylensError:
        return None


def trafilatura_reference(page: DevPage) -> str | None:
    """trafilatura alone, with the parameters of its own evaluation."""
    import trafilatura

    out: str | None = trafilatura.extract(page.html, url=page.url, include_comments=False,
                                          include_tables=True)
    return out


def keep_everything(page: DevPage) -> str | None:
    """Every line of the whole-page text."""
    return page.text


def default_systems() -> list[System]:
    """The systems of the report, in order: reference, storylens before and now with each
    step added one at a time, the plain-text cleaner, and the keep-everything baseline."""
    off = HtmlSteps(tables=False, favor_precision=False, second_pass="off",
                    short_fallback=False)
    return [
        System("trafilatura", "extract(include_comments=False, include_tables=True)",
               trafilatura_reference),
        System("html-before", "storylens HTML path before issue 14 (no tables, full second "
               "cleaning)", html_path(BEFORE_ISSUE_14)),
        System("html-bare", "trafilatura as storylens calls it, no tables, no second cleaning",
               html_path(off)),
        System("html+tables", "... + tables kept", html_path(
            HtmlSteps(tables=True, favor_precision=False, second_pass="off",
                      short_fallback=False))),
        System("html+tables+full", "... + the full second cleaning (as before)", html_path(
            HtmlSteps(tables=True, favor_precision=False, second_pass="full",
                      short_fallback=False))),
        System("html+tables+confident", "... + only the confident second pass instead",
               html_path(HtmlSteps(tables=True, favor_precision=False,
                                   second_pass="confident", short_fallback=False))),
        System("html-now", "storylens HTML path now (... + trafilatura's favor_precision)",
               html_path(DEFAULT_STEPS)),
        System("html-now+fallback", "... + short-output fallback (off: it lowered the tune "
               "half's F1)", html_path(HtmlSteps(short_fallback=True))),
        System("text-now", "plain-text cleaner on the whole-page text", text_path),
        System("keep-all", "every line of the whole-page text", keep_everything),
    ]


def evaluate(pages: Sequence[DevPage], systems: Sequence[System], scorer: ModuleType,
             ) -> dict[str, dict[str, Any]]:
    """Run every system over ``pages``; per system: scores on each half present and on all
    the pages run, pages/s, and how many pages failed."""
    halves = sorted({p.half for p in pages})
    out: dict[str, dict[str, Any]] = {}
    for system in systems:
        texts: list[str | None] = []
        t0 = time.perf_counter()
        for page in pages:
            texts.append(system.run(page))
        dt = time.perf_counter() - t0
        scores = {}
        for half in halves:
            idx = [i for i, p in enumerate(pages) if p.half == half]
            scores[half] = score_texts(scorer, [pages[i] for i in idx], [texts[i] for i in idx])
        if len(halves) > 1:
            scores["all"] = score_texts(scorer, pages, texts)
        out[system.name] = {
            "what": system.what, "scores": scores,
            "pages_per_s": round(len(pages) / dt, 2) if dt > 0 else None,
            "failed": sum(t is None for t in texts),
        }
    return out


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The results as one markdown table (F1, then P/R, per part of the data)."""
    parts = [k for k in ("heldout", "tune", "all")
             if any(k in r["scores"] for r in results.values())]
    head = "| system | " + " | ".join(f"{p} F1 (P / R)" for p in parts) + " | pages/s |"
    rows = [head, "|---" * (len(parts) + 2) + "|"]
    for name, r in results.items():
        cells = []
        for p in parts:
            s = r["scores"].get(p)
            cells.append(f"{s['f1']:.3f} ({s['precision']:.3f} / {s['recall']:.3f})"
                         if s else "")
        rows.append(f"| {name}: {r['what']} | " + " | ".join(cells)
                    + f" | {r['pages_per_s']} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Extraction quality on trafilatura-eval-dev")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--split", choices=SPLITS, default="all",
                    help="pages to run (all: report held-out, tune and all separately)")
    ap.add_argument("--systems", default="", help="comma-separated names (default: all)")
    ap.add_argument("--limit", type=int, default=0, help="first N pages only (a smoke run)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    args = ap.parse_args(argv)
    if not data_available(args.data):
        print(f"skip: trafilatura-eval-dev not found at {args.data}")
        return 0
    pages = load_pages(args.data, args.split)
    if args.limit:
        pages = pages[: args.limit]
    systems = default_systems()
    if args.systems:
        wanted = [s.strip() for s in args.systems.split(",") if s.strip()]
        unknown = sorted(set(wanted) - {s.name for s in systems})
        if unknown:
            print(f"error: --systems {','.join(unknown)}: unknown (known: "
                  f"{', '.join(s.name for s in systems)})", file=sys.stderr)
            return 2
        systems = [s for s in systems if s.name in wanted]
    results = evaluate(pages, systems, load_scorer(args.data))
    meta = {"split": args.split, "pages": len(pages),
            "halves": {h: sum(p.half == h for p in pages) for h in ("heldout", "tune")},
            "date": datetime.now(UTC).date().isoformat()}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=1))
    else:
        print(f"{meta['pages']} pages ({meta['halves']['heldout']} held-out, "
              f"{meta['halves']['tune']} tune), {meta['date']}\n")
        print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
