"""Train the event and storyline pair models from labelled development streams.

    python -m storylens.learn.train_link --stream .devdata/mixed-stream.jsonl [--embedder static]

How: each stream goes through the real extract/clean and represent steps; then, in time
order, every article is compared with the clusters the retrieval step would offer it
(dense top-k within the window) plus its gold cluster, with clusters grown from the gold
labels ("teacher forcing"): the gold cluster is the positive, the others negatives. The
storyline model learns the same way at the storyline level, from each event's first
article, with the time-gap features held at zero so that a storyline may return after
months. Thresholds are chosen by running the real online clusterer on the training part.

Honest numbers: the streams' gold storylines are split in two folds by a stable hash;
each fold's model clusters the whole stream (so the density is the real one) and is
scored on the other fold's articles only (out-of-fold); the shipped model is then fitted
on everything. The out-of-fold scores are what BENCHMARKS.md reports.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.eval.metrics import b_cubed, cross_lingual_pairwise, pairwise
from storylens.extract.pipeline import extract_article
from storylens.ingest.files import raw_from_json
from storylens.learn import devset
from storylens.learn.devset import DEVDATA, Row
from storylens.link.centring import LanguageCentring
from storylens.link.features import FEATURES, NEGATIVE, POSITIVE, candidate_features
from storylens.link.index import CentroidIndex, NameIndex
from storylens.link.model import MODEL_DIR, LogisticModel
from storylens.link.online import DAY, ClusterConfig, OnlineClusterer, hub_background
from storylens.link.state import EventState
from storylens.represent.article import lead, represent_batch
from storylens.represent.base import get_embedder
from storylens.represent.lexical import DocFreq

NOW = datetime(2026, 1, 1, tzinfo=UTC)
_TIME_FEATURES = ("log_gap_hours", "no_date")
XLANG_POSITIVE_WEIGHT = 5.0
"""Sample weight of a cross-lingual positive pair (article joins an event with no article
in its language yet): the dev streams hold only 42 of them among ~32k cross-lingual pairs."""


def load_stream(path: Path, embedder: str) -> list[Row]:
    """Extract, clean and represent a labelled stream, in its time order."""
    return load_stream_with_leads(path, embedder)[0]


def load_stream_with_leads(path: Path, embedder: str) -> tuple[list[Row], list[str]]:
    """``load_stream`` plus each article's dense-channel text (title and lead), for
    baselines that embed it with another encoder."""
    objs = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    arts, gold = [], []
    for n, obj in enumerate(objs):
        art = extract_article(raw_from_json(obj, f"{path}:{n + 1}"), now=NOW)
        arts.append(art)
        gold.append((str(obj["event"]), str(obj.get("storyline") or obj["event"])))
    order = sorted(range(len(arts)), key=lambda i: (arts[i].published or NOW, i))
    arts = [arts[i] for i in order]
    gold = [gold[i] for i in order]
    reps = represent_batch([(a.id, a.title, a.text, a.published, a.lang, a.outlet)
                            for a in arts], get_embedder(embedder), DocFreq())
    rows = [(r, e, s) for r, (e, s) in zip(reps, gold, strict=True)]
    return rows, [lead(a.title, a.text) for a in arts]


EVENT_NEGATIVE: frozenset[str] = NEGATIVE
"""Event-model features whose weight must be <= 0."""
EVENT_UNUSED: frozenset[str] = frozenset()
"""Event-model features held at weight 0."""


def teacher_pairs(rows: Sequence[Row], *, level: str, window_days: float, top_k: int,
                  name_k: int = 0, centring: bool = False
                  ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]:
    """Feature rows and labels of (article, candidate cluster) pairs under gold growth;
    candidates as the clusterer retrieves them (dense top-k, then shared names), the
    dense vectors centred per language in stream order when the clusterer will be."""
    dim = rows[0][0].dense.shape[0] if rows else 0
    centre = LanguageCentring.shipped(dim) if centring and rows else None
    hub_bg = hub_background(ClusterConfig(), dim, centre) if rows else None
    states: dict[str, EventState] = {}
    index: CentroidIndex | None = None
    names = NameIndex()
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[int] = []
    window = window_days * DAY
    seen_events: set[str] = set()
    clock = 0.0
    rng = random.Random(13)
    for raw, ev, sl in rows:
        rep = centre.add(raw) if centre is not None else raw
        gold = ev if level == "event" else sl
        if index is None:
            index = CentroidIndex(rep.dense.shape[0])
        t = rep.time if rep.time is not None else clock
        clock = max(clock, t)
        decide = level == "event" or ev not in seen_events
        if decide:
            near = index.search(rep.dense, t, window, 4 * top_k)
            cands = {c for c, _ in near[:top_k]}
            # a few random window members too, so the model is not trained only on the
            # dense channel's hardest negatives (which would teach it to distrust dense)
            rest = [c for c, _ in near[top_k:]]
            cands.update(rng.sample(rest, min(3, len(rest))))
            if name_k and rep.names:
                cands.update(names.near(rep.names, name_k, index, t, window,
                                        frozenset(cands)))
            if gold in states and gold in index:
                cands.add(gold)
            ordered = sorted(cands)
            x = candidate_features(rep, [states[c] for c in ordered], index.last_count,
                                   None if hub_bg is None else float(hub_bg.hub(rep.dense)[0]))
            if level == "storyline":
                for f in _TIME_FEATURES:
                    x[:, FEATURES.index(f)] = 0.0
            xs.extend(x)
            ys.extend(int(c == gold) for c in ordered)
        seen_events.add(ev)
        dropped: set[str] = set()
        if gold in states:
            dropped = states[gold].add(rep)
        else:
            states[gold] = EventState.start(gold, rep)
        st = states[gold]
        names.add(gold, rep.names)
        names.remove(gold, dropped)
        index.upsert(gold, st.centroid(), st.first_time if st.first_time is not None else t,
                     st.last_time if st.last_time is not None else t)
    return np.array(xs).reshape(-1, len(FEATURES)), np.array(ys, dtype=np.int_)


def fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.int_], meta: dict[str, Any],
        weight: npt.NDArray[np.float64] | None = None, l2: float = 1.0,
        negative: frozenset[str] = NEGATIVE, unused: frozenset[str] = frozenset()
        ) -> LogisticModel:
    """L2-regularised logistic regression on standardised features, with the sign of
    each similarity channel's weight constrained (``features.POSITIVE``/``NEGATIVE``):
    a model free to give dense similarity a negative weight learns the quirks of its
    training streams (on the SemEval streams it did), not evidence that transfers."""
    from scipy.optimize import minimize

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    # the few cross-lingual positives weigh more, else the model learns "other language
    # means no" from their scarcity rather than from their channels
    xl = x[:, FEATURES.index("xlang")] > 0
    w = np.where(xl & (y == 1), XLANG_POSITIVE_WEIGHT, 1.0)
    if weight is not None:
        w = w * weight
    w = w / w.mean()
    yy = y.astype(np.float64)
    n = len(yy)

    def loss(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        coef, b = theta[:-1], theta[-1]
        m = z @ coef + b
        p = 1.0 / (1.0 + np.exp(-np.clip(m, -30, 30)))
        ll = -(w * (yy * np.log(p + 1e-12) + (1 - yy) * np.log(1 - p + 1e-12))).sum()
        g = w * (p - yy)
        grad = np.append(z.T @ g + l2 * coef, g.sum())
        return float(ll + 0.5 * l2 * coef @ coef), grad

    bounds = [(0.0, 0.0) if f in unused else (0.0, None) if f in POSITIVE
              else (None, 0.0) if f in negative else (None, None)
              for f in FEATURES] + [(None, None)]
    res = minimize(loss, np.zeros(len(FEATURES) + 1), jac=True, method="L-BFGS-B",
                   bounds=bounds, options={"maxiter": 2000})
    meta = {**meta, "train_loss_per_pair": round(float(res.fun) / max(n, 1), 5)}
    return LogisticModel(FEATURES, mean, scale, res.x[:-1].astype(np.float64),
                         float(res.x[-1]), 0.5, meta)


def run_online(rows: Sequence[Row], ev: LogisticModel, sl: LogisticModel,
               cfg: ClusterConfig, score: Sequence[bool] | None = None) -> dict[str, Any]:
    """Cluster all ``rows`` online (full stream density) with the given models; score the
    rows flagged in ``score`` (all by default) against gold."""
    cl = OnlineClusterer(ev, sl, rows[0][0].dense.shape[0], cfg, keep_merged=True)
    out = [cl.add(r) for r, _, _ in rows]
    keep = [i for i in range(len(rows)) if score is None or score[i]]
    langs = [rows[i][0].lang or "?" for i in keep]
    gold_e = [rows[i][1] for i in keep]
    gold_s = [rows[i][2] for i in keep]
    pe = [cl.resolve(out[i].event_id) for i in keep]
    ps = [cl.resolve(out[i].storyline_id) for i in keep]
    return {"bcubed": b_cubed(gold_e, pe).to_dict(), "pairwise": pairwise(gold_e, pe).to_dict(),
            "crosslingual_pairwise": cross_lingual_pairwise(gold_e, pe, langs).to_dict(),
            "storyline_bcubed": b_cubed(gold_s, ps).to_dict(),
            "storyline_pairwise": pairwise(gold_s, ps).to_dict()}


def _with_threshold(m: LogisticModel, t: float) -> LogisticModel:
    return dataclasses.replace(m, threshold=t)


def objective(streams: Sequence[Sequence[Row]], ev: LogisticModel, sl: LogisticModel,
              cfg: ClusterConfig, level: str = "event") -> float:
    """mean(B³ F1, pairwise F1) of the events (or, with ``level="storyline"``, the
    storylines) from clustering each stream online with ``cfg``, averaged over
    ``streams``: what every choice of ``train`` maximises. Distractors
    (``devset.mixed``) set the density but are not what is tuned for: not scored."""
    pre = "storyline_" if level == "storyline" else ""
    total = 0.0
    for rows in streams:
        scored = [not e.startswith(devset.DISTRACTOR) for _, e, _ in rows]
        r = run_online(rows, ev, sl, cfg, scored)
        total += (r[f"{pre}bcubed"]["f1"] + r[f"{pre}pairwise"]["f1"]) / 2
    return total / len(streams)


def choose_thresholds(streams: Sequence[Sequence[Row]], ev: LogisticModel,
                      sl: LogisticModel, cfg: ClusterConfig) -> tuple[float, float]:
    """Event threshold maximising ``objective`` over the streams, then the storyline one
    the same way."""
    grid = [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    best_e = max(grid, key=lambda t: objective(streams, _with_threshold(ev, t), sl, cfg))
    ev_t = _with_threshold(ev, best_e)
    best_s = max(grid, key=lambda t: objective(streams, ev_t, _with_threshold(sl, t), cfg,
                                               "storyline"))
    return best_e, best_s


SECOND_LOOK_GRID: tuple[tuple[int, float], ...] = (
    (0, 0.0), *((k, m) for k in (2, 3, 5) for m in (0.0, 0.1, 0.2, 0.3)))
"""Storyline second looks tried (articles, threshold margin): (0, 0) is none."""


def choose_second_look(streams: Sequence[Sequence[Row]], ev: LogisticModel,
                       sl: LogisticModel, cfg: ClusterConfig) -> tuple[int, float]:
    """The storyline second look (``ClusterConfig.storyline_second_look``) maximising
    mean(storyline B³ F1, pairwise F1) over ``streams`` (distractors not scored), given
    both models and their thresholds; ties go to the earlier (simpler) setting."""
    best, best_obj = SECOND_LOOK_GRID[0], -1.0
    for k, m in SECOND_LOOK_GRID:
        look = dataclasses.replace(cfg, storyline_second_look=k, second_look_margin=m)
        obj = objective(streams, ev, sl, look, "storyline")
        if obj > best_obj + 1e-9:
            best, best_obj = (k, m), obj
    return best


FLOOR_GRID: tuple[float, ...] = (0.0, 0.5, 0.6, 0.7)
"""Storyline content floors tried (``ClusterConfig.storyline_floor``); 0 is none."""


def choose_floor(streams: Sequence[Sequence[Row]], ev: LogisticModel, sl: LogisticModel,
                 cfg: ClusterConfig) -> float:
    """The storyline content floor maximising the storyline ``objective`` over ``streams``,
    given both models, their thresholds and the second look in ``sl``'s meta; ties go to
    the lower (weaker) floor."""
    best, best_obj = FLOOR_GRID[0], -1.0
    for f in FLOOR_GRID:
        obj = objective(streams, ev, sl, dataclasses.replace(cfg, storyline_floor=f),
                        "storyline")
        if obj > best_obj + 1e-9:
            best, best_obj = f, obj
    return best


def rollout_pairs(rows: Sequence[Row], ev: LogisticModel, sl: LogisticModel,
                  cfg: ClusterConfig) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]:
    """Event-level feature rows and labels from the model's own online run (a DAgger
    round): candidates are the clusters the clusterer really holds, mistakes included,
    and a candidate is positive when most of its articles share the article's gold
    event. Teacher forcing only ever shows clean gold clusters; this shows what a
    cluster that swallowed another event looks like, so the model learns to refuse it.
    Distractors (``devset.mixed``) take part in the run but give no rows."""
    cl = OnlineClusterer(ev, sl, rows[0][0].dense.shape[0], cfg)
    gold_of: dict[str, Counter[str]] = {}
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[int] = []
    for raw, gold, _ in rows:
        rep = cl.centring.add(raw) if cl.centring is not None else raw
        t = rep.time if rep.time is not None else cl.clock
        cands = cl.events.candidates(rep, t)
        if cands and not gold.startswith(devset.DISTRACTOR):  # weak gold: not learnt from
            xs.extend(candidate_features(rep, [cl.events.states[c] for c in cands],
                                         cl.events.index.last_count, cl.events.hub(rep)))
            ys.extend(int(gold_of[c].most_common(1)[0][0] == gold) for c in cands)
        got = cl.add(rep, centred=True)
        gold_of.setdefault(got.event_id, Counter())[gold] += 1
    return np.array(xs).reshape(-1, len(FEATURES)), np.array(ys, dtype=np.int_)


def _stream_weights(parts: Sequence[npt.NDArray[np.int_]]) -> npt.NDArray[np.float64]:
    """Sample weights giving every stream the same total weight, so one big stream
    (thousands of same-language SemEval pairs) cannot drown a small multilingual one."""
    sizes = [max(len(y), 1) for y in parts]
    mean = sum(sizes) / len(sizes)
    return np.concatenate([np.full(len(y), mean / n) for y, n in zip(parts, sizes,
                                                                   strict=True)])


def train(streams: Sequence[Sequence[Row]], cfg: ClusterConfig, meta: dict[str, Any],
          tune: Sequence[Sequence[Row]] | None = None, rounds: int = 1,
          floor: bool = False) -> tuple[LogisticModel, LogisticModel]:
    """Fit both models on the teacher-forced pairs of every stream (each stream simulated
    on its own, in its own time order, each weighing the same), then choose their
    thresholds by clustering the ``tune`` streams (default: all of them) online; then
    ``rounds`` times, add the event model's own online decisions on the ``tune`` streams
    (``rollout_pairs``) to its training pairs, refit it and choose the thresholds again."""
    centring = bool(cfg.language_centring)
    meta = {**meta, "centring": centring}
    ev_pairs = [teacher_pairs(rows, level="event", window_days=cfg.event_window_days,
                              top_k=cfg.top_k, name_k=cfg.name_candidates, centring=centring)
                for rows in streams]
    sl_pairs = [teacher_pairs(rows, level="storyline",
                              window_days=cfg.storyline_window_days, top_k=cfg.top_k,
                              name_k=cfg.name_candidates, centring=centring)
                for rows in streams]
    xe, ye = np.vstack([x for x, _ in ev_pairs]), np.concatenate([y for _, y in ev_pairs])
    xs, ys = np.vstack([x for x, _ in sl_pairs]), np.concatenate([y for _, y in sl_pairs])
    xl = xe[:, FEATURES.index("xlang")] > 0
    ev = fit(xe, ye, {**meta, "pairs": len(ye), "positives": int(ye.sum()),
                      "xlang_pairs": int(xl.sum()), "xlang_positives": int(ye[xl].sum())},
             weight=_stream_weights([y for _, y in ev_pairs]), negative=EVENT_NEGATIVE,
             unused=EVENT_UNUSED)
    # storylines: another language is never evidence for a join in itself (the story
    # set's storylines are mostly cross-lingual, so a free intercept learns to chain
    # anything across languages; the dense, name and number channels must carry it),
    # and how many storylines are live is no evidence either: on a young or small
    # stream few are, and a model that reads "few" as "join" chains everything
    sl = fit(xs, ys, {**meta, "pairs": len(ys), "positives": int(ys.sum())},
             weight=_stream_weights([y for _, y in sl_pairs]),
             negative=NEGATIVE | {"xlang"}, unused=frozenset({"log_live"}))
    tune = tune if tune is not None else streams
    te, ts = choose_thresholds(tune, ev, sl, cfg)
    for _ in range(rounds):
        ev_t, sl_t = _with_threshold(ev, te), _with_threshold(sl, ts)
        more = [rollout_pairs(rows, ev_t, sl_t, cfg) for rows in tune]
        parts = [y for _, y in ev_pairs] + [y for _, y in more]
        ev = fit(np.vstack([xe, *[x for x, _ in more]]),
                 np.concatenate([ye, *[y for _, y in more]]),
                 {**ev.meta, "rollout_pairs": sum(len(y) for _, y in more)},
                 weight=_stream_weights(parts), negative=EVENT_NEGATIVE, unused=EVENT_UNUSED)
        te, ts = choose_thresholds(tune, ev, sl, cfg)
    ev, sl = _with_threshold(ev, te), _with_threshold(sl, ts)
    # then whether a young event alone in its storyline should look again (and how
    # strictly), chosen the same way on the same streams
    look = choose_second_look(tune, ev, sl, cfg)
    sl = dataclasses.replace(sl, meta={**sl.meta, "second_look": list(look)})
    # and, if asked, with that second look, the content floor a storyline join must
    # clear. Not by default: chosen in fold on the training storylines it lowered
    # held-out storyline B³ (real dates 0.899 -> 0.882, sparse 0.831 -> 0.816, mixed
    # 0.728 -> 0.709; busy week 0.795 -> 0.821; BENCHMARKS.md)
    if not floor:
        return ev, sl
    return ev, dataclasses.replace(sl, meta={**sl.meta, "floor": choose_floor(tune, ev, sl,
                                                                              cfg)})


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Train the shipped event and storyline pair models. Honest (out of "
                    "fold) numbers come from `python -m storylens.learn.lso`, which trains "
                    "the same way per fold.")
    ap.add_argument("--stories", type=Path, default=None,
                    help="labelled story set (JSONL or a directory of them): trained on at "
                         "three densities (real dates, busy week, mixed into --distractors); "
                         "the thresholds are tuned on these streams")
    ap.add_argument("--distractors", type=Path, default=DEVDATA / "semeval-dev-stream.jsonl",
                    help="dense stream for the 'mixed' density (benchmarks/make_dev_streams.py)")
    ap.add_argument("--stream", action="append", default=[],
                    help="extra labelled JSONL stream (repeatable)")
    ap.add_argument("--embedder", default="static")
    ap.add_argument("--out", default=str(MODEL_DIR))
    ap.add_argument("--top-k", type=int, default=ClusterConfig().top_k,
                    help="candidates per decision (the shipped clusterer uses "
                         "ClusterConfig.top_k)")
    ap.add_argument("--name-candidates", type=int, default=ClusterConfig().name_candidates,
                    help="extra candidates per decision from shared names (0: dense only)")
    ap.add_argument("--centring", action="store_true",
                    help="centre dense vectors per language before linking (link.centring; "
                         "the models record it and the clusterer follows them). Off for "
                         "the shipped models: see BENCHMARKS.md, issue 11")
    ap.add_argument("--second-look-only", action="store_true",
                    help="keep the models in --out as they are and only choose their "
                         "storyline second look (ClusterConfig.storyline_second_look; and "
                         "the content floor with --choose-floor) on the --stories streams")
    ap.add_argument("--choose-floor", action="store_true",
                    help="also choose a storyline content floor (ClusterConfig."
                         "storyline_floor; off by default: it scored lower out of fold)")
    args = ap.parse_args(argv)
    if args.stories is None and not args.stream:
        ap.error("give --stories and/or --stream")
    if args.second_look_only and args.stories is None:
        ap.error("--second-look-only chooses on the --stories streams: give --stories")
    cfg = ClusterConfig(top_k=args.top_k, name_candidates=args.name_candidates,
                        language_centring=args.centring)
    t0 = time.perf_counter()
    tune: list[list[Row]] = []
    names: list[str] = []
    if args.stories is not None:
        rows = load_stream(devset.story_file(args.stories), args.embedder)
        distractors = (load_stream(args.distractors, args.embedder)
                       if args.distractors.is_file() else [])
        tune = devset.training_streams(devset.streams_for(rows, distractors))
        names.append(f"{args.stories.name} (real, busy"
                     f"{', mixed with ' + args.distractors.name if distractors else ''})")
    if args.second_look_only:
        return _second_look_only(Path(args.out), args.embedder, tune, cfg,
                                 args.choose_floor)
    extra = [load_stream(Path(p), args.embedder) for p in args.stream]
    names += [Path(p).name for p in args.stream]
    meta = {"streams": names, "embedder": args.embedder, "trained": time.strftime("%Y-%m-%d")}
    ev, sl = train([*tune, *extra], cfg, meta, tune=tune or None, floor=args.choose_floor)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ev.save(out / f"event-{args.embedder}.json")
    sl.save(out / f"storyline-{args.embedder}.json")
    report: dict[str, Any] = {"embedder": args.embedder, "streams": names,
                              "thresholds": [ev.threshold, sl.threshold]}
    report["coef"] = {"event": dict(zip(FEATURES, np.round(ev.coef, 3).tolist(), strict=True)),
                      "storyline": dict(zip(FEATURES, np.round(sl.coef, 3).tolist(),
                                            strict=True))}
    report["meta"] = ev.meta
    report["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(report, indent=1), file=sys.stdout)
    return 0


def _second_look_only(out: Path, embedder: str, tune: Sequence[Sequence[Row]],
                      cfg: ClusterConfig, with_floor: bool = False) -> int:
    """Choose the storyline second look of the models in ``out`` on ``tune``; rewrite the
    storyline model with it (its weights and threshold unchanged)."""
    ev_path, sl_path = out / f"event-{embedder}.json", out / f"storyline-{embedder}.json"
    ev, sl = LogisticModel.load(ev_path, FEATURES), LogisticModel.load(sl_path, FEATURES)
    plain = dataclasses.replace(sl, meta={k: v for k, v in sl.meta.items()
                                          if k not in ("second_look", "floor")})
    look = choose_second_look(tune, ev, plain, cfg)
    plain = dataclasses.replace(plain, meta={**plain.meta, "second_look": list(look)})
    floor = choose_floor(tune, ev, plain, cfg) if with_floor else 0.0
    dataclasses.replace(plain, meta={**plain.meta, "floor": floor}).save(sl_path)
    print(json.dumps({"storyline_model": str(sl_path), "second_look": list(look),
                      "floor": floor}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
