"""End-to-end speed and memory from 10^3 to 10^6 articles: ingest -> clustered.

The corpora are synthetic recombinations of real texts: each generated article takes the
title of one SemEval-2022 dev article (../shared/data) and a body stitched from sentences
of several articles of the same language, with a date at realistic density (the corpus is
spread over size/800 days, ~800 articles a day, so many events share each day). They
exercise the real pipeline (cleaner, language ID, embedder, MinHash, pair model, SQLite)
at scale; they are not a quality benchmark. The corpus is written line by line to a JSONL
file and ingest streams it, so neither process holds it in memory.

Each size runs in its own subprocess (so peak RSS is the pipeline process's, per size) on
a fresh SQLite file. Every ``--every`` articles the child prints a progress line (stderr)
per phase with the cumulative and the last chunk's ms/article and the peak RSS so far, so
flatness shows in a partial run. Then a second, fresh process ingests a follow-up batch of
``--follow`` articles dated just after the corpus (what a live stream's next poll brings):
its wall time includes restoring the clusterer's window from the store (reported apart as
``restore_s``), the cost that must not grow with the archive.

``--keep DIR`` keeps each size's store as ``DIR/s<size>.db`` (the follow-up then runs on a
copy, so the kept store holds exactly the corpus); ``--follow-only DB...`` runs only the
follow-up, on a copy of each kept store, e.g. to compare restore cost across archive sizes.

    python benchmarks/pipeline_scale.py --sizes 1000 10000 100000 [--follow 200] [--json]
    python benchmarks/pipeline_scale.py --sizes 1000000 --keep /work/scale-1e6
    python benchmarks/pipeline_scale.py --follow-only DIR/s10000.db DIR/s100000.db
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DATA = Path(os.environ.get("STORYLENS_SHARED_DATA")
            or Path(__file__).resolve().parents[2] / "shared" / "data")
"""The shared data sets (../shared/data beside the checkout, else STORYLENS_SHARED_DATA:
a copy of the code elsewhere, e.g. pinned for a run of hours, still finds them)."""
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


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class Meter:
    """Progress of one phase: a line every ``every`` articles with the cumulative and the
    last chunk's ms/article; ``chunks`` keeps the per-chunk figures for the result."""

    def __init__(self, phase: str, every: int) -> None:
        self.phase, self.every = phase, every
        self.t0 = self.t_last = time.perf_counter()
        self.n_last = 0
        self.chunks: list[float] = []

    def at(self, n: int) -> None:
        """``n`` articles of the phase are done."""
        if n - self.n_last < self.every:
            return
        now = time.perf_counter()
        chunk = 1000 * (now - self.t_last) / (n - self.n_last)
        self.chunks.append(round(chunk, 2))
        self.t_last, self.n_last = now, n
        print(f"{time.strftime('%H:%M:%S')} {self.phase} {n}: "
              f"{1000 * (now - self.t0) / n:.2f} ms/article cumulative, "
              f"{chunk:.2f} last {self.every}, peak RSS {_peak_rss_mb()} MB",
              file=sys.stderr, flush=True)


def run_one(corpus: Path, db: Path, every: int = 10_000) -> dict[str, object]:
    """Ingest + cluster in this process; return timings and peak RSS."""
    from storylens.api import ingest
    from storylens.link.service import cluster_store
    from storylens.store import open_store

    seen = 0
    ing, clu = Meter("ingest", every), Meter("cluster", every)

    def on_input(_source: str, _outcome: str) -> None:
        nonlocal seen
        seen += 1
        ing.at(seen)

    with open_store(db) as store:
        t0 = time.perf_counter()
        rep = ingest([str(corpus)], store, batch_size=500, progress=on_input)
        t1 = time.perf_counter()
        crep = cluster_store(store, batch_size=500, progress=lambda done, _n: clu.at(done))
        t2 = time.perf_counter()
    n = len(rep.ingested)
    return {"articles": n, "ingest_s": round(t1 - t0, 1), "cluster_s": round(t2 - t1, 1),
            "cluster_split_s": crep.seconds, "events": crep.new_events,
            "storylines": crep.new_storylines, "duplicates": crep.duplicates,
            "articles_per_s": round(n / (t2 - t0), 1), "peak_rss_mb": _peak_rss_mb(),
            "ingest_chunk_ms": ing.chunks, "cluster_chunk_ms": clu.chunks}


