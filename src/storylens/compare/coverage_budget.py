"""How much of a big story's text the facts read: a sentence budget, titles and leads first.

Embedding sentences is the dominant cost of a story's coverage (the multilingual encoder
manages ~100-250 sentences/s on two cores), and grouping them into facts is quadratic in
their number. So the facts of a story read at most a fixed number of *distinct*
sentences, allotted level by level over the analysed originals: every title first, then
every article's first sentence, then its second, and so on, until the budget is spent.
News is written as an inverted pyramid, so the facts several outlets report sit in the
titles and leads; the tail of long articles mostly adds facts that only one outlet
reports. Sentences that repeat verbatim (wire copy) cost nothing extra. Entities,
framing and tone still read the whole analysed texts: they are cheap and linear.
"""

from __future__ import annotations

from collections.abc import Sequence

from storylens.compare.analysis import Analysis


def lead_limits(sentences: Sequence[Sequence[str]], budget: int) -> list[int]:
    """Per article (its sentence texts, title first): how many leading sentences to
    embed so that at most ``budget`` distinct texts are embedded in all, spread level by
    level (an article with fewer sentences simply stops earlier)."""
    limits = [0] * len(sentences)
    seen: set[str] = set()
    depth = 0
    while True:
        progressed = False
        for k, texts in enumerate(sentences):
            if depth >= len(texts):
                continue
            t = texts[depth]
            if t not in seen:
                if len(seen) >= budget:
                    return limits
                seen.add(t)
            limits[k] = depth + 1
            progressed = True
        if not progressed:
            return limits
        depth += 1


def lead_note(limits: Sequence[int], ans: Sequence[Analysis], budget: int) -> str:
    """The note saying what the facts read when the budget cut some articles short."""
    read = sum(limits)
    total = sum(len(an.sentences) for an in ans)
    lo, hi = min(limits, default=0), max(limits, default=0)
    span = f"{lo}" if lo == hi else f"{lo}-{hi}"
    return (f"facts: read from the title and first sentences ({span} per article) of the "
            f"{len(ans)} analysed originals, {read} of their {total} sentences (a budget of "
            f"{budget} distinct sentences, leads first); entities, framing and tone read "
            "the whole texts")
