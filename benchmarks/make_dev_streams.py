"""Build labelled development streams for story clustering from ../shared/data.

Writes, in the storylens JSONL ingest format (one article a line: id, url, lang, title,
text, published, outlet, event, storyline), to ``--out`` (default ``<repo>/.devdata/``,
git-ignored: the texts are third-party and must not be committed):

* ``semeval-dev-stream.jsonl``: the 2,051 SemEval-2022 Task 8 dev articles, gold events from
  annotated same-event pairs (see ``storylens.learn.streams.constrained_components``),
  gold storylines from looser pairs, simulated crowded publication times;
* ``semeval-dev-stream-nodates.jsonl``: the same articles without dates, in arrival order
  shuffled within a sliding window;
* ``headlines-fr.jsonl``: 1,332 French Google News headlines in 288 stories (weak gold);
* ``mixed-stream.jsonl``: both merged on one simulated calendar.

Gold rules (documented so results can be read):
  event     = constrained components over pairs with overall <= 1.5, plus identical URLs and
              near-identical titles from different outlets (syndication; --no-title-links
              turns this off), never joining a pair with overall >= 3.5; every other article
              is a singleton.
  storyline = the same over pairs with overall <= 2.5 (always a coarsening of events).

Usage: python benchmarks/make_dev_streams.py [--data DIR] [--out DIR] [--seed N] [--json]
Exits 0 with a note when the shared data directory is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from storylens.learn.streams import (
    DateSimulation,
    StreamArticle,
    constrained_components,
    iter_jsonl,
    local_shuffle,
    outlet_of,
    simulate_published,
    split_title,
    stream_stats,
    title_duplicate_links,
    url_date,
    write_stream,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("STORYLENS_SHARED_DATA", REPO.parent / "shared" / "data"))
SAME_EVENT_MAX = 1.5
STORYLINE_MAX = 2.5
UNRELATED_MIN = 3.5


def build_semeval(
    path: Path, *, title_links: bool = True
) -> tuple[list[StreamArticle], dict[str, Any]]:
    """Articles with gold events/storylines from the SemEval pair file, plus a gold report."""
    pairs = list(iter_jsonl(path))
    raw: dict[str, dict[str, Any]] = {}
    for p in pairs:
        for side in ("a", "b"):
            raw.setdefault(str(p[side]["id"]), p[side])
    ids = sorted(raw)
    scored = [(str(p["a"]["id"]), str(p["b"]["id"]), float(p["overall"])) for p in pairs]
    by_url: dict[str, list[str]] = {}
    for art_id in ids:
        by_url.setdefault(raw[art_id]["url"], []).append(art_id)
    # Two ids for one URL are the same article (one is a re-crawl/translation): strongest link.
    dup_links = [(g[0], other, 0.0) for g in by_url.values() for other in g[1:]]
    titles = {i: split_title(raw[i]["text"])[0] for i in ids}
    syndicated = (
        title_duplicate_links([(i, titles[i], outlet_of(raw[i]["url"])) for i in ids])
        if title_links
        else []
    )
    # Syndicated copies link at the weakest same-event strength, so cannot-links win.
    extra = dup_links + [(a, b, SAME_EVENT_MAX) for a, b in syndicated]
    cannot = [(a, b) for a, b, s in scored if s >= UNRELATED_MIN]
    same = [e for e in scored if e[2] <= SAME_EVENT_MAX] + extra
    loose = [e for e in scored if e[2] <= STORYLINE_MAX] + extra

    annotated_events, _ = constrained_components(
        ids, [e for e in scored if e[2] <= SAME_EVENT_MAX] + dup_links, cannot
    )
    free_events, _ = constrained_components(ids, same, [])
    free_story, _ = constrained_components(ids, loose, [])
    events, ev_report = constrained_components(ids, same, cannot)
    stories, st_report = constrained_components(ids, loose, cannot)
    refinement_violations = sum(
        1
        for members in _groups(events).values()
        if len({stories[m] for m in members}) > 1
    )

    articles: list[StreamArticle] = []
    guessed = 0
    for art_id in ids:
        r = raw[art_id]
        title, text, was_guessed = split_title(r["text"])
        guessed += was_guessed
        articles.append(
            StreamArticle(
                id=art_id,
                url=r["url"],
                lang=r["lang"],
                title=title,
                text=text,
                outlet=outlet_of(r["url"]),
                event=f"semeval/{events[art_id]}",
                storyline=f"semeval-story/{stories[art_id]}",
            )
        )
    report = {
        "pairs": len(pairs),
        "unique_articles": len(ids),
        "same_event_pairs(overall<=1.5)": sum(1 for e in scored if e[2] <= SAME_EVENT_MAX),
        "storyline_pairs(overall<=2.5)": sum(1 for e in scored if e[2] <= STORYLINE_MAX),
        "unrelated_pairs(overall>=3.5)": len(cannot),
        "duplicate_url_links": len(dup_links),
        "syndicated_title_links(not annotated)": len(syndicated),
        "syndicated_links_joining_unpaired_events": sum(
            1 for a, b in syndicated if annotated_events[a] != annotated_events[b]
        ),
        "event_component_sizes": dict(sorted(ev_report.sizes.items())),
        "event_components_with_unrelated_pair_if_unconstrained": _violating(free_events, cannot),
        "event_links_blocked": ev_report.blocked,
        "storyline_component_sizes": dict(sorted(st_report.sizes.items())),
        "storyline_components_with_unrelated_pair_if_unconstrained": _violating(
            free_story, cannot
        ),
        "storyline_links_blocked": st_report.blocked,
        "storyline_components_split": st_report.blocked_components,
        "events_split_across_storylines": refinement_violations,
        "titles_guessed(no separator)": guessed,
    }
    report["url_dates"] = _url_date_report(raw, scored)
    return articles, report


def _groups(labels: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node, comp in labels.items():
        out.setdefault(comp, []).append(node)
    return out


def _violating(labels: dict[str, str], cannot: list[tuple[str, str]]) -> int:
    """How many components contain at least one cannot-linked pair."""
    return len({labels[a] for a, b in cannot if labels[a] == labels[b]})


def _url_date_report(
    raw: dict[str, dict[str, Any]], scored: list[tuple[str, str, float]]
) -> dict[str, Any]:
    """How many URLs carry a real date, and what the real calendar would look like."""
    found = {i: url_date(r["url"]) for i, r in raw.items()}
    precision = Counter(p for _, p in found.values())
    days = [d for d, p in found.values() if d is not None and p == "day"]
    gaps: dict[str, list[int]] = {"same_event": [], "related": [], "unrelated": []}
    for a, b, s in scored:
        (da, pa), (db, pb) = found[a], found[b]
        if da is None or db is None or pa != "day" or pb != "day":
            continue
        kind = "same_event" if s <= SAME_EVENT_MAX else "related"
        kind = "unrelated" if s >= UNRELATED_MIN else kind
        gaps[kind].append(abs((da - db).days))
    span = (max(days) - min(days)).days + 1 if days else 0
    return {
        "day_precision": precision["day"],
        "month_precision": precision["month"],
        "none": precision["none"],
        "first_day": min(days).isoformat() if days else None,
        "last_day": max(days).isoformat() if days else None,
        "real_articles_per_day_if_all_dated": round(len(raw) / span, 1) if span else None,
        "pair_day_gaps_median": {
            k: (statistics.median(v) if v else None, len(v)) for k, v in gaps.items()
        },
    }


def build_headlines(path: Path) -> list[StreamArticle]:
    """French Google News headlines; title = text = headline, event = Google's story id."""
    return [
        StreamArticle(
            id=str(r["id"]),
            lang=str(r.get("lang") or "fr"),
            title=str(r["title"]),
            text=str(r.get("text") or r["title"]),
            event=f"frhead/{r['event']}",
        )
        for r in iter_jsonl(path)
    ]