def _child(corpus: Path, db: Path, every: int = 10_000) -> dict[str, Any]:
    """``run_one`` in a fresh process (its stderr, the progress lines, passes through)."""
    out = subprocess.run([sys.executable, __file__, "--child", str(corpus), str(db),
                          "--every", str(every)],
                         stdout=subprocess.PIPE, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _copy_store(src: Path, dst: Path) -> None:
    """A consistent copy of SQLite store ``src`` (WAL included), replacing ``dst``."""
    for p in (dst, dst.with_name(dst.name + "-wal"), dst.with_name(dst.name + "-shm")):
        p.unlink(missing_ok=True)
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.backup(b)


def corpus_days(n: int) -> float:
    """Days of stream time a corpus of ``n`` articles spans (~800 a day)."""
    return max(1.0, n / 800)


def follow_up(db: Path, n: int, size: int, work: Path, *, copy: bool) -> dict[str, Any]:
    """Ingest and cluster ``size`` articles dated just after an ``n``-article corpus into
    store ``db`` (a copy of it with ``copy``) in a fresh process."""
    follow = work / f"f{n}.jsonl"
    make_corpus(follow, size, seed=n, prefix="f", start=START + timedelta(days=corpus_days(n)),
                days=size / 800)
    target = db
    if copy:
        target = work / f"follow-{db.name}"
        _copy_store(db, target)
    try:
        f = _child(follow, target)
    finally:
        follow.unlink(missing_ok=True)
        if copy:
            for p in (target, target.with_name(target.name + "-wal"),
                      target.with_name(target.name + "-shm")):
                p.unlink(missing_ok=True)
    return {"articles": f["articles"], "ingest_s": f["ingest_s"], "cluster_s": f["cluster_s"],
            "restore_s": f["cluster_split_s"].get("restore"), "peak_rss_mb": f["peak_rss_mb"]}


def _stored_articles(db: Path) -> int:
    with closing(sqlite3.connect(db)) as con:
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--follow", type=int, default=200,
                    help="articles in the follow-up batch ingested by a fresh process "
                         "after each corpus (0: skip)")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="keep each size's store as DIR/s<size>.db (corpus deleted)")
    ap.add_argument("--follow-only", type=Path, nargs="+", metavar="DB",
                    help="only the follow-up batch, on a copy of each kept store")
    ap.add_argument("--every", type=int, default=10_000,
                    help="a progress line per phase every this many articles (stderr)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), Path(args.child[1]), args.every)))
        return 0

    if not (DATA / "semeval2022-task8" / "dev.jsonl").exists():
        print(f"{DATA}: shared dev data not found; nothing to measure", file=sys.stderr)
        return 0
    if args.follow_only:
        missing = [str(p) for p in args.follow_only if not p.is_file()]
        if missing:
            print(f"{', '.join(missing)}: no such store (make one with --keep)",
                  file=sys.stderr)
            return 2
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(dir=args.keep) as tmp:
        work = Path(tmp)
        for db in args.follow_only or []:
            n = _stored_articles(db)
            r: dict[str, Any] = {"store": str(db), "articles": n,
                                 "follow": follow_up(db, n, args.follow or 200, work,
                                                     copy=True)}
            results.append(r)
            print(json.dumps(r), file=sys.stderr, flush=True)
        for n in [] if args.follow_only else args.sizes:
            corpus = work / f"c{n}.jsonl"
            db = (args.keep or work) / f"s{n}.db"
            if args.keep and db.exists():
                print(f"{db}: already there; remove it or keep elsewhere", file=sys.stderr)
                return 2
            make_corpus(corpus, n)
            r = _child(corpus, db, max(1, args.every))
            corpus.unlink()
            r["per_article_ms"] = round(1000 / r["articles_per_s"], 2)
            if args.follow:
                r["follow"] = follow_up(db, n, args.follow, work, copy=bool(args.keep))
            results.append(r)
            print(json.dumps(r), file=sys.stderr, flush=True)
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}", "date": time.strftime("%Y-%m-%d"),
            "load_avg": os.getloadavg()[0]}
    if args.json:
        print(json.dumps({"results": results, **meta}, indent=1))
        return 0
    print(f"end to end, ingest -> clustered ({meta['machine']}, {meta['date']}, "
          f"load average {meta['load_avg']:.1f})")
    if args.follow_only:
        print("| store articles | follow-up batch s | restore s | cluster s | RSS MB |\n"
              "|---|---|---|---|---|")
        for r in results:
            f = r["follow"]
            print(f"| {r['articles']} | {f['ingest_s'] + f['cluster_s']:.1f} | "
                  f"{f['restore_s']} | {f['cluster_s']} | {f['peak_rss_mb']} |")
        return 0
    print("| articles | ingest s | cluster s (represent / link / store) | articles/s | ms/article "
          "| peak RSS MB | events | follow-up batch: s (cluster s, restore s), RSS MB |\n"
          "|---|---|---|---|---|---|---|---|")
    for r in results:
        sp = r["cluster_split_s"]
        f = r.get("follow")
        fol = (f"{f['articles']} in {f['ingest_s'] + f['cluster_s']:.1f} ({f['cluster_s']}, "
               f"{f['restore_s']}), {f['peak_rss_mb']}" if f else "—")
        print(f"| {r['articles']} | {r['ingest_s']} | {r['cluster_s']} ({sp['represent']} / "
              f"{sp['link']} / {sp['store']}) | {r['articles_per_s']} | {r['per_article_ms']} "
              f"| {r['peak_rss_mb']} | {r['events']} | {fol} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
