"""The cluster job over a store: represent what is new (reusing stored vectors), replay
the live window, assign each unclustered article in time order, save as it goes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from storylens.errors import ConfigError, StoreError
from storylens.link.features import FEATURES
from storylens.link.model import MODEL_DIR, LogisticModel
from storylens.link.online import ClusterConfig, OnlineClusterer
from storylens.link.snapshot import from_snapshot, peek, to_snapshot
from storylens.link.snapshot_index import (
    IndexColumns,
    SnapshotIndex,
    from_columns,
    from_peek,
    index_of,
    to_columns,
)
from storylens.link.state import EventState
from storylens.records import Article
from storylens.records_story import ClusterAssignment
from storylens.represent.article import ArticleRep, represent_batch
from storylens.represent.base import Embedder, get_embedder
from storylens.represent.lexical import DocFreq
from storylens.settings import Settings
from storylens.store.base import Store

DEFAULT_EMBEDDER = "static"
log = logging.getLogger(__name__)


@dataclass(slots=True)
class ClusterReport:
    clustered: int = 0
    new_events: int = 0
    new_storylines: int = 0
    duplicates: int = 0
    undated: int = 0
    reused_vectors: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@lru_cache(maxsize=4)
def load_models(embedder: str) -> tuple[LogisticModel, LogisticModel]:
    """The shipped event and storyline pair models trained for ``embedder``'s vectors."""
    ev = MODEL_DIR / f"event-{embedder}.json"
    sl = MODEL_DIR / f"storyline-{embedder}.json"
    if not ev.exists() or not sl.exists():
        raise ConfigError(f"no pair models for embedder {embedder!r} in {MODEL_DIR}; train "
                          f"them with `python -m storylens.learn.train_link --embedder {embedder}`")
    return LogisticModel.load(ev, FEATURES), LogisticModel.load(sl, FEATURES)


def embedder_name(name: str | None = None) -> str:
    """The embedder to use: the given name, else the setting (STORYLENS_EMBEDDER)."""
    return name or Settings.load().embedder or DEFAULT_EMBEDDER


CENTRING = "link_centring:{model}"
"""Setting holding the linker's per-language means (``link.centring``) for one vector
model, saved with every batch of assignments."""

LINK_EMBEDDER = "link_embedder"
"""Setting of record: the registry name of the embedder that clustered the store (later
runs and ``compare`` read it back, so vectors are never mixed)."""


def repr_key(name: str, emb: Embedder) -> str:
    """The store key of an embedder's vectors and snapshots: its registry name plus the
    name of the model behind it, so vectors made by an earlier version of a model (the
    static table is retrained from time to time) are recomputed, never mixed in."""
    return name if emb.name == name else f"{name}:{emb.name}"


def text_hash(a: Article) -> str:
    return hashlib.blake2b(f"{a.title}\n{a.text}".encode(), digest_size=8).hexdigest()


def represent_articles(articles: Sequence[Article], embedder: Embedder, df: DocFreq
                       ) -> list[ArticleRep]:
    return represent_batch(
        [(a.id, a.title, a.text, a.published, a.lang, a.outlet) for a in articles], embedder, df)


def _future(a: Article) -> bool:
    """Published more than a day after it was ingested: a wrong date."""
    return bool(a.published and a.ingested_at and
                a.published > a.ingested_at + timedelta(days=1))


def snapshots(clusterer: OnlineClusterer, model: str
              ) -> list[tuple[str, str, float, bytes, IndexColumns | None]]:
    """Store rows ``(model, id, last placement time, snapshot, index columns)`` of the
    storylines changed since the last call."""
    rows = []
    for st in clusterer.storylines.take_dirty():
        span = clusterer.storylines.index.span(st.id)
        last = span[1] if span is not None else (st.last_time or clusterer.clock)
        rows.append((model, st.id, last, to_snapshot(st, span),
                     to_columns(index_of(st, span, last))))
    return rows


