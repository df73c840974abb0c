"""Leave-storyline-out evaluation of the linker at three densities, beside naive baselines.

    python benchmarks/make_dev_streams.py          # once: builds .devdata/ (distractors)
    python -m storylens.learn.lso --stories ../shared/data/multilingual-stories

What it does, in one run:

1. Represents the labelled story set once (the product's extract, clean and represent
   steps) and builds three streams from it (``devset``): real dates, a busy week, and
   mixed into a dense distractor stream (the SemEval dev stream squeezed into 5 days).
2. Splits the storylines into ``--folds`` groups. For each fold it trains the event and
   storyline models (``train_link.train``) on the other storylines at all three
   densities (plus ``--extra`` streams), clusters each whole stream online with them, and
   scores only the held-out storylines' articles. A storyline is never trained and scored
   on. Predictions are pooled over folds (every article is held out once).
3. Runs the shipped models on the same streams (in-sample if they were trained on this
   set: said in the report), and the naive baselines (``baselines``) on the whole set.

Report: pooled and per-fold scores per density, per language group, the baselines, and
where the held-out articles' event decisions went (``decisions``: joined their event,
missed it below the threshold or in retrieval, joined another — a distractor's, one of
their storyline's);
``--json`` for the whole report, else Markdown tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storylens.learn import decisions, devset
from storylens.learn.baselines import average_link
from storylens.learn.decisions import cluster_rows
from storylens.learn.devset import DEVDATA, Fold, Row
from storylens.learn.scoring import scores
from storylens.learn.train_link import load_stream, load_stream_with_leads, train
from storylens.link.model import LogisticModel
from storylens.link.online import ClusterConfig

DENSITIES = ("real", "sparse", "busy", "scattered", "mixed")


def _predict(stream: Sequence[Row], ev: LogisticModel, sl: LogisticModel, cfg: ClusterConfig,
             keep: set[str], tag: str) -> dict[str, tuple[str, str]]:
    got = cluster_rows(stream, ev, sl, cfg)
    return {a.article_id: (f"{tag}{a.event_id}", f"{tag}{a.storyline_id}")
            for a in got if a.article_id in keep}


def _score_both(rows: Sequence[Row], pred: dict[str, tuple[str, str]]) -> dict[str, Any]:
    langs = [r.lang for r, _, _ in rows]
    return {"events": scores([e for _, e, _ in rows], [pred[r.id][0] for r, _, _ in rows],
                             langs),
            "storylines": scores([s for _, _, s in rows], [pred[r.id][1] for r, _, _ in rows],
                                 langs)}


def run_fold(fold: Fold, rows: Sequence[Row], streams: dict[str, list[Row]],
             extra: Sequence[Sequence[Row]], cfg: ClusterConfig
             ) -> tuple[dict[str, Any], dict[str, dict[str, tuple[str, str]]]]:
    """Train on every storyline but ``fold``'s (all densities, plus ``extra``), cluster
    each whole stream, and return the fold's scores and its held-out predictions."""
    t0 = time.perf_counter()
    train_streams = [[r for r in s if not fold.is_test(r)]
                     for s in devset.training_streams(streams)]
    ev, sl = train([*train_streams, *extra], cfg, {}, tune=train_streams)
    test_ids = {row[0].id for row in rows if fold.is_test(row)}
    test_rows = [r for r in rows if r[0].id in test_ids]
    entry: dict[str, Any] = {"fold": fold.index, "storylines": sorted(fold.test_storylines),
                             "thresholds": [ev.threshold, sl.threshold],
                             "second_look": sl.meta.get("second_look")}
    preds: dict[str, dict[str, tuple[str, str]]] = {}
    entry["decisions"] = {}
    for name, stream in streams.items():
        got, kinds = decisions.run_with_decisions(stream, ev, sl, cfg, test_ids)
        tag = f"f{fold.index}:"
        pred = preds[name] = {a.article_id: (f"{tag}{a.event_id}", f"{tag}{a.storyline_id}")
                              for a in got if a.article_id in test_ids}
        s = _score_both(test_rows, pred)
        entry[name] = {"events_b3": s["events"]["bcubed"]["f1"],
                       "xlang_recall": s["events"]["crosslingual_pairwise"]["recall"],
                       "storylines_b3": s["storylines"]["bcubed"]["f1"]}
        entry["decisions"][name] = dict(kinds)
    entry["seconds"] = round(time.perf_counter() - t0, 1)
    return entry, preds


