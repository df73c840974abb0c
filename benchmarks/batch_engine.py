"""`storylens batch` on Dask distributed with 1 and 2 workers vs plain ingest + cluster.

Two corpora, both written fresh by this script:

- JSONL: ``pipeline_scale.make_corpus`` (SemEval dev texts recombined, ~800 articles a day;
  needs ../shared/data): the text path, where cleaning, language and dates are cheap and
  linking (serial, in the driver) is a large share of the cost;
- WARC: ``warc_ingest.write_archive`` split over several archives (one task per archive):
  the HTML path, where trafilatura extraction dominates;
- HTML JSONL: the JSONL corpus's articles as HTML pages of 12 outlets, each page carrying
  its outlet's furniture inside the article (share and subscribe lines, a copyright line,
  a photo credit) that survives extraction and that the cleaner drops once it has seen it
  in two other pages of the outlet. The WARC pages have none (trafilatura strips their
  navigation and footer), so this is the corpus that measures what the batch's
  approximation for HTML (see ``storylens.batch.driver``) costs.

For each: plain ``ingest`` + ``cluster_store`` in this process, then ``run_batch`` on a
Dask ``LocalCluster`` of 1 and of 2 worker processes (cluster start-up timed apart), each
on a fresh SQLite store. Quality against plain: the stored articles compared field by
field, and the events compared as partitions (exact equality and B³ F1 with plain's
events as the reference).

    PYTHONPATH=src python benchmarks/batch_engine.py [--articles 5000] [--warc-pages 800]
        [--workers 1 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_scale import make_corpus
from warc_ingest import write_archive

from storylens.api import ingest
from storylens.batch.driver import run_batch
from storylens.batch.engine import DaskEngine
from storylens.eval.metrics import b_cubed
from storylens.link.service import cluster_store
from storylens.store import open_store
from storylens.store.base import ArticleQuery, Store


def _articles(store: Store) -> dict[str, tuple[Any, ...]]:
    n = store.count_articles()
    return {a.id: (a.title, a.text, a.outlet, a.published, a.lang,
                   [(r.text, r.reason) for r in a.removed])
            for a in store.list_articles(ArticleQuery(limit=n + 1))}


def write_html_jsonl(src: Path, out: Path, outlets: int = 12) -> None:
    """``src``'s articles as HTML pages with per-outlet furniture (see the docstring)."""
    with src.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as w:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            k = i % outlets
            name = f"Outlet{k}"
            sents = [s.strip() for s in rec["text"].split(". ") if s.strip()]
            paras = [". ".join(sents[j:j + 2]) + "." for j in range(0, len(sents), 2)]
            furn_top = [f"Share this story on Facebook, X and WhatsApp | {name}",
                        f"Photo: {name} / AFP"]
            furn_end = [f"Subscribe to the {name} newsletter for the day's news",
                        f"© {name} Media Group 2024. All rights reserved."]
            body = "".join(f"<p>{p}</p>" for p in [*furn_top, *paras, *furn_end])
            html = (f"<html><head><title>{rec['title']}</title><meta charset='utf-8'>"
                    f"</head><body><article><h1>{rec['title']}</h1>{body}</article>"
                    "</body></html>")
            w.write(json.dumps({"id": rec["id"], "html": html, "lang": rec["lang"],
                                "url": f"https://outlet{k}.example/{rec['id']}",
                                "published": rec["published"]}, ensure_ascii=False) + "\n")


def _events(store: Store, ids: list[str]) -> list[str]:
    out = []
    for aid in ids:
        asg = store.article_assignment(aid)
        out.append(asg.event_id if asg else f"none-{aid}")
    return out


def _compare(ref: Store, got: Store, cluster: bool) -> dict[str, Any]:
    a, b = _articles(ref), _articles(got)
    ids = sorted(a)
    same = sum(1 for i in ids if b.get(i) == a[i])
    same_text = sum(1 for i in ids if i in b and b[i][:5] == a[i][:5])
    out: dict[str, Any] = {"articles": len(b), "same_articles": same,
                           "same_text": same_text,
                           "missing": len(set(a) - set(b)), "extra": len(set(b) - set(a))}
    if cluster:
        ra, rb = _events(ref, ids), _events(got, ids)
        out["events_identical"] = ra == rb
        out["event_b3_f1"] = round(b_cubed(ra, rb).f1, 4)
    return out


