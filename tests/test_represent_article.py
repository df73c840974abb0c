"""An article's comparable channels (storylens.represent.article): salient names, normalised
numbers, the lead that is embedded, and the ArticleRep a batch produces."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.represent.article import fold, lead, numbers_of, represent_batch, salient_names
from storylens.represent.hashing import HashingEmbedder
from storylens.represent.lexical import DocFreq, cosine


def test_fold() -> None:
    assert fold("Erdoğan ÇAVUŞOĞLU Straße") == "erdogan cavusoglu strasse"


def test_salient_names_skip_sentence_starts_but_keep_acronyms() -> None:
    text = ("Le président Erdoğan a rencontré Gantz à Ankara. Les MIT et OTAN. "
            "Hier, la France.\nDonc Paris")
    # "Donc" starts a line, "Paris" follows it
    assert salient_names(text) == {"erdogan", "gantz", "ankara", "mit", "otan", "france",
                                   "paris"}


def test_salient_names_strip_edge_apostrophes_and_hyphens() -> None:
    assert salient_names("the plan of Gantz' team and Ankara-") == {"gantz", "ankara"}


@pytest.mark.xfail(strict=True, reason="a name inside quotes («Gantz», \"Gantz\") is not seen "
                   "(the pattern must match at the token start) and an English possessive "
                   "stays part of the key (gantz's); left as is: the linker's learnt weights "
                   "were fitted on these keys")
def test_salient_names_inside_quotes_and_possessives() -> None:
    assert salient_names("the plan of «Gantz» and Gantz's team") == {"gantz"}


def test_salient_names_cyrillic_and_katakana() -> None:
    assert salient_names("Вчера Путин встретил Эрдогана") == {"путин", "эрдогана"}
    assert salient_names("バイデン大統領") == {"バイデン"}


def test_long_all_caps_words_at_a_sentence_start_are_shouting_not_acronyms() -> None:
    assert salient_names("BREAKING news today") == set()
    assert salient_names("NATO meets today") == {"nato"}


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("12 tentatives", {"12"}), ("1,000 morts et 1 234 blessés", {"1000", "1234"}),
     ("16 muertos y 10.5 km", {"16", "10.5"}), ("en 2019, 7 jours, 3,5 millions", set()),
     ("3,75 euros", set()), ("14,5 %", {"14.5"}), ("A380 et covid19", set())],
)
def test_numbers_of(text: str, numbers: set[str]) -> None:
    assert numbers_of(text) == numbers


def test_lead_cuts_at_a_word() -> None:
    assert lead("T", "a b c d e f", 5) == "T\na b"
    assert lead("T", "abc", 5) == "T\nabc"
    assert lead("", "", 5) == ""
    assert lead("Title", "x" * 10, 5) == "Title\nxxxxx"  # no space to cut at: a hard cut


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.text(max_size=200), st.integers(1, 100))
def test_lead_is_title_and_a_prefix_of_the_body(title: str, text: str, n: int) -> None:
    out = lead(title, text, n)
    assert len(out) <= len(title) + 1 + n
    body = out[len(title.strip()) + 1:] if out.startswith(title.strip()) else out
    assert text.startswith(body.strip()) or text.strip().startswith(body.strip()) or \
        body.strip() in text


def test_represent_batch() -> None:
    t0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
    items = [
        ("a1", "Dam breaks near Basel", "The dam on the Rhine broke near Basel. 4200 people "
         "left their homes, officials said.", t0, "en", "x.com"),
        ("a2", "Basel dam breaks", "The dam on the Rhine broke near Basel on Monday. 4,200 "
         "residents were evacuated, officials said.", None, "en", None),
        ("a3", "Election results", "Voters chose a new parliament in Oslo.", t0, "en", "y.com"),
    ]
    df = DocFreq()
    reps = represent_batch(items, HashingEmbedder(dim=64), df)
    assert [r.id for r in reps] == ["a1", "a2", "a3"]
    assert reps[0].time == t0.timestamp() and reps[1].time is None
    assert (reps[0].lang, reps[0].outlet, reps[1].outlet) == ("en", "x.com", None)
    assert reps[0].dense.shape == (64,) and reps[0].dense.dtype == np.float32
    assert np.linalg.norm(reps[0].dense) == pytest.approx(1.0, abs=1e-5)
    assert {"basel", "rhine"} <= reps[0].names and reps[0].numbers == {"4200"}
    assert reps[1].numbers == {"4200"}
    assert df.n_docs == 3
    assert cosine(reps[0].body_vec, reps[1].body_vec) > cosine(reps[0].body_vec,
                                                               reps[2].body_vec)
    assert len(reps[0].title_vec) <= 40 and reps[0].title == "Dam breaks near Basel"
    assert reps[0].minhash.shape == (64,)
