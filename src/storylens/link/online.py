"""Online clustering: each arriving article joins the best event or starts one; events
chain into storylines the same way on a looser time scale.

Per article: (1) MinHash LSH finds a syndicated copy -> join its original's event as a
copy (reach, not coverage); (2) dense top-k retrieval over events live near the article's
time; (3) the event pair model scores each candidate on all channels; the best above its
threshold wins, else a new event starts; (4) a new event is linked the same way to the
storylines live within the storyline window; (5) while an event is young (its first few
articles, as trained) and still alone in the storyline it started, it looks for its
storyline again with what it has become (centroid, names across its languages) rather
than its first article alone, and a storyline found takes its one in (a *fold*). Ids never
change otherwise; a folded id is kept as an alias of the cluster it joined (the store
re-points its articles and answers for it), so links stay valid. Clusters idle for longer than
twice their window are evicted (``on_evict`` lets a store keep them), which bounds memory
and per-article cost whatever the archive's size; folds are forgotten once handed to the
store (``take_merged``) unless an evaluation asks to keep them (``keep_merged``).
Storylines idle for a week are compacted (``EventState.compact``): still candidates for
months, at a few kilobytes each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from storylens.link.calibration import Background, default_background
from storylens.link.centring import LanguageCentring
from storylens.link.features import FEATURES, candidate_features
from storylens.link.index import CentroidIndex, NameIndex
from storylens.link.lazy import Deferred, StateTable
from storylens.link.model import LogisticModel
from storylens.link.snapshot import Peek
from storylens.link.snapshot_index import SnapshotIndex, from_peek
from storylens.link.state import EventState
from storylens.records_story import ClusterAssignment
from storylens.represent.article import ArticleRep
from storylens.represent.minhash import LSHIndex

DAY = 86400.0
Observer = Callable[["Level", ArticleRep, list[str], np.ndarray, "str | None"], None]
"""Called with every first decision of a level (not second looks): the level, the article,
its candidates, their final probabilities and the one joined (``None``: a new cluster).
For diagnosis (``learn.decisions``); unset in the product."""

_DENSE = FEATURES.index("dense_centroid")
_NAMES = FEATURES.index("names_script")


@dataclass(frozen=True, slots=True)
class Assignment(ClusterAssignment):
    """Where one article went (the record the store keeps), and whether it started a new
    event or storyline. Scores are pair-model probabilities, 1.0 for a new cluster."""

    new_event: bool = False
    new_storyline: bool = False


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    event_window_days: float = 3.0
    storyline_window_days: float = 270.0
    top_k: int = 8
    name_candidates: int = 2
    """Extra candidates per decision from shared specific names (``NameIndex``)."""
    duplicate_jaccard: float = 0.8
    storyline_compact_days: float = 7.0
    storyline_second_look: int | None = None
    """An event still alone in its storyline looks for one again as its 2nd..this many
    articles arrive, with what it has become (0 or 1: never; ``None``: the storyline
    model's trained setting, its ``meta["second_look"]``)."""
    second_look_margin: float | None = None
    """A storyline second look folds only at the model's threshold plus this (``None``:
    the trained setting)."""
    storyline_floor: float | None = None
    """A storyline join needs content beyond the pair model's score: a name key in common
    (any script) or a dense cosine of at least this (0: no floor; ``None``: the storyline
    model's trained ``meta["floor"]``). Storylines last months, so a weak score against a
    lone live storyline (a bridge collapse and an Olympic opening in one city's news) is
    more often a coincidence of topic than a continuation. The shipped models carry none:
    chosen in fold (``train_link --choose-floor``) it lowered held-out storyline B³ on the
    dev set except in the busy week (BENCHMARKS.md, issue 11)."""
    background_top: bool = True
    """Read the shipped background (``calibration.default_background``) so that a
    candidate counts as the best (``dense_top``) only when it is also closer than the
    article's unrelated background neighbours. On the dev set's held-out folds, with the
    same models: events real 0.969 -> 0.974, sparse 0.925 -> 0.942, busy 0.816 -> 0.819,
    mixed 0.752 -> 0.742; storylines real 0.899 -> 0.914 (BENCHMARKS.md, issue 11)."""
    language_centring: bool | None = None
    """Centre each article's dense vector on its language's running mean before it is
    compared (``link.centring``); ``None``: as the event model was trained (its
    ``meta["centring"]``). Needs the shipped background (its mean is the prior). The
    shipped models are trained without it: models trained with it
    (``train_link --centring``) gain in the busy week out of fold (events 0.832 -> 0.872)
    but over-merge the README sample (BENCHMARKS.md, issue 11)."""
    event_second_look: int = 0
    """A young event (2..this many articles) looks for a live event it has become part
    of, and is folded into it (0 or 1: never). Off: measured out of fold it lowered event
    B³ (real dates 0.969 -> 0.938), the event model never having seen whole clusters."""

    def floor(self, storyline_model: LogisticModel) -> float:
        """The storyline content floor: this config's, else the model's trained one."""
        if self.storyline_floor is not None:
            return self.storyline_floor
        return float(storyline_model.meta.get("floor") or 0.0)

    def second_look(self, storyline_model: LogisticModel) -> tuple[int, float]:
        """(articles, margin) of the storyline second look: this config's, else the
        model's trained ones, else none."""
        trained = storyline_model.meta.get("second_look") or [0, 0.0]
        return (int(trained[0]) if self.storyline_second_look is None
                else self.storyline_second_look,
                float(trained[1]) if self.second_look_margin is None
                else self.second_look_margin)


CENTRED_EVENT_FLOOR = 1e-6
"""With centring, an event candidate whose centred cosine is not above 0 (no closer than
the language's average article) and that shares no name key is never joined, whatever
the pair model says: the model learnt that a lone candidate in a quiet window is usually
right, which on a tiny store joined reports with a negative cosine."""


def _centring(cfg: ClusterConfig, event_model: LogisticModel, dim: int
              ) -> LanguageCentring | None:
    """The clusterer's language centring, if the config (else the model) asks for it and
    the shipped background, whose mean is its prior, fits vectors of ``dim``."""
    wanted = cfg.language_centring
    if wanted is None:
        wanted = bool(event_model.meta.get("centring"))
    return LanguageCentring.shipped(dim) if wanted else None


def hub_background(cfg: ClusterConfig, dim: int, centring: LanguageCentring | None
                   ) -> Background | None:
    """The background an article's hubness is read against (``features.candidate_features``
    ``hub``): the shipped one when ``cfg.background_top``, centred like the vectors when
    they are centred; ``None``: no hubness."""
    bg = default_background(dim) if cfg.background_top else None
    return bg if bg is None or centring is None else centring.background(bg)


class Level:
    """One clustering level (events or storylines): states, index, decision model."""

    def __init__(self, model: LogisticModel, dim: int, window: float, prefix: str,
                 top_k: int, compact_after: float | None = None, name_k: int = 0,
                 floor: float = 0.0, background: Background | None = None) -> None:
        self.model, self.window, self.prefix, self.top_k = model, window, prefix, top_k
        self.background = background
        """Unrelated news whose nearness an article's best candidate must beat to count
        as the best (``features.candidate_features``'s ``hub``); ``None``: not used."""
        self.floor = floor
        """Content floor: a candidate with no name key in common and a dense cosine below
        this is never joined, whatever its score (0: none)."""
        self.states = StateTable()
        self.index = CentroidIndex(dim)
        self.name_k = name_k
        self.names = NameIndex()
        self.compact_after = compact_after
        self._hot: dict[str, float] = {}  # uncompacted cluster -> last time it changed
        self.dirty: set[str] = set()
        """Clusters changed since the last ``take_dirty`` (what a store must re-save);
        kept for a level that compacts (storylines) only."""
        self.observe: Observer | None = None

    def best(self, rep: ArticleRep, t: float, exclude: str | None = None,
             threshold: float | None = None) -> tuple[str | None, float]:
        """The best candidate cluster for ``rep`` and its probability, or ``None`` when
        none reaches ``threshold`` (default: the model's)."""
        cands = self.candidates(rep, t, exclude)
        if not cands:
            return None, 0.0
        self.states.load(cands)  # snapshots not fetched yet: one query for all
        x = candidate_features(rep, [self.states[c] for c in cands], self.index.last_count,
                               self.hub(rep))
        p = self.model.proba(x)
        if self.floor > 0:
            p = np.where((x[:, _DENSE] >= self.floor) | (x[:, _NAMES] > 0), p, 0.0)
        i = int(np.argmax(p))
        cut = self.model.threshold if threshold is None else threshold
        found = cands[i] if p[i] >= cut else None
        if self.observe is not None and exclude is None:
            self.observe(self, rep, cands, p, found)
        return found, float(p[i])

    def hub(self, rep: ArticleRep) -> float | None:
        """``rep``'s hubness against the background, if this level has one."""
        return None if self.background is None else float(self.background.hub(rep.dense)[0])

    def candidates(self, rep: ArticleRep, t: float, exclude: str | None = None
                   ) -> list[str]:
        """Dense top-k within the window, then up to ``name_k`` clusters sharing the
        article's most specific names that dense retrieval ranked lower."""
        cands = [c for c, _ in self.index.search(rep.dense, t, self.window, self.top_k)
                 if c != exclude]
        if self.name_k and rep.names:
            taken = {*cands, exclude} if exclude is not None else set(cands)
            cands += self.names.near(rep.names, self.name_k, self.index, t, self.window,
                                     taken)
        return cands

    def start(self, cid: str, rep: ArticleRep, t: float) -> EventState:
        st = EventState.start(cid, rep)
        self.states[cid] = st
        self.names.add(cid, rep.names)
        self._reindex(st, t)
        return st

    def join(self, cid: str, rep: ArticleRep, t: float) -> EventState:
        st = self.states[cid]
        dropped = st.add(rep)
        self.names.add(cid, rep.names)
        self.names.remove(cid, dropped)  # the index mirrors the (pruned) name counter
        self._reindex(st, t)
        return st

    def _reindex(self, st: EventState, t: float) -> None:
        first = st.first_time if st.first_time is not None else t
        last = st.last_time if st.last_time is not None else t
        self.index.upsert(st.id, st.centroid(), min(first, t), max(last, t))
        if self.compact_after is not None:  # a long-lived level: compacted and snapshotted
            self.dirty.add(st.id)
            self._hot[st.id] = max(t, self._hot.get(st.id, t))

    def put(self, st: EventState, placed: float) -> None:
        """Install a cluster restored from a snapshot (not dirty: the store has it), at
        its saved placement span (else its dated span, else ``placed``)."""
        self.states[st.id] = st
        self.names.add(st.id, st.names)
        if st.span is not None:
            first, last = st.span
        else:
            first = st.first_time if st.first_time is not None else placed
            last = st.last_time if st.last_time is not None else placed
        self.index.upsert(st.id, st.centroid(), first, last)
        if self.compact_after is not None:
            self._hot[st.id] = last  # compacted (truncated) once idle, like a live one

    def defer(self, cid: str, blob: bytes | None, idx: SnapshotIndex) -> None:
        """Index a cluster from its stored index entry without building it: the state is
        built from its snapshot (``blob``, else fetched through ``states.fetch``) when
        first read, and is then what ``put`` would have installed."""
        self.states.defer(cid, Deferred(blob, idx.compact_noop, idx.drop_keys,
                                        index=idx if blob is None else None))
        self.names.add_keys(cid, idx.keys)
        self.index.upsert(cid, idx.centroid, idx.first, idx.last)
        if self.compact_after is not None:
            self._hot[cid] = idx.last

    def take_dirty(self) -> list[EventState]:
        """The live clusters changed since the last call, and forget them."""
        self.dirty |= self.states.stood_in  # a damaged snapshot: save the stand-in
        self.states.stood_in.clear()
        out = [self.states[c] for c in sorted(self.dirty) if c in self.states]
        self.dirty.clear()
        return out

    def compact_idle(self, now: float) -> int:
        """Compact the clusters that have not changed for ``compact_after`` seconds."""
        if self.compact_after is None:
            return 0
        cutoff = now - self.compact_after
        idle = [cid for cid, t in self._hot.items() if t < cutoff]
        for cid in idle:
            del self._hot[cid]
            if self.states.deferred(cid) is not None:  # compacted when first read
                self.names.remove_keys(cid, self.states.compact_deferred(cid))
                continue
            st = self.states.get(cid)
            if st is not None:
                self.names.remove(cid, st.compact())
        return len(idle)

    def merge(self, src: str, dst: str, t: float) -> EventState:
        """Fold cluster ``src`` into ``dst`` (``src`` leaves the level)."""
        gone = self.drop(src)
        st = self.states[dst]
        dropped = st.absorb(gone)
        self.names.add(dst, gone.names)
        self.names.remove(dst, dropped)
        self._reindex(st, t)
        return st

    def drop(self, cid: str) -> EventState:
        """Remove a cluster from the live level (eviction)."""
        self.index.remove(cid)
        self._hot.pop(cid, None)
        st = self.states.pop(cid)
        self.names.remove(cid, st.names)
        return st


class OnlineClusterer:
    """Assigns articles to events and storylines one at a time."""

    def __init__(self, event_model: LogisticModel, storyline_model: LogisticModel, dim: int,
                 config: ClusterConfig | None = None,
                 on_evict: Callable[[str, EventState], None] | None = None, *,
                 keep_merged: bool = False) -> None:
        self.config = cfg = config or ClusterConfig()
        self.centring = _centring(cfg, event_model, dim)
        """Per-language means the dense vectors are centred on (``None``: not centred);
        its state is saved with the assignments and loaded before a restart's replay."""
        bg = hub_background(cfg, dim, self.centring)
        self.events = Level(event_model, dim, cfg.event_window_days * DAY, "ev", cfg.top_k,
                            name_k=cfg.name_candidates, background=bg,
                            floor=CENTRED_EVENT_FLOOR if self.centring is not None else 0.0)
        self.storylines = Level(storyline_model, dim, cfg.storyline_window_days * DAY, "sl",
                                cfg.top_k, cfg.storyline_compact_days * DAY,
                                name_k=cfg.name_candidates, floor=cfg.floor(storyline_model),
                                background=bg)
        self.lsh = LSHIndex()
        self._lsh_time: dict[str, float] = {}
        self.article_event: dict[str, str] = {}
        self.original_of: dict[str, str] = {}
        self.clock = 0.0
        self._on_evict = on_evict
        self._since_evict = 0
        self._look_again = cfg.second_look(storyline_model)
        self.merged: dict[str, str] = {}
        """Events and storylines folded into another by a second look (old id -> new
        id); ``resolve`` follows it. Only the folds not yet handed over by
        ``take_merged`` (the store keeps the rest as aliases, so a long ``watch`` does
        not grow it), or every fold of the run with ``keep_merged`` (evaluation, which
        resolves its assignments at the end)."""
        self._keep_merged = keep_merged
        self._new_merges: list[tuple[str, str]] = []

    def add(self, rep: ArticleRep, *, centred: bool = False) -> Assignment:
        """Place one article (its event, its storyline). ``centred``: the caller has
        already passed ``rep`` through ``self.centring.add`` (it is counted once)."""
        if self.centring is not None and not centred:
            rep = self.centring.add(rep)
        undated = rep.time is None
        t = rep.time if rep.time is not None else self.clock
        self.clock = max(self.clock, t)
        dup = self._duplicate_of(rep, t)
        new_event = new_story = False
        if dup is not None and self.article_event.get(dup) in self.events.states:
            ev_id, ev_score = self.article_event[dup], 1.0
            ev = self.events.states[ev_id]
            ev.add_copy(rep.id)
        else:
            dup = None
            found, ev_score = self.events.best(rep, t)
            if found is None:
                ev_id, ev_score, new_event = f"ev-{rep.id}", 1.0, True
                ev = self.events.start(ev_id, rep, t)
            else:
                ev = self._event_second_look(self.events.join(found, rep, t), rep, t)
                ev_id = ev.id
        if new_event:
            sl_id, sl_score = self.storylines.best(rep, t)
            if sl_id is None:
                sl_id, sl_score, new_story = f"sl-{rep.id}", 1.0, True
                self.storylines.start(sl_id, rep, t)
            else:
                self.storylines.join(sl_id, rep, t)
            ev.storyline_id = sl_id
        else:
            sl_id, sl_score = ev.storyline_id or f"sl-{rep.id}", 1.0
            if dup is None and sl_id in self.storylines.states:
                sl_id = self._second_look(ev, sl_id, rep, t)
                self.storylines.join(sl_id, rep, t)
        self.article_event[rep.id] = ev_id
        self.lsh.add(rep.id, rep.minhash)
        self._lsh_time[rep.id] = t
        self._since_evict += 1
        if self._since_evict >= 256:
            self.evict()
        return Assignment(rep.id, ev_id, sl_id, dup, round(ev_score, 4), round(sl_score, 4),
                          undated, t, new_event, new_story)

    def _second_look(self, ev: EventState, sl_id: str, rep: ArticleRep, t: float) -> str:
        """While an event is young and still alone in the storyline it started, look for
        its storyline again with what the event has become (its centroid, its frequent
        names across languages) instead of its first article alone; a storyline found
        takes the event's one in (``merged``). Returns the storyline to join."""
        own = self.storylines.states[sl_id]
        upto, margin = self._look_again
        if not 1 < ev.n_content <= upto or own.size != ev.n_content - 1:
            return sl_id  # not young, or not alone in its storyline
        cut = self.storylines.model.threshold + margin
        found, _ = self.storylines.best(ev.as_rep(rep), t, exclude=sl_id, threshold=cut)
        if found is None:
            return sl_id
        self.storylines.merge(sl_id, found, t)
        ev.storyline_id = found
        self._fold(sl_id, found)
        return found

    def _event_second_look(self, ev: EventState, rep: ArticleRep, t: float) -> EventState:
        """While an event is young, look whether it has become part of another live
        event, judged on what it has become (centroid, frequent names) rather than on one
        article: a fragment of an event that started apart (its first article missed)
        is folded into it. Not when its storyline holds other events (that storyline
        could not be split). Returns the event the article now belongs to."""
        if not 1 < ev.n_content <= self.config.event_second_look:
            return ev
        found, _ = self.events.best(ev.as_rep(rep), t, exclude=ev.id)
        if found is None:
            return ev
        into = self.events.states[found]
        mine, theirs = ev.storyline_id, into.storyline_id
        if mine != theirs:
            own = self.storylines.states.get(mine or "")
            if own is None or theirs is None or theirs not in self.storylines.states \
                    or own.size != ev.n_content - 1:
                return ev
            self.storylines.merge(own.id, theirs, t)
            self._fold(own.id, theirs)
        self.events.merge(ev.id, found, t)
        for m in ev.members:
            self.article_event[m] = found
        self._fold(ev.id, found)
        return into

    def _fold(self, old: str, new: str) -> None:
        self.merged[old] = new
        self._new_merges.append((old, new))

    def take_merged(self) -> list[tuple[str, str]]:
        """The ``(old, new)`` folds since the last call, in order: what a store must
        re-point (``Store.save_assignments``). Unless ``keep_merged``, they leave
        ``merged`` too: from now on the store answers for the old ids."""
        out, self._new_merges = self._new_merges, []
        if not self._keep_merged:
            for old, _ in out:
                self.merged.pop(old, None)
        return out

    def resolve(self, cid: str) -> str:
        """Where event or storyline ``cid`` lives now (merged ones point on,
        ``merged``): for any fold of the run with ``keep_merged``, else for those not
        yet handed over by ``take_merged``."""
        while cid in self.merged:
            cid = self.merged[cid]
        return cid

    def restore(self, rep: ArticleRep, event_id: str, storyline_id: str,
                duplicate_of: str | None, *, storylines: bool = True) -> None:
        """Replay a stored assignment (no decision), to rebuild the live window in a new
        process so that ids continue where the last run stopped. ``storylines=False``
        rebuilds the events only, when the storylines come from snapshots
        (``restore_storyline``). With centring, ``rep`` is centred on the current means
        without being counted again (the loaded state already holds it)."""
        if self.centring is not None:
            rep = self.centring.centre(rep)
        t = rep.time if rep.time is not None else self.clock
        self.clock = max(self.clock, t)
        if duplicate_of is not None and event_id in self.events.states:
            self.events.states[event_id].add_copy(rep.id)
            self.original_of[rep.id] = duplicate_of
        elif event_id in self.events.states:
            self.events.join(event_id, rep, t)
        else:
            self.events.start(event_id, rep, t).storyline_id = storyline_id
        if duplicate_of is None and storylines:
            if storyline_id in self.storylines.states:
                self.storylines.join(storyline_id, rep, t)
            else:
                self.storylines.start(storyline_id, rep, t)
        self.article_event[rep.id] = event_id
        self.lsh.add(rep.id, rep.minhash)
        self._lsh_time[rep.id] = t
        self._since_evict += 1
        if self._since_evict >= 256:
            self.evict()

    def restore_storyline(self, st: EventState, placed: float) -> None:
        """Install a storyline rebuilt from its stored snapshot; ``placed`` is its last
        placement time as stored."""
        self.storylines.put(st, placed)
        self.clock = max(self.clock, placed)

    def defer_storyline(self, cid: str, blob: bytes | None, seen: Peek | SnapshotIndex,
                        placed: float) -> None:
        """``restore_storyline`` without building the state until the clusterer first
        reads it (``Level.defer``); decisions are the same. ``seen`` is the snapshot's
        ``peek`` or its stored index entry (then ``blob`` may be ``None``: fetched on
        first read)."""
        idx = from_peek(seen, placed) if isinstance(seen, Peek) else seen
        self.storylines.defer(cid, blob, idx)
        self.clock = max(self.clock, placed)

    def _duplicate_of(self, rep: ArticleRep, t: float) -> str | None:
        horizon = 2 * self.events.window
        hits = [h for h in self.lsh.query(rep.minhash, self.config.duplicate_jaccard)
                if abs(self._lsh_time.get(h[0], t) - t) <= horizon]
        if not hits:
            return None
        first = hits[0][0]
        return self.original_of.setdefault(rep.id, self.original_of.get(first, first))

    def evict(self) -> None:
        """Drop clusters idle for more than twice their window (and old LSH entries);
        compact storylines idle for ``storyline_compact_days``."""
        self._since_evict = 0
        for level in (self.events, self.storylines):
            for cid in level.index.stale(self.clock - 2 * level.window):
                st = level.drop(cid)
                if self._on_evict:
                    self._on_evict(cid, st)
                if level is self.events:
                    for m in st.members:
                        self.article_event.pop(m, None)
                        self.original_of.pop(m, None)
        horizon = self.clock - 2 * self.events.window
        for aid in [a for a, t in self._lsh_time.items() if t < horizon]:
            self.lsh.remove(aid)
            del self._lsh_time[aid]
        self.storylines.compact_idle(self.clock)
