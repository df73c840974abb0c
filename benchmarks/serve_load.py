"""HTTP load of ``storylens serve`` over a 10^4-article store: open-loop latency at a
fixed offered rate, and the saturation throughput of each endpoint.

The store (``serve_store.py``: ~10^4 recombined real articles and one 340-article event)
is built once and cached, or given with ``--store``. The real ``storylens serve`` runs in
a subprocess on a loopback port (extra options with ``--serve-args``, e.g.
``"--workers 2"``). For each endpoint: one GET timed alone (the first of that URL since
the server started: nothing cached), a 2 s warm-up at 20 GETs/s over 20 connections
(not counted: it reaches every worker process), then ``--rate`` GETs a second for ``--seconds`` over
``--connections`` kept-alive connections, open loop (``loadgen.py``: latency counted
from each request's due time). Before each run the server must answer a health check
in under 50 ms twice, so requests an overloaded run left queued in it (the client gave
up on them, the server did not) cannot slow the next run.
``--saturate`` then steps the offered rate up until p99 exceeds the endpoint's target
(300 ms for the API, 1 s for pages), errors pass 1 %, or the server falls behind the
offered rate; the last rate that held is the endpoint's saturation throughput.
``--client-check`` first measures the client alone against a server that answers at
once, to show the client is not the bottleneck.

    python benchmarks/serve_load.py [--store PATH] [--rate 300] [--seconds 20]
        [--saturate] [--client-check] [--serve-args "--workers 2"] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from loadgen import StepResult, null_server, open_loop, wait_port  # noqa: E402
from serve_store import BIG, ensure_store  # noqa: E402

from tests.browser.serverproc import ServerProcess, free_port  # noqa: E402

API_TARGET_MS = 300.0
PAGE_TARGET_MS = 1000.0
RATES = (50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1300, 1600, 2000)


def endpoints(big_story: str, big_size: object) -> dict[str, tuple[list[str], float]]:
    """Endpoint label -> (paths cycled through, p99 target in ms)."""
    story = f"/stories/{big_story}"
    return {
        "stories page `/`": (["/"], PAGE_TARGET_MS),
        "`/api/v1/stories`": (["/api/v1/stories?limit=50"], API_TARGET_MS),
        "`/api/v1/articles`": (["/api/v1/articles?limit=50"], API_TARGET_MS),
        f"story page ({big_size} articles)": ([story], PAGE_TARGET_MS),
        "mix of the four": (["/", "/api/v1/stories?limit=50", "/api/v1/articles?limit=50",
                             story], API_TARGET_MS),
        "`/api/v1/health` (trivial)": (["/api/v1/health"], API_TARGET_MS),
    }


def cold_ms(base: str, path: str) -> float:
    """Time of one GET of ``path``, alone (the first after start: nothing cached)."""
    t0 = time.perf_counter()
    r = httpx.get(base + path, timeout=120)
    r.raise_for_status()
    return round((time.perf_counter() - t0) * 1000, 1)


def settle(base: str, limit_s: float = 120.0) -> float:
    """Wait until the server answers a health check in under 50 ms twice in a row: an
    overloaded run leaves requests queued in the server after the client gave up on
    them, and they must not slow the next run. Returns the seconds waited."""
    t0 = time.perf_counter()
    fast = 0
    with httpx.Client(base_url=base, timeout=limit_s) as client:
        while fast < 2 and time.perf_counter() - t0 < limit_s:
            t = time.perf_counter()
            client.get("/api/v1/health")
            fast = fast + 1 if time.perf_counter() - t < 0.05 else 0
            time.sleep(0.2)
    return round(time.perf_counter() - t0, 1)


def measure(port: int, paths: list[str], rate: float, args: argparse.Namespace
            ) -> StepResult:
    return asyncio.run(open_loop("127.0.0.1", port, paths, rate, args.seconds,
                                 args.connections, args.timeout))


def holds(r: StepResult, target_ms: float) -> bool:
    """Whether a step met the target: p99 under it, errors at most 1 %, and the server
    kept up (finished at least 95 % of the offered rate)."""
    return (r.p99_ms < target_ms and (r.errors + r.timeouts) <= 0.01 * r.sent
            and r.achieved_rps >= 0.95 * r.offered_rps)


def saturate(base: str, port: int, paths: list[str], target_ms: float,
             args: argparse.Namespace) -> tuple[float | None, list[StepResult]]:
    """Step the offered rate up (``RATES``) until a step fails ``holds``; returns the
    last rate that held (``None``: not even the first) and every step."""
    best: float | None = None
    steps: list[StepResult] = []
    for rate in RATES:
        settle(base)
        r = asyncio.run(open_loop("127.0.0.1", port, paths, rate, args.step_seconds,
                                  args.connections, args.timeout))
        steps.append(r)
        if not holds(r, target_ms):
            break
        best = float(rate)
    return best, steps


def client_check(args: argparse.Namespace) -> dict[str, Any]:
    """The client against a server that answers at once (its own process): the highest
    rate at which the client's own send lag stays under 5 ms."""
    port = free_port()
    proc = multiprocessing.get_context("spawn").Process(target=null_server, args=(port,),
                                                         daemon=True)
    proc.start()
    try:
        wait_port(port)
        steps = []
        for rate in (300, 1000, 2000, 3000, 4000):
            r = asyncio.run(open_loop("127.0.0.1", port, ["/"], rate, 3.0,
                                      args.connections, args.timeout))
            steps.append(r.to_dict())
            if r.send_lag_p99_ms > 5 or r.p99_ms > 50:
                break
        return {"steps": steps}
    finally:
        proc.terminate()
        proc.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="Use this store (default: build or reuse "
                    "the cached 10^4-article one).")
    ap.add_argument("--articles", type=int, default=10_000, help="Size of a built store.")
    ap.add_argument("--rate", type=float, default=300.0, help="Offered requests/s.")
    ap.add_argument("--seconds", type=float, default=20.0, help="Per endpoint.")
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=15.0, help="Longest wait for the "
                    "last requests of a run; unfinished ones count as failed.")
    ap.add_argument("--only", default="", help="Run endpoints whose label contains this.")
    ap.add_argument("--saturate", action="store_true", help="Also step the rate up.")
    ap.add_argument("--step-seconds", type=float, default=5.0)
    ap.add_argument("--client-check", action="store_true")
    ap.add_argument("--serve-args", default="", help='e.g. "--workers 2"')
    ap.add_argument("--json", action="store_true", help="Print JSON instead of tables.")
    args = ap.parse_args()
    out: dict[str, Any] = {"meta": {}, "fixed": {}, "saturation": {}}
    if args.client_check:
        out["client_check"] = client_check(args)
    db, info = ensure_store(args.store, args.articles, BIG)
    eps = {k: v for k, v in endpoints(str(info["big_story"]), info["big_story_size"]).items()
           if args.only.lower() in k.lower()}
    with ServerProcess(db, *shlex.split(args.serve_args)) as srv:
        for label, (paths, target) in eps.items():
            settle(srv.base)
            cold = cold_ms(srv.base, paths[-1])
            # warm every worker process (connections land on any of them), not counted
            asyncio.run(open_loop("127.0.0.1", srv.port, paths, 20, 2.0, 20, 60.0))
            r = measure(srv.port, paths, args.rate, args)
            out["fixed"][label] = {**r.to_dict(), "target_ms": target, "cold_ms": cold,
                                   "met": holds(r, target)}
        for label, (paths, target) in eps.items() if args.saturate else ():
            best, steps = saturate(srv.base, srv.port, paths, target, args)
            out["saturation"][label] = {"max_rps": best, "target_ms": target,
                                        "steps": [s.to_dict() for s in steps]}
    out["meta"] = {**info, "store": str(db), "rate": args.rate, "seconds": args.seconds,
                   "connections": args.connections, "serve_args": args.serve_args,
                   "python": platform.python_version(), "cpus": os.cpu_count(),
                   "loadavg": os.getloadavg()}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    report(out)


