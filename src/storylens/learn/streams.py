"""Build labelled development streams (storylens JSONL ingest format) from pair data.

No public multilingual clustering corpus with texts is available offline, so gold events are
derived from annotated article *pairs* (SemEval-2022 Task 8): pairs judged "same event" are
must-links, pairs judged "unrelated" are cannot-links, and events are the components of a
*constrained* union-find, so a chain of must-links can never merge two articles that an
annotator called unrelated. Publication times are simulated (the data has none) so that
many events share the same days: a linker must separate events by content, not calendar.

Everything is deterministic for a given seed and uses only the standard library.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

__all__ = [
    "ComponentReport",
    "DateSimulation",
    "StreamArticle",
    "constrained_components",
    "iter_jsonl",
    "local_shuffle",
    "outlet_of",
    "read_stream",
    "simulate_published",
    "split_title",
    "stable_hash",
    "stream_stats",
    "title_duplicate_links",
    "url_date",
    "write_stream",
]


@dataclass(slots=True)
class StreamArticle:
    """One article of a development stream, with its gold labels."""

    id: str
    lang: str
    title: str
    text: str
    event: str
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    storyline: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Ingest-format dict; ``published`` as ISO 8601, absent keys left out."""
        d: dict[str, Any] = {"id": self.id}
        if self.url:
            d["url"] = self.url
        d.update(lang=self.lang, title=self.title, text=self.text)
        if self.published is not None:
            d["published"] = self.published.isoformat()
        if self.outlet:
            d["outlet"] = self.outlet
        d["event"] = self.event
        if self.storyline is not None:
            d["storyline"] = self.storyline
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StreamArticle:
        """Inverse of :meth:`to_json`; tolerant of missing optional keys."""
        published = d.get("published")
        return cls(
            id=str(d["id"]),
            lang=str(d.get("lang") or ""),
            title=str(d.get("title") or ""),
            text=str(d.get("text") or ""),
            event=str(d["event"]),
            url=d.get("url"),
            outlet=d.get("outlet"),
            published=datetime.fromisoformat(published) if published else None,
            storyline=d.get("storyline"),
        )


