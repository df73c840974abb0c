"""The articles of one story as the story page lays them out: originals with their
syndicated copies folded under them, outlet labels, compare pairs and the timeline.

The timeline is plain numbers (positions in an SVG ``viewBox``) so the template draws it
as inline SVG markup: no script and no ``style`` attribute, which the CSP would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storylens.records import Article
from storylens.records_story import Story, copy_roots

MAX_LANES = 10
MAX_PAIRS = 12


@dataclass(slots=True)
class Member:
    """One article of the story; ``copies`` holds the syndicated copies of an original."""

    id: str
    title: str
    outlet: str
    lang: str | None
    published: datetime | None
    event_id: str
    duplicate_of: str | None
    article: Article | None
    copies: list[Member] = field(default_factory=list)


@dataclass(slots=True)
class Dot:
    x: float
    y: float
    copy: bool
    label: str
    href: str


@dataclass(slots=True)
class Timeline:
    """A publication timeline: one lane per outlet, one dot per dated article."""

    width: int
    height: int
    left: int
    lanes: list[tuple[str, float]]
    dots: list[Dot]
    ticks: list[tuple[float, str]]
    undated: int
    first: datetime
    last: datetime


def outlet_label(outlet: str | None, a: Article | None) -> str:
    """A member's outlet row label: its outlet, else ``Article.outlet_label`` (the label
    the compare stage's coverage uses too)."""
    if outlet:
        return outlet
    return a.outlet_label if a is not None else "unknown outlet"


def member_time(value: object) -> datetime | None:
    """A story member's ISO ``published`` value as a datetime (``None`` if absent or bad)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def fold_members(story: Story, articles: dict[str, Article]) -> list[Member]:
    """Originals oldest first, each with its copies (``copy_roots``: a copy of a copy
    under the first original); a copy whose original is not in this story is shown as an
    original."""
    flat = [Member(id=str(m["id"]), title=str(m.get("title") or "(untitled)"),
                   outlet=outlet_label(m.get("outlet"), articles.get(str(m["id"]))),
                   lang=m.get("lang"), published=member_time(m.get("published")),
                   event_id=str(m.get("event_id") or ""), duplicate_of=m.get("duplicate_of"),
                   article=articles.get(str(m["id"]))) for m in story.members]
    by_id = {m.id: m for m in flat}
    roots = copy_roots({m.id: m.duplicate_of for m in flat})
    originals: list[Member] = []
    for m in flat:
        if roots[m.id] != m.id:
            by_id[roots[m.id]].copies.append(m)
        else:
            originals.append(m)
    return originals


def outlets_of(members: list[Member]) -> list[str]:
    """Outlets by articles carried (copies included), then name."""
    counts: dict[str, int] = {}
    for m in members:
        for x in (m, *m.copies):
            counts[x.outlet] = counts.get(x.outlet, 0) + 1
    return sorted(counts, key=lambda o: (-counts[o], o))


def compare_pairs(members: list[Member]) -> list[tuple[Member, Member]]:
    """Pairs worth comparing: the first report against each later one from another
    outlet, then other cross-outlet pairs, at most ``MAX_PAIRS``."""
    pairs: list[tuple[Member, Member]] = []
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            if a.outlet != b.outlet:
                pairs.append((a, b))
                if len(pairs) == MAX_PAIRS:  # a big story: no need to look at every pair
                    return pairs
    return pairs


def timeline(members: list[Member], *, width: int = 760) -> Timeline | None:
    """Dots for every dated article (copies hollow); ``None`` when none is dated."""
    everyone = [x for m in members for x in (m, *m.copies)]
    dated = [x for x in everyone if x.published is not None]
    if not dated:
        return None
    counts: dict[str, int] = {}
    for x in dated:
        counts[x.outlet] = counts.get(x.outlet, 0) + 1
    lanes = sorted(counts, key=lambda o: (-counts[o], o))
    if len(lanes) > MAX_LANES:
        lanes = [*lanes[: MAX_LANES - 1], "other outlets"]
    left, right, top, lane_h = 170, 20, 18, 26
    height = top + lane_h * len(lanes) + 34
    times = [x.published.timestamp() for x in dated if x.published is not None]
    t0, t1 = min(times), max(times)
    span = t1 - t0
    if span < 3600:  # a single moment: pad an hour either side so it sits in the middle
        t0, t1, span = t0 - 3600, t1 + 3600, span + 7200

    def xpos(t: float) -> float:
        return round(left + (width - left - right) * (t - t0) / span, 1)

    lane_y = {o: top + lane_h * i + lane_h / 2 for i, o in enumerate(lanes)}
    dots = []
    for x in dated:
        assert x.published is not None
        y = lane_y.get(x.outlet, lane_y[lanes[-1]])
        dots.append(Dot(xpos(x.published.timestamp()), y, x.duplicate_of is not None,
                        f"{x.outlet} · {x.published:%Y-%m-%d %H:%M} · {x.title}",
                        f"/articles/{x.id}"))
    fmt = "%Y-%m-%d" if span > 2 * 86400 else "%m-%d %H:%M"
    ref = min(x.published for x in dated if x.published is not None)
    last = max(x.published for x in dated if x.published is not None)
    ticks = []
    for k in range(5):
        t = t0 + span * k / 4
        ticks.append((xpos(t), (ref + timedelta(seconds=t - ref.timestamp())).strftime(fmt)))
    return Timeline(width, height, left, [(o, lane_y[o]) for o in lanes], dots, ticks,
                    len(everyone) - len(dated), ref, last)
