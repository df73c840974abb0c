"""Entity-name normalisation: one key per actor, whatever the spelling.

Why: outlets spell the same person differently ("Erdoğan" / "Erdogan", "Recep Tayyip
Erdogan" / "Erdogan"), and comparing how outlets tell a story needs one actor key.

Rules (deliberately simple and documented, so that results can be explained):

* ``norm_key``: ``textnorm.fold`` (casefolded, combining marks removed, the letters that
  do not decompose spelt in ASCII: ı ł ø đ ð þ æ œ ħ ŧ, ß -> ss), apostrophes dropped,
  hyphens/dots/space runs collapsed to one space. "Recep Tayyip Erdoğan" -> "recep tayyip
  erdogan", "Łódź" -> "lodz", "O’Brien" -> "obrien".
* Token-subset merging (``cluster_names``): a shorter name merges into a longer one when
  all its tokens occur in the longer one *and* it contains the longer name's last token
  (the family name in most naming orders): "Erdogan" -> "Recep Tayyip Erdogan", but
  "Recep" alone does not merge (first names alone are rare in news and ambiguous). When
  a short name fits several incompatible long names ("Gantz" with "Benny Gantz" and
  "Ilana Gantz") it is left alone. Names written in East-Asian order ("Xi" for "Xi
  Jinping") are therefore not merged: a known weakness.
* Edit distance 1 (``fuzzy=True``, meant for the names of ONE document): two names with
  the same number of tokens whose keys differ by one insertion, deletion, substitution or
  adjacent transposition merge when the longer key has >= 5 letters, both start with the
  same letter, and neither is a known place. The rarer spelling joins the more frequent
  one ("Ganz" x1 -> "Gantz" x9). Across documents this is never done: "Hasan"/"Hassan"
  may be two people.
* Canonical display name: the longest name of a cluster; among equally long spellings,
  the one with most non-ASCII letters (the original diacritics), then the most frequent.

Title resolution ("le président turc" -> Erdoğan) lives in ``resolve_titles``: a role
phrase written right before a person's name ("le président turc Recep Tayyip Erdoğan")
teaches that phrase; other occurrences of the same phrase in the same text that are not
followed by a name resolve to that person, provided the phrase was only ever used for one
person. Bare roles ("le président") are not resolved.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from storylens.textnorm import fold, fold_with_map

_SEP_RE = re.compile(r"[\s\-‐‑–—_.·/]+")


@lru_cache(maxsize=65536)
def norm_key(name: str) -> str:
    """Spelling-independent key of a name: ``textnorm.fold`` (no diacritics, casefolded),
    apostrophes dropped ("O'Brien" = "OBrien"), separator runs made single spaces."""
    return _SEP_RE.sub(" ", fold(name).replace("'", "")).strip()


def _tokens(key: str) -> tuple[str, ...]:
    return tuple(key.split())


def edit_distance_le1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one edit (Damerau: insertion, deletion,
    substitution or adjacent transposition). Linear time."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def _fuzzy_ok(a: str, b: str) -> bool:
    if a == b or len(a.split()) != len(b.split()):
        return False
    if max(len(a), len(b)) < 5 or min(len(a), len(b)) < 4 or a[0] != b[0]:
        return False
    return edit_distance_le1(a, b)


def _display_rank(name: str, count: int) -> tuple[int, int, int]:
    return (len(_tokens(norm_key(name))), sum(ord(ch) > 127 for ch in name), count)


def cluster_names(
    names: Iterable[str],
    *,
    fuzzy: bool = False,
    protected: Iterable[str] = (),
) -> dict[str, str]:
    """Map every name to its cluster's canonical display name.

    ``names`` may repeat (frequencies pick the display spelling and the fuzzy direction).
    ``fuzzy`` enables the edit-distance-1 rule (use it within one document only);
    ``protected`` names (e.g. gazetteer places) never take part in fuzzy merges.
    """
    counts: Counter[str] = Counter(n for n in names if n.strip())
    if not counts:
        return {}
    key_count: Counter[str] = Counter()
    for n, c in counts.items():
        key_count[norm_key(n)] += c
    keys = [k for k in key_count if k]
    parent: dict[str, str] = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # 1) fuzzy merges of same-length spellings (rarer -> more frequent)
    if fuzzy:
        prot = {norm_key(p) for p in protected}
        ordered = sorted(keys, key=lambda k: (-key_count[k], k))
        for i, a in enumerate(ordered):
            if a in prot:
                continue
            for b in ordered[:i]:
                if b not in prot and _fuzzy_ok(a, b):
                    parent[find(a)] = find(b)
                    break
    # 2) token-subset merges into the unique maximal superset containing the last token
    roots = sorted({find(k) for k in keys}, key=lambda k: (-len(_tokens(k)), k))
    tok_sets = {k: set(_tokens(k)) for k in roots}
    by_last: dict[str, list[str]] = {}
    for k in roots:
        by_last.setdefault(_tokens(k)[-1], []).append(k)
    for short in sorted(roots, key=lambda k: len(_tokens(k))):
        st = tok_sets[short]
        supers = [
            long for t in st for long in by_last.get(t, ())
            if long != short and len(tok_sets[long]) > len(st) and st <= tok_sets[long]
        ]
        if not supers:
            continue
        maximal = [s for s in supers if not any(s != o and tok_sets[s] < tok_sets[o]
                                                 for o in supers)]
        if len(maximal) == 1:
            parent[find(short)] = find(maximal[0])
    # canonical display per root
    best: dict[str, tuple[tuple[int, int, int], str]] = {}
    for n, c in counts.items():
        k = norm_key(n)
        if not k:
            continue
        r = find(k)
        cand = (_display_rank(n, c), n)
        if r not in best or cand[0] > best[r][0]:
            best[r] = cand
    out: dict[str, str] = {}
    for n in counts:
        k = norm_key(n)
        out[n] = best[find(k)][1] if k else n
    return out


# --- title resolution -------------------------------------------------------------------

_ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "fr": ("président", "présidente", "premier ministre", "ministre", "chef", "porte-parole",
           "roi", "reine", "chancelier", "chancelière", "secrétaire général", "dirigeant",
           "émir", "prince héritier", "ambassadeur", "directeur général", "vice-ministre"),
    "en": ("president", "prime minister", "minister", "secretary", "chancellor", "king",
           "queen", "spokesman", "spokeswoman", "spokesperson", "leader", "chief", "emir",
           "crown prince", "ambassador", "director"),
    "de": ("präsident", "präsidentin", "ministerpräsident", "minister", "ministerin",
           "kanzler", "kanzlerin", "bundeskanzler", "sprecher", "sprecherin", "könig",
           "außenminister", "verteidigungsminister", "regierungschef", "chef"),
    "es": ("presidente", "presidenta", "primer ministro", "ministro", "ministra", "rey",
           "reina", "canciller", "portavoz", "líder", "jefe", "secretario general", "emir"),
}
_ARTICLES = re.compile(
    r"^(?:le|la|les|l[’']|the|der|die|das|dem|den|des|el|los|las|du|au|aux)\s*",
    re.IGNORECASE,
)


@dataclass(slots=True, frozen=True)
class TitleRef:
    """A role phrase in the text ("le président turc") resolved to a named person."""

    text: str
    start: int
    end: int
    person: str
    """Display name of the person, as it was written next to the role phrase."""


class SpanLike(Protocol):
    """What title resolution needs of a mention (``entities.Mention`` fits)."""

    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@lru_cache(maxsize=16)
def _role_re(lang: str | None) -> re.Pattern[str]:
    words = _ROLE_WORDS.get(lang or "")
    if words is None:
        words = tuple(w for ws in _ROLE_WORDS.values() for w in ws)
    alt = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alt})(?!\w)", re.IGNORECASE)


def _role_key(phrase: str) -> str:
    return norm_key(_ARTICLES.sub("", phrase.strip(" ,")))


def resolve_titles(text: str, mentions: Sequence[SpanLike], lang: str | None) -> list[TitleRef]:
    """Resolve role phrases to people named with that role elsewhere in ``text``.

    Learning step: for each PER mention, a role word within the 60 characters before it
    (same sentence, at most 6 words between) gives the phrase from the role word to the
    name, e.g. "président turc" before "Recep Tayyip Erdoğan". Resolution step: every other
    occurrence of a learned phrase that is not directly followed by a PER mention. Phrases
    learned for two different people are dropped as ambiguous.
    """
    rx = _role_re(lang)
    pers = sorted((m for m in mentions if m.label == "PER"), key=lambda m: m.start)
    learned: dict[str, set[str]] = {}
    display: dict[str, str] = {}
    used_spans: set[tuple[int, int]] = set()
    for m in pers:
        lo = max(0, m.start - 60)
        window = text[lo:m.start]
        cut = max(window.rfind("."), window.rfind("\n"), window.rfind(";"))
        if cut >= 0:
            window, lo = window[cut + 1:], lo + cut + 1
        hits = list(rx.finditer(window))
        if not hits:
            continue
        h = hits[-1]
        phrase = window[h.start():].rstrip(" ,")
        if not phrase or len(phrase.split()) > 7:
            continue
        key = _role_key(phrase)
        if key == norm_key(h.group()):
            continue  # a bare role ("le président") names nobody in particular
        learned.setdefault(key, set()).add(norm_key(m.text))
        display.setdefault(norm_key(m.text), m.text)
        used_spans.add((lo + h.start(), m.start))
    if not learned:
        return []
    starts = {m.start for m in mentions}
    refs: list[TitleRef] = []
    folded, where = fold_with_map(text)
    for key, people in learned.items():
        if len(people) != 1 or not key:
            continue
        person = display[next(iter(people))]
        pat = re.compile(r"(?<!\w)" + r"[\s\-]+".join(re.escape(t) for t in key.split())
                         + r"(?!\w)", re.IGNORECASE)
        for hit in pat.finditer(folded):
            s, e = where[hit.start()], where[hit.end() - 1] + 1
            if any(a <= s < b for a, b in used_spans):
                continue
            nxt = e
            while nxt < len(text) and text[nxt] in " ,\u00a0":
                nxt += 1
            if nxt in starts:
                continue
            refs.append(TitleRef(text[s:e], s, e, person))
    refs.sort(key=lambda r: r.start)
    return refs
