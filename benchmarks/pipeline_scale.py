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
``--resume`` (with ``--keep``) continues a size whose kept store an earlier run left
unfinished — a 10^6 run takes longer than one sitting on a 2-core box: the corpus is
regenerated (it is deterministic), the articles the store holds are skipped, what is
unclustered is clustered, and progress lines count on from the stored totals. The report
sums the finished runs kept in ``DIR/s<size>.runs.jsonl``; a run killed before its end
leaves only its progress lines (keep stderr in a log), and the progress lines' per-chunk
CPU ms/article are the flatness figures that survive both kills and a loaded box.

    python benchmarks/pipeline_scale.py --sizes 1000 10000 100000 [--follow 200] [--json]
    python benchmarks/pipeline_scale.py --sizes 1000000 --keep /work/scale-1e6 [--resume]
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
    last chunk's ms/article, wall and CPU (CPU time moves much less with other load on the
    box); ``chunks``/``cpu_chunks`` keep the per-chunk figures for the result. ``offset``
    articles of the phase were done by an earlier (resumed) run: lines count from there."""

    def __init__(self, phase: str, every: int, offset: int = 0) -> None:
        self.phase, self.every, self.offset = phase, every, offset
        self.t0 = self.t_last = time.perf_counter()
        self.c0 = self.c_last = time.process_time()
        self.n_last = 0
        self.chunks: list[float] = []
        self.cpu_chunks: list[float] = []

    def at(self, n: int) -> None:
        """``n`` articles of the phase are done (by this run)."""
        if n - self.n_last < self.every:
            return
        now, cpu = time.perf_counter(), time.process_time()
        chunk = 1000 * (now - self.t_last) / (n - self.n_last)
        cpu_chunk = 1000 * (cpu - self.c_last) / (n - self.n_last)
        self.chunks.append(round(chunk, 2))
        self.cpu_chunks.append(round(cpu_chunk, 2))
        self.t_last, self.c_last, self.n_last = now, cpu, n
        print(f"{time.strftime('%H:%M:%S')} {self.phase} {self.offset + n}: "
              f"{1000 * (now - self.t0) / n:.2f} ms/article cumulative, "
              f"{chunk:.2f} last {self.every} (CPU {cpu_chunk:.2f}), "
              f"peak RSS {_peak_rss_mb()} MB", file=sys.stderr, flush=True)


def run_one(corpus: Path, db: Path, every: int = 10_000,
            offsets: tuple[int, int] = (0, 0)) -> dict[str, object]:
    """Ingest + cluster in this process; return timings and peak RSS. ``offsets``: the
    articles already ingested and clustered by earlier runs on ``db`` (``--resume``)."""
    from storylens.api import ingest
    from storylens.link.service import cluster_store
    from storylens.store import open_store

    seen = 0
    ing = Meter("ingest", every, offsets[0])

    def on_input(_source: str, _outcome: str) -> None:
        nonlocal seen
        seen += 1
        ing.at(seen)

    with open_store(db) as store:
        t0 = time.perf_counter()
        rep = ingest([str(corpus)], store, batch_size=500, progress=on_input)
        t1 = time.perf_counter()
        clu = Meter("cluster", every, offsets[1])  # from here: its first chunk is its own
        crep = cluster_store(store, batch_size=500, progress=lambda done, _n: clu.at(done))
        t2 = time.perf_counter()
    n = len(rep.ingested)
    return {"articles": n, "ingest_s": round(t1 - t0, 1), "cluster_s": round(t2 - t1, 1),
            "cluster_split_s": crep.seconds, "events": crep.new_events,
            "storylines": crep.new_storylines, "duplicates": crep.duplicates,
            "articles_per_s": round(n / (t2 - t0), 1), "peak_rss_mb": _peak_rss_mb(),
            "ingest_chunk_ms": ing.chunks, "cluster_chunk_ms": clu.chunks,
            "ingest_chunk_cpu_ms": ing.cpu_chunks, "cluster_chunk_cpu_ms": clu.cpu_chunks}


def _child(corpus: Path, db: Path, every: int = 10_000,
           offsets: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """``run_one`` in a fresh process (its stderr, the progress lines, passes through)."""
    out = subprocess.run([sys.executable, __file__, "--child", str(corpus), str(db),
                          "--every", str(every), "--offsets", *map(str, offsets)],
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


def _resume_corpus(corpus: Path, db: Path) -> tuple[int, int]:
    """Rewrite ``corpus`` (the full, deterministic corpus of the size) without the
    articles ``db`` already holds; return (articles stored, articles clustered) so the
    resumed run's progress lines count on from there. An article is known by its URL,
    unique per corpus line; an earlier run killed mid-batch re-ingests that batch's rest."""
    with closing(sqlite3.connect(db)) as con:
        stored = {u for (u,) in con.execute("SELECT url FROM articles")}
        waiting = int(con.execute("SELECT count(*) FROM unclustered").fetchone()[0])
    rest = corpus.with_suffix(".rest.jsonl")
    with corpus.open(encoding="utf-8") as src, rest.open("w", encoding="utf-8") as out:
        for line in src:
            if json.loads(line)["url"] not in stored:
                out.write(line)
    rest.replace(corpus)
    return len(stored), len(stored) - waiting