def _index_storylines(store: Store, model: str, since: float, dim: int, *, lazy: bool
                      ) -> list[tuple[str, float, bytes | None, SnapshotIndex]]:
    """``(id, last placement time, snapshot or None, index entry)`` of the storylines to
    restore: from their index columns (the snapshot left in the store when ``lazy``),
    else from their snapshot, whose columns are then saved for the next restore. Raises
    StoreError, naming the storyline, on any damaged row."""
    out: list[tuple[str, float, bytes | None, SnapshotIndex]] = []
    filled: list[tuple[str, float, IndexColumns]] = []
    for cid, placed, cols, blob in store.cluster_index_since(model, since):
        if cols is not None:
            out.append((cid, placed, None, from_columns(cid, cols, dim)))
            continue
        idx = from_peek(peek(cid, blob or b""), placed)
        out.append((cid, placed, blob, idx))
        got = to_columns(idx)
        if got is not None:
            filled.append((cid, placed, got))
    if filled:
        store.put_cluster_index(model, filled)
    if not lazy:  # every snapshot now, in one query
        blobs = store.cluster_states(model, [c for c, _, b, _ in out if b is None])
        out = [(c, p, b if b is not None else blobs.get(c, b""), i) for c, p, b, i in out]
    return out


def restore_window(store: Store, clusterer: OnlineClusterer, model: str, start: float,
                   cfg: ClusterConfig, *, lazy: bool = True,
                   earliest: float | None = None) -> None:
    """Rebuild the clusterer's live window as of ``start``: storylines from their stored
    snapshots and events by replaying their articles (a few days' worth), so a run's setup
    cost does not grow with the months a storyline stays live. With ``lazy`` a storyline
    is only indexed (centroid, span, names) and built from its snapshot when the clusterer
    first reads it — the same state, so the same decisions, for a fraction of the cost of
    building the window's tens of thousands. A store without snapshots (made before they
    existed, or for another embedder) replays the whole storyline window once; the
    snapshots are saved with the run's first batch.

    ``earliest``: no article of the run will be placed before this time (its first
    article is dated, and the rest come in time order). An event whose last article was
    placed more than the event window before it can then never be a candidate again;
    it is replayed from its articles' dense vectors, names and MinHash alone (what a
    copy joining it, the name index and eviction read), not their lexical vectors,
    which are most of the replay's cost."""
    day = 86400.0
    use_snapshots = store.has_cluster_states(model)
    rows: list[tuple[str, float, bytes | None, SnapshotIndex]] = []
    states: list[tuple[EventState, float]] = []
    if use_snapshots:
        since = start - 2 * cfg.storyline_window_days * day
        try:  # check every row before installing any: a damaged one means a replay
            rows = _index_storylines(store, model, since, clusterer.storylines.index.dim,
                                     lazy=lazy)
            if not lazy:
                states = [(from_snapshot(cid, blob or b""), placed)
                          for cid, placed, blob, _ in rows]
        except StoreError as exc:
            log.warning("%s; replaying the articles instead", exc)
            use_snapshots, rows, states = False, [], []
    if lazy:
        clusterer.storylines.states.fetch = partial(store.cluster_states, model)
        for cid, placed, blob, idx in rows:
            clusterer.defer_storyline(cid, blob, idx, placed)
        clusterer.storylines.names.freeze()
    for st, placed in states:
        clusterer.restore_storyline(st, placed)
    horizon = cfg.event_window_days if use_snapshots else cfg.storyline_window_days
    prior = store.assignments_since(start - 2 * horizon * day,
                                    "event" if use_snapshots else "storyline")
    if not prior:
        return
    light: set[str] = set()
    if use_snapshots and earliest is not None:
        ev_last: dict[str, float] = {}
        for _, ev_id, _, _, placed in prior:
            ev_last[ev_id] = max(placed, ev_last.get(ev_id, placed))
        cut = earliest - cfg.event_window_days * day
        light = {p[0] for p in prior if ev_last[p[1]] < cut}
    reps = store.get_reprs([p[0] for p in prior if p[0] not in light], model)
    if light:
        reps |= store.get_reprs([p[0] for p in prior if p[0] in light], model,
                                lexical=False)
    for aid, ev_id, sl_id, dup, placed in prior:
        if aid in reps:
            rep = reps[aid][1]
            rep.time = placed
            clusterer.restore(rep, ev_id, sl_id, dup, storylines=not use_snapshots)
    if use_snapshots:
        clusterer.storylines.take_dirty()  # restored from the store: nothing to re-save