def write_stream(path: Path, articles: Iterable[StreamArticle]) -> int:
    """Write articles as JSONL (UTF-8, one object a line); returns how many were written."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for art in articles:
            fh.write(json.dumps(art.to_json(), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_stream(path: Path) -> list[StreamArticle]:
    """Read a stream JSONL written by :func:`write_stream` (or any file in that format)."""
    with path.open(encoding="utf-8") as fh:
        return [StreamArticle.from_json(json.loads(line)) for line in fh if line.strip()]


def stable_hash(text: str) -> int:
    """Process-independent 64-bit hash (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


# --- text fields -----------------------------------------------------------------------

_TITLE_SEP = re.compile(r"\s{2,}|\n")
_SENTENCE_END = re.compile(r"[.!?»\"]\s|\s[|–—-]\s")


def split_title(raw: str, *, max_title: int = 200) -> tuple[str, str, bool]:
    """Split ``"title  body"`` text into ``(title, text, guessed)``.

    The SemEval excerpts are meant to be title, two spaces, body, but about half lost the
    separator. When a separator occurs within ``max_title`` characters it splits title from
    body. Otherwise the title is guessed (up to the first sentence end or `` | ``/`` - ``
    within ``max_title`` characters, else the first ``max_title`` characters cut at a word)
    and ``text`` keeps the whole excerpt, so no content is lost; ``guessed`` says which.
    """
    s = raw.strip()
    m = _TITLE_SEP.search(s)
    if m and 0 < m.start() <= max_title:
        body = s[m.end() :].strip()
        return s[: m.start()].strip(), body or s[: m.start()].strip(), False
    head = s[: max_title + 1]
    end = _SENTENCE_END.search(head)
    if end and end.start() >= 10:
        title = head[: end.start() + 1].strip(" |–—-")
    else:
        title = head.rsplit(" ", 1)[0] if len(s) > max_title else head
    return title.strip(), s, True


def outlet_of(url: str | None) -> str | None:
    """The URL's host, lower-cased, without a leading ``www.`` (``None`` when absent)."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


_URL_DAY = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?=/|$|\D)"),
    re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})(?!\d)"),
    re.compile(r"[/_-]((?:19|20)\d\d)(\d\d)(\d\d)(?=[/_.-]|$)"),
)
_URL_MONTH = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})(?=/)"),
    re.compile(r"/((?:19|20)\d\d)(\d\d)(?=/)"),
)


def url_date(url: str | None) -> tuple[date | None, str]:
    """A date found in a URL path, and its precision: ``"day"``, ``"month"`` or ``"none"``.

    Recognises ``/2020/04/21/``, ``2020-04-21`` / ``2020-4-21`` and ``_20200421`` day forms,
    and ``/2020/04/`` / ``/202004/`` month forms (month dates are the 1st). Impossible
    dates (month 13, day 32) are ignored rather than guessed.
    """
    if not url:
        return None, "none"
    path = urlsplit(url).path
    for pattern in _URL_DAY:
        for m in pattern.finditer(path):
            try:
                return date(int(m[1]), int(m[2]), int(m[3])), "day"
            except ValueError:
                continue
    for pattern in _URL_MONTH:
        for m in pattern.finditer(path):
            if 1 <= int(m[2]) <= 12:
                return date(int(m[1]), int(m[2]), 1), "month"
    return None, "none"


# --- gold events from pairs ------------------------------------------------------------

_WORD = re.compile(r"\w+")


def title_duplicate_links(
    articles: Sequence[tuple[str, str, str | None]],
    *,
    min_tokens: int = 4,
    min_jaccard: float = 0.8,
) -> list[tuple[str, str]]:
    """Pairs ``(id, id)`` of near-identical titles from *different* outlets.

    For ``(article_id, title, outlet)`` items: lower-cased word-token sets with at least
    ``min_tokens`` tokens and Jaccard ≥ ``min_jaccard``. Different outlets carrying the same
    headline is syndication (one wire story), i.e. the same event even when no annotator
    paired them; the same outlet repeating a title is usually a boilerplate site title, so it
    is not linked. Candidates come from an inverted index of rare tokens, not all pairs.
    """
    toks = {i: frozenset(_WORD.findall(t.lower())) for i, t, _ in articles}
    outlet = {i: o for i, _, o in articles}
    index: dict[str, list[str]] = {}
    for i, ts in toks.items():
        if len(ts) >= min_tokens:
            for tok in ts:
                index.setdefault(tok, []).append(i)
    out: set[tuple[str, str]] = set()
    for i, ts in toks.items():
        if len(ts) < min_tokens:
            continue
        # Prefix filter: J ≥ t implies |x∩y| ≥ t·|x|, so y holds one of any
        # |x| − ⌈t·|x|⌉ + 1 tokens of x; take that many of x's rarest as candidates' source.
        prefix = len(ts) - math.ceil(min_jaccard * len(ts)) + 1
        rare = sorted(ts, key=lambda tok: (len(index[tok]), tok))[:prefix]
        for j in {j for tok in rare for j in index[tok]}:
            if j == i or outlet[i] == outlet[j] or outlet[i] is None or outlet[j] is None:
                continue
            tj = toks[j]
            if len(ts & tj) / len(ts | tj) >= min_jaccard:
                out.add((min(i, j), max(i, j)))
    return sorted(out)



@dataclass(slots=True)
class ComponentReport:
    """What the constrained union-find did, for the stream report."""

    must_links: int = 0
    cannot_links: int = 0
    merges: int = 0
    blocked: int = 0
    """Must-links not applied because they would join a cannot-linked pair."""
    blocked_components: int = 0
    """Final components that had at least one must-link blocked at their boundary."""
    sizes: Counter[int] = field(default_factory=Counter)
    """Histogram of component sizes (singletons included)."""


def constrained_components(
    nodes: Sequence[str],
    must_links: Iterable[tuple[str, str, float]],
    cannot_links: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], ComponentReport]:
    """Connected components over must-links that never join a cannot-linked pair.

    Must-links ``(a, b, score)`` are applied strongest first (lowest score, as on the SemEval
    1 = same … 4 = unrelated scale; ties broken by ids) so that when a chain would join an
    "unrelated" pair, the weakest link is the one dropped. Returns a map node -> component
    id, the component id being its smallest node id (stable across runs), plus a report.
    """
    parent = {n: n for n in nodes}
    members: dict[str, list[str]] = {n: [n] for n in nodes}
    forbid: dict[str, set[str]] = {n: set() for n in nodes}
    report = ComponentReport()

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in cannot_links:
        if a != b:
            forbid[a].add(b)
            forbid[b].add(a)
            report.cannot_links += 1
    blocked_roots: list[str] = []
    for a, b, _score in sorted(must_links, key=lambda e: (e[2], min(e[0], e[1]), max(e[0], e[1]))):
        report.must_links += 1
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        # forbid[root]: every node cannot-linked to some member of root's component.
        if not forbid[ra].isdisjoint(members[rb]):
            report.blocked += 1
            blocked_roots += [ra, rb]
            continue
        parent[rb] = ra
        forbid[ra] |= forbid.pop(rb)
        members[ra] += members.pop(rb)
        report.merges += 1
    label = {root: min(group) for root, group in members.items()}
    report.blocked_components = len({label[find(r)] for r in blocked_roots})
    report.sizes = Counter(len(group) for group in members.values())
    return {n: label[find(n)] for n in nodes}, report


# --- simulated publication times ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateSimulation:
    """Parameters of the simulated calendar (see :func:`simulate_published`)."""

    start: datetime = datetime(2020, 3, 2, tzinfo=UTC)
    burst_days: float = 3.0
    second_burst_after_days: float = 21.0
    continuation_share: float = 0.5
    background_share_in_second_burst: float = 0.25
    prompt_share: float = 0.8
    prompt_mean_hours: float = 3.0
    late_max_hours: float = 48.0


def simulate_published(
    items: Sequence[tuple[str, str, str | None]],
    sim: DateSimulation,
    seed: int,
) -> dict[str, datetime]:
    """Assign a timestamp to each ``(article_id, event, storyline)``; returns id -> time.

    The calendar is deliberately crowded so dates cannot do the linker's work:

    * Two bursts of ``burst_days`` each, the second ``second_burst_after_days`` later.
      Every event gets one anchor time, uniform within a burst. Most events go to the first
      burst; ``background_share_in_second_burst`` of events without a storyline partner go
      to the second so it is crowded too.
    * Storylines with several events: the first event (by a stable hash) stays in the first
      burst; each other event becomes a *continuation* in the second burst with probability
      ``continuation_share`` (weeks later, as real follow-ups), else it stays in burst one.
    * An event's articles follow its anchor: with probability ``prompt_share`` within
      hours (exponential, mean ``prompt_mean_hours``, capped at 24 h), else a late
      follow-up uniform over 6 h … ``late_max_hours``.
    """
    rng = random.Random(seed)
    by_event: dict[str, list[str]] = {}
    storyline_of: dict[str, str | None] = {}
    for art_id, event, storyline in items:
        by_event.setdefault(event, []).append(art_id)
        storyline_of.setdefault(event, storyline)
    events_of_storyline: dict[str, list[str]] = {}
    for event, storyline in storyline_of.items():
        if storyline is not None:
            events_of_storyline.setdefault(storyline, []).append(event)
    burst_s = sim.burst_days * 86400.0
    second = sim.start + timedelta(days=sim.second_burst_after_days)
    anchors: dict[str, datetime] = {}
    for event in sorted(by_event, key=lambda e: (stable_hash(e), e)):
        storyline = storyline_of[event]
        siblings = events_of_storyline.get(storyline, []) if storyline is not None else []
        offset = timedelta(seconds=rng.uniform(0.0, burst_s))
        draw = rng.random()
        if len(siblings) > 1:
            first = min(siblings, key=lambda e: (stable_hash(e), e))
            in_second = event != first and draw < sim.continuation_share
        else:
            in_second = draw < sim.background_share_in_second_burst
        anchors[event] = (second if in_second else sim.start) + offset
    out: dict[str, datetime] = {}
    for event in sorted(by_event):
        for art_id in sorted(by_event[event]):
            if rng.random() < sim.prompt_share:
                hours = min(24.0, rng.expovariate(1.0 / sim.prompt_mean_hours))
            else:
                hours = rng.uniform(6.0, sim.late_max_hours)
            out[art_id] = (anchors[event] + timedelta(hours=hours)).replace(microsecond=0)
    return out


def local_shuffle(items: Sequence[T], window: float, seed: int) -> list[T]:
    """Shuffle within a sliding window: each item moves at most about ``window`` places.

    Sorting by ``index + uniform(0, window)`` keeps the global arrival order (an article from
    day 3 never comes before day 1) while scrambling order among neighbours, as a crawler
    without dates would deliver them.
    """
    rng = random.Random(seed)
    keyed = [(i + rng.uniform(0.0, window), i) for i in range(len(items))]
    return [items[i] for _, i in sorted(keyed)]


# --- statistics --------------------------------------------------------------------------


def stream_stats(articles: Sequence[StreamArticle]) -> dict[str, Any]:
    """Summary numbers for a stream: sizes, singletons, languages, cross-lingual events, density."""
    events: dict[str, list[StreamArticle]] = {}
    for art in articles:
        events.setdefault(art.event, []).append(art)
    singletons = [e for e, arts in events.items() if len(arts) == 1]
    cross = [e for e, arts in events.items() if len({a.lang for a in arts}) > 1]
    story_events: dict[str, set[str]] = {}
    for art in articles:
        if art.storyline is not None:
            story_events.setdefault(art.storyline, set()).add(art.event)
    per_day = Counter(a.published.date() for a in articles if a.published is not None)
    event_days = {(a.event, a.published.date()) for a in articles if a.published is not None}
    events_per_day = Counter(day for _, day in event_days)
    dated = sum(per_day.values())
    days_sorted = sorted(per_day.values())
    return {
        "articles": len(articles),
        "events": len(events),
        "non_singleton_events": len(events) - len(singletons),
        "singleton_event_share": round(len(singletons) / max(1, len(events)), 4),
        "articles_in_singletons_share": round(len(singletons) / max(1, len(articles)), 4),
        "largest_event": max((len(a) for a in events.values()), default=0),
        "languages": dict(Counter(a.lang for a in articles).most_common()),
        "cross_lingual_events": len(cross),
        "storylines": len(story_events),
        "multi_event_storylines": sum(1 for evs in story_events.values() if len(evs) > 1),
        "dated_articles": dated,
        "days_with_articles": len(per_day),
        "articles_per_day_median": days_sorted[len(days_sorted) // 2] if days_sorted else None,
        "articles_per_day_max": days_sorted[-1] if days_sorted else None,
        "events_per_day_max": max(events_per_day.values(), default=None),
        "first_day": min(per_day).isoformat() if per_day else None,
        "last_day": max(per_day).isoformat() if per_day else None,
    }


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSONL file, skipping blank lines."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
