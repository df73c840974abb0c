"""In-memory state of one event cluster: what the pair model compares an article with.

Bounded per cluster, whatever its size (storylines grow to thousands of articles): the
dense centroid is a running sum, lexical centroids are pruned to a few hundred terms, the
name and number counters to their ``MAX_KEYS`` most frequent entries, and the normalised
views the pair features read are computed once per change, not once per comparison.

Bounded over many clusters too: a storyline stays a candidate for months, so tens of
thousands of idle ones are live at once. ``compact()`` packs an idle cluster into a few
kilobytes (its strongest lexical terms as numpy arrays, its top names, a sample of its
times, no memoised views); the next ``add`` unpacks it. Features read a compact cluster
exactly as a live one, through the same accessors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from storylens.represent.article import ArticleRep, FloatVec
from storylens.represent.lexical import SparseVec, add_into, cosine, normalise
from storylens.represent.skeleton import skeleton

MAX_KEYS = 400
"""Name/number counters are pruned back to half this size when they exceed it."""

COMPACT_TITLE_TERMS = 48
COMPACT_BODY_TERMS = 192
COMPACT_NAMES = 64
COMPACT_NUMBERS = 32
COMPACT_TIMES = 8

IntVec = npt.NDArray[np.int32]  # hashed feature ids are < 2**22 (lexical._N_FEATURES)
F32Vec = npt.NDArray[np.float32]


def _pack(acc: SparseVec, keep: int) -> tuple[IntVec, F32Vec]:
    """The ``keep`` strongest terms of an accumulator as (feature ids, weights) arrays,
    in feature-id order (so a cosine can look terms up with ``searchsorted``)."""
    top = sorted(acc.items(), key=lambda kv: kv[1], reverse=True)[:keep]
    top.sort()
    return (np.fromiter((f for f, _ in top), dtype=np.int32, count=len(top)),
            np.fromiter((v for _, v in top), dtype=np.float32, count=len(top)))


def packed_cosine(packed: tuple[IntVec, F32Vec], vec: Mapping[int, float]) -> float:
    """Cosine of an L2-normalised sparse ``vec`` with a packed (key-sorted) accumulator:
    what ``cosine(vec, normalise(unpacked))`` gives, without building the dict."""
    keys, vals = packed
    if not vec or keys.size == 0:
        return 0.0
    norm = float(np.sqrt(np.dot(vals, vals)))
    if norm <= 0.0:
        return 0.0
    q = np.fromiter(vec.keys(), dtype=np.int64, count=len(vec))
    idx = np.minimum(np.searchsorted(keys, q), keys.size - 1)
    hit = keys[idx] == q
    if not hit.any():
        return 0.0
    w = np.fromiter(vec.values(), dtype=np.float64, count=len(vec))
    return float(np.dot(w[hit], vals[idx[hit]])) / norm


def _unpack(packed: tuple[IntVec, F32Vec]) -> SparseVec:
    return dict(zip(packed[0].tolist(), packed[1].tolist(), strict=True))


def _top(counter: Counter[str], keep: int) -> Counter[str]:
    return Counter(dict(counter.most_common(keep))) if len(counter) > keep else counter


def _prune(counter: Counter[str]) -> set[str]:
    """Cut ``counter`` back to its ``MAX_KEYS // 2`` most common keys when it exceeds
    ``MAX_KEYS``; return the keys it dropped."""
    if len(counter) <= MAX_KEYS:
        return set()
    keep = dict(counter.most_common(MAX_KEYS // 2))
    dropped = set(counter) - set(keep)
    counter.clear()
    counter.update(keep)
    return dropped


def unit_centroid(dense_sum: FloatVec) -> FloatVec:
    """The unit-length centroid of a cluster whose member vectors sum to ``dense_sum``."""
    n = float(np.linalg.norm(dense_sum))
    return (dense_sum / n).astype(np.float32) if n > 0 else dense_sum


@dataclass(slots=True)
class EventState:
    """A growing event cluster."""

    id: str
    dense_sum: FloatVec
    title_acc: SparseVec = field(default_factory=dict)
    body_acc: SparseVec = field(default_factory=dict)
    names: Counter[str] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    langs: Counter[str] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    members: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    first_time: float | None = None
    last_time: float | None = None
    title: str = ""
    storyline_id: str | None = None
    span: tuple[float, float] | None = None
    """Placement span (first, last) restored from a snapshot: undated members are placed
    at the stream clock, so it can reach beyond ``first_time``/``last_time``."""
    prior_members: int = 0
    """Members counted before the state was restored from a snapshot (ids not kept)."""
    n_content: int = 0
    """Members whose content was added (syndicated copies are not): ``dense_sum`` sums
    this many unit vectors."""
    _views: dict[str, object] = field(default_factory=dict, repr=False)
    _packed: tuple[tuple[IntVec, F32Vec], tuple[IntVec, F32Vec]] | None = field(
        default=None, repr=False)

    @classmethod
    def start(cls, event_id: str, rep: ArticleRep) -> EventState:
        ev = cls(id=event_id, dense_sum=np.zeros_like(rep.dense), title=rep.title)
        ev.add(rep)
        return ev

    @property
    def size(self) -> int:
        return len(self.members) + self.prior_members

    @property
    def compacted(self) -> bool:
        return self._packed is not None

    def compact(self) -> set[str]:
        """Pack an idle cluster: keep its strongest terms, names and numbers, a sample of
        its times, and drop the memoised views. Idempotent; ``add`` undoes it. Returns
        the names it dropped (a name index must forget them)."""
        if self._packed is None:
            self._packed = (_pack(self.title_acc, COMPACT_TITLE_TERMS),
                            _pack(self.body_acc, COMPACT_BODY_TERMS))
            self.title_acc, self.body_acc = {}, {}
        else:  # restored from a live state's snapshot: untruncated arrays
            (tk, tv), (bk, bv) = self._packed
            if tk.size > COMPACT_TITLE_TERMS or bk.size > COMPACT_BODY_TERMS:
                self._packed = (_pack(_unpack((tk, tv)), COMPACT_TITLE_TERMS),
                                _pack(_unpack((bk, bv)), COMPACT_BODY_TERMS))
        before = set(self.names)
        self.names = _top(self.names, COMPACT_NAMES)
        self.numbers = _top(self.numbers, COMPACT_NUMBERS)
        if len(self.times) > COMPACT_TIMES:
            ts = sorted(self.times)
            step = (len(ts) - 1) / (COMPACT_TIMES - 1)
            self.times = [ts[round(i * step)] for i in range(COMPACT_TIMES)]
        self._views.clear()
        return before - set(self.names)

    def packed_lexical(self) -> tuple[tuple[IntVec, F32Vec], tuple[IntVec, F32Vec]]:
        """The (title, body) accumulators as arrays, without compacting: the packed ones
        of a compact cluster, every term of a live one."""
        if self._packed is not None:
            return self._packed
        return (_pack(self.title_acc, len(self.title_acc)),
                _pack(self.body_acc, len(self.body_acc)))

    def lexical_sizes(self) -> tuple[int, int]:
        """How many (title, body) terms ``packed_lexical`` holds, without packing."""
        if self._packed is not None:
            return int(self._packed[0][0].size), int(self._packed[1][0].size)
        return len(self.title_acc), len(self.body_acc)

    def set_packed(self, title: tuple[IntVec, F32Vec], body: tuple[IntVec, F32Vec]) -> None:
        """Install compact accumulators (a state restored from a snapshot), key-sorted
        as ``_pack`` makes them."""
        self.title_acc, self.body_acc = {}, {}
        self._packed = (title, body)
        self._views.clear()

    def _thaw(self) -> None:
        if self._packed is not None:
            self.title_acc, self.body_acc = _unpack(self._packed[0]), _unpack(self._packed[1])
            self._packed = None

    def add(self, rep: ArticleRep) -> set[str]:
        """Add a member; returns the names the pruned counter dropped."""
        self._thaw()
        self.members.append(rep.id)
        self._views.clear()
        self.n_content += 1
        self.dense_sum = self.dense_sum + rep.dense
        add_into(self.title_acc, rep.title_vec, max_terms=80)
        add_into(self.body_acc, rep.body_vec)
        self.names.update(rep.names)
        self.numbers.update(rep.numbers)
        dropped = _prune(self.names)
        _prune(self.numbers)
        if rep.lang:
            self.langs[rep.lang] += 1
        if rep.outlet:
            self.outlets[rep.outlet] += 1
        if rep.time is not None:
            self.times.append(rep.time)
            if len(self.times) > 64:
                self.times = sorted(self.times)[:: max(1, len(self.times) // 32)]
            self.first_time = rep.time if self.first_time is None else min(self.first_time,
                                                                            rep.time)
            self.last_time = rep.time if self.last_time is None else max(self.last_time,
                                                                          rep.time)
        return dropped

    def absorb(self, other: EventState) -> set[str]:
        """Take in every member of ``other`` (a storyline merged into this one); returns
        the names the pruned counter dropped."""
        self._thaw()
        other_title, other_body = other.packed_lexical()
        self.members.extend(other.members)
        self.prior_members += other.prior_members
        self.n_content += other.n_content
        self.dense_sum = self.dense_sum + other.dense_sum
        add_into(self.title_acc, _unpack(other_title), max_terms=80)
        add_into(self.body_acc, _unpack(other_body))
        self.names.update(other.names)
        self.numbers.update(other.numbers)
        dropped = _prune(self.names)
        _prune(self.numbers)
        self.langs.update(other.langs)
        self.outlets.update(other.outlets)
        self.times = sorted([*self.times, *other.times])
        if len(self.times) > 64:
            self.times = self.times[:: max(1, len(self.times) // 32)]
        for t in (other.first_time, other.last_time):
            if t is not None:
                self.first_time = t if self.first_time is None else min(self.first_time, t)
                self.last_time = t if self.last_time is None else max(self.last_time, t)
        self._views.clear()
        return dropped

    def as_rep(self, like: ArticleRep) -> ArticleRep:
        """The cluster seen as one article, for a decision about the whole cluster (its
        storyline): its centroids, frequent names and numbers, with ``like``'s id, time,
        language and outlet."""
        return ArticleRep(like.id, like.time, like.lang, like.outlet, self.centroid(),
                          self.title_centroid(), self.body_centroid(),
                          self.frequent_names(), self.frequent_numbers(), like.minhash,
                          self.title)

    def add_copy(self, article_id: str) -> None:
        """Count a syndicated copy as a member (reach) without adding its content again."""
        self.members.append(article_id)
        self._views.clear()

    def centroid(self) -> FloatVec:
        got = self._views.get("dense")
        if got is None:
            got = self._views["dense"] = unit_centroid(self.dense_sum)
        return got  # type: ignore[return-value]

    def dense_mean(self, vec: FloatVec) -> float:
        """Mean cosine of a unit ``vec`` with the members: ``vec · dense_sum / n``. Unlike
        the centroid's cosine it drops as the members disagree, so a cluster that has
        swallowed several events (a blurred centroid) stops attracting articles."""
        return float(vec @ self.dense_sum) / max(self.n_content, 1)

    def title_centroid(self) -> SparseVec:
        return self._lexical("title", 0, self.title_acc)

    def body_centroid(self) -> SparseVec:
        return self._lexical("body", 1, self.body_acc)

    def _lexical(self, key: str, slot: int, acc: SparseVec) -> SparseVec:
        """Normalised lexical centroid, memoised until the cluster changes (rebuilt, not
        kept, for a compact cluster)."""
        if self._packed is not None:
            return normalise(_unpack(self._packed[slot]))
        got = self._views.get(key)
        if got is None:
            got = self._views[key] = normalise(acc)
        return got  # type: ignore[return-value]

    def lexical_cosine(self, slot: int, vec: Mapping[int, float]) -> float:
        """Cosine of an article's normalised title (``slot`` 0) or body (1) vector with
        this cluster's centroid; a compact cluster answers from its packed arrays."""
        if self._packed is not None:
            return packed_cosine(self._packed[slot], vec)
        return cosine(vec, self.title_centroid() if slot == 0 else self.body_centroid())

    def _frequent(self, view: str, counts: Mapping[str, int], share: int) -> frozenset[str]:
        """Keys of ``counts`` seen in at least 1/``share`` of the members (at least once),
        memoised as ``view`` until the cluster changes."""
        got = self._views.get(view)
        if got is None:
            threshold = max(1, self.size // share)
            got = self._views[view] = frozenset(k for k, c in counts.items()
                                                if c >= threshold)
        return got  # type: ignore[return-value]

    def frequent_names(self) -> frozenset[str]:
        """Names seen in at least a third of the members (at least once)."""
        return self._frequent("frequent", self.names, 3)

    def frequent_keys(self) -> frozenset[str]:
        """Cross-script skeletons (``represent.skeleton``) of the cluster's names, counted
        over all their spellings ("Biden", "Байден" and "バイデン" add up), kept when seen
        in at least a third of the members: what the event is about, not everything
        its members ever mentioned (a blurred cluster must not match every article)."""
        if "keys" in self._views:
            return self._views["keys"]  # type: ignore[return-value]
        counts: Counter[str] = Counter()
        for n, c in self.names.items():
            k = skeleton(n)
            if k:
                counts[k] += c
        return self._frequent("keys", counts, 3)

    def frequent_numbers(self) -> frozenset[str]:
        """Numbers seen in at least a quarter of the members (at least once)."""
        return self._frequent("numbers", self.numbers, 4)

    def nearest_gap_hours(self, t: float | None) -> float | None:
        """Hours between ``t`` and the closest member time; ``None`` if either is unknown."""
        if t is None or not self.times:
            return None
        return min(abs(t - x) for x in self.times) / 3600.0
