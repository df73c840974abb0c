"""A labelled story set as linker streams: represented once, re-timed per density, split
by storyline.

Why re-time instead of re-represent: the three densities the evaluation needs (real
dates, a busy week, mixed into a dense stream of unrelated news) differ only in *when*
each article arrives, so one ``ArticleRep`` per article serves all three, and a run costs
one embedding pass.

- **real**: the articles' own dates (date-only values sit at midnight; ties are broken by
  a stable hash of the id, so an event's articles do not arrive as one block).
- **sparse**: events one after another, a new one every day and a half, so a window
  holds two or three unrelated events (a niche feed; trained on, reported too).
- **busy**: each event's first article is moved to a point in the same three days (a
  stable hash of the event picks it) and its other articles keep their offsets from it.
- **scattered**: real dates, with unrelated events (from the distractor stream) dropped
  near the story set's articles, about one distractor article per story article: a small
  collection, where a window often holds a single cluster and that cluster is not always
  the right one (without it, a lone candidate in the dev set is nearly always right,
  and a model learns "alone in the window: join" whatever the content says).
- **mixed**: the same move, over the span of a dense distractor stream (the recombined
  SemEval stream, compressed to a few days), and the two streams merged in time order.

Folds are leave-storyline-out: every article of a storyline is on one side.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from storylens.learn.streams import stable_hash
from storylens.represent.article import ArticleRep

DAY = 86400.0
REPO = Path(__file__).resolve().parents[3]
DEVDATA = REPO / ".devdata"
"""Where development streams are built (git-ignored: the texts are third-party)."""
DISTRACTOR = "distractor:"
"""Prefix of the gold labels of a mixed stream's distractor articles."""
BUSY_EPOCH = 1_767_571_200.0  # 2026-01-05 00:00 UTC: any fixed day will do

Row = tuple[ArticleRep, str, str]
"""An article's representation, its gold event and its gold storyline."""

LANG_GROUPS: dict[str, tuple[str, ...]] = {
    "Latin": ("en", "fr", "de", "es", "it", "pt", "pl", "tr", "nl", "cs", "ro", "sl", "ha",
              "sv", "da", "no", "fi", "hu", "hr", "sk", "id", "ms", "vi", "sw", "ca", "et",
              "lt", "lv", "sq", "tl", "af", "az", "uz", "so", "yo", "eu", "gl", "is", "ga"),
    "Cyrillic": ("ru", "uk", "bg", "mk", "mn", "sr", "be", "kk", "ky", "tg"),
    "Arabic-script": ("ar", "ur", "fa", "ps", "ug", "ku", "sd"),
    "CJK": ("zh", "ja", "ko"),
    "Indic": ("hi", "ne", "te", "ml", "gu", "bn", "ta", "mr", "pa", "kn", "si", "or", "as"),
}
_GROUP_OF = {lang: group for group, langs in LANG_GROUPS.items() for lang in langs}


def lang_group(lang: str | None) -> str:
    """The script family of a language code ("Other" for Greek, Georgian, Thai, Hebrew,
    unknown codes)."""
    return _GROUP_OF.get((lang or "").split("-")[0].lower(), "Other")


def _jitter(key: str) -> float:
    """A stable fraction in [0, 1) from ``key``."""
    return (stable_hash(key) % 1_000_003) / 1_000_003


def in_time_order(rows: Iterable[Row]) -> list[Row]:
    """Rows sorted by time, ties broken by a stable hash of the id (undated last)."""
    return sorted(rows, key=lambda r: (r[0].time is None, r[0].time or 0.0,
                                       stable_hash(r[0].id)))


def retime(row: Row, t: float | None) -> Row:
    rep, ev, sl = row
    return dataclasses.replace(rep, time=t), ev, sl


def event_starts(rows: Sequence[Row]) -> dict[str, float]:
    """Each gold event's earliest article time."""
    out: dict[str, float] = {}
    for rep, ev, _ in rows:
        if rep.time is not None:
            out[ev] = min(out.get(ev, rep.time), rep.time)
    return out


def moved(rows: Sequence[Row], start: float, span_days: float, salt: str = "") -> list[Row]:
    """Move each event so its first article falls in ``[start, start + span_days)``
    (the point picked by a stable hash of the event), other articles keeping their
    offsets from the first."""
    starts = event_starts(rows)
    out = []
    for row in rows:
        rep, ev, _ = row
        if rep.time is None or ev not in starts:
            out.append(row)
            continue
        new_start = start + _jitter(salt + ev) * span_days * DAY
        out.append(retime(row, new_start + (rep.time - starts[ev])))
    return in_time_order(out)


def busy_week(rows: Sequence[Row], days: float = 3.0) -> list[Row]:
    """Every event's first article moved into the same ``days`` days, offsets kept."""
    return moved(rows, BUSY_EPOCH, days)


def spread(rows: Sequence[Row], days_apart: float = 1.5) -> list[Row]:
    """Events one after another, a new one every ``days_apart`` days on average (in an
    order set by a stable hash), offsets kept: a sparse stream where a window holds two
    or three unrelated events, so a lone candidate is not always the right one."""
    starts = event_starts(rows)
    order = sorted(starts, key=lambda e: stable_hash("spread:" + e))
    at = {e: BUSY_EPOCH + (i + _jitter("at:" + e)) * days_apart * DAY
          for i, e in enumerate(order)}
    return in_time_order(retime(r, r[0].time) if r[0].time is None or r[1] not in starts
                         else retime(r, at[r[1]] + (r[0].time - starts[r[1]])) for r in rows)


