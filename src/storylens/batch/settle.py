"""Settling a finished shard: make sure every article was cleaned with the repeated-line
counts ``ingest`` would have used, and clean again here the few that were not.

A worker cleans a shard with counts handed out when the shard was sent: the store's,
plus a guess for the shards before it still in flight. For text and JSONL inputs the
guess is exact (an article adds its raw lines). For HTML, ``ingest`` counts a page's
*cleaned* lines, unknown until that page is cleaned; the guess is that an in-flight page
adds none (true once an outlet's furniture has been seen twice: from then on every page
drops it, so it stops counting). When a shard comes back, every shard before it is
stored, so the exact counts are known: an article whose counts differ where the cleaner
looks (a line of fewer than ``SITE_MAX_WORDS`` words seen in at least
``SITE_MIN_ARTICLES`` other articles, and how many) is cleaned again, here, with the exact
ones. The store thus gets what ``ingest`` would write, always; the cost is the
re-cleaning, counted in the report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from storylens.api.ingestion import stored_line_keys
from storylens.batch.tasks import Failure, FinishedShard, FinishTask, internal_reason
from storylens.errors import InputError
from storylens.extract.pipeline import Prepared, finish_article
from storylens.extract.plaintext import SITE_MAX_WORDS, SITE_MIN_ARTICLES, line_key
from storylens.store.base import Store

_WORD = re.compile(r"\w+")  # how ``line_features.measure`` counts a line's words


def decisive(counts: Mapping[str, int], short: set[str]) -> dict[str, int]:
    """The counts the cleaner acts on: lines short enough for the repetition rule, seen
    in enough other articles (the count itself shows in the reason it records)."""
    return {k: n for k, n in counts.items() if n >= SITE_MIN_ARTICLES and k in short}


def short_keys(p: Prepared) -> set[str]:
    """Keys of the lines of ``p`` the repetition rule may drop: a line of at least
    ``SITE_MAX_WORDS`` words (a repeated story paragraph) never is, whatever its count."""
    return {line_key(ln) for ln in p.body.splitlines()
            if ln.strip() and len(_WORD.findall(ln)) < SITE_MAX_WORDS}


def settle(fin: FinishedShard, task: FinishTask, store: Store) -> int:
    """Fix ``fin`` in place against the store (which holds every earlier shard); returns
    how many articles were cleaned again."""
    keys_by_outlet: dict[str, set[str]] = {}
    for p in task.items:
        if p.outlet:
            keys_by_outlet.setdefault(p.outlet, set()).update(p.line_keys())
    stored = {o: store.outlet_line_counts(o, sorted(ks)) for o, ks in keys_by_outlet.items()}
    used_pending: Counter[tuple[str, str]] = Counter()  # as the worker counted
    exact_pending: Counter[tuple[str, str]] = Counter()  # as ingest counts
    redone = 0
    for i, (p, item) in enumerate(zip(task.items, fin.items, strict=True)):
        if isinstance(item, Failure) or not p.outlet:
            continue
        art, keys = item
        o = p.outlet
        lines = p.line_keys()
        used = {k: task.base.get((o, k), 0) + used_pending[(o, k)] for k in lines}
        exact = {k: stored[o].get(k, 0) + exact_pending[(o, k)] for k in lines}
        used_pending.update((o, k) for k in keys)
        short = short_keys(p)
        if decisive(used, short) != decisive(exact, short):
            redone += 1
            try:
                now = art.ingested_at or task.now or datetime.now(UTC)
                art = finish_article(p, now=now, counts={k: n for k, n in exact.items() if n})
            except InputError as e:
                fin.items[i] = Failure(e.source, e.reason)
                continue
            except Exception as e:  # a bug on one input must not sink the batch
                fin.items[i] = Failure(p.raw.source, internal_reason(e), internal=True)
                continue
            keys = stored_line_keys(art)
            fin.items[i] = (art, keys)
        exact_pending.update((o, k) for k in keys)
    return redone
