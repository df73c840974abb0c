"""Similarity channels between two analysed articles: the inputs of the dimension models.

Each channel is one interpretable number (see ``FEATURES``); the per-dimension models in
``dimensions`` (ridge + boosted trees) learn how to weigh and combine them. Channels are
computed from the ``Analysis`` of each side, so they cost a few matrix products and word
counts per pair (~5 ms, a sixth of the end-to-end time per pair with USE vectors).

The second block of ``FEATURES`` (summaries of the sentence cosine matrix, the tail and
lead-vs-tail dense similarities, IDF-weighted and character n-gram lexical overlap, names
by type, name words, country sets, numbers) was added with the tree models. Out of fold on
the SemEval dev pairs (5 folds, seeds 0-2, ridge alone) it raised "overall" from 0.709 to
0.741 with USE vectors and from 0.623 to 0.673 with static ones; the largest single gains
were the IDF-weighted cosine (+0.008), the mean of the whole cosine matrix and the
character 4-gram cosine. Whole-document embeddings (one vector per excerpt) added 0.002
for several times the embedding time, and channels from a second embedder 0.003: not kept.

Length robustness: the dimension models are trained on SemEval-2022 Task 8 excerpts of
~1,000-1,300 characters. Set-overlap and mean-similarity channels drift with length (two
3,000-character articles share more names, more aligned sentences, a closer mean vector),
so the content channels are computed on the *head* of each side (title + the sentences
starting within the first ``HEAD_CHARS`` characters), which looks like the training
excerpts whatever the article's length. The full-text coverage is kept as the channel
``full_cov`` (a share of aligned sentences, so normalised by length) for the evidence, but
it is not a model feature: on training excerpts it equals ``align_cov``, so no weight for
it can be learnt, and on long articles it would bring back the drift (out-of-fold Pearson
is the same with or without it).

The linker's same-event / same-storyline probabilities are deliberately *not* channels:
on the SemEval dev pairs they did not improve the out-of-fold Pearson (overall 0.6194
without, 0.6178 with both, 0.6201 with same-event only, static embedder), and they would
tie these models to the link models' current feature set.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from storylens.compare.analysis import Analysis
from storylens.compare.facts import greedy_align, similarity_matrix
from storylens.compare.word_weights import (
    char_ngram_cosine,
    mapping_cosine,
    set_jaccard,
    tfidf_cosine,
    word_jaccard,
    words,
)
from storylens.enrich.normalize import norm_key
from storylens.textnorm import fold, number_key

FEATURES: tuple[str, ...] = (
    "dense_full",      # cosine of the mean sentence vectors (heads, as all below unless said)
    "dense_lead",      # cosine of the mean of title + first two sentences
    "dense_title",     # cosine of the titles (first sentences)
    "align_cov",       # mean share of sentences aligned (greedy one-to-one, threshold)
    "align_cov_min",   # the smaller side's share
    "best_match",      # mean over all sentences of the best hybrid similarity on the other side
    "best_dense",      # same, dense cosine only
    "lex_cos",         # sublinear-TF cosine of content words (length >= 4, folded)
    "names_jaccard",   # Jaccard of the folded entity names
    "names_cover",     # shared names / names of the side with fewer
    "countries_cos",   # cosine of the country-mention count vectors
    "numbers_jaccard",  # Jaccard of the specific numbers
    "years_jaccard",   # Jaccard of the years mentioned
    "no_years",        # 1 when one side mentions no year
    "log_gap_days",    # log(1 + days between publication dates), 0 when unknown
    "no_date",         # 1 when either date is unknown
    "tone_diff",       # |tone A - tone B|
    "log_len_ratio",   # log(longer / shorter) in characters (heads)
    "same_lang",       # 1 when both sides have the same language code
    # added with the tree models (out-of-fold "overall" 0.709 -> 0.741 with ridge, USE):
    "dense_max",       # highest sentence-pair cosine
    "dense_mean",      # mean of all sentence-pair cosines
    "best_min",        # the smaller side's mean best cosine (``best_dense`` is both sides')
    "best_top3",       # mean of each side's three best-matched sentences
    "frac_05",         # share of sentences whose best cosine on the other side is > 0.5
    "frac_07",         # same, > 0.7
    "match_mean",      # mean cosine of a full one-to-one greedy matching (no threshold)
    "dense_tail",      # cosine of the means of the last three sentences (excerpts' tails)
    "dense_cross",     # lead of one side vs tail of the other, both ways, averaged
    "tfidf_cos",       # sublinear TF x IDF cosine (``word_weights``: shipped DF table)
    "char4_cos",       # character 4-gram cosine (inflections, names across languages)
    "word_jacc",       # Jaccard of all folded word tokens
    "per_jacc",        # Jaccard of person names (typed by the enrichment)
    "per_none",        # 1 when a side has no person name
    "loc_jacc",        # same for places
    "loc_none",
    "org_jacc",        # same for organisations
    "org_none",
    "misc_jacc",       # same for other named things
    "misc_none",
    "nametok_jacc",    # Jaccard of the words of the names ("Katrin Heß" ~ "Heß")
    "nametok_cover",   # shared name words / name words of the side with fewer
    "countries_jacc",  # Jaccard of the countries mentioned (sets, not counts)
    "no_countries",    # 1 when a side mentions no country
    "numbers_cover",   # shared numbers / numbers of the side with fewer
    "log_nsent_min",   # log(1 + sentences of the shorter side): how much evidence there is
    "log_len_min",     # log(1 + characters of the shorter side)
)

HEAD_CHARS = 1200
"""Head length: the SemEval training excerpts are ~1,000-1,300 characters."""

COVERAGE_THRESHOLD = 0.3
"""Alignment threshold of the coverage channels (static embedder): on the SemEval dev
pairs, Pearson(coverage, overall) rises as the threshold falls to 0.3 and flattens below
(``train_dimensions --tune-threshold``). It is lower than the display threshold
(``facts.DEFAULT_THRESHOLD``) on purpose: as a feature, a soft coverage carries more
signal; as a list of shared facts shown to a reader, precision matters more."""

FloatVec = npt.NDArray[np.float64]


def _unit_mean(m: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    if m.shape[0] == 0:
        return np.zeros(m.shape[1] if m.ndim == 2 else 0, dtype=np.float64)
    v: npt.NDArray[np.float64] = m.astype(np.float64).mean(axis=0)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def _cos(x: FloatVec, y: FloatVec) -> float:
    return float(x @ y) if x.size and y.size else 0.0


def lexical_cosine(doc_a: str, doc_b: str) -> float:
    """Cosine of sublinear term frequencies of words of 4+ characters (folded)."""
    ca, cb = words(doc_a), words(doc_b)
    return mapping_cosine({k: 1 + math.log(v) for k, v in ca.items()},
                        {k: 1 + math.log(v) for k, v in cb.items()})


def date_gap_days(a: Analysis, b: Analysis) -> float | None:
    """Days between the two publication dates, or None when either is unknown."""
    pa, pb = a.article.published, b.article.published
    if pa is None or pb is None or "none" in (a.article.published_source,
                                              b.article.published_source):
        return None
    return abs((pa - pb).total_seconds()) / 86400.0


def head(an: Analysis, chars: int = HEAD_CHARS) -> Analysis:
    """``an`` cut to the title and the sentences starting in the first ``chars`` characters.

    Countries and the entity counters stay those of the full article (they are not kept
    per sentence); years are those whose number appears in the head.
    """
    n = sum(1 for s in an.sentences if s.start < chars)
    if n >= len(an.sentences):
        return an
    n = max(n, 1)
    end = an.sentences[n - 1].end
    nums: set[str] = set()
    for x in an.sent_numbers[:n]:
        nums |= x
    return dataclasses.replace(
        an, doc=an.doc[:end], sentences=an.sentences[:n], vectors=an.vectors[:n],
        sent_names=an.sent_names[:n], sent_numbers=an.sent_numbers[:n],
        years=frozenset(y for y in an.years if number_key(y) in nums))


def _coverage(a: Analysis, b: Analysis, threshold: float) -> tuple[float, float]:
    pairs = greedy_align(similarity_matrix(a, b), threshold)
    na, nb = len(a.sentences), len(b.sentences)
    return (len(pairs) / na if na else 0.0), (len(pairs) / nb if nb else 0.0)


def channels(a: Analysis, b: Analysis, *, threshold: float, tone_a: float, tone_b: float
             ) -> dict[str, float]:
    """All channels of the pair, keyed by ``FEATURES`` names, plus ``full_cov``: on the
    heads of both sides (see the module doc) except ``full_cov``, the country channels
    (``countries_cos``, ``countries_jacc``, ``no_countries``: countries are not kept per
    sentence) and the dates."""
    head_a, head_b = head(a), head(b)
    full = (_coverage(a, b, threshold) if head_a is not a or head_b is not b else None)
    a, b = head_a, head_b
    sim = similarity_matrix(a, b)
    dense = (a.vectors @ b.vectors.T).astype(np.float64) if sim.size else sim
    pairs = greedy_align(sim, threshold)
    na, nb = len(a.sentences), len(b.sentences)
    cov_a, cov_b = (len(pairs) / na if na else 0.0), (len(pairs) / nb if nb else 0.0)
    best = (float(np.concatenate([sim.max(axis=1), sim.max(axis=0)]).mean())
            if sim.size else 0.0)
    best_d = (float(np.concatenate([dense.max(axis=1), dense.max(axis=0)]).mean())
              if dense.size else 0.0)
    names_a, names_b = a.names, b.names
    small = min(len(names_a), len(names_b))
    gap = date_gap_days(a, b)
    len_a, len_b = max(1, len(a.doc)), max(1, len(b.doc))
    title_a = a.vectors[:1].astype(np.float64)
    title_b = b.vectors[:1].astype(np.float64)
    full_a, full_b = full if full is not None else (cov_a, cov_b)
    return {
        "dense_full": _cos(_unit_mean(a.vectors), _unit_mean(b.vectors)),
        "dense_lead": _cos(_unit_mean(a.vectors[:3]), _unit_mean(b.vectors[:3])),
        "dense_title": float((title_a @ title_b.T)[0, 0]) if na and nb else 0.0,
        "align_cov": (cov_a + cov_b) / 2,
        "align_cov_min": min(cov_a, cov_b),
        "best_match": best,
        "best_dense": best_d,
        "lex_cos": lexical_cosine(a.doc, b.doc),
        "names_jaccard": set_jaccard(names_a, names_b),
        "names_cover": len(names_a & names_b) / small if small else 0.0,
        "countries_cos": mapping_cosine({k: float(v) for k, v in a.countries.items()},
                                      {k: float(v) for k, v in b.countries.items()}),
        "numbers_jaccard": set_jaccard(a.numbers, b.numbers),
        "years_jaccard": set_jaccard({str(y) for y in a.years}, {str(y) for y in b.years}),
        "no_years": 0.0 if a.years and b.years else 1.0,
        "log_gap_days": math.log1p(gap) if gap is not None else 0.0,
        "no_date": 1.0 if gap is None else 0.0,
        "tone_diff": abs(tone_a - tone_b),
        "log_len_ratio": math.log(max(len_a, len_b) / min(len_a, len_b)),
        "same_lang": 1.0 if a.article.lang and a.article.lang == b.article.lang else 0.0,
        **_dense_stats(dense),
        **_lexical(a, b),
        **_entities(a, b),
        "full_cov": (full_a + full_b) / 2,
    }


def _dense_stats(dense: FloatVec) -> dict[str, float]:
    """Summaries of the sentence-pair cosine matrix beyond the mean best match: how high
    the best pairs go and how much of each side finds a counterpart."""
    if dense.size == 0:
        return dict.fromkeys(("dense_max", "dense_mean", "best_min", "best_top3", "frac_05",
                              "frac_07", "match_mean"), 0.0)
    row, col = dense.max(axis=1), dense.max(axis=0)
    both = np.concatenate([row, col])
    matched = greedy_align(dense, -math.inf)
    return {
        "dense_max": float(dense.max()),
        "dense_mean": float(dense.mean()),
        "best_min": min(float(row.mean()), float(col.mean())),
        "best_top3": float((np.sort(row)[-3:].mean() + np.sort(col)[-3:].mean()) / 2),
        "frac_05": float((both > 0.5).mean()),
        "frac_07": float((both > 0.7).mean()),
        "match_mean": float(np.mean([dense[i, j] for i, j in matched])),
    }


def _lexical(a: Analysis, b: Analysis) -> dict[str, float]:
    """Word and character overlap of the (head) documents, and the tail/cross dense
    channels: the SemEval excerpts are an article's head and tail, so their last
    sentences often carry the later development or the background."""
    lead_a, lead_b = _unit_mean(a.vectors[:3]), _unit_mean(b.vectors[:3])
    tail_a, tail_b = _unit_mean(a.vectors[-3:]), _unit_mean(b.vectors[-3:])
    return {
        "dense_tail": _cos(tail_a, tail_b),
        "dense_cross": (_cos(lead_a, tail_b) + _cos(tail_a, lead_b)) / 2,
        "tfidf_cos": tfidf_cosine(a.doc, b.doc),
        "char4_cos": char_ngram_cosine(a.doc, b.doc),
        "word_jacc": word_jaccard(a.doc, b.doc),
    }


_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("per", ("PER",)), ("loc", ("LOC", "GPE")), ("org", ("ORG",)), ("misc", ("MISC",)))


def _typed_names(an: Analysis, labels: tuple[str, ...]) -> set[str]:
    """Folded names of ``an`` with an enrichment label in ``labels``, restricted to the
    names found in its (head) sentences."""
    names = an.names
    return {k for k in (fold(norm_key(t)) for t, lab in an.entity_labels.items()
                        if lab in labels) if k in names}


def _entities(a: Analysis, b: Analysis) -> dict[str, float]:
    """Overlap of names by type, of name words, of countries (sets) and of numbers."""
    out: dict[str, float] = {}
    for tag, labels in _TYPES:
        xa, xb = _typed_names(a, labels), _typed_names(b, labels)
        out[f"{tag}_jacc"] = set_jaccard(xa, xb)
        out[f"{tag}_none"] = 0.0 if xa and xb else 1.0
    wa = {w for n in a.names for w in n.split() if len(w) > 2}
    wb = {w for n in b.names for w in n.split() if len(w) > 2}
    few = min(len(wa), len(wb))
    ca, cb = set(a.countries), set(b.countries)
    na, nb = a.numbers, b.numbers
    few_n = min(len(na), len(nb))
    out.update({
        "nametok_jacc": set_jaccard(wa, wb),
        "nametok_cover": len(wa & wb) / few if few else 0.0,
        "countries_jacc": set_jaccard(ca, cb),
        "no_countries": 0.0 if ca and cb else 1.0,
        "numbers_cover": len(na & nb) / few_n if few_n else 0.0,
        "log_nsent_min": math.log1p(min(len(a.sentences), len(b.sentences))),
        "log_len_min": math.log1p(min(len(a.doc), len(b.doc))),
    })
    return out


def vector(ch: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """Channels as a vector in ``FEATURES`` order."""
    return np.array([ch[f] for f in FEATURES], dtype=np.float64)
