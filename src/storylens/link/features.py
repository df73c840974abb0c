"""Similarity channels between an article and an event cluster, as one feature vector.

Each channel is a separate, interpretable number; the pair model (``link.model``) learns
how to weigh them (similarity channels with non-negative weights, so more evidence never
counts against). Time enters only as a gap on a log scale with a "no date" flag, so the
content channels, not the calendar, carry the decision on dense news days. The
decision's context enters too, in the same units at every density: how many clusters are
live in the window, whether the candidate is the only one, and its dense margin over the
others, so a sparse window with one plausible candidate can merge while a busy day
demands a clear winner. Language
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
from storylens.represent.skeleton import name_keys

FEATURES: tuple[str, ...] = (
    "dense_centroid",   # cosine of the article with the event's mean vector
    "dense_mean",       # mean cosine with the members (drops for a blurred cluster)
    "dense_xlang",      # the same cosine when the event has no article in this language
                        # (lexical channels are blind across languages; dense is not)
    "dense_margin",     # its cosine minus the best cosine of the other candidates: the
                        # nearest event by a clear margin is likely the one (0 if alone)
    "dense_top",        # 1 when it is the best dense candidate of the decision and
                        # closer than the article's background neighbours (see
                        # candidate_features)
    "log_live",         # log(1 + clusters live in the window): the window's density
    "title_lex",        # title TF-IDF cosine with the event's title centroid, scaled to
                        # the part of it in the article's language (see pair_features)
    "body_lex",         # body TF-IDF cosine with the event's body centroid, the same way
    "names_cover",      # share of the article's name keys (any script) among the event's
                        # frequent ones
    "names_jaccard",    # Jaccard of the article's names and the event's frequent names
    "names_script",     # log(1 + name keys in common with the event's frequent keys;
                        # keys match across scripts, see represent.skeleton)
    "numbers_shared",   # log(1 + specific numbers in common with the event's frequent ones)
    "log_gap_hours",    # log(1 + hours to the nearest member); 0 when unknown
    "no_date",          # 1 when either side has no date
    "log_size",         # log(1 + event size)
    # cross-lingual interactions: when the event has no article in this language the
    # lexical channels are blind, so the model needs its own intercept and weights for
    # the channels that still speak (dense margin, names) in that case
    "xlang",            # 1 when the event has no article in the article's language
    "margin_xlang",     # dense_margin when xlang, else 0
    "names_xlang",      # names_script when xlang, else 0 (a count, not a share: German
                        # capitalises every noun, which dilutes a share)
)
POSITIVE: frozenset[str] = frozenset({
    "dense_centroid", "dense_mean", "dense_xlang", "dense_margin", "dense_top", "title_lex",
    "body_lex", "names_cover", "names_jaccard", "names_script", "numbers_shared", "margin_xlang",
    "names_xlang"})
"""Similarity channels: weights constrained to be >= 0."""
NEGATIVE: frozenset[str] = frozenset({"log_gap_hours", "log_live", "log_size"})
"""Weights constrained to be <= 0: further apart in time, more competition in the window
and a bigger cluster are never evidence for a join (a big cluster's blurred centroid
attracts everything on a busy day if its size may count for it)."""


def pair_features(a: ArticleRep, ev: EventState, keys: frozenset[str] | None = None
                  ) -> npt.NDArray[np.float64]:
    """The feature vector of (article, event), in ``FEATURES`` order, for a decision with
    no other candidate and no density known (``candidate_features`` fills those)."""
    dense_c = float(a.dense @ ev.centroid())
    keys = name_keys(a.names) if keys is None else keys
    shared_keys = len(keys & ev.frequent_keys())
    names_cover = shared_keys / len(keys) if keys else 0.0
    frequent = ev.frequent_names()
    union = len(a.names | frequent)
    jacc = len(a.names & frequent) / union if union else 0.0
    shared_nums = len(a.numbers & ev.frequent_numbers())
    gap = ev.nearest_gap_hours(a.time)
    xlang = 1.0 if (a.lang and ev.langs and a.lang not in ev.langs) else 0.0
    # the lexical centroid mixes every language of the event; the article can only match
    # its own language's share of it: cos(a, part) ~ cos(a, whole) / sqrt(share)
    share = ev.langs[a.lang] / max(1, sum(ev.langs.values())) if a.lang and ev.langs else 1.0
    same = 1.0 / math.sqrt(share) if share > 0 else 1.0
    return np.array([
        dense_c,
        ev.dense_mean(a.dense),
        dense_c * xlang,
        0.0, 1.0, 0.0,
        min(1.0, ev.lexical_cosine(0, a.title_vec) * same),
        min(1.0, ev.lexical_cosine(1, a.body_vec) * same),
        names_cover, jacc, math.log1p(shared_keys),
        math.log1p(shared_nums),
        math.log1p(gap) if gap is not None else 0.0,
        1.0 if gap is None else 0.0,
        math.log1p(ev.size),
        xlang, 0.0, math.log1p(shared_keys) * xlang,
    ], dtype=np.float64)


def candidate_features(a: ArticleRep, events: Sequence[EventState], live: int | None = None,
                       hub: float | None = None) -> npt.NDArray[np.float64]:
    """Feature rows for ``a`` against each candidate event, with the decision's context
    filled in: the ``dense_margin``/``dense_top`` columns relative to the other
    candidates, and ``log_live`` from ``live`` (clusters in the window; default: the
    candidates).

    ``hub`` is the article's hubness against unrelated background news
    (``calibration.Background.hub``: its mean cosine with its nearest background
    articles). When given, a candidate is ``dense_top`` only if it is also closer than
    that: the background stands in for the competitors a sparse window lacks, so a lone
    candidate no closer than unrelated news is no longer "the best one" (measured on the
    dev set's held-out folds, BENCHMARKS.md issue 11)."""
    if not events:
        return np.zeros((0, len(FEATURES)))
    keys = name_keys(a.names)
    x = np.vstack([pair_features(a, ev, keys) for ev in events])
    x[:, _LIVE] = math.log1p(max(live if live is not None else 0, len(events)))
    if len(events) > 1:
        d = x[:, _DENSE]
        top2 = np.sort(d)[-2:]
        best_other = np.where(d >= top2[-1], top2[0], top2[-1])
        x[:, _MARGIN] = d - best_other
        x[:, _MARGIN_X] = x[:, _MARGIN] * x[:, _XLANG]
        x[:, _TOP] = (d >= top2[-1]).astype(np.float64)
    if hub is not None:
        x[:, _TOP] *= x[:, _DENSE] > hub
    return x


_DENSE = FEATURES.index("dense_centroid")
_MARGIN = FEATURES.index("dense_margin")
_TOP = FEATURES.index("dense_top")
_LIVE = FEATURES.index("log_live")
_XLANG = FEATURES.index("xlang")
_MARGIN_X = FEATURES.index("margin_xlang")
