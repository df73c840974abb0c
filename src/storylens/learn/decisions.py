"""Where an online linker's event decisions go: the diagnosis behind a B³ number.

A B³-F1 says how far the clusters are from the gold ones, not why. This module replays a
labelled stream through ``OnlineClusterer`` and sorts every scored article's event
decision into one of a few kinds — joined its event, started a new one while its event
was already there (below the threshold, or not even retrieved), joined another event (a
distractor's, one of its own storyline, another story's) — so an evaluation can say
which of retrieval, the threshold or the pair model loses the recall at a density.

The gold event a cluster stands for, at the moment of the decision, is the label most of
its members carry. Used by ``learn.lso`` (one table per run, out of fold); the product
never sets the observer it relies on (``Level.observe``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from storylens.learn.devset import DISTRACTOR, Row
from storylens.link.model import LogisticModel
from storylens.link.online import (
    Assignment,
    ClusterConfig,
    Level,
    Observer,
    OnlineClusterer,
)
from storylens.represent.article import ArticleRep

KINDS: tuple[str, ...] = (
    "joined its event",
    "first of its event: new",
    "first of its event: joined another",
    "copy of a stored article",
    "new, its event scored below the threshold",
    "new, its event not retrieved",
    "joined another event, its own a candidate",
    "joined another event, its own not retrieved",
    "of which a distractor's",
    "of which one of its storyline",
)
"""The kinds, in report order. The two "of which" rows count within both "joined
another event" rows (the rest are other stories' events)."""


def _label(level: Level, cid: str, gold: dict[str, str]) -> str:
    """The gold event most members of cluster ``cid`` carry ('' when none is labelled)."""
    counts = Counter(gold.get(m, "") for m in level.states[cid].members)
    return counts.most_common(1)[0][0] if counts else ""


def _kinds(label: str, storyline_of: dict[str, str], first: bool, labels: Sequence[str],
           chosen: str | None, copy: bool) -> list[str]:
    """The kinds of one decision for an article of gold event ``label``: ``labels`` are
    its candidates' gold events, ``chosen`` the gold event of the one it joined
    (``None``: it started a new event), ``copy``: it was linked as a syndicated copy."""
    if copy:
        return ["copy of a stored article"]
    if chosen == label:
        return ["joined its event"]
    if first:
        return ["first of its event: new" if chosen is None else
                "first of its event: joined another"]
    present = label in labels
    if chosen is None:
        return ["new, its event scored below the threshold" if present else
                "new, its event not retrieved"]
    out = ["joined another event, its own a candidate" if present else
           "joined another event, its own not retrieved"]
    if chosen.startswith(DISTRACTOR):
        out.append("of which a distractor's")
    elif storyline_of.get(chosen) == storyline_of.get(label):
        out.append("of which one of its storyline")
    return out


def cluster_rows(rows: Sequence[Row], ev: LogisticModel, sl: LogisticModel,
                 cfg: ClusterConfig, observe: Observer | None = None) -> list[Assignment]:
    """Online assignments of ``rows`` in their order, folds resolved; ``observe`` (if
    given) sees every first event decision (``Level.observe``)."""
    cl = OnlineClusterer(ev, sl, rows[0][0].dense.shape[0], cfg, keep_merged=True)
    cl.events.observe = observe
    out = [cl.add(r) for r, _, _ in rows]
    return [dataclasses.replace(a, event_id=cl.resolve(a.event_id),
                                storyline_id=cl.resolve(a.storyline_id)) for a in out]


def run_with_decisions(stream: Sequence[Row], ev: LogisticModel, sl: LogisticModel,
                       cfg: ClusterConfig, keep: set[str]
                       ) -> tuple[list[Assignment], Counter[str]]:
    """``cluster_rows`` of ``stream``, and the kinds of the event decisions of the
    articles in ``keep``."""
    gold = {r.id: e for r, e, _ in stream}
    storyline_of = {e: s for _, e, s in stream}
    seen: dict[str, tuple[list[str], str | None]] = {}

    def observe(level: Level, rep: ArticleRep, cands: list[str], _p: np.ndarray,
                found: str | None) -> None:
        if rep.id in keep:
            seen[rep.id] = ([_label(level, c, gold) for c in cands],
                            None if found is None else _label(level, found, gold))

    got = cluster_rows(stream, ev, sl, cfg, observe)
    counts: Counter[str] = Counter()
    seen_events: set[str] = set()
    for (rep, label, _), a in zip(stream, got, strict=True):
        if rep.id in keep:
            labels, chosen = seen.get(rep.id, ([], None))
            counts.update(_kinds(label, storyline_of, label not in seen_events, labels,
                                 chosen, a.duplicate_of is not None))
        seen_events.add(label)
    return got, counts


def table(decisions: dict[str, dict[str, int]]) -> list[str]:
    """Markdown: one row per kind, one column per density (counts of scored articles)."""
    names = list(decisions)
    lines = ["| event decision of a held-out article | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for kind in KINDS:
        lines.append(f"| {kind} | " + " | ".join(str(decisions[n].get(kind, 0))
                                                 for n in names) + " |")
    return lines


def pool(per_fold: Iterable[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Per-density counts summed over folds."""
    out: dict[str, Counter[str]] = {}
    for fold in per_fold:
        for name, counts in fold.items():
            out.setdefault(name, Counter()).update(counts)
    return {name: dict(c) for name, c in out.items()}
