"""Name normalisation: keys, clustering (token subsets, edit distance 1), title resolution."""

from __future__ import annotations

from storylens.enrich.entities import Mention
from storylens.enrich.normalize import (
    cluster_names,
    edit_distance_le1,
    norm_key,
    resolve_titles,
)


def test_norm_key_strips_diacritics_case_and_separators() -> None:
    assert norm_key("Recep Tayyip Erdoğan") == "recep tayyip erdogan"
    assert norm_key("Mevlüt Çavuşoğlu") == "mevlut cavusoglu"
    assert norm_key("Tel-Aviv") == norm_key("Tel Aviv") == "tel aviv"
    assert norm_key("Łódź") == "lodz"
    assert norm_key("  Straße ") == "strasse"


def test_erdogan_spellings_are_one_actor() -> None:
    names = ["Erdoğan", "Erdogan", "Recep Tayyip Erdogan", "Recep Tayyip Erdoğan", "Erdogan"]
    canon = cluster_names(names)
    assert len(set(canon.values())) == 1
    # longest name wins; among equal lengths the spelling with the original diacritics
    assert canon["Erdogan"] == "Recep Tayyip Erdoğan"


def test_first_name_alone_does_not_merge() -> None:
    canon = cluster_names(["Benny Gantz", "Benny", "Gantz"])
    assert canon["Gantz"] == "Benny Gantz"
    assert canon["Benny"] == "Benny"


def test_ambiguous_short_name_is_left_alone() -> None:
    canon = cluster_names(["Benny Gantz", "Ilana Gantz", "Gantz"])
    assert canon["Gantz"] == "Gantz"
    assert canon["Benny Gantz"] == "Benny Gantz"


def test_edit_distance_merge_only_when_asked() -> None:
    names = ["Gantz"] * 5 + ["Ganz", "Benny Gantz"]
    assert cluster_names(names)["Ganz"] == "Ganz"
    fuzzy = cluster_names(names, fuzzy=True)
    assert fuzzy["Ganz"] == "Benny Gantz"
    # short keys never merge (Iran / Irak), protected names never merge
    assert cluster_names(["Iran", "Irak"], fuzzy=True)["Irak"] == "Irak"
    assert cluster_names(["Hassan", "Hasan"], fuzzy=True,
                         protected=["Hasan"])["Hasan"] == "Hasan"


def test_edit_distance_le1() -> None:
    assert edit_distance_le1("gantz", "ganz")
    assert edit_distance_le1("erdogan", "erdgoan")  # transposition
    assert edit_distance_le1("herzog", "herzig")
    assert not edit_distance_le1("herzog", "hertzig")
    assert not edit_distance_le1("abc", "abcde")


def _m(text: str, src: str, label: str = "PER") -> Mention:
    start = src.index(text)
    return Mention(text, label, start, start + len(text), norm_key(text))  # type: ignore[arg-type]


def test_resolve_titles_uses_role_learned_in_the_same_text() -> None:
    src = ("Le président turc Recep Tayyip Erdoğan a reçu Benny Gantz. Israël a exhorté "
           "le président turc à bannir les dirigeants du Hamas.")
    mentions = [_m("Recep Tayyip Erdoğan", src), _m("Benny Gantz", src)]
    refs = resolve_titles(src, mentions, "fr")
    assert [(r.text, r.person) for r in refs] == [("président turc", "Recep Tayyip Erdoğan")]
    assert src[refs[0].start:refs[0].end] == "président turc"
    assert refs[0].start > src.index("Israël")


def test_resolve_titles_skips_ambiguous_roles() -> None:
    src = ("The minister John Smith met the minister Jane Doe. Later the minister left.")
    mentions = [_m("John Smith", src), _m("Jane Doe", src)]
    assert resolve_titles(src, mentions, "en") == []
