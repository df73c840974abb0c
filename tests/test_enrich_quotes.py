"""Quotations and their speakers (storylens.enrich.quotes) with hand-placed entity mentions, so
each speaker rule of the module docstring is checked on its own, without a NER model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.enrich.entities import Label, Mention, make_mention
from storylens.enrich.normalize import TitleRef
from storylens.enrich.quotes import extract_quotes, find_quote_spans


def _m(text: str, surface: str, label: Label = "PER", nth: int = 0) -> Mention:
    i = -1
    for _ in range(nth + 1):
        i = text.index(surface, i + 1)
    m = make_mention(text, i, i + len(surface), label)
    assert m is not None
    return m


# --- spans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "inner"),
    [("He said “two words” today", "two words"), ("Il a dit « un deux » hier", " un deux "),
     ("Er sagte „eins zwei“ heute", "eins zwei"), ("Er sagte „eins zwei” heute", "eins zwei"),
     ("Er sagte ‚eins zwei‘ heute", "eins zwei"), ("Er sagte »eins zwei« heute", "eins zwei"),
     ("Il dit ‹ un deux › hier", " un deux "), ("彼は「東京 大阪」と言った", "東京 大阪"),
     ("彼は『東京 大阪』と言った", "東京 大阪"), ('He said "two words" today', "two words")],
)
def test_each_pair_of_marks(text: str, inner: str) -> None:
    ((s, e),) = find_quote_spans(text)
    assert text[s + 1:e - 1] == inner


def test_one_word_quotes_are_not_quotations() -> None:
    assert find_quote_spans('He called it "fake" and «absurde».') == []


def test_quotes_do_not_cross_a_blank_line() -> None:
    assert find_quote_spans('"a b\n\nc d"') == []
    assert find_quote_spans('"a b\nc d"') == [(0, 9)]


def test_apostrophe_is_never_an_opening_mark() -> None:
    assert find_quote_spans("l’homme a dit ’ceci est’ faux") == []


def test_a_lone_closing_guillemet_opens_nothing() -> None:
    assert find_quote_spans("» a b c") == []


def test_quotes_longer_than_2000_characters_are_not_quotations() -> None:
    assert find_quote_spans('"' + "word " * 500 + '"') == []
    assert len(find_quote_spans('"' + "word " * 300 + '"')) == 1


def test_nested_quotes_give_the_outer_span_only() -> None:
    text = "« Il a dit “non merci” hier », selon lui."
    assert find_quote_spans(text) == [(0, text.index("»") + 1)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab «»“”„"\n.')), max_size=60))
def test_spans_are_ordered_disjoint_and_marked(text: str) -> None:
    last = 0
    for s, e in find_quote_spans(text):
        assert last <= s < e <= len(text)
        assert text[s] in "«“„‚»‹「『\"" and len(text[s + 1:e - 1].split()) >= 2
        assert "\n\n" not in text[s:e]
        last = e


# --- speakers -------------------------------------------------------------------------------


def test_rule1_verb_then_name_after_the_quote() -> None:
    t = "« Nous ne laisserons pas faire », a déclaré Benny Gantz mardi."
    (q,) = extract_quotes(t, "fr", [_m(t, "Benny Gantz")])
    assert (q.text, q.speaker, q.verb) == ("Nous ne laisserons pas faire", "Benny Gantz",
                                            "a déclaré")
    assert (q.start, q.end) == (0, t.index("»") + 1)


def test_rule1_name_between_quote_and_verb() -> None:
    t = '"We will not allow it," Gantz said on Tuesday.'
    (q,) = extract_quotes(t, "en", [_m(t, "Gantz")])
    assert (q.speaker, q.verb) == ("Gantz", "said")


def test_rule2_pronoun_takes_the_last_named_speaker() -> None:
    t = ("« Nous ne laisserons pas faire », a déclaré Benny Gantz. Plus tard, Emmanuel Macron "
         "est arrivé. « C'est une menace réelle », a-t-il ajouté.")
    qs = extract_quotes(t, "fr", [_m(t, "Benny Gantz"), _m(t, "Emmanuel Macron")])
    assert [(q.speaker, q.verb) for q in qs] == [("Benny Gantz", "a déclaré"),
                                                 ("Benny Gantz", "a-t-il ajouté")]


def test_rule2_without_a_previous_speaker_takes_the_nearest_person_before() -> None:
    t = 'Jane Doe met the press. "We will act soon," she said.'
    (q,) = extract_quotes(t, "en", [_m(t, "Jane Doe")])
    assert (q.speaker, q.verb) == ("Jane Doe", "said")


def test_rule3_name_and_verb_before_the_quote() -> None:
    t = 'Gantz said: "We will not allow it." The talks went on.'
    (q,) = extract_quotes(t, "en", [_m(t, "Gantz")])
    assert (q.speaker, q.verb) == ("Gantz", "said")


def test_a_verb_after_the_next_quote_belongs_to_that_quote() -> None:
    # Fixed bug: the first quote took "added" (the second quote's verb) instead of "said".
    t = 'Gantz said: "We will not allow it." Then "this is a threat", he added.'
    qs = extract_quotes(t, "en", [_m(t, "Gantz")])
    assert [(q.text, q.speaker, q.verb) for q in qs] == [
        ("We will not allow it.", "Gantz", "said"), ("this is a threat", "Gantz", "added")]


def test_rule4_nearest_person_before_with_no_verb() -> None:
    t = 'Isaac Herzog at the ceremony. "Never again, never again."'
    (q,) = extract_quotes(t, "en", [_m(t, "Isaac Herzog")])
    assert (q.speaker, q.verb) == ("Isaac Herzog", None)


def test_nobody_within_reach_means_no_speaker() -> None:
    t = "Isaac Herzog arrived. " + "Nothing happened. " * 20 + '"Never again, never again."'
    (q,) = extract_quotes(t, "en", [_m(t, "Isaac Herzog")])
    assert q.speaker is None and q.verb is None


def test_places_are_not_speakers() -> None:
    t = 'In Ankara. "We will act soon."'
    (q,) = extract_quotes(t, "en", [_m(t, "Ankara", "LOC")])
    assert q.speaker is None


def test_speaker_is_shown_by_the_full_name_of_its_cluster() -> None:
    t = ("Benny Gantz arrived in Ankara. Later, \"we will not allow it,\" Gantz said.")
    (q,) = extract_quotes(t, "en", [_m(t, "Benny Gantz"), _m(t, "Gantz", nth=1)])
    assert q.speaker == "Benny Gantz"


def test_title_references_count_as_people() -> None:
    t = 'The Israeli defence minister arrived. "We will not allow it."'
    ref = TitleRef(text="Israeli defence minister", person="Benny Gantz",
                   start=t.index("Israeli"), end=t.index(" arrived"))
    (q,) = extract_quotes(t, "en", [], [ref])
    assert q.speaker == "Benny Gantz"


@pytest.mark.parametrize(
    ("lang", "text", "verb"),
    [("de", "„Wir werden handeln“, sagte Scholz am Montag.", "sagte"),
     ("es", "«Vamos a actuar pronto», dijo Sánchez el lunes.", "dijo"),
     ("ru", "«Мы будем действовать», заявил Путин в понедельник.", "заявил"),
     (None, "«Vamos a actuar pronto», dijo Sánchez el lunes.", "dijo")],
)
def test_attribution_verbs_per_language(lang: str | None, text: str, verb: str) -> None:
    name = text.split(", ")[1].split(" ")[1]
    (q,) = extract_quotes(text, lang, [_m(text, name)])
    assert (q.speaker, q.verb) == (name, verb)
