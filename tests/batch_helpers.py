"""A corpus for batch-vs-ingest tests and the store dump both are compared by.

The corpus recombines the README sample's 28 real articles (8 languages) into a few
hundred reports from six outlets, each outlet printing its own furniture lines (a
subscription line, share buttons, a copyright notice) so the cleaner's per-outlet
repeated-line counts decide what is kept; a few have no date (ordered by ingest time),
some are exact repeats (duplicates), and a few lines are bad input.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storylens.store.base import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "news-sample.jsonl"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
OUTLETS = ("north.example", "south.example", "east.example", "west.example",
           "daily.example", "wire.example")


def furniture(outlet: str) -> tuple[list[str], list[str]]:
    """Lines ``outlet`` prints above and below every story."""
    name = outlet.split(".")[0].title()
    return ([f"{name} Daily — Home | World | Politics | Sport", "Share on Facebook Twitter"],
            [f"Subscribe to the {name} newsletter", f"© {name} Media 2024 All rights reserved"])


def write_corpus(path: Path, n: int, *, seed: int = 3, bad: bool = True,
                 outlets: tuple[str, ...] = OUTLETS) -> int:
    """Write ``n`` JSONL reports (plus repeats and bad lines); return the physical lines."""
    sample = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    lines: list[str] = []
    for i in range(n):
        base = sample[i % len(sample)]
        outlet = outlets[rng.randrange(len(outlets))]
        head, foot = furniture(outlet)
        sents = [s.strip() + "." for s in base["text"].split(". ") if s.strip()]
        k = rng.randint(max(1, len(sents) // 2), len(sents))
        body = [" ".join(sents[:k][j:j + 2]) for j in range(0, k, 2)]
        rec: dict[str, Any] = {
            "id": f"b{i}", "title": f"{base['title']} ({i % 50})",
            "text": "\n".join(head + body + foot), "lang": base["lang"],
            "url": f"https://{outlet}/story/{i}",
        }
        if i % 17 != 5:  # a few undated: placed by ingest time
            when = start + timedelta(hours=rng.random() * 24 * 20)
            rec["published"] = when.isoformat()
        lines.append(json.dumps(rec, ensure_ascii=False))
        if i % 40 == 7:
            lines.append(lines[-1])  # an exact repeat: a duplicate
        if i % 23 == 11:
            lines.append("")  # blank lines are skipped, and still numbered
    if bad:
        lines.insert(len(lines) // 3, "{not json")
        lines.insert(2 * len(lines) // 3, json.dumps({"title": "no body"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def dump_articles(store: Store) -> list[tuple[Any, ...]]:
    """Every stored article's fields, newest first with ties in insertion order (the
    order the web UI lists them and linking reads them)."""
    ids = _all_ids(store)
    return [(a.id, a.source, a.title, a.text, a.outlet, a.published, a.lang,
             [(r.text, r.reason) for r in a.removed], a.warnings)
            for a in store.get_articles(ids)]


def _all_ids(store: Store) -> list[str]:
    from storylens.store.base import ArticleQuery

    n = store.count_articles()
    return [a.id for a in store.list_articles(ArticleQuery(limit=n + 1))]


def dump_events(store: Store) -> list[tuple[Any, ...]]:
    """Every article's event and storyline (and original, for a syndicated copy)."""
    out = []
    for aid in sorted(_all_ids(store)):
        asg = store.article_assignment(aid)
        assert asg is not None, f"{aid} was not clustered"
        out.append((aid, asg.event_id, asg.storyline_id, asg.duplicate_of))
    return out


def dump_scores(store: Store) -> list[float]:
    """The event and storyline scores that placed every article, in id order: equal to
    float32 rounding (vectors summed in another order differ in the last bits, and the
    clusterer keeps 4 decimals), so compare them with a tolerance."""
    out: list[float] = []
    for aid in sorted(_all_ids(store)):
        asg = store.article_assignment(aid)
        assert asg is not None, f"{aid} was not clustered"
        out += [asg.event_score, asg.storyline_score]
    return out
