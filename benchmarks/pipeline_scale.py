"""End-to-end speed and memory at 10^3, 10^4 and 10^5 articles: ingest -> clustered.

The corpora are synthetic recombinations of real texts: each generated article takes the
title of one SemEval-2022 dev article (../shared/data) and a body stitched from sentences
of several articles of the same language, with a date at realistic density (the corpus is
spread over size/800 days, ~800 articles a day, so many events share each day). They
exercise the real pipeline (cleaner, language ID, embedder, MinHash, pair model, SQLite)
at scale; they are not a quality benchmark.

Each size runs in its own subprocess (so peak RSS is per size) on a fresh SQLite file.
Then a second, fresh process ingests a follow-up batch of ``--follow`` articles dated just
after the corpus (what a live stream's next poll brings): its wall time includes
restoring the clusterer's window from the store, the cost that must not grow with the
archive.

    python benchmarks/pipeline_scale.py --sizes 1000 10000 100000 [--follow 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_SENT = re.compile(r"(?<=[.!?])\s+")


START = datetime(2024, 1, 1, tzinfo=UTC)


def make_corpus(out: Path, n: int, seed: int = 7, *, start: datetime = START,
                days: float | None = None, prefix: str = "g") -> None:
    """Write ``n`` recombined articles as ingest JSONL, dated over ``days`` from
    ``start`` (by default at ~800 articles a day)."""
    src = DATA / "semeval2022-task8" / "dev.jsonl"
    by_lang: dict[str, list[tuple[str, list[str]]]] = {}
    for line in src.open(encoding="utf-8"):
        pair = json.loads(line)
        for side in (pair["a"], pair["b"]):
            title, _, body = side["text"].partition("  ")
            sents = [s for s in _SENT.split(body or title) if len(s) > 30]
            if sents:
                by_lang.setdefault(side["lang"], []).append((title[:150], sents))
    rng = random.Random(seed)
    langs = sorted(by_lang)
    days = days if days is not None else max(1.0, n / 800)
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n):
            lang = rng.choice(langs)
            pool = by_lang[lang]
            title, _ = rng.choice(pool)
            body = " ".join(s for _, ss in rng.sample(pool, 4) for s in ss[:2])
            when = start + timedelta(days=rng.random() * days)
            fh.write(json.dumps({"id": f"{prefix}{i}", "title": f"{title} ({prefix}{i})",
                                 "text": body,
                                 "lang": lang, "url": f"https://outlet{i % 97}.example/{i}",
                                 "published": when.isoformat()}, ensure_ascii=False) + "\n")


def run_one(corpus: Path, db: Path) -> dict[str, object]:
    """Ingest + cluster in this process; return timings and peak RSS."""
    from storylens.api import ingest
    from storylens.link.service import cluster_store
    from storylens.store import open_store

    with open_store(db) as store:
        t0 = time.perf_counter()
        rep = ingest([str(corpus)], store, batch_size=500)
        t1 = time.perf_counter()
        crep = cluster_store(store, batch_size=500)
        t2 = time.perf_counter()
    n = len(rep.ingested)
    return {"articles": n, "ingest_s": round(t1 - t0, 1), "cluster_s": round(t2 - t1, 1),
            "cluster_split_s": crep.seconds, "events": crep.new_events,
            "storylines": crep.new_storylines, "duplicates": crep.duplicates,
            "articles_per_s": round(n / (t2 - t0), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--follow", type=int, default=200,
                    help="articles in the follow-up batch ingested by a fresh process "
                         "after each corpus (0: skip)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), Path(args.child[1]))))
        return 0
    if not (DATA / "semeval2022-task8" / "dev.jsonl").exists():
        print(f"{DATA}: shared dev data not found; nothing to measure", file=sys.stderr)
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus, db = Path(tmp) / f"c{n}.jsonl", Path(tmp) / f"s{n}.db"
            make_corpus(corpus, n)
            out = subprocess.run([sys.executable, __file__, "--child", str(corpus), str(db)],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["per_article_ms"] = round(1000 / r["articles_per_s"], 2)
            if args.follow:
                follow = Path(tmp) / f"f{n}.jsonl"
                make_corpus(follow, args.follow, seed=n, prefix="f",
                            start=START + timedelta(days=max(1.0, n / 800)),
                            days=args.follow / 800)
                out = subprocess.run([sys.executable, __file__, "--child", str(follow),
                                      str(db)], capture_output=True, text=True, check=True)
                f = json.loads(out.stdout.strip().splitlines()[-1])
                r["follow"] = {k: f[k] for k in ("articles", "ingest_s", "cluster_s",
                                                 "peak_rss_mb")}
            results.append(r)
            print(json.dumps(r), file=sys.stderr)
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}", "date": time.strftime("%Y-%m-%d")}
    if args.json:
        print(json.dumps({"results": results, **meta}, indent=1))
        return 0
    print(f"end to end, ingest -> clustered ({meta['machine']}, {meta['date']})")
    print("| articles | ingest s | cluster s (represent / link / store) | articles/s | ms/article "
          "| peak RSS MB | events | follow-up batch: s (cluster s), RSS MB |\n"
          "|---|---|---|---|---|---|---|---|")
    for r in results:
        sp = r["cluster_split_s"]
        f = r.get("follow")
        fol = (f"{f['articles']} in {f['ingest_s'] + f['cluster_s']:.1f} ({f['cluster_s']}), "
               f"{f['peak_rss_mb']}" if f else "—")
        print(f"| {r['articles']} | {r['ingest_s']} | {r['cluster_s']} ({sp['represent']} / "
              f"{sp['link']} / {sp['store']}) | {r['articles_per_s']} | {r['per_article_ms']} "
              f"| {r['peak_rss_mb']} | {r['events']} | {fol} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