def _plain(paths: list[str], db: Path, cluster: bool) -> dict[str, Any]:
    with open_store(db) as store:
        t0 = time.perf_counter()
        rep = ingest(paths, store, batch_size=500)
        t1 = time.perf_counter()
        crep = cluster_store(store, batch_size=256) if cluster else None
        t2 = time.perf_counter()
    n = len(rep.ingested)
    return {"articles": n, "ingest_s": round(t1 - t0, 1), "cluster_s": round(t2 - t1, 1),
            "cluster_split_s": crep.seconds if crep else None,
            "articles_per_s": round(n / (t2 - t0), 1)}


def _batch(paths: list[str], warm: list[str], db: Path, workers: int, shard_size: int,
           cluster: bool) -> dict[str, Any]:
    """One timed batch run; start-up is the cluster's start plus a small warm-up batch
    (each worker's first tasks import the pipeline and load its models)."""
    t0 = time.perf_counter()
    engine = DaskEngine(workers=workers)
    with open_store(db.with_suffix(".warm.db")) as store:
        run_batch(warm, store, engine, shard_size=max(1, shard_size // 10), cluster=cluster)
    t1 = time.perf_counter()
    try:
        with open_store(db) as store:
            rep = run_batch(paths, store, engine, shard_size=shard_size, cluster=cluster)
        t2 = time.perf_counter()
    finally:
        engine.close()
    n = len(rep.ingest.ingested)
    sec = rep.seconds
    return {"workers": workers, "articles": n, "recleaned": rep.recleaned,
            "startup_s": round(t1 - t0, 1),
            "worker_cpu_ms_per_article": round(1000 * sec["worker_cpu"] / n, 2),
            "driver_cpu_ms_per_article": round(1000 * sec["driver_cpu"] / n, 2),
            "run_s": round(t2 - t1, 1), "phases_s": rep.seconds,
            "articles_per_s": round(n / (t2 - t1), 1),
            "articles_per_s_with_startup": round(n / (t2 - t0), 1)}


def _suite(name: str, paths: list[str], warm: list[str], tmp: Path, workers: list[int],
           shard_size: int, cluster: bool, log: Callable[[str], None]) -> dict[str, Any]:
    res: dict[str, Any] = {"plain": _plain(paths, tmp / f"{name}-plain.db", cluster)}
    log(f"{name} plain: {res['plain']}")
    for w in workers:
        db = tmp / f"{name}-batch{w}.db"
        r = _batch(paths, warm, db, w, shard_size, cluster)
        with open_store(tmp / f"{name}-plain.db") as ref, open_store(db) as got:
            r["vs_plain"] = _compare(ref, got, cluster)
        res[f"batch_{w}"] = r
        log(f"{name} batch {w} workers: {r}")
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--warc-pages", type=int, default=800,
                    help="HTML pages over --warc-files archives (0: skip)")
    ap.add_argument("--warc-files", type=int, default=8)
    ap.add_argument("--html-articles", type=int, default=1500,
                    help="articles of the HTML JSONL corpus (0: skip)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shard-size", type=int, default=500)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    log = (lambda s: print(s, file=sys.stderr)) if args.json else print
    out: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        corpus = tmp / "corpus.jsonl"
        make_corpus(tmp / "warm.jsonl", 100, seed=99, prefix="w")
        if args.html_articles:
            make_corpus(tmp / "h.jsonl", args.html_articles, seed=11, prefix="h")
            write_html_jsonl(tmp / "h.jsonl", tmp / "html.jsonl")
            write_html_jsonl(tmp / "warm.jsonl", tmp / "warm-html.jsonl")
            out["html"] = _suite("html", [str(tmp / "html.jsonl")],
                                 [str(tmp / "warm-html.jsonl")], tmp, args.workers,
                                 args.shard_size, True, log)
        if args.articles:
            make_corpus(corpus, args.articles)
            out["jsonl"] = _suite("jsonl", [str(corpus)], [str(tmp / "warm.jsonl")],
                                  tmp, args.workers, args.shard_size, True, log)
        if args.warc_pages:
            warcs = tmp / "warc"
            warcs.mkdir()
            per = max(1, args.warc_pages // args.warc_files)
            for i in range(args.warc_files):
                write_archive(warcs / f"news-{i:02d}.warc.gz", per, seed=7 + i)
            write_archive(tmp / "warm.warc.gz", 20, seed=99)
            out["warc"] = _suite("warc", [str(warcs)], [str(tmp / "warm.warc.gz")], tmp,
                                 args.workers, args.shard_size, False, log)
    out["load_after"] = os.getloadavg()
    if args.json:
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
