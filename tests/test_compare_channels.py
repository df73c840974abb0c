"""``compare.channels`` helpers the dimension models read: the lexical cosine, the date
gap (unknown when either date is missing or guessed as none), the head cut to the
training excerpts' length, and ``vector``'s feature order."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storylens.compare.analysis import analyse_many
from storylens.compare.channels import (
    FEATURES,
    HEAD_CHARS,
    _unit_mean,
    date_gap_days,
    head,
    lexical_cosine,
    vector,
)
from storylens.records import Article
from storylens.represent.base import get_embedder

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def art(i: str, text: str, published: datetime | None = T0, source: str = "input"
        ) -> Article:
    return Article(id=i, source=i, title="", text=text, raw=text, raw_format="text",
                   lang="en", published=published, published_source=source)  # type: ignore[arg-type]


def test_lexical_cosine() -> None:
    assert lexical_cosine("storm storm Lisbon", "Lisbon storm") == pytest.approx(
        (1 + math.log(2) + 1) / (math.sqrt((1 + math.log(2)) ** 2 + 1) * math.sqrt(2)))
    assert lexical_cosine("a an the", "a an the") == 0.0, "words under 4 letters ignored"
    assert lexical_cosine("Érdoğan", "erdogan") == pytest.approx(1.0), "folded"
    assert lexical_cosine("", "storm") == 0.0


def test_date_gap_days() -> None:
    a, b = analyse_many([art("a", "Text one here."), art("b", "Text two here.",
                                                        T0 + timedelta(hours=36))],
                        get_embedder("hashing"), enrich=False)
    assert date_gap_days(a, b) == pytest.approx(1.5) == date_gap_days(b, a)
    undated = replace(b, article=art("c", "x", None))
    assert date_gap_days(a, undated) is None
    guessed = replace(b, article=art("d", "x", T0, source="none"))
    assert date_gap_days(a, guessed) is None


def test_head_cuts_to_sentences_starting_in_the_first_chars() -> None:
    body = " ".join(f"Sentence {k} mentions year {2000 + k} here." for k in range(80))
    (an,) = analyse_many([art("h", body)], get_embedder("hashing"), enrich=False)
    assert len(an.doc) > HEAD_CHARS
    h = head(an)
    assert 0 < len(h.sentences) < len(an.sentences)
    assert all(s.start < HEAD_CHARS for s in h.sentences)
    assert h.doc == an.doc[:h.sentences[-1].end]
    assert h.vectors.shape[0] == len(h.sentences) == len(h.sent_names)
    assert h.years == frozenset(2000 + k for k in range(len(h.sentences)))
    assert h.years < an.years
    short = analyse_many([art("s", "Short one.")], get_embedder("hashing"), enrich=False)[0]
    assert head(short) is short, "nothing to cut: the same object"
    assert len(head(an, chars=1).sentences) == 1, "at least one sentence"


def test_unit_mean() -> None:
    m = np.array([[1, 0], [1, 0], [0, 2]], dtype=np.float32)
    np.testing.assert_allclose(_unit_mean(m), np.array([1, 1]) / math.sqrt(2))
    assert _unit_mean(np.zeros((0, 3), dtype=np.float32)).tolist() == [0, 0, 0]
    assert _unit_mean(np.zeros((2, 2), dtype=np.float32)).tolist() == [0, 0]


def test_vector_follows_features_order() -> None:
    ch = {f: float(k) for k, f in enumerate(FEATURES)} | {"full_cov": 99.0}
    v = vector(ch)
    assert v.tolist() == list(range(len(FEATURES))) and v.dtype == np.float64
    assert len(set(FEATURES)) == len(FEATURES) and "full_cov" not in FEATURES
    with pytest.raises(KeyError):
        vector({"dense_full": 1.0})
