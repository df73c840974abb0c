"""In-memory state of one event cluster: what the pair model compares an article with.

Bounded per event: the dense centroid is a running sum, lexical centroids are pruned to a
few hundred terms, names/numbers are counters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from storylens.represent.article import ArticleRep, FloatVec
from storylens.represent.lexical import SparseVec, add_into, normalise


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
        self.dense_sum = self.dense_sum + rep.dense
        add_into(self.title_acc, rep.title_vec, max_terms=80)
        add_into(self.body_acc, rep.body_vec)
        self.names.update(rep.names)
        self.numbers.update(rep.numbers)
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

    def centroid(self) -> FloatVec:
        n = float(np.linalg.norm(self.dense_sum))
        return (self.dense_sum / n).astype(np.float32) if n > 0 else self.dense_sum

    def title_centroid(self) -> SparseVec:
        return normalise(self.title_acc)

    def body_centroid(self) -> SparseVec:
        return normalise(self.body_acc)

    def nearest_gap_hours(self, t: float | None) -> float | None:
        """Hours between ``t`` and the closest member time; ``None`` if either is unknown."""
        if t is None or not self.times:
            return None
        return min(abs(t - x) for x in self.times) / 3600.0
