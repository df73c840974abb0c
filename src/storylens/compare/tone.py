"""Tone of one article: a score in [-1, 1] and the words that drove it.

Which method per language (all offline, no model download):

- English: VADER (``vaderSentiment`` package, which ships its 7,500-entry valence lexicon
  inside the wheel), averaged over sentences, when the package is installed; otherwise
  the built-in lexicon below.
- fr, de, es, pt, it, pl, tr, ru, ar: the small polarity lexicon written for this package
  (``lexicons.POLARITY``, ~20-30 positive and negative news stems per language).
- Any other language: no lexicon, score 0 with ``method == "none"`` (tone unknown, not
  neutral — callers show it as such).

The built-in score is ``(pos - neg) / (pos + neg + 3)``: bounded in (-1, 1) and damped
when only a few words hit, so one "attack" does not make an article "very negative".
News tone is mostly negative; the score is for comparing two reports of the same story,
not an absolute judgement.

Labels (``tone_label``, the one place the cut-offs live): "positive" from
``POSITIVE_FROM`` up, "negative" from ``NEGATIVE_FROM`` down, "neutral" between, and
"unknown" when no method could score the text. Every view that labels a tone (one
article, an outlet's mean over a story) calls it, so the words agree with each other.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from storylens.compare.lexicons import POLARITY, find_terms, term_regex
from storylens.compare.sentences import split_sentences

_WORD = re.compile(r"[\w'-]+")

POSITIVE_FROM = 0.15
"""Scores at or above this are labelled "positive"."""
NEGATIVE_FROM = -0.15
"""Scores at or below this are labelled "negative"."""


def tone_label(score: float, known: bool = True) -> str:
    """The label of a tone ``score``: "positive", "negative", "neutral", or "unknown" when
    the score is not ``known`` (no method for the language; the 0 then means nothing)."""
    if not known:
        return "unknown"
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_FROM:
        return "negative"
    return "neutral"


@dataclass(slots=True)
class Tone:
    """Tone of one text."""

    score: float
    method: str
    """"vader", "lexicon:<lang>" or "none"."""
    positive: list[tuple[str, int]] = field(default_factory=list)
    negative: list[tuple[str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``tone_label`` of the score ("unknown" when ``method`` is "none")."""
        return tone_label(self.score, self.method != "none")

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "label": self.label, "method": self.method,
                "positive": [{"word": w, "count": c} for w, c in self.positive],
                "negative": [{"word": w, "count": c} for w, c in self.negative]}


@lru_cache(maxsize=1)
def _vader() -> Any | None:
    try:
        from vaderSentiment.vaderSentiment import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
            SentimentIntensityAnalyzer,
        )
    except ImportError:
        return None
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=32)
def _patterns(lang: str) -> dict[str, re.Pattern[str]] | None:
    lex = POLARITY.get(lang)
    if lex is None:
        return None
    return {"+": term_regex(lex[0]), "-": term_regex(lex[1])}


def _base(lang: str | None) -> str:
    return (lang or "").split("-")[0].split("_")[0].lower()


def article_tone(text: str, lang: str | None, *, top: int = 8, use_vader: bool = True) -> Tone:
    """Tone of ``text`` written in ``lang``; never raises (empty text -> score 0)."""
    base = _base(lang)
    if not text.strip():
        return Tone(0.0, "none")
    if base == "en" and use_vader:
        va = _vader()
        if va is not None:
            return _vader_tone(va, text, top)
    pats = _patterns(base)
    if pats is None:
        return Tone(0.0, "none")
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for h in find_terms(text, pats):
        (pos if h.key == "+" else neg)[h.surface.casefold()] += 1
    p, n = sum(pos.values()), sum(neg.values())
    return Tone((p - n) / (p + n + 3), f"lexicon:{base}", pos.most_common(top),
                neg.most_common(top))


def _vader_tone(va: Any, text: str, top: int) -> Tone:
    sents = [s.text for s in split_sentences(text)] or [text]
    scores = [float(va.polarity_scores(s)["compound"]) for s in sents]
    lex: dict[str, float] = va.lexicon
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for w in _WORD.findall(text.casefold()):
        v = lex.get(w)
        if v is not None and abs(v) >= 1.0:
            (pos if v > 0 else neg)[w] += 1
    return Tone(sum(scores) / len(scores), "vader", pos.most_common(top), neg.most_common(top))
