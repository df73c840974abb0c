"""Load check of ``storylens serve``: requests/s and latency of the stories page and the
list endpoints under concurrent clients.

Builds a store from ``samples/news-sample.jsonl`` and the two example articles (ingested
and clustered, as ``storylens ingest`` does), starts the real ``storylens serve`` on a
loopback port in a subprocess, then sends a bounded number of GET requests from this
process (httpx, ``--concurrency`` threads, each with its own connection) to each
endpoint in turn, stopping an endpoint after ``--max-seconds``. Prints a markdown table
(or ``--json``) of requests, errors, requests/s and p50/p90/p99 latency per endpoint.

    python benchmarks/serve_load.py [--requests 2000] [--concurrency 8] [--max-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.serverproc import ServerProcess, build_corpus_store  # noqa: E402

ENDPOINTS = {
    "stories page `/`": "/",
    "`/api/v1/stories`": "/api/v1/stories?limit=50",
    "`/api/v1/articles`": "/api/v1/articles?limit=50",
}


def build_store(db: Path) -> int:
    """The sample corpus and the examples, ingested and clustered; returns the stories."""
    from storylens.link.service import cluster_store
    from storylens.store import open_store

    build_corpus_store(db)
    store = open_store(db)
    try:
        cluster_store(store)
        return store.count_stories("event")
    finally:
        store.close()


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def hammer(base: str, path: str, n: int, concurrency: int, max_s: float) -> dict[str, Any]:
    """``n`` GETs of ``path`` from ``concurrency`` workers; stops early after ``max_s``."""
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    left = [n]
    deadline = time.perf_counter() + max_s

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get(path)  # warm the connection (and any server cache): not counted
            while time.perf_counter() < deadline:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                t0 = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    errors += 0 if ok else 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(worker) for _ in range(concurrency)]:
            f.result()
    wall = time.perf_counter() - t0
    return {"path": path, "requests": len(lat), "errors": errors, "seconds": round(wall, 2),
            "rps": round(len(lat) / wall, 1) if wall else 0.0,
            "p50_ms": round(_pct(lat, 0.50) * 1000, 1), "p90_ms": round(_pct(lat, 0.90) * 1000, 1),
            "p99_ms": round(_pct(lat, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
            "stopped_early": len(lat) < n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000, help="Requests per endpoint.")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-seconds", type=float, default=60.0, help="Per endpoint.")
    ap.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        stories = build_store(db)
        with ServerProcess(db) as srv:
            results = {name: hammer(srv.base, path, args.requests, args.concurrency,
                                    args.max_seconds) for name, path in ENDPOINTS.items()}
    meta = {"stories": stories, "concurrency": args.concurrency, "requests": args.requests,
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "server": "storylens serve (uvicorn, 1 process), loopback"}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
        return
    print(f"storylens serve load check: {args.requests} GETs per endpoint, concurrency "
          f"{args.concurrency}, {stories} events in the store, {os.cpu_count()} CPUs\n")
    print("| endpoint | requests | errors | req/s | p50 ms | p90 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['requests']} | {r['errors']} | {r['rps']} | {r['p50_ms']} | "
              f"{r['p90_ms']} | {r['p99_ms']} |")


if __name__ == "__main__":
    main()
