"""Sentence splitting for any language, with character offsets into the text.

A regex splitter, not a model: comparison needs stable, cheap units in forty languages,
and a sentence boundary is almost always sentence punctuation (``. ! ? …`` and the CJK
``。！？``, Arabic ``؟ ۔``, Devanagari ``। ॥``) or a line break. The guard keeps the common
false boundaries together: abbreviations ("M.", "Dr.", "z.B.", "U.S."), single initials
("J. Smith"), decimals ("3.5") and a period followed by a lower-case word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREV_WORDS = """mr mrs ms dr prof st jr sr gen col lt sgt capt gov sen rep rev fig no vs
    etc inc ltd
    co corp jan feb mar apr jun jul aug sep sept oct nov dec approx dept est mt ft
    m mm mme mlle me pr st ste av bd env cf ex p pp vol éd
    z b bzw ca dr hr fr nr str usw vgl ggf inkl evtl abs
    sr sra srta dña lic ing ej pág núm av
    sig dott ing prof.ssa
    np tzw tj itp ul prof godz
    г гг ул им т д тыс млн млрд
    """
_ABBREV = frozenset(_ABBREV_WORDS.split())
_END = re.compile(r"[.!?…。！？؟।॥۔]+[\"'»”’)\]]*")
_CJK_END = frozenset("。！？")
_WORD_BEFORE = re.compile(r"(\w+)[.]$")
MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text`` is ``source[start:end]`` stripped of surrounding spaces."""

    index: int
    text: str
    start: int
    end: int


def _false_boundary(text: str, punct_start: int, punct_end: int) -> bool:
    """True when the punctuation at ``punct_start`` does not end a sentence."""
    mark = text[punct_start:punct_end]
    if mark[0] in _CJK_END:
        return False
    after = text[punct_end:punct_end + 2]
    if not after or after[0] == "\n":
        return False
    if not after[0].isspace():
        return True  # "3.5", "U.S.", "www.x.com"
    nxt = after[1:2]
    if nxt and nxt.islower():
        return True  # "... etc. and", "vs. the"
    if mark != ".":
        return False
    m = _WORD_BEFORE.search(text[max(0, punct_start - 12):punct_start + 1])
    if m is None:
        return False
    word = m.group(1)
    if len(word) == 1 and word.isalpha():
        return True  # initial: "J. Smith"
    return word.casefold() in _ABBREV


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets; paragraphs (line breaks) always split.

    Pieces shorter than ``MIN_CHARS`` characters or with no letter are dropped, so page
    debris ("--", "1.") never becomes a "fact".
    """
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start, chunk = para.start(), para.group(0)
        cut = 0
        for m in _END.finditer(chunk):
            if _false_boundary(chunk, m.start(), m.end()):
                continue
            _add(out, text, p_start + cut, p_start + m.end())
            cut = m.end()
        _add(out, text, p_start + cut, p_start + len(chunk))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if len(stripped) < MIN_CHARS or not any(ch.isalpha() for ch in stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    s = start + lead
    out.append(Sentence(len(out), stripped, s, s + len(stripped)))