def _load_centring(store: Store, clusterer: OnlineClusterer, model: str) -> None:
    """Give the clusterer the per-language means saved by the last run; a damaged
    state is logged and the means start again from the prior."""
    if clusterer.centring is None:
        return
    saved = store.get_setting(CENTRING.format(model=model))
    if not saved:
        return
    try:
        clusterer.centring.load_json(saved)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("setting %s: unreadable language centring state (%s); starting again "
                    "from the prior", CENTRING.format(model=model), exc)


def cluster_store(
    store: Store, *, embedder: str | None = None, config: ClusterConfig | None = None,
    batch_size: int = 256, progress: Callable[[int, int], None] | None = None,
) -> ClusterReport:
    """Cluster every stored article that is not clustered yet. Safe to run repeatedly:
    finished batches are saved, and a new run continues with the same cluster ids.
    ``embedder`` defaults to the one the store was clustered with (its setting of
    record), else the ``embedder`` setting."""
    with store.clustering():  # one linking worker at a time: stable cluster ids
        return _cluster_locked(store, embedder=embedder, config=config,
                               batch_size=batch_size, progress=progress)


def _cluster_locked(
    store: Store, *, embedder: str | None, config: ClusterConfig | None, batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> ClusterReport:
    """``cluster_store`` once it holds the store's clustering lock: what is unclustered
    is read only now, so a run that waited for another continues after its work."""
    import time

    report = ClusterReport()
    todo = store.unclustered_ids()
    if not todo:
        return report
    recorded = store.get_setting(LINK_EMBEDDER)
    registry_name = embedder_name(embedder or recorded)
    emb = get_embedder(registry_name)
    ev_model, sl_model = load_models(registry_name)
    name = repr_key(registry_name, emb)
    cfg = config or ClusterConfig()
    df = DocFreq(*store.load_docfreq())
    clusterer = OnlineClusterer(ev_model, sl_model, emb.dim, cfg)
    t_rep = t_link = t_io = 0.0

    first = store.get_articles(todo[:1])[0]
    clock = store.stream_clock()
    if first.published is not None and not _future(first):
        start = first.published.timestamp()
    elif clock is not None:
        start = clock
    else:
        start = (first.ingested_at or datetime.now(UTC)).timestamp()
    t_restore = time.perf_counter()
    _load_centring(store, clusterer, name)
    dated = first.published is not None and not _future(first)
    restore_window(store, clusterer, name, start, cfg, earliest=start if dated else None)
    t_restore = time.perf_counter() - t_restore

    done = 0
    for i in range(0, len(todo), batch_size):
        t0 = time.perf_counter()
        arts = store.get_articles(todo[i : i + batch_size])
        stored = store.get_reprs([a.id for a in arts], name)
        fresh = [a for a in arts if stored.get(a.id, ("", None))[0] != text_hash(a)]
        t1 = time.perf_counter()
        new_reps = {r.id: r for r in represent_articles(fresh, emb, df)}
        t2 = time.perf_counter()
        report.reused_vectors += len(arts) - len(fresh)
        out: list[ClusterAssignment] = []
        t3 = time.perf_counter()
        for a in arts:
            rep = new_reps.get(a.id) or stored[a.id][1]
            if _future(a):
                rep.time = None  # a date in the future would drag the clock: place by arrival
            asg = clusterer.add(rep)
            out.append(asg)
            report.new_events += asg.new_event
            report.new_storylines += asg.new_storyline
            report.duplicates += asg.duplicate_of is not None
            report.undated += asg.undated
        t4 = time.perf_counter()
        with store.transaction():  # a kill leaves the batch wholly done or not started
            store.put_reprs([(name, text_hash(a), new_reps[a.id]) for a in fresh])
            store.save_docfreq(df.take_pending(), df.n_docs)
            store.save_assignments(out, snapshots(clusterer, name), clusterer.take_merged())
            if clusterer.centring is not None:
                store.set_setting(CENTRING.format(model=name), clusterer.centring.to_json())
        t5 = time.perf_counter()
        t_io += (t1 - t0) + (t5 - t4)
        t_rep += t2 - t1
        t_link += t4 - t3
        done += len(arts)
        report.clustered = done
        if progress:
            progress(done, len(todo))
    if recorded != registry_name:
        store.set_setting(LINK_EMBEDDER, registry_name)
    report.seconds = {"represent": round(t_rep, 3), "link": round(t_link, 3),
                      "store": round(t_io, 3), "restore": round(t_restore, 3)}
    return report