def lso(rows: Sequence[Row], distractors: Sequence[Row], extra: Sequence[Sequence[Row]],
        cfg: ClusterConfig, k: int, log: bool = True, jobs: int = 1) -> dict[str, Any]:
    """Out-of-fold scores per density (pooled and per fold); ``jobs`` folds at a time."""
    streams = devset.streams_for(rows, distractors)
    folds = devset.storyline_folds(rows, k)
    pooled: dict[str, dict[str, tuple[str, str]]] = {d: {} for d in streams}
    per_fold: list[dict[str, Any]] = []
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            results = list(pool.map(run_fold, folds, *zip(*[(rows, streams, extra, cfg)]
                                                          * len(folds), strict=True)))
    else:
        results = [run_fold(f, rows, streams, extra, cfg) for f in folds]
    for entry, preds in results:
        for name, pred in preds.items():
            pooled[name].update(pred)
        per_fold.append(entry)
        if log:
            print(f"fold {entry['fold']}: {entry}", file=sys.stderr)
    return {"folds": per_fold,
            "pooled": {name: _score_both(rows, pred) for name, pred in pooled.items()},
            "decisions": decisions.pool(f.get("decisions", {}) for f in per_fold)}


def shipped(rows: Sequence[Row], distractors: Sequence[Row], ev: LogisticModel,
            sl: LogisticModel, cfg: ClusterConfig) -> dict[str, Any]:
    ids = {r.id for r, _, _ in rows}
    return {name: _score_both(rows, _predict(stream, ev, sl, cfg, ids, ""))
            for name, stream in devset.streams_for(rows, distractors).items()}


def naive(rows: Sequence[Row], dense: dict[str, np.ndarray]) -> dict[str, Any]:
    """Average-link baselines (oracle threshold) for each dense representation given."""
    gold_e = [e for _, e, _ in rows]
    gold_s = [s for _, _, s in rows]
    langs = [r.lang or "?" for r, _, _ in rows]
    busy = {r.id: r.time for r, _, _ in devset.busy_week(rows)}
    out: dict[str, Any] = {}
    for name, x in dense.items():
        times = [r.time for r, _, _ in rows]
        out[name] = {
            "real": average_link(x, times, gold_e, langs).scores,
            "busy": average_link(x, [busy[r.id] for r, _, _ in rows], gold_e, langs).scores,
            "storylines": average_link(x, times, gold_s, langs, window_days=None).scores,
        }
    return out


def _row(label: str, s: dict[str, Any]) -> str:
    e, st = s["events"], s["storylines"]
    b = e["bcubed"]
    return (f"| {label} | {b['f1']:.3f} (P {b['precision']:.2f}, R {b['recall']:.2f}; "
            f"{e['n_pred']} for {e['n_gold']}) | {e['crosslingual_pairwise']['recall']:.3f} | "
            f"{st['bcubed']['f1']:.3f} ({st['n_pred']} for {st['n_gold']}) |")