def _arrival(a: StreamArticle) -> tuple[str, str]:
    """Sort key for arrival order: time (all times share one zone), then id."""
    return (a.published.isoformat() if a.published else "", a.id)


def date_stream(articles: list[StreamArticle], sim: DateSimulation, seed: int) -> None:
    """Give every article a simulated time, then sort the list into arrival order in place."""
    stamps = simulate_published([(a.id, a.event, a.storyline) for a in articles], sim, seed)
    for art in articles:
        art.published = stamps[art.id]
    articles.sort(key=_arrival)


def print_table(stats: dict[str, dict[str, Any]]) -> None:
    """A fixed-width table: one row per stream file."""
    cols = [
        ("articles", "articles"),
        ("events", "events"),
        ("non-single", "non_singleton_events"),
        ("single%", "singleton_event_share"),
        ("xling ev", "cross_lingual_events"),
        ("storylines>1", "multi_event_storylines"),
        ("days", "days_with_articles"),
        ("art/day med", "articles_per_day_median"),
        ("art/day max", "articles_per_day_max"),
        ("ev/day max", "events_per_day_max"),
    ]
    width = max(len(n) for n in stats) + 2
    print("file".ljust(width) + " ".join(h.rjust(max(8, len(h))) for h, _ in cols))
    for name, s in stats.items():
        cells = []
        for h, key in cols:
            v = s[key]
            text = "-" if v is None else f"{100 * v:.1f}" if key == "singleton_event_share" else v
            cells.append(str(text).rjust(max(8, len(h))))
        print(name.ljust(width) + " ".join(cells))
    for name, s in stats.items():
        print(f"{name}: languages {s['languages']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data directory")
    ap.add_argument("--out", type=Path, default=REPO / ".devdata", help="output directory")
    ap.add_argument("--seed", type=int, default=20220801)
    ap.add_argument("--shuffle-window", type=float, default=50.0,
                    help="no-dates variant: how many places an article may move")
    ap.add_argument("--json", action="store_true", help="print statistics as JSON")
    ap.add_argument("--no-title-links", action="store_true",
                    help="do not link near-identical titles from different outlets")
    args = ap.parse_args(argv)

    semeval_path = args.data / "semeval2022-task8" / "dev.jsonl"
    headlines_path = args.data / "french-headline-clusters" / "headlines.jsonl"
    if not semeval_path.is_file() or not headlines_path.is_file():
        print(f"skip: shared data not found under {args.data}", file=sys.stderr)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    sim = DateSimulation()

    semeval, gold_report = build_semeval(semeval_path, title_links=not args.no_title_links)
    date_stream(semeval, sim, args.seed)
    nodates = [
        StreamArticle(**{**asdict(a), "published": None})
        for a in local_shuffle(semeval, args.shuffle_window, args.seed + 1)
    ]
    headlines = build_headlines(headlines_path)
    date_stream(headlines, sim, args.seed + 2)
    mixed = sorted(semeval + headlines, key=_arrival)
    if len({a.id for a in mixed}) != len(mixed):
        raise SystemExit("article ids collide between SemEval and headlines")

    streams = {
        "semeval-dev-stream.jsonl": semeval,
        "semeval-dev-stream-nodates.jsonl": nodates,
        "headlines-fr.jsonl": headlines,
        "mixed-stream.jsonl": mixed,
    }
    stats: dict[str, dict[str, Any]] = {}
    for name, arts in streams.items():
        write_stream(args.out / name, arts)
        stats[name] = stream_stats(arts)
    result = {
        "out": str(args.out),
        "seed": args.seed,
        "date_simulation": {k: str(v) for k, v in asdict(sim).items()},
        "semeval_gold": gold_report,
        "streams": stats,
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"wrote {len(streams)} streams to {args.out} (seed {args.seed})\n")
        print_table(stats)
        print("\nSemEval gold construction:")
        for k, v in gold_report.items():
            print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
