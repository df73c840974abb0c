"""Entity highlighting for the article page: the clean text cut into paragraphs of
(segment, label) runs, so the template can wrap people, organisations and places in
``<mark>`` while Jinja2 still escapes every character of the text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storylens.enrich.entities import Mention

Segment = tuple[str, str | None]


def highlighted_paragraphs(text: str, found: Sequence[Mention]) -> list[list[Segment]]:
    """Paragraphs (one per line of ``text``) as runs of plain text and the entity
    mentions ``found`` in it (``api.article_entities``: stored, or enriched once)."""
    mentions = sorted(found, key=lambda m: (m.start, -m.end))
    out: list[list[Segment]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        runs: list[Segment] = []
        cursor = start
        for m in mentions:
            if m.start < cursor or m.end > end or m.start < start:
                continue
            if m.start > cursor:
                runs.append((text[cursor:m.start], None))
            runs.append((text[m.start:m.end], m.label))
            cursor = m.end
        if cursor < end:
            runs.append((text[cursor:end], None))
        out.append(runs)
    return out