def markdown(report: dict[str, Any]) -> str:
    lines = ["| run | events B³-F1 | cross-lingual pair recall | storylines B³-F1 |",
             "|---|---|---|---|"]
    for name, s in report["lso"]["pooled"].items():
        lines.append(_row(f"out of fold, {name}", s))
    for name, s in report.get("shipped", {}).items():
        lines.append(_row(f"shipped models ({report['shipped_note']}), {name}", s))
    lines += ["", "| naive (oracle threshold) | real: B³-F1 / xl recall | busy week B³-F1 | "
              "storylines (no time) B³-F1 |", "|---|---|---|---|"]
    for name, n in report.get("naive", {}).items():
        lines.append(f"| {name} + ±3 days + average-link | {n['real']['bcubed']['f1']:.3f} / "
                     f"{n['real']['crosslingual_pairwise']['recall']:.3f} | "
                     f"{n['busy']['bcubed']['f1']:.3f} | {n['storylines']['bcubed']['f1']:.3f} |")
    lines += ["", "| density, group | articles | events B³ P / R / F1 | cross-lingual recall |",
              "|---|---|---|---|"]
    for name, s in report["lso"]["pooled"].items():
        for grp, g in s["events"]["groups"].items():
            b = g["bcubed"]
            xl = g["crosslingual_recall"]
            lines.append(f"| {name}, {grp} | {g['articles']} | {b['precision']:.2f} / "
                         f"{b['recall']:.2f} / {b['f1']:.3f} | "
                         f"{'-' if xl is None else f'{xl:.3f}'} |")
    lines += ["", "| fold | storylines | " + " | ".join(
        f"{d}: ev / xl / sl" for d in report["lso"]["pooled"]) + " |",
        "|---|---|" + "---|" * len(report["lso"]["pooled"])]
    for f in report["lso"]["folds"]:
        cells = [f"{f[d]['events_b3']:.3f} / {f[d]['xlang_recall']:.2f} / "
                 f"{f[d]['storylines_b3']:.3f}" for d in report["lso"]["pooled"]]
        lines.append(f"| {f['fold']} | {', '.join(f['storylines'])} | " + " | ".join(cells)
                     + " |")
    if report["lso"].get("decisions"):
        lines += ["", *decisions.table(report["lso"]["decisions"])]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Leave-storyline-out evaluation of the linker at three densities "
                    "(real dates, busy week, mixed into a dense stream), with naive "
                    "baselines. Trains one model pair per fold; the shipped models are "
                    "not changed.")
    ap.add_argument("--stories", type=Path, required=True,
                    help="labelled JSONL (event, storyline) or a directory of them")
    ap.add_argument("--distractors", type=Path, default=DEVDATA / "semeval-dev-stream.jsonl",
                    help="dense stream of unrelated labelled news for the 'mixed' density "
                         "(made by benchmarks/make_dev_streams.py); skipped if absent")
    ap.add_argument("--extra", type=Path, action="append", default=None,
                    help="extra training stream (repeatable; default: the undated SemEval "
                         "stream when present)")
    ap.add_argument("--embedder", default="static")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2, help="folds trained at once (processes)")
    ap.add_argument("--baselines", default="static,use",
                    help="dense representations for the naive baselines ('' for none)")
    ap.add_argument("--centring", action="store_true",
                    help="centre dense vectors per language before linking (link.centring; "
                         "the models record it and the clusterer follows them). Off for "
                         "the shipped models: see BENCHMARKS.md, issue 11")
    ap.add_argument("--no-shipped", action="store_true", help="skip the shipped models' run")
    ap.add_argument("--json", action="store_true", help="print the whole report as JSON")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON report here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    cfg = ClusterConfig(language_centring=args.centring)
    rows, leads = load_stream_with_leads(devset.story_file(args.stories), args.embedder)
    distractors = load_stream(args.distractors, args.embedder) if args.distractors.is_file() \
        else []
    if not distractors:
        print(f"{args.distractors}: not found; the 'mixed' density is skipped (make it with "
              "`python benchmarks/make_dev_streams.py`)", file=sys.stderr)
    extra_paths = args.extra if args.extra is not None else [
        p for p in [DEVDATA / "semeval-dev-stream-nodates.jsonl"] if p.is_file()]
    extra = [load_stream(p, args.embedder) for p in extra_paths]
    report: dict[str, Any] = {"stories": str(args.stories), "embedder": args.embedder,
                              "articles": len(rows), "folds_k": args.folds,
                              "distractors": len(distractors),
                              "extra": [str(p) for p in extra_paths]}
    report["lso"] = lso(rows, distractors, extra, cfg, args.folds, jobs=args.jobs)
    if not args.no_shipped:
        from storylens.link.service import load_models

        ev, sl = load_models(args.embedder)
        trained_on = ev.meta.get("streams", [])
        report["shipped_note"] = ("in-sample: trained on this set" if any(
            Path(args.stories).stem in str(s) for s in trained_on) else "not trained on it")
        report["shipped"] = shipped(rows, distractors, ev, sl,
                                    dataclasses.replace(cfg, language_centring=None))
    dense: dict[str, np.ndarray] = {}
    for name in [b for b in args.baselines.split(",") if b]:
        if name == args.embedder:
            dense[name] = np.vstack([r.dense for r, _, _ in rows])
        else:
            from storylens.represent.base import get_embedder

            dense[name] = get_embedder(name).embed(leads)
    report["naive"] = naive(rows, dense)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