def report(out: dict[str, Any]) -> None:
    """The results as markdown tables."""
    m = out["meta"]
    print(f"storylens serve {m['serve_args']} — {m['articles']} articles, {m['events']} events"
          f"; open loop, {m['rate']:g} req/s offered for {m['seconds']:g} s over "
          f"{m['connections']} connections; {m['cpus']} CPUs, load average "
          f"{m['loadavg'][0]:.1f}\n")
    print("| endpoint | first GET ms | sent | ok | failed | achieved req/s | p50 ms | p90 ms | "
          "p99 ms | target | met | client lag p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for label, r in out["fixed"].items():
        print(f"| {label} | {r['cold_ms']} | {r['sent']} | {r['ok']} | "
              f"{r['errors'] + r['timeouts']} | {r['achieved_rps']} | {_ms(r['p50_ms'])} | "
              f"{_ms(r['p90_ms'])} | {_ms(r['p99_ms'])} | {r['target_ms']:g} | "
              f"{'yes' if r['met'] else 'no'} | {r['send_lag_p99_ms']} |")
    if out["saturation"]:
        print("\n| endpoint | saturation req/s (p99 < target) | steps: offered → achieved "
              "req/s, p99 ms |")
        print("|---|---:|---|")
        for label, s in out["saturation"].items():
            steps = "; ".join(f"{x['offered_rps']:g} → {x['achieved_rps']}, "
                              f"{_ms(x['p99_ms'])}" for x in s["steps"])
            print(f"| {label} | {s['max_rps'] if s['max_rps'] is not None else '<50'} | "
                  f"{steps} |")
    if "client_check" in out:
        print("\nclient alone (null server): " + "; ".join(
            f"{x['offered_rps']:g} offered → {x['achieved_rps']} req/s, p99 "
            f"{_ms(x['p99_ms'])} ms, send lag p99 {x['send_lag_p99_ms']} ms"
            for x in out["client_check"]["steps"]))


def _ms(v: float | None) -> str:
    return "timeout" if v is None else f"{v:g}"


if __name__ == "__main__":
    main()
