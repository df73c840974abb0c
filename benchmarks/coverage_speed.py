"""Seconds of ``storylens story ID`` (story coverage) vs story size, on a synthetic store.

How the corpus is made: the source is the SemEval-2022 Task 8 dev articles in the ingest
JSONL format (``.devdata/semeval-dev-stream.jsonl``, written by
``benchmarks/make_dev_streams.py``; ``--source`` picks another file). Only articles about
one topic (COVID: the text mentions "corona" or "covid", ~350 articles in 7 languages) are
used, so the sentences of a story really overlap. Each generated *original* takes the title
of one topic article and a body stitched from the sentences of that article and of two
other topic articles in the same language (20-30 sentences, ~2,500 characters: a full-size
news report; the dev texts themselves are cut at ~1,300 characters). About 15 % of each
story's members are *syndicated copies*: the text of an earlier original of the story with
" (dpa)" appended, carried by another outlet. Outlets are drawn from 40 made-up names;
publication times are spread over three days. Sizes 10, 50, 100 and 300 by default.

The articles are ingested into a fresh SQLite store (``--db``; a temp file by default) and
one event per size is written with ``save_assignments`` (``ev-bench-<size>``), so the timed
command is exactly the user's::

    storylens story ev-bench-<size> --db STORE --json > /dev/null

Each is timed twice: ``cold`` is the whole CLI in a fresh process (imports, store read,
model loads, coverage, JSON), ``coverage`` is ``story_coverage`` alone as the JSON's
``seconds`` reports it. ``--in-process`` also times ``story_coverage`` in this process
after a warm-up (models loaded), which isolates the per-member cost.

    .venv/bin/python benchmarks/coverage_speed.py                    # 10, 50, 100, 300
    .venv/bin/python benchmarks/coverage_speed.py --sizes 100,1000 --json
    .venv/bin/python benchmarks/coverage_speed.py --db /tmp/bench.db --keep

Exits 0 with a note when the source file is absent.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / ".devdata" / "semeval-dev-stream.jsonl"
TOPIC = ("corona", "covid")
OUTLETS = [f"outlet{k:02d}.example" for k in range(40)]
COPY_SHARE = 0.15


def _topic_articles(source: Path) -> dict[str, list[dict[str, Any]]]:
    """Language -> topic articles of ``source`` (those with a title and some text)."""
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            body = f"{r.get('title') or ''} {r.get('text') or ''}".casefold()
            if r.get("title") and len(r.get("text") or "") > 200 and any(t in body
                                                                          for t in TOPIC):
                by_lang[r.get("lang") or "xx"].append(r)
    return {k: v for k, v in by_lang.items() if len(v) >= 3}


def _sentences(text: str) -> list[str]:
    from storylens.compare.sentences import split_sentences

    return [s.text for s in split_sentences(text)]


def make_story(pool: dict[str, list[dict[str, Any]]], size: int, rng: random.Random,
               tag: str) -> list[dict[str, Any]]:
    """``size`` JSONL rows of one synthetic story (originals and syndicated copies, in
    publication order); each row carries ``_copy_of`` (None for an original)."""
    langs = sorted(pool)
    weights = [len(pool[k]) for k in langs]
    t0 = datetime(2021, 3, 1, 6, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for k in range(size):
        when = t0 + timedelta(minutes=int(k * 3 * 24 * 60 / max(size, 1)) + rng.randint(0, 9))
        outlet = rng.choice(OUTLETS)
        originals = [r for r in rows if r["_copy_of"] is None]
        if originals and rng.random() < COPY_SHARE:
            src = rng.choice(originals)
            rows.append({**src, "id": f"{tag}-{k}", "url": f"https://{outlet}/{tag}/{k}",
                         "outlet": outlet, "text": src["text"] + " (dpa)",
                         "published": when.isoformat(), "_copy_of": src["id"]})
            continue
        lang = rng.choices(langs, weights)[0]
        arts = rng.sample(pool[lang], 3)
        sents = _sentences(arts[0]["text"])
        for other in arts[1:]:
            sents += _sentences(other["text"])
        body = sents[:rng.randint(20, 30)]
        rows.append({"id": f"{tag}-{k}", "url": f"https://{outlet}/{tag}/{k}", "lang": lang,
                     "title": arts[0]["title"], "text": " ".join(body),
                     "published": when.isoformat(), "outlet": outlet, "_copy_of": None})
    return rows


def build_store(db: Path, sizes: list[int], source: Path, seed: int) -> dict[int, str]:
    """Ingest one synthetic story per size into ``db``; size -> event id."""
    from storylens.api import ingest
    from storylens.records_story import ClusterAssignment
    from storylens.store import ArticleQuery
    from storylens.store.sqlite import open_store

    rng = random.Random(seed)
    pool = _topic_articles(source)
    stories = {n: make_story(pool, n, rng, f"b{n}") for n in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.jsonl"
        src.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "_copy_of"},
                                          ensure_ascii=False) + "\n"
                               for rows in stories.values() for r in rows), encoding="utf-8")
        with open_store(db) as store:
            report = ingest([str(src)], store)
            by_url = {a.url: a.id for a in store.list_articles(ArticleQuery(limit=10**6))}
            out: dict[int, str] = {}
            for n, rows in stories.items():
                ev = f"ev-bench-{n}"
                sid = {r["id"]: by_url.get(r["url"]) for r in rows}
                store.save_assignments([
                    ClusterAssignment(aid, ev, f"sl-bench-{n}",
                                      sid.get(r["_copy_of"]) if r["_copy_of"] else None,
                                      1.0, 1.0, False,
                                      datetime.fromisoformat(r["published"]).timestamp())
                    for r in rows if (aid := sid[r["id"]]) is not None])
                out[n] = ev
    print(f"store {db}: {len(report.ingested)} articles ingested from {source.name} (topic "
          f"{'/'.join(TOPIC)}, {sum(map(len, pool.values()))} source articles)",
          file=sys.stderr)
    return out


def time_cli(db: Path, story_id: str) -> tuple[float, float, int, int]:
    """(wall seconds of the CLI, coverage seconds it reports, members, analysed)."""
    exe = Path(sys.executable).with_name("storylens")
    cmd = [str(exe), "story", story_id, "--db", str(db), "--json"]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    data = json.loads(res.stdout)
    cov = data["coverage"]
    analysed = sum(1 for a in cov["articles"] if a["analysed"])
    return wall, float(cov["seconds"]), len(data["story"]["members"]), analysed


def time_in_process(db: Path, story_id: str) -> float:
    """Seconds of ``story_coverage`` with models already loaded and the analysis cache
    emptied first (best of two)."""
    from storylens.compare import coverage
    from storylens.compare.coverage import story_coverage
    from storylens.store.sqlite import open_store

    with open_store(db) as store:
        s = store.get_story(story_id)
        arts = store.get_articles([m["id"] for m in s.members])
    best = float("inf")
    for _ in range(2):
        coverage.ANALYSIS_CACHE = coverage.AnalysisCache()
        t0 = time.perf_counter()
        story_coverage(arts, s.members)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,50,100,300", help="comma-separated story sizes")
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--db", type=Path, default=None, help="store to build (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep the store built at --db")
    ap.add_argument("--in-process", action="store_true",
                    help="also time story_coverage warm, in this process")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.source.is_file():
        print(f"skip: {args.source} is absent (run benchmarks/make_dev_streams.py)")
        return 0
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="coverage-speed-"))
    db = args.db or tmp / "bench.db"
    if db.exists():
        db.unlink()
    ids = build_store(db, sizes, args.source, args.seed)
    results = []
    if args.in_process:
        for n in sizes:  # warm-up: loads the embedder and the NER model of each language
            time_in_process(db, ids[n])
    for n in sizes:
        wall, cov_s, members, analysed = time_cli(db, ids[n])
        row: dict[str, Any] = {"size": n, "members": members, "analysed": analysed,
                               "cli_seconds": round(wall, 2), "coverage_seconds": cov_s}
        if args.in_process:
            row["warm_seconds"] = round(time_in_process(db, ids[n]), 2)
        results.append(row)
        if not args.json:
            print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    if args.keep:
        print(f"store kept at {db}", file=sys.stderr)
    else:
        db.unlink(missing_ok=True)
    if not (args.keep and args.db is None):
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
