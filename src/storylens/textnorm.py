"""Text normalisation shared by linking, comparison and enrichment: one folding table, one
number parser.

Why one module: the same word must get the same key wherever it is compared. Linking's
lexical tokens and salient names, the comparison's names and word tables, the framing and
tone lexicons and the entity keys of enrichment all fold text; when each kept its own copy
the letter tables drifted ("Łódź" was "lodz" for entity keys, "łodz" for linking), so one
stage could match what another could not.

Folding (``fold``), in this order:

1. ``str.casefold``: case removed, with the full Unicode mappings ("Straße" -> "strasse",
   "ΣΟΦΟΣ" -> "σοφοσ", "İ" -> "i" + a combining dot that step 3 drops).
2. ``FOLD_TABLE``: letters that carry their mark inside the letter, so that Unicode NFKD
   cannot split it off (``FOLD_LETTERS``: ı ł ø đ ð þ æ œ ħ ŧ), and the typographic
   apostrophes (``APOSTROPHES``: ’ ‘ ʼ ʻ ` ´) made ASCII "'" so that "O’Brien" and
   "O'Brien" are one name.
3. Unicode NFKD, then every combining mark dropped ("Erdoğan" -> "erdogan", "ﬁ" -> "fi",
   fullwidth digits -> ASCII digits). Marks are dropped in every script: Japanese
   dakuten too ("ガ" -> "カ"), which is why callers keep katakana names unfolded.
4. ``casefold`` and ``FOLD_TABLE`` again, for what only NFKD spells out: capitals of
   compatibility characters ("№" -> "No" -> "no") and letters under a mark ("ǿ" -> "o").
   ASCII text skips steps 3 and 4 (they change nothing there).

``fold(text, table=False)`` skips step 2 and the table in step 4: the fold the
comparison's shipped word table and dimension models were fitted on (see ``fold``).

``fold_with_map`` is the same fold with, for each folded character, the index of the
original character it came from, so a match in folded text can be shown in the reader's
spelling. Folding is character by character, so ``fold_with_map(t)[0] == fold(t)``.

``nfkc_lower`` is the other, lighter normalisation: NFKC plus lower case, marks kept. It
is what the embedders' vocabularies were built with (see its docstring).

Numbers (``parse_number``, ``number_key``): one digit-string parser (digits of any
script) for linking, the comparison's fallback and enrichment. A separator followed by
exactly three digits is a thousands separator ("1,234" / "1.234" / "1 234" -> 1234); any
other single "." or "," is the decimal mark ("1,5" -> 1.5). With a language, a lone
separator that is that language's decimal mark is decimal even before three digits
("1.500" in English -> 1.5, in German 1500). ``number_key`` is the canonical string of a
value ("1500", "1.5", "1.5e+06"), so that "1,500" and "1.500" from two outlets compare
equal.

This module imports nothing from storylens, so every stage can use it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

FOLD_LETTERS: Final[dict[str, str]] = {
    "ı": "i",   # Turkish dotless i (capital I casefolds to "i" already)
    "ł": "l",   # Polish, Sorbian
    "ø": "o",   # Danish, Norwegian, Faroese
    "đ": "d",   # Croatian, Serbian Latin, Vietnamese
    "ð": "d",   # Icelandic, Faroese eth
    "þ": "th",  # Icelandic thorn
    "æ": "ae",  # Danish, Norwegian, Icelandic, Latin ligature
    "œ": "oe",  # French ligature ("sœur" = "soeur")
    "ħ": "h",   # Maltese
    "ŧ": "t",   # Northern Sámi
}
"""Lower-case letters NFKD does not decompose, and their ASCII spelling. Upper-case forms
need no entry (``casefold`` runs first); "ß" needs none either (``casefold`` spells it
"ss")."""

APOSTROPHES: Final[dict[str, str]] = {
    "’": "'", "‘": "'", "ʼ": "'", "ʻ": "'", "`": "'", "´": "'",
}
"""Apostrophe-like characters, folded to ASCII "'" (entity keys then drop it)."""

FOLD_TABLE: Final[dict[str, str]] = {**FOLD_LETTERS, **APOSTROPHES}
"""The one table ``fold`` applies (letters and apostrophes)."""

_TABLE_RE: Final = re.compile("[" + "".join(FOLD_TABLE) + "]")


def _apply_table(s: str) -> str:
    # a regex scan in C, a Python call per hit: ~4x faster than str.translate with a
    # dict on non-ASCII text, where hits are few
    return _TABLE_RE.sub(lambda m: FOLD_TABLE[m.group()], s)


def fold(text: str, *, table: bool = True) -> str:
    """``text`` casefolded, with diacritics removed and the letters of ``FOLD_LETTERS``
    spelt in ASCII: "Erdoğan" -> "erdogan", "Łódź" -> "lodz", "Ærø" -> "aero",
    "Straße" -> "strasse", "İstanbul" -> "istanbul". Never raises.

    ``table=False`` skips ``FOLD_TABLE`` (steps 2 and 4 keep only the casefold): "Łódź"
    -> "łodz", "O’Brien" -> "o’brien". Only the comparison's word channels use it
    (``compare.word_weights``), because the shipped dimension models and word table were
    fitted on that fold: with the table, Turkish pairs share more character 4-grams (ı
    becomes i) and the shipped models score the SemEval dev tr-tr pairs a little worse
    (overall Pearson 0.7988 -> 0.7963); refitted out of fold, the two folds are level.
    Retrain the dimensions with the table before switching it on there.
    """
    s = text.casefold()
    if s.isascii():
        return _apply_table(s) if table else s  # only "`" can hit: no NFKD needed
    if table:
        s = _apply_table(s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return _apply_table(s) if table else s


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return fold(ch)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index in ``text`` of the
    character it came from ("Æb" -> ("aeb", [0, 0, 1])). A match ``folded[s:e]`` is
    ``text[where[s]:where[e - 1] + 1]`` in the original spelling."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def nfkc_lower(text: str, *, full: bool = True) -> str:
    """Unicode NFKC and lower case, diacritics kept: the text form the embedders read.

    ``full=True`` lower-cases with ``str.casefold`` ("Straße" -> "strasse"), what the
    hashing embedder uses. ``full=False`` uses ``str.lower`` ("straße"), the form the
    static embedder's vocabulary was built with: changing it would change which
    vocabulary pieces a word splits into, so the two stay apart on purpose.
    """
    s = unicodedata.normalize("NFKC", text)
    return s.casefold() if full else s.lower()


_POINT_LANGS: Final = frozenset({"en", "zh", "ja", "ko", "he", "th", "hi"})
"""Languages that write the decimal mark as "."; all others are taken to write ","."""
_SEP = re.compile(r"[ .,]")


def parse_number(raw: str, lang: str | None = None) -> float | None:
    """Value of the digit string ``raw`` ("1,234.5", "1.234,5", "3 000", "0,25"), or None
    when it is not one number ("1.2.3", "192.168.0.1", "").

    Rules: no-break spaces and apostrophes ("1'234") are group separators; between the
    first and the last group, every group must have three digits; the last separator is
    the decimal mark unless exactly three digits follow it. A single separator before
    three digits is a thousands separator, except when ``lang`` is given and writes its
    decimal mark that way ("1.500": en 1.5, de 1500; "1,500": en 1500, fr 1.5). Without
    ``lang`` the rule is the same in every language, which is what linking wants.
    """
    s = raw.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ")
    groups = _SEP.split(s)
    seps = _SEP.findall(s)
    if not all(g.isdecimal() for g in groups):
        return None
    if not seps:
        return float(s)
    if any(len(g) != 3 for g in groups[1:-1]):
        return None
    last = seps[-1]
    if last in ".," and len(groups[-1]) != 3:
        return float("".join(groups[:-1]) + "." + groups[-1])
    if len(seps) == 1 and lang is not None and last == ("." if lang in _POINT_LANGS else ","):
        return float(groups[0] + "." + groups[1])
    return float("".join(groups))


def number_key(value: float) -> str:
    """The canonical string of a number, for sets of numbers compared across articles:
    1500.0 -> "1500", 1.5 -> "1.5", 1_500_000.0 -> "1.5e+06"."""
    return f"{value:g}"
