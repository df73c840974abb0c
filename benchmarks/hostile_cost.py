"""Seconds per input and per MB for the hostile shapes that used to be super-linear:
plain text of many short lines, HTML with many paragraphs, many ``<br>``, a long table,
deep nesting. Each is extracted and cleaned once (``extract_article``), in this process.

    python benchmarks/hostile_cost.py            # default sizes
    python benchmarks/hostile_cost.py --scale 0.1 --json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

Shape = Callable[[int], tuple[str, str]]

SHAPES: dict[str, tuple[Shape, int]] = {
    "text: short lines": (lambda n: ("text", "\n".join(f"word{i} x" for i in range(n))),
                          200_000),
    "html: paragraphs": (lambda n: ("html", "<html><body>" + "".join(
        f"<p>Paragraph {i} of the page.</p>" for i in range(n)) + "</body></html>"), 100_000),
    "html: <br>": (lambda n: ("html", "<p>" + "<br>" * n + "end of it.</p>"), 1_000_000),
    "html: table rows": (lambda n: ("html", "<table>" + "".join(
        f"<tr><td>{i}</td><td>cell {i}</td></tr>" for i in range(n)) + "</table>"), 20_000),
    "html: nesting": (lambda n: ("html", "<div>" * n + "deep text" + "</div>" * n), 50_000),
}


def main(argv: list[str] | None = None) -> int:
    from storylens.errors import InputError
    from storylens.extract.pipeline import extract_article
    from storylens.records import RawDoc

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    extract_article(RawDoc(source="warm", content="<p>Warm up text.</p>", fmt="html"),
                    now=datetime.now(UTC))
    rows = []
    for name, (make, n) in SHAPES.items():
        size = max(1, int(n * args.scale))
        fmt, content = make(size)
        t0 = time.perf_counter()
        try:
            extract_article(RawDoc(source=name, content=content, fmt=fmt,  # type: ignore[arg-type]
                                   lang="en"), now=datetime.now(UTC))
            outcome = "article"
        except InputError as e:
            outcome = f"refused: {e.reason}"
        s = time.perf_counter() - t0
        mb = len(content.encode()) / 1e6
        rows.append({"shape": name, "n": size, "mb": round(mb, 2), "seconds": round(s, 2),
                     "s_per_mb": round(s / mb, 2), "outcome": outcome})
    if args.json:
        print(json.dumps(rows))
        return 0
    print("| shape | n | MB | seconds | s/MB | outcome |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['shape']} | {r['n']:,} | {r['mb']} | {r['seconds']} | {r['s_per_mb']} "
              f"| {r['outcome']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
