"""Name keys that survive a change of script: "Biden", "Байден", "バイデン" and "بايدن"
all become ``bdn``.

Why: across scripts the lexical and exact-name channels are blind, and the dense channel
alone is a coarse signal. Names are the part of a text that translation transliterates
instead of translating, so a phonetic skeleton of each name (transliterated to ASCII by
``anyascii``, then folded so that the sounds scripts render differently coincide:
vowels, y/w/h dropped, l = r, p = b, v = f, c/q = k, z = s, m = n, common digraphs
merged, doubled letters collapsed) matches a name with its foreign spellings. The key is
coarse on purpose; the linker counts shared keys and learns how much they weigh.

Where names come from: capitalised names (``represent.article.salient_names``) for cased
scripts, and katakana runs in Japanese (how Japanese writes foreign names). Caseless
scripts (Arabic, Han, Devanagari) give no names, so they rely on the dense channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from anyascii import anyascii

_DIGRAPHS = (("dzh", "j"), ("zh", "j"), ("dj", "j"), ("ch", "k"), ("sh", "s"), ("kh", "k"),
             ("ph", "f"), ("th", "t"), ("ck", "k"), ("gh", "g"), ("ts", "s"))
_FOLD = str.maketrans({"l": "r", "p": "b", "v": "f", "c": "k", "q": "k", "z": "s",
                       "m": "n", "x": "k", "j": "j"})
_DROP = re.compile(r"[aeiouyhw\W\d_]+")
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]{3,}")
MIN_KEY = 3


@lru_cache(maxsize=1 << 16)
def skeleton(name: str) -> str:
    """The consonant skeleton of ``name`` in any script ('' if shorter than
    ``MIN_KEY``)."""
    s = anyascii(name).lower()
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.removesuffix("ng") + "n" if s.endswith("ng") else s
    s = _DROP.sub("", s).translate(_FOLD)
    s = re.sub(r"(.)\1+", r"\1", s)
    return s if len(s) >= MIN_KEY else ""


def katakana_names(text: str) -> list[str]:
    """Runs of three or more katakana (foreign names and loanwords in Japanese)."""
    return _KATAKANA.findall(text)


def name_keys(names: Iterable[str]) -> frozenset[str]:
    """Skeleton keys of ``names`` (empty keys dropped)."""
    return frozenset(k for k in map(skeleton, names) if k)
