"""Cross-script name keys (storylens.represent.skeleton): one key per name in any script."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.represent.skeleton import MIN_KEY, katakana_names, name_keys, skeleton


@pytest.mark.parametrize(
    "spellings",
    [["Biden", "Байден", "バイデン", "بايدن"], ["Erdoğan", "Erdogan", "Эрдоган"],
     ["Zelensky", "Зеленский", "Zelenskyy"], ["Putin", "Путин"], ["Macron", "Макрон", "マクロン"]],
)
def test_one_key_across_scripts(spellings: list[str]) -> None:
    keys = {skeleton(s) for s in spellings}
    assert len(keys) == 1 and "" not in keys, keys


@pytest.mark.parametrize(("name", "key"), [("Biden", "bdn"), ("Erdoğan", "rdgn"),
                                           ("Shanghai", "sng"), ("Zelensky", "srnsk"),
                                           ("Philippe", "frb"), ("Thatcher", "tkr")])
def test_folding_rules(name: str, key: str) -> None:
    # digraphs (sh, ch, ph, th), vowels/y/h/w dropped, l=r, p=b, v=f, z=s, m=n, doubles merged
    assert skeleton(name) == key


def test_short_keys_are_empty() -> None:
    assert skeleton("Ab") == "" and skeleton("Eau") == "" and skeleton("") == ""
    assert name_keys(["Ab", "Biden", "Байден", ""]) == frozenset({"bdn"})


@pytest.mark.xfail(strict=True, reason="Latin h is dropped but Cyrillic Х transliterates to "
                   "'kh' and becomes k (Hamas '' vs Хамас 'kns', Netanyahu 'ntn' vs Нетаньяху "
                   "'ntnk'), and German 'sch' is 'sk' where Ш is 's' (Scholz 'skrs' vs Шольц "
                   "'srs')")
@pytest.mark.parametrize("pair", [("Hamas", "Хамас"), ("Netanyahu", "Нетаньяху"),
                                  ("Scholz", "Шольц")])
def test_h_kh_and_sch_across_scripts(pair: tuple[str, str]) -> None:
    assert skeleton(pair[0]) == skeleton(pair[1]) != ""


def test_katakana_runs() -> None:
    assert katakana_names("バイデン大統領とプーチン氏がアメ") == ["バイデン", "プーチン"]
    assert katakana_names("ひらがなだけ") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_skeleton_is_ascii_consonants_or_empty(name: str) -> None:
    k = skeleton(name)
    assert k == "" or (len(k) >= MIN_KEY and k.isascii() and k.isalpha())
    assert not set(k) & set("aeiouyhw")
    assert all(a != b for a, b in itertools.pairwise(k))  # doubles collapsed
    assert skeleton(name.upper()) == k or not name.isascii()
