"""What a cluster run's start-up costs on stores of growing size: CPU seconds, not wall
time, so that a busy shared machine still shows how the cost grows with the archive.

For each store (kept by ``pipeline_scale.py --keep``): the start-up reads (articles
still to cluster, the stream clock, the document frequencies) and ``restore_window`` —
storylines from their index columns or snapshots, the event window replayed — split into
its storyline and event parts, with the storylines built up front (``eager``) and
deferred until first read (``lazy``, the default). Each is repeated and the minimum
kept. A store at an older schema is migrated in place when opened, and the first restore
fills the index columns of snapshots saved without them (``first_restore_s``, measured
once), so give copies of stores another storylens version must still open.

    python benchmarks/restore_cost.py DIR/s10000.db DIR/s30000.db DIR/s100000.db [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DAY = 86400.0


def _cpu(f: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.process_time()
        f()
        best = min(best, time.process_time() - t)
    return round(best, 3)


def measure(db: Path, repeats: int = 2) -> dict[str, Any]:
    """CPU seconds of each start-up part on store ``db``."""
    from storylens.link import service
    from storylens.link.online import ClusterConfig, OnlineClusterer
    from storylens.link.snapshot import from_snapshot, peek
    from storylens.link.snapshot_index import from_columns
    from storylens.represent.base import get_embedder
    from storylens.store import open_store

    with open_store(db) as store:
        name = service.embedder_name(store.get_setting(service.LINK_EMBEDDER))
        emb = get_embedder(name)
        ev_model, sl_model = service.load_models(name)
        model, cfg = service.repr_key(name, emb), ClusterConfig()
        start = store.stream_clock()
        if start is None:
            raise SystemExit(f"{db}: not clustered; nothing to restore")
        since_sl = start - 2 * cfg.storyline_window_days * DAY

        def restore(lazy: bool = True) -> None:
            # lazy: what a follow-up whose first article is dated does (storylines
            # deferred, events past the window replayed light); eager: everything built
            c = OnlineClusterer(ev_model, sl_model, emb.dim, cfg)
            service.restore_window(store, c, model, start, cfg, lazy=lazy,
                                   earliest=start if lazy else None)

        unindexed = sum(cols is None for _, _, cols, _ in
                        store.cluster_index_since(model, since_sl))
        first_restore = _cpu(restore, 1)
        rows = store.cluster_states_since(model, since_sl)
        index = store.cluster_index_since(model, since_sl)
        prior = store.assignments_since(start - 2 * cfg.event_window_days * DAY, "event")
        entries = [(c, t, from_columns(c, cols, emb.dim)) for c, t, cols, _ in index if cols]

        def defer() -> None:  # the storyline part of a lazy restore, once indexed
            c = OnlineClusterer(ev_model, sl_model, emb.dim, cfg)
            for cid, placed, idx in entries:
                c.defer_storyline(cid, None, idx, placed)

        out: dict[str, Any] = {
            "store": str(db), "articles": store.count_articles(), "storylines": len(rows),
            "event_rows": len(prior),
            "todo_s": _cpu(store.unclustered_ids, repeats),
            "clock_s": _cpu(store.stream_clock, repeats),
            "docfreq_s": _cpu(store.load_docfreq, repeats),
            "unindexed": unindexed, "first_restore_s": first_restore,
            "index_sql_s": _cpu(lambda: store.cluster_index_since(model, since_sl),
                                repeats),
            "index_read_s": _cpu(lambda: [from_columns(c, cols, emb.dim)
                                          for c, _, cols, _ in index if cols], repeats),
            "index_defer_s": _cpu(defer, repeats),
            "storyline_sql_s": _cpu(lambda: store.cluster_states_since(model, since_sl),
                                    repeats),
            "storyline_peek_s": _cpu(lambda: [peek(c, b) for c, _, b in rows], repeats),
            "storyline_build_s": _cpu(lambda: [from_snapshot(c, b) for c, _, b in rows],
                                      repeats),
            "event_reprs_s": _cpu(lambda: store.get_reprs([p[0] for p in prior], model),
                                  repeats),
            "event_reprs_light_s": _cpu(lambda: store.get_reprs(
                [p[0] for p in prior], model, lexical=False), repeats),
        }
        for lazy in (True, False):
            out["restore_lazy_s" if lazy else "restore_eager_s"] = _cpu(
                lambda lazy=lazy: restore(lazy), repeats)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stores", type=Path, nargs="+")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    missing = [str(p) for p in args.stores if not p.is_file()]
    if missing:
        print(f"{', '.join(missing)}: no such store (make one with pipeline_scale.py "
              f"--keep)", file=sys.stderr)
        return 2
    results = [measure(p, max(1, args.repeats)) for p in args.stores]
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}", "date": time.strftime("%Y-%m-%d"),
            "load_avg": round(os.getloadavg()[0], 1)}
    if args.json:
        print(json.dumps({"results": results, **meta}, indent=1))
        return 0
    print(f"cluster start-up, CPU s ({meta['machine']}, {meta['date']}, load average "
          f"{meta['load_avg']})")
    print("| articles | storylines (unindexed) | event rows | todo + clock + docfreq | "
          "index: sql / read / defer | snapshots: sql / peek / build | event reprs full / light | "
          "first restore "
          "| restore lazy | restore eager |\n|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['articles']} | {r['storylines']} ({r['unindexed']}) | {r['event_rows']} | "
              f"{r['todo_s']} + {r['clock_s']} + {r['docfreq_s']} | {r['index_sql_s']} / "
              f"{r['index_read_s']} / {r['index_defer_s']} | {r['storyline_sql_s']} / "
              f"{r['storyline_peek_s']} / "
              f"{r['storyline_build_s']} | {r['event_reprs_s']} / {r['event_reprs_light_s']} | "
              f"{r['first_restore_s']} | "
              f"{r['restore_lazy_s']} | {r['restore_eager_s']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
