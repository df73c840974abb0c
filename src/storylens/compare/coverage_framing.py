"""Framing of one outlet's texts for a story's coverage, folding each text once.

``framing.side_framing`` and the referent designations each fold the document again
(``lexicons.find_terms`` folds per call, a per-character Python loop that dominates the
cost); an outlet's documents in a big story are long, so ``outlet_framing`` folds once and
runs the referent, loaded-term and attribution lexicons over the same folded text. The
result is the same as ``side_framing(doc, "")`` plus the designations that
``framing.referent_substitutions`` would see (same helpers, same rules).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from storylens.compare.framing import (  # the referent helpers are framing.py's own
    SideFraming,
    TermUse,
    _context,
    _is_part_of_name,
    _longest,
    _patterns,
    _with_article,
)
from storylens.compare.lexicons import Hit, find_terms_folded
from storylens.textnorm import fold, fold_with_map


@dataclass(slots=True)
class OutletFraming:
    """Loaded terms and attribution of an outlet's text, and its referent designations."""

    framing: SideFraming
    designations: dict[str, Counter[str]]
    """Referent -> folded designation -> uses."""
    shown: dict[str, str]
    """Folded designation -> how it is shown (with its article, as the text spells it)."""


def _find(text: str, folded: str, where: list[int], patterns: dict[str, re.Pattern[str]]
          ) -> list[Hit]:
    """``lexicons.find_terms`` over an already folded ``text``."""
    return find_terms_folded(text, folded, where, patterns)


def _uses(text: str, hits: list[Hit]) -> list[TermUse]:
    """``framing._uses`` from hits already found."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Hit] = {}
    for h in _longest(hits):
        k = (h.key, fold(h.surface))
        counts[k] += 1
        first.setdefault(k, h)
    return [TermUse(first[k].surface, k[0], c, _context(text, first[k]))
            for k, c in counts.most_common()]


def outlet_framing(doc: str) -> OutletFraming:
    """Framing and designations of ``doc`` (an outlet's analysed texts joined)."""
    referents, loaded, attribution = _patterns()
    folded, where = fold_with_map(doc)
    mine = _uses(doc, _find(doc, folded, where, loaded))
    attr = _uses(doc, _find(doc, folded, where, attribution))
    per_class: Counter[str] = Counter()
    for t in attr:
        per_class[t.category] += t.count
    desig: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, str] = {}
    for h in _longest(_find(doc, folded, where, referents)):
        if not _is_part_of_name(doc, h):
            key = fold(h.surface)
            shown.setdefault(key, _with_article(doc, h))
            desig[h.key][key] += 1
    return OutletFraming(SideFraming(mine, list(mine), dict(per_class), attr), desig, shown)
