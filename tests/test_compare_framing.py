"""``compare.lexicons`` and ``compare.framing``: folding with a map back to the original
spelling, stem and multi-word term matching, referent designations one side alone uses,
short replaced spans between aligned sentences, loaded terms and attribution per side."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.compare.facts import AlignedPair, FactSentence
from storylens.compare.framing import (
    Substitution,
    _context,
    _is_part_of_name,
    _longest,
    _with_article,
    compare_framing,
    diff_substitutions,
    referent_substitutions,
    side_framing,
)
from storylens.compare.lexicons import (
    ATTRIBUTION,
    LOADED,
    POLARITY,
    REFERENTS,
    Hit,
    find_terms,
    term_regex,
)
from storylens.textnorm import fold as fold_term
from storylens.textnorm import fold_with_map

# -- lexicons -------------------------------------------------------------------------


def test_fold_with_map_points_back_to_the_original_characters() -> None:
    folded, where = fold_with_map("Aé’ıŁ")
    assert folded == "ae'il"
    assert where == [0, 1, 2, 3, 4]
    folded, where = fold_with_map("ﬁne")  # one ligature character -> two folded ones
    assert folded == "fine" and where == [0, 0, 1, 2]


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60))
def test_fold_map_is_monotone_and_in_range(text: str) -> None:
    folded, where = fold_with_map(text)
    assert len(folded) == len(where)
    assert where == sorted(where)
    assert all(0 <= i < len(text) for i in where)


def test_term_regex_stems_phrases_and_word_starts() -> None:
    rx = term_regex(["terroris*", "groupe terroriste", "war"])
    assert rx.fullmatch("terroristes") and rx.fullmatch("terrorisme")
    assert rx.fullmatch("groupe   terroriste"), "any whitespace between phrase words"
    assert rx.search("war") and not rx.search("warm") and not rx.search("prewar")
    assert not rx.search("antiterrorism"), "stems match at a word start only"
    # longest alternative first: the phrase wins over the stem
    assert rx.search("un groupe terroriste").group(0) == "groupe terroriste"


def test_find_terms_reports_the_original_spelling_and_offsets() -> None:
    text = "Le régime  SIONISTE a dit; Erdoğan's terrorists."
    pats = {"z": term_regex(["regime sioniste"]), "t": term_regex(["terroris*"])}
    hits = find_terms(text, pats)
    assert [(h.key, h.surface) for h in hits] == [("z", "régime SIONISTE"),
                                                  ("t", "terrorists")]
    assert text[hits[0].start:hits[0].end] == "régime  SIONISTE", "surface squeezes spaces"
    assert hits == sorted(hits, key=lambda h: (h.start, -h.end))


def test_lexicons_are_folded_and_complete() -> None:
    assert set(POLARITY) >= {"fr", "en", "de", "es", "it", "pl", "tr", "ru", "ar", "pt"}
    assert POLARITY["pt"] is POLARITY["es"]
    for table in (LOADED, ATTRIBUTION, REFERENTS):
        for key, terms in table.items():
            assert terms, key
            assert all(t.strip() == t and t for t in terms), key
    # every referent is matched by its own designations
    for ref, terms in REFERENTS.items():
        rx = term_regex(terms)
        assert all(rx.search(fold_term(t)) for t in terms), ref


# -- framing helpers ------------------------------------------------------------------


def test_longest_drops_nested_hits() -> None:
    outer, inner, later = Hit("a", "régime sioniste", 3, 18), Hit("b", "régime", 3, 9), \
        Hit("c", "x", 20, 21)
    assert _longest([inner, later, outer]) == [outer, later]


def test_with_article_and_part_of_name() -> None:
    text = "Selon le régime sioniste, Israel Hayom dit. The Jewish state said."
    h = next(h for h in find_terms(text, {"r": term_regex(REFERENTS["Israel"])})
             if "sioniste" in h.surface)
    assert _with_article(text, h) == "le régime sioniste"
    hayom = Hit("r", "Israel", text.index("Israel"), text.index("Israel") + 6)
    assert _is_part_of_name(text, hayom), "Israel Hayom is a newspaper, not a designation"
    state = Hit("r", "Jewish state", text.index("Jewish"), text.index("Jewish") + 12)
    assert not _is_part_of_name(text, state)
    assert _with_article("l'entité", Hit("r", "entité", 2, 8)) == "l'entité"


def test_context_is_one_line_with_ellipses() -> None:
    text = "x" * 50 + "\n\nterm\n" + "y" * 50
    h = Hit("k", "term", 52, 56)
    ctx = _context(text, h, width=5)
    assert ctx == "…xxx term yyyy…", "width characters either side, newlines squeezed"
    assert _context("just term", Hit("k", "term", 5, 9)) == "just term"


# -- referent substitutions -----------------------------------------------------------


def test_referent_substitutions_pair_each_sides_designations() -> None:
    a = "Le régime sioniste a frappé. Le régime sioniste encore. Israël aussi."
    b = "Israël a frappé. L'État hébreu a dit."
    subs = referent_substitutions(a, b)
    assert [(s.referent, s.a, s.b, s.a_count, s.b_count) for s in subs] == [
        ("Israel", "Le régime sioniste", "Israël", 2, 1),
        ("Israel", "Le régime sioniste", "L'État hébreu", 2, 1)]
    assert all(s.source == "referent-lexicon" for s in subs)


def test_referent_substitutions_need_both_sides_and_skip_names() -> None:
    assert referent_substitutions("Le Hamas a dit.", "Rien à voir.") == []
    assert referent_substitutions("Israel Hayom reported it.", "Israel said it.") == []
    assert referent_substitutions("Israel said it.", "Israel said it too.") == []


def test_one_designation_each_is_one_substitution() -> None:
    """Regression: "Israel" vs "the Zionist regime", each side's only designation, was
    reported twice (once from each side's loop)."""
    subs = referent_substitutions("Israel struck again.", "The Zionist regime struck.")
    assert [(s.a, s.b, s.a_count, s.b_count) for s in subs] == [
        ("Israel", "Zionist regime", 1, 1)]


def test_referent_substitutions_work_across_languages() -> None:
    subs = referent_substitutions("The Zionist regime struck.", "إسرائيل ضربت.")
    assert [(s.referent, s.a.casefold(), s.b) for s in subs] == [
        ("Israel", "zionist regime", "إسرائيل")]


# -- aligned diffs ---------------------------------------------------------------------


def _pair(a: str, b: str, ia: int = 1, ib: int = 2) -> AlignedPair:
    return AlignedPair(FactSentence(ia, a, 0, len(a)), FactSentence(ib, b, 0, len(b)), 0.9)


def test_diff_substitutions_find_salient_short_replacements() -> None:
    subs = diff_substitutions([_pair("Rebels attacked Kiev on Monday",
                                     "Terrorists attacked Kyiv on Monday")], True)
    assert [(s.referent, s.a, s.b, s.source) for s in subs] == [
        ("sentence 1/2", "Rebels", "Terrorists", "aligned-diff"),
        ("sentence 1/2", "Kiev", "Kyiv", "aligned-diff")]


def test_diff_substitutions_rules() -> None:
    same = _pair("The army attacked Kiev", "The army attacked Kiev")
    assert diff_substitutions([same], True) == []
    # only lower-case, non-loaded words replaced: not salient
    assert diff_substitutions([_pair("the army attacked the town",
                                     "the army attacked the village")], True) == []
    # a loaded lower-case word is salient
    subs = diff_substitutions([_pair("the fighters attacked the town",
                                     "the terrorists attacked the town")], True)
    assert [(s.a, s.b) for s in subs] == [("fighters", "terrorists")]
    # too different sentences, or different languages: nothing
    assert diff_substitutions([_pair("Alpha beta gamma delta", "One two three four")],
                              True) == []
    assert diff_substitutions([_pair("Rebels attacked Kiev", "Terrorists attacked Kyiv")],
                              False) == []
    # a replaced span longer than four tokens is not a substitution
    long = _pair("Officials said Rebels Of The Northern Front attacked",
                 "Officials said Kyiv attacked")
    assert diff_substitutions([long], True) == []
    # the same substitution in two pairs is reported once
    p = _pair("Rebels attacked Kiev", "Rebels attacked Kyiv")
    assert len(diff_substitutions([p, _pair(p.a.text, p.b.text, 4, 5)], True)) == 1


# -- loaded terms and attribution --------------------------------------------------------


def test_side_framing_counts_loaded_terms_and_attribution() -> None:
    doc = ("The terrorists attacked. The terrorist group claimed it. Terrorists again. "
           "Officials said so. He allegedly fled.")
    sf = side_framing(doc, "The militants attacked. Terrorists, some said.")
    assert [(t.term, t.category, t.count) for t in sf.loaded] == [
        ("terrorists", "terrorism", 2), ("terrorist group", "terrorism", 1)]
    assert [t.term for t in sf.loaded_only_here] == ["terrorist group"]
    assert sf.attribution == {"doubt": 2, "neutral": 1}
    assert {t.term for t in sf.attribution_terms} == {"claimed", "said", "allegedly"}
    assert "terrorist group claimed" in sf.attribution_terms[0].context or \
        any("claimed" in t.context for t in sf.attribution_terms)


def test_side_framing_of_an_empty_doc() -> None:
    sf = side_framing("", "The terrorists attacked.")
    assert sf.loaded == [] and sf.attribution == {} and sf.to_dict()["loaded"] == []


def test_compare_framing_puts_it_together() -> None:
    a = "Le régime sioniste a tué trois martyrs, a prétendu le porte-parole."
    b = "Israël a tué trois terroristes, a déclaré l'armée."
    fr = compare_framing(a, b, [], same_lang=True)
    assert ("Israel", "Le régime sioniste", "Israël") in {(s.referent, s.a, s.b)
                                                          for s in fr.substitutions}
    assert {t.category for t in fr.a.loaded_only_here} >= {"martyr"}
    assert {t.category for t in fr.b.loaded_only_here} == {"terrorism"}
    assert fr.a.attribution == {"doubt": 1} and fr.b.attribution == {"neutral": 1}
    d = fr.to_dict()
    assert set(d) == {"substitutions", "a", "b"}
    assert d["substitutions"][0] == Substitution("Israel", "Le régime sioniste", "Israël",
                                                 "referent-lexicon").to_dict()


@pytest.mark.parametrize("lang_doc", [
    "Die Terroristen griffen an, behauptete er.",
    "Los terroristas atacaron, dijo supuestamente.",
    "Террористы атаковали, якобы.",
])
def test_loaded_terms_in_other_languages(lang_doc: str) -> None:
    sf = side_framing(lang_doc, "")
    assert any(t.category == "terrorism" for t in sf.loaded), lang_doc
    assert sf.attribution.get("doubt", 0) >= 1, lang_doc
