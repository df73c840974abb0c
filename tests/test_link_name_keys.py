"""Name postings added in bulk by key (storylens.link.name_keys): a ``NameIndex`` whose
restored clusters were posted with ``add_keys`` answers every search exactly as one
whose clusters were all posted name by name, through any mix of later adds, removals
(by name or by key) and bulk posts after a first lookup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.link.index import NameIndex
from storylens.link.name_keys import FrozenPostings, name_key, name_keys

NAMES = [f"N{i}" for i in range(12)]
CIDS = [f"sl-{i}" for i in range(8)]


def test_name_key_is_stable_and_signed_64_bit() -> None:
    assert name_key("Basel") == name_key("Basel") != name_key("basel")
    assert -(2 ** 63) <= name_key("Zürich") < 2 ** 63
    assert list(name_keys(["a", "b"])) == [name_key("a"), name_key("b")]
    assert name_keys([]).size == 0


def test_frozen_postings_add_remove_and_limit() -> None:
    fp = FrozenPostings()
    fp.add("a", name_keys(["x", "y"]))
    fp.add("b", name_keys(["y"]))
    assert "a" in fp and "zz" not in fp
    assert sorted(fp.holders(name_key("y"), 5) or []) == ["a", "b"]
    assert fp.holders(name_key("y"), 1) is None, "more than the limit"
    assert fp.holders(name_key("nope"), 5) == []
    fp.remove("a", name_keys(["y", "not-posted"]))
    assert fp.holders(name_key("y"), 5) == ["b"] and fp.holders(name_key("x"), 5) == ["a"]
    fp.add("c", name_keys(["y", "z"]))  # posted after a lookup: merged on the next one
    assert sorted(fp.holders(name_key("y"), 5) or []) == ["b", "c"]
    assert fp.postings() == {name_key("x"): {"a"}, name_key("y"): {"b", "c"},
                             name_key("z"): {"c"}}
    fp.remove("unknown", name_keys(["x"]))
    with pytest.raises(ValueError, match="already posted"):
        fp.add("b", name_keys(["q"]))


ops = st.lists(st.tuples(
    st.sampled_from(["add", "remove", "bulk", "remove_keys", "search"]),
    st.sampled_from(CIDS), st.sets(st.sampled_from(NAMES), max_size=6)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(ops, st.integers(1, 4))
def test_bulk_posted_index_searches_like_one_posted_name_by_name(
        steps: list[tuple[str, str, set[str]]], max_postings: int) -> None:
    bulk, plain = NameIndex(max_postings), NameIndex(max_postings)
    posted: set[str] = set()
    live: set[str] = set()  # posted name by name too: not removed by key (never is)
    for op, cid, names in steps:
        ordered = sorted(names)
        if op == "bulk":
            if cid in posted:
                continue  # a cluster is restored once
            posted.add(cid)
            bulk.add_keys(cid, name_keys(ordered))
            plain.add(cid, ordered)
        elif op == "add":
            live.add(cid)
            bulk.add(cid, ordered)
            plain.add(cid, ordered)
        elif op == "remove":
            bulk.remove(cid, ordered)
            plain.remove(cid, ordered)
        elif op == "remove_keys":
            if cid in live:
                continue
            bulk.remove_keys(cid, name_keys(ordered))
            plain.remove(cid, ordered)
        else:
            assert bulk.search(ordered, 3, lambda c: True) == plain.search(
                ordered, 3, lambda c: True)
        assert bulk.postings() == plain.postings()
    for n in NAMES:
        assert bulk.search([n], 8, lambda c: c != "sl-0") == plain.search(
            [n], 8, lambda c: c != "sl-0")