def compress(rows: Sequence[Row], days: float) -> list[Row]:
    """A dated stream squeezed (order kept) into ``days`` days from its first article."""
    times = [r[0].time for r in rows if r[0].time is not None]
    if not times:
        return list(rows)
    t0, t1 = min(times), max(times)
    factor = (days * DAY) / max(t1 - t0, 1.0)
    return in_time_order(retime(r, None if r[0].time is None else t0 + (r[0].time - t0) * factor)
                         for r in rows)


def mixed(rows: Sequence[Row], distractors: Sequence[Row], days: float = 5.0) -> list[Row]:
    """The story set's events spread over a dense distractor stream compressed into
    ``days`` days, merged in time order. Distractor labels are prefixed so they can never
    equal a story-set label."""
    dense = compress(distractors, days)
    times = [r[0].time for r in dense if r[0].time is not None]
    start = min(times) if times else BUSY_EPOCH
    placed = moved(rows, start, days, salt="mix:")
    other = [(rep, f"{DISTRACTOR}{ev}", f"{DISTRACTOR}{sl}") for rep, ev, sl in dense]
    return in_time_order([*placed, *other])


@dataclass(frozen=True, slots=True)
class Fold:
    """One leave-storyline-out split: the storylines held out and scored."""

    index: int
    test_storylines: frozenset[str]

    def is_test(self, row: Row) -> bool:
        return row[2] in self.test_storylines


def storyline_folds(rows: Sequence[Row], k: int = 5) -> list[Fold]:
    """``k`` folds of whole storylines, balanced by article count (largest first into the
    lightest fold; ties broken by a stable hash), so no storyline is on both sides."""
    sizes: dict[str, int] = {}
    for _, _, sl in rows:
        sizes[sl] = sizes.get(sl, 0) + 1
    k = max(1, min(k, len(sizes)))
    load = [0] * k
    members: list[set[str]] = [set() for _ in range(k)]
    for sl in sorted(sizes, key=lambda s: (-sizes[s], stable_hash(s))):
        i = min(range(k), key=lambda j: (load[j], j))
        load[i] += sizes[sl]
        members[i].add(sl)
    return [Fold(i, frozenset(m)) for i, m in enumerate(members)]


def story_file(path: Path) -> Path:
    """A labelled JSONL file, or a directory whose ``*.jsonl`` parts are concatenated
    into ``.devdata/`` (the multilingual story set ships in three parts)."""
    if path.is_file():
        return path
    parts = sorted(path.glob("*.jsonl"))
    if not parts:
        raise SystemExit(f"{path}: no labelled .jsonl files there")
    DEVDATA.mkdir(exist_ok=True)
    out = DEVDATA / f"{path.name}.jsonl"
    # written aside and renamed: two jobs started together (an lso run and a train_link
    # run) must never read each other's half-written file
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(p.read_text(encoding="utf-8") for p in parts), encoding="utf-8")
    tmp.replace(out)
    return out


def scattered(rows: Sequence[Row], distractors: Sequence[Row], per_article: float = 1.0,
              days: float = 3.0) -> list[Row]:
    """The story set at its real dates with whole distractor events (about
    ``per_article`` distractor articles per story article, picked by a stable hash) each
    placed within ``days`` days of a story article chosen by a stable hash, their own
    offsets kept, and merged in time order. Distractor labels are prefixed as in
    ``mixed``."""
    anchors = sorted(r[0].time for r in rows if r[0].time is not None)
    if not anchors or not distractors:
        return in_time_order(rows)
    by_event: dict[str, list[Row]] = {}
    for row in distractors:
        if row[0].time is not None:
            by_event.setdefault(row[1], []).append(row)
    budget = int(per_article * len(rows))
    out: list[Row] = list(rows)
    for ev in sorted(by_event, key=lambda e: (stable_hash("scatter:" + e), e)):
        if budget <= 0:
            break
        members = by_event[ev]
        t0 = min(r[0].time or 0.0 for r in members)
        at = anchors[stable_hash("anchor:" + ev) % len(anchors)]
        start = at + (2 * _jitter("near:" + ev) - 1) * days * DAY
        for rep, e, sl in members:
            out.append(retime((rep, f"{DISTRACTOR}{e}", f"{DISTRACTOR}{sl}"),
                              start + ((rep.time or t0) - t0)))
        budget -= len(members)
    return in_time_order(out)


TRAIN_DENSITIES: tuple[str, ...] = ("real", "sparse", "busy", "mixed")
"""The densities linking's models are trained and tuned on; ``scattered`` is scored only
(trained on, it cost 0.01-0.05 B³ at every other density out of fold: its distractors
are SemEval events whose noisy labels it teaches at the story set's own dates)."""


def training_streams(streams: dict[str, list[Row]]) -> list[list[Row]]:
    """The streams of ``streams`` that models are trained and tuned on."""
    return [s for name, s in streams.items() if name in TRAIN_DENSITIES]


def streams_for(rows: Sequence[Row], distractors: Sequence[Row]) -> dict[str, list[Row]]:
    out = {"real": in_time_order(rows), "sparse": spread(rows), "busy": busy_week(rows)}
    if distractors:
        out["scattered"] = scattered(rows, distractors)
        out["mixed"] = mixed(rows, distractors)
    return out