def _runs_total(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result for a size built by several (resumed) runs: times summed, chunk lists
    joined, the last run's counts of what is in the store, the highest peak RSS."""
    last = dict(runs[-1])
    for key in ("ingest_s", "cluster_s"):
        last[key] = round(sum(float(r[key]) for r in runs), 1)
    last["cluster_split_s"] = {k: round(sum(float(r["cluster_split_s"].get(k) or 0)
                                            for r in runs), 3)
                               for k in runs[-1]["cluster_split_s"]}
    for key in ("events", "storylines", "duplicates"):
        last[key] = sum(int(r[key]) for r in runs)
    for key in ("ingest_chunk_ms", "cluster_chunk_ms", "ingest_chunk_cpu_ms",
                "cluster_chunk_cpu_ms"):
        last[key] = [c for r in runs for c in r.get(key, [])]
    last["peak_rss_mb"] = max(int(r["peak_rss_mb"]) for r in runs)
    last["runs"] = len(runs)
    return last


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
    ap.add_argument("--resume", action="store_true",
                    help="with --keep: continue a size whose store DIR/s<size>.db an "
                         "earlier run left unfinished (e.g. killed): ingest the corpus "
                         "articles it lacks, cluster what is unclustered, then the "
                         "follow-up; each run's result is kept in DIR/s<size>.runs.jsonl "
                         "and the report sums them")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--offsets", type=int, nargs=2, default=(0, 0), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), Path(args.child[1]), args.every,
                                 tuple(args.offsets))))
        return 0
    if args.resume and not args.keep:
        print("--resume continues a kept store: give --keep DIR too", file=sys.stderr)
        return 2

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
            runs_file = db.with_name(db.name + ".runs.jsonl")
            if args.keep and db.exists() and not args.resume:
                print(f"{db}: already there; remove it, keep elsewhere or --resume it",
                      file=sys.stderr)
                return 2
            make_corpus(corpus, n)
            offsets = (0, 0)
            if args.resume and db.exists():
                offsets = _resume_corpus(corpus, db)
                print(f"{db}: resuming with {offsets[0]} articles stored, {offsets[1]} "
                      "clustered", file=sys.stderr, flush=True)
            elif args.keep:
                runs_file.unlink(missing_ok=True)
            r = _child(corpus, db, max(1, args.every), offsets)
            corpus.unlink()
            if args.keep:
                with runs_file.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(r) + "\n")
                runs = [json.loads(x) for x in runs_file.read_text("utf-8").splitlines()]
                r = _runs_total(runs)
                r["articles"] = _stored_articles(db)
                r["articles_per_s"] = round(r["articles"] / (r["ingest_s"] + r["cluster_s"]),
                                            1)
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
