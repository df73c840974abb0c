"""Similarity channels between an article and an event cluster, as one feature vector.

Each channel is a separate, interpretable number; the pair model (``link.model``) learns
how to weigh them. Time enters only as a gap on a log scale with a "no date" flag, so the
content channels, not the calendar, carry the decision on dense news days. Language
enters only through the cross-lingual interactions (``xlang`` and the channels gated by
it): when the event has no article in the article's language the lexical channels are
blind, so the model gets its own intercept and weights for the dense and name channels in
that case, instead of learning "other language" as evidence against (trained with the few
cross-lingual positives up-weighted, see ``train.XLANG_POSITIVE_WEIGHT``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from storylens.link.state import EventState
from storylens.represent.article import ArticleRep

FEATURES: tuple[str, ...] = (
    "dense_centroid",   # cosine of the article with the event's mean vector
    "dense_xlang",      # the same cosine when the event has no article in this language
                        # (lexical channels are blind across languages; dense is not)
    "dense_margin",     # its cosine minus the best cosine of the other candidates: the
                        # nearest event by a clear margin is likely the one (0 if alone)
    "title_lex",        # title TF-IDF cosine with the event's title centroid
    "body_lex",         # body TF-IDF cosine with the event's body centroid
    "names_cover",      # share of the article's names that the event has seen
    "names_jaccard",    # Jaccard of the article's names and the event's frequent names
    "numbers_shared",   # log(1 + specific numbers in common)
    "log_gap_hours",    # log(1 + hours to the nearest member); 0 when unknown
    "no_date",          # 1 when either side has no date
    "log_size",         # log(1 + event size)
    # cross-lingual interactions: when the event has no article in this language the
    # lexical channels are blind, so the model needs its own intercept and weights for
    # the channels that still speak (dense margin, names) in that case
    "xlang",            # 1 when the event has no article in the article's language
    "margin_xlang",     # dense_margin when xlang, else 0
    "names_xlang",      # log(1 + names in common) when xlang, else 0 (a count, not a
                        # share: German capitalises every noun, which dilutes a share)
)


def pair_features(a: ArticleRep, ev: EventState) -> npt.NDArray[np.float64]:
    """The feature vector of (article, event), in ``FEATURES`` order."""
    dense_c = float(a.dense @ ev.centroid())
    names_cover = (sum(1 for n in a.names if n in ev.names) / len(a.names)) if a.names else 0.0
    frequent = ev.frequent_names()
    union = len(a.names | frequent)
    jacc = len(a.names & frequent) / union if union else 0.0
    shared_nums = sum(1 for n in a.numbers if n in ev.numbers)
    gap = ev.nearest_gap_hours(a.time)
    xlang = 1.0 if (a.lang and ev.langs and a.lang not in ev.langs) else 0.0
    return np.array([
        dense_c,
        dense_c * xlang,
        0.0,
        ev.lexical_cosine(0, a.title_vec),
        ev.lexical_cosine(1, a.body_vec),
        names_cover, jacc, math.log1p(shared_nums),
        math.log1p(gap) if gap is not None else 0.0,
        1.0 if gap is None else 0.0,
        math.log1p(ev.size),
        xlang, 0.0, math.log1p(sum(1 for n in a.names if n in ev.names)) * xlang,
    ], dtype=np.float64)


def candidate_features(a: ArticleRep, events: Sequence[EventState]
                       ) -> npt.NDArray[np.float64]:
    """Feature rows for ``a`` against each candidate event, with the ``dense_margin``
    column filled in relative to the other candidates of the same decision."""
    if not events:
        return np.zeros((0, len(FEATURES)))
    x = np.vstack([pair_features(a, ev) for ev in events])
    if len(events) > 1:
        d = x[:, _DENSE]
        top2 = np.sort(d)[-2:]
        best_other = np.where(d >= top2[-1], top2[0], top2[-1])
        x[:, _MARGIN] = d - best_other
        x[:, _MARGIN_X] = x[:, _MARGIN] * x[:, _XLANG]
    return x


_DENSE = FEATURES.index("dense_centroid")
_MARGIN = FEATURES.index("dense_margin")
_XLANG = FEATURES.index("xlang")
_MARGIN_X = FEATURES.index("margin_xlang")
