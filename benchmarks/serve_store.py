"""The store ``serve_load.py`` measures: ~10^4 articles with one story of 300+ articles.

Background: ``pipeline_scale.make_corpus`` (titles of SemEval-2022 dev articles, bodies
stitched from sentences of 4 same-language dev articles, ~800 articles a day), so the
store holds thousands of small events, as a news archive does. The big story: ``BIG``
reports of one real dev event (English, dated over one day, 60 outlets, after the
background's last day so no background article joins it), each a distinct text: the
event's three lead sentences, three in four of its other sentences and one sentence from
elsewhere, so the linker files them as one event, most as originals (a few as copies).

Building costs about a minute of CPU (ingest and cluster); the result is kept under a
cache path keyed by the sizes, the seed and ``VERSION``, and reused while it exists.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline_scale import DATA, START, make_corpus  # noqa: E402

VERSION = 1
"""Bump when the generated corpus changes, so a cached store is not reused."""
BIG = 340
_SENT = re.compile(r"(?<=[.!?])\s+")


def cache_path(n: int, big: int, seed: int) -> Path:
    """Where the store for these parameters is kept between runs."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "storylens-bench" / f"serve-load-v{VERSION}-{n}-{big}-s{seed}.db"


def _event_source(seed: int) -> tuple[str, list[str], list[str]]:
    """A long English dev article (title, sentences) and a pool of foreign sentences."""
    rows = [json.loads(line) for line in
            (DATA / "semeval2022-task8" / "dev.jsonl").open(encoding="utf-8")]
    sides = [s for r in rows for s in (r["a"], r["b"]) if s["lang"] == "en"]
    parsed = []
    for s in sides:
        text = s["text"].strip()
        title = " ".join(text.split()[:12])  # English dev texts rarely mark their title
        sents = [x for x in _SENT.split(text) if 40 < len(x) < 400]
        parsed.append((title, sents[1:]))
    rng = random.Random(seed)
    long = sorted((p for p in parsed if len(p[1]) >= 12 and p[0]), key=lambda p: p[0])
    title, sents = rng.choice(long)
    pool = [x for t, ss in parsed if t != title for x in ss[:3]]
    return title, sents, pool


def write_big_event(out: Path, n: int, seed: int, when: datetime) -> str:
    """Append ``n`` distinct reports of one event to ``out`` (ingest JSONL); returns the
    event's source title."""
    title, sents, pool = _event_source(seed)
    rng = random.Random(seed + 1)
    lead, rest = sents[:3], sents[3:]
    with out.open("a", encoding="utf-8") as fh:
        for i in range(n):
            body = lead + [s for s in rest if rng.random() < 0.75]
            body.insert(rng.randrange(1, len(body) + 1), rng.choice(pool))
            words = title.split()
            head = " ".join(words[: max(4, len(words) - rng.randrange(0, 3))])
            at = when + timedelta(minutes=rng.random() * 24 * 60)
            fh.write(json.dumps({
                "id": f"big{i}", "title": f"{head} ({i})", "text": " ".join(body),
                "lang": "en", "url": f"https://news{i % 60}.example/big/{i}",
                "published": at.isoformat()}, ensure_ascii=False) + "\n")
    return title


def build_store(db: Path, n: int, big: int = BIG, seed: int = 7) -> dict[str, object]:
    """Ingest and cluster ``n - big`` background articles and ``big`` reports of one
    event into a new store at ``db``; returns counts and the biggest event."""
    from storylens.api import ingest
    from storylens.link.service import cluster_store
    from storylens.store import open_store

    db.parent.mkdir(parents=True, exist_ok=True)
    corpus = db.with_suffix(".jsonl")
    make_corpus(corpus, n - big, seed)
    days = max(1.0, (n - big) / 800)
    write_big_event(corpus, big, seed, START + timedelta(days=days + 4))
    tmp = db.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    with open_store(tmp) as store:
        report = ingest([str(corpus)], store, batch_size=500)
        if not report.ok:
            raise RuntimeError(f"{corpus}: ingest failed for {report.failed}")
        cluster_store(store)
    corpus.unlink()
    tmp.replace(db)
    return describe(db)


def describe(db: Path) -> dict[str, object]:
    """Articles, events and the biggest event (id and size) of the store at ``db``."""
    from storylens.store import open_store

    with open_store(db) as store:
        top = store.list_stories("event", limit=1, sort="size")
        return {"articles": store.count_articles(), "events": store.count_stories("event"),
                "big_story": top[0].id if top else None,
                "big_story_size": top[0].size if top else 0,
                "big_story_copies": top[0].n_copies if top else 0}


def ensure_store(path: Path | None, n: int, big: int = BIG, seed: int = 7
                 ) -> tuple[Path, dict[str, object]]:
    """The store at ``path`` (or the cache path), built first if it does not exist."""
    db = path or cache_path(n, big, seed)
    if db.exists():
        return db, describe(db)
    print(f"building the {n}-article store at {db} (about a minute) ...", file=sys.stderr)
    return db, build_store(db, n, big, seed)


if __name__ == "__main__":
    t0 = datetime.now(UTC)
    where, info = ensure_store(None, int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(where, info, f"{(datetime.now(UTC) - t0).total_seconds():.0f}s")
