"""Ingest throughput: articles/s from input files to stored, cleaned articles.

Two corpora from ../shared/data (development data, not shipped):
- text: the 2,074 article texts of semeval2022-task8/dev.jsonl as JSONL (text field);
- html: the 181 pages of article-extraction/html (trafilatura + htmldate + cleaner).
Each runs in a fresh temporary SQLite store, single process (the CLI's path).

    python benchmarks/ingest_throughput.py [--data ../shared/data] [--repeat 2] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from storylens.api import ingest
from storylens.store import open_store


def _prepare(data: Path, work: Path) -> dict[str, list[str]]:
    text_file = work / "semeval-texts.jsonl"
    seen: set[str] = set()
    with text_file.open("w", encoding="utf-8") as out:
        for line in (data / "semeval2022-task8" / "dev.jsonl").open(encoding="utf-8"):
            pair = json.loads(line)
            for side in (pair["a"], pair["b"]):
                if side["id"] not in seen:
                    seen.add(side["id"])
                    out.write(json.dumps({"id": side["id"], "url": side["url"],
                                          "text": side["text"]}, ensure_ascii=False) + "\n")
    html_dir = work / "html"
    html_dir.mkdir()
    for gz in sorted((data / "article-extraction" / "html").glob("*.html.gz")):
        (html_dir / gz.name.removesuffix(".gz")).write_bytes(gzip.decompress(gz.read_bytes()))
    return {"text (JSONL)": [str(text_file)], "html": [str(html_dir)]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "semeval2022-task8" / "dev.jsonl").exists():
        print(f"{data}: shared dev data not found; nothing to measure", file=sys.stderr)
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        corpora = _prepare(data, Path(tmp))
        for name, paths in corpora.items():
            best = None
            for r in range(args.repeat):
                db = Path(tmp) / f"{name[:4]}-{r}.db"
                with open_store(db) as store:
                    t0 = time.perf_counter()
                    report = ingest(paths, store)
                    dt = time.perf_counter() - t0
                n = len(report.ingested)
                rate = n / dt
                if best is None or rate > best["articles_per_s"]:
                    best = {"corpus": name, "articles": n, "failed": len(report.failed),
                            "seconds": round(dt, 2), "articles_per_s": round(rate, 1)}
            results.append(best)
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}", "date": time.strftime("%Y-%m-%d")}
    if args.json:
        print(json.dumps({"results": results, **meta}, indent=2))
    else:
        print(f"ingest throughput ({meta['machine']}, {meta['date']}, best of {args.repeat})")
        print("| corpus | articles | failed | seconds | articles/s |\n|---|---|---|---|---|")
        for r in results:
            if r:
                print(f"| {r['corpus']} | {r['articles']} | {r['failed']} | {r['seconds']} "
                      f"| {r['articles_per_s']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
