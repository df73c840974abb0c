"""In-memory state of one event cluster: what the pair model compares an article with.

Bounded per cluster, whatever its size (storylines grow to thousands of articles): the
dense centroid is a running sum, lexical centroids are pruned to a few hundred terms, the
name and number counters to their ``MAX_KEYS`` most frequent entries, and the normalised
views the pair features read are computed once per change, not once per comparison.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from storylens.represent.article import ArticleRep, FloatVec
from storylens.represent.lexical import SparseVec, add_into, normalise

MAX_KEYS = 400
"""Name/number counters are pruned back to half this size when they exceed it."""


def _prune(counter: Counter[str]) -> None:
    if len(counter) > MAX_KEYS:
        keep = counter.most_common(MAX_KEYS // 2)
        counter.clear()
        counter.update(dict(keep))


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
    _views: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def start(cls, event_id: str, rep: ArticleRep) -> EventState:
        ev = cls(id=event_id, dense_sum=np.zeros_like(rep.dense), title=rep.title)
        ev.add(rep)
        return ev

    @property
    def size(self) -> int:
        return len(self.members)

    def add(self, rep: ArticleRep) -> None:
        self.members.append(rep.id)
        self._views.clear()
        self.dense_sum = self.dense_sum + rep.dense
        add_into(self.title_acc, rep.title_vec, max_terms=80)
        add_into(self.body_acc, rep.body_vec)
        self.names.update(rep.names)
        self.numbers.update(rep.numbers)
        _prune(self.names)
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

    def add_copy(self, article_id: str) -> None:
        """Count a syndicated copy as a member (reach) without adding its content again."""
        self.members.append(article_id)
        self._views.clear()

    def centroid(self) -> FloatVec:
        got = self._views.get("dense")
        if got is None:
            n = float(np.linalg.norm(self.dense_sum))
            got = (self.dense_sum / n).astype(np.float32) if n > 0 else self.dense_sum
            self._views["dense"] = got
        return got  # type: ignore[return-value]

    def title_centroid(self) -> SparseVec:
        got = self._views.get("title")
        if got is None:
            got = self._views["title"] = normalise(self.title_acc)
        return got  # type: ignore[return-value]

    def body_centroid(self) -> SparseVec:
        got = self._views.get("body")
        if got is None:
            got = self._views["body"] = normalise(self.body_acc)
        return got  # type: ignore[return-value]

    def frequent_names(self) -> frozenset[str]:
        """Names seen in at least a third of the members (at least once)."""
        got = self._views.get("frequent")
        if got is None:
            threshold = max(1, self.size // 3)
            got = self._views["frequent"] = frozenset(
                n for n, c in self.names.items() if c >= threshold)
        return got  # type: ignore[return-value]

    def nearest_gap_hours(self, t: float | None) -> float | None:
        """Hours between ``t`` and the closest member time; ``None`` if either is unknown."""
        if t is None or not self.times:
            return None
        return min(abs(t - x) for x in self.times) / 3600.0
