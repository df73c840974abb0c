"""How each side words the story: different names for the same referent, loaded words
one side uses and the other does not, and how each side attributes what it reports.

Three sources of evidence, each kept apart in the output so a reader can judge it:

1. Referent designations (``lexicons.REFERENTS``): "Israël" vs "le régime sioniste",
   "Cisjordanie" vs "Judée-Samarie". Works across languages, since the designations of one
   referent are listed in many languages.
2. Aligned-sentence diffs: for shared facts in the same language, ``difflib`` over the
   token sequences; a short replaced span on each side that holds a capitalised word or a
   loaded term is reported as a substitution ("Kyiv" vs "Kiev", "rebels" vs "terrorists").
3. Loaded terms (``lexicons.LOADED``) and attribution verbs (``lexicons.ATTRIBUTION``) per
   side with counts; terms only one side uses are listed with a snippet of context.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from storylens.compare.facts import AlignedPair
from storylens.compare.lexicons import (
    ATTRIBUTION,
    LOADED,
    REFERENTS,
    Hit,
    find_terms,
    term_regex,
)
from storylens.textnorm import fold

_TOKEN = re.compile(r"[^\W_][\w'’-]*|\d+")
_ARTICLE = re.compile(r"(?:^|\s)(le|la|les|l'|l’|the|der|die|das|el|los|las|il|lo)\s*$",
                      re.IGNORECASE)
MAX_SPAN_TOKENS = 4
MIN_PAIR_RATIO = 0.3


@dataclass(slots=True)
class Substitution:
    """One referent named differently by each side."""

    referent: str
    a: str
    b: str
    source: str
    """"referent-lexicon" or "aligned-diff"."""
    a_count: int = 1
    b_count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"referent": self.referent, "a": self.a, "b": self.b, "source": self.source,
                "a_count": self.a_count, "b_count": self.b_count}


@dataclass(slots=True)
class TermUse:
    """A loaded term or attribution verb as one side uses it."""

    term: str
    category: str
    count: int
    context: str

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "category": self.category, "count": self.count,
                "context": self.context}


@dataclass(slots=True)
class SideFraming:
    """Loaded terms and attributions of one side."""

    loaded: list[TermUse] = field(default_factory=list)
    loaded_only_here: list[TermUse] = field(default_factory=list)
    attribution: dict[str, int] = field(default_factory=dict)
    attribution_terms: list[TermUse] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"loaded": [t.to_dict() for t in self.loaded],
                "loaded_only_here": [t.to_dict() for t in self.loaded_only_here],
                "attribution": dict(self.attribution),
                "attribution_terms": [t.to_dict() for t in self.attribution_terms]}


@dataclass(slots=True)
class Framing:
    substitutions: list[Substitution]
    a: SideFraming
    b: SideFraming

    def to_dict(self) -> dict[str, Any]:
        return {"substitutions": [s.to_dict() for s in self.substitutions],
                "a": self.a.to_dict(), "b": self.b.to_dict()}


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]],
                         dict[str, re.Pattern[str]]]:
    return ({k: term_regex(v) for k, v in REFERENTS.items()},
            {k: term_regex(v) for k, v in LOADED.items()},
            {k: term_regex(v) for k, v in ATTRIBUTION.items()})


def _longest(hits: list[Hit]) -> list[Hit]:
    """Drop hits nested inside a longer hit (keep "régime sioniste", not "régime")."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def _with_article(text: str, h: Hit) -> str:
    m = _ARTICLE.search(text[max(0, h.start - 6):h.start])
    if m and not h.surface[:1].isupper():
        art = m.group(1)
        sep = "" if art.endswith(("'", "’")) else " "
        return f"{art}{sep}{h.surface}"
    return h.surface


def _is_part_of_name(text: str, h: Hit) -> bool:
    """A capitalised designation followed by another capitalised word is part of a longer
    name ("Israel Hayom", "Iran Air"), not a designation of the referent."""
    if not h.surface[:1].isupper():
        return False
    m = re.match(r"\s+(\w)", text[h.end:h.end + 3])
    return bool(m and m.group(1).isupper())


def _context(text: str, h: Hit, width: int = 40) -> str:
    s, e = max(0, h.start - width), min(len(text), h.end + width)
    return ("…" if s else "") + " ".join(text[s:e].split()) + ("…" if e < len(text) else "")


def _uses(text: str, pats: dict[str, re.Pattern[str]]) -> list[TermUse]:
    hits = _longest(find_terms(text, pats))
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Hit] = {}
    for h in hits:
        k = (h.key, fold(h.surface))
        counts[k] += 1
        first.setdefault(k, h)
    return [TermUse(first[k].surface, k[0], c, _context(text, first[k]))
            for k, c in counts.most_common()]


def referent_substitutions(doc_a: str, doc_b: str) -> list[Substitution]:
    """For each referent both sides name, the designations one side alone uses, paired
    with the other side's most frequent designation."""
    ref_pats = _patterns()[0]
    per: list[dict[str, Counter[str]]] = []
    shown: list[dict[str, str]] = []
    for doc in (doc_a, doc_b):
        d: dict[str, Counter[str]] = defaultdict(Counter)
        names: dict[str, str] = {}
        for h in _longest(find_terms(doc, ref_pats)):
            if _is_part_of_name(doc, h):
                continue
            key = fold(h.surface)
            names.setdefault(key, _with_article(doc, h))
            d[h.key][key] += 1
        per.append(d)
        shown.append(names)
    out: list[Substitution] = []
    for ref in REFERENTS:
        ca, cb = per[0].get(ref), per[1].get(ref)
        if not ca or not cb:
            continue
        top_a, top_b = ca.most_common(1)[0][0], cb.most_common(1)[0][0]
        done: set[tuple[str, str]] = set()  # each side's sole designation: one pair, once
        for k, n in ca.most_common():
            if k not in cb:
                done.add((k, top_b))
                out.append(Substitution(ref, shown[0][k], shown[1][top_b],
                                        "referent-lexicon", n, cb[top_b]))
        for k, n in cb.most_common():
            if k not in ca and (top_a, k) not in done:
                out.append(Substitution(ref, shown[0][top_a], shown[1][k],
                                        "referent-lexicon", ca[top_a], n))
    return out


def diff_substitutions(pairs: list[AlignedPair], same_lang: bool) -> list[Substitution]:
    """Short replaced spans between aligned same-language sentences (see module doc)."""
    if not same_lang:
        return []
    loaded = _patterns()[1]
    out: list[Substitution] = []
    seen: set[tuple[str, str]] = set()
    for p in pairs:
        ta, tb = _TOKEN.findall(p.a.text), _TOKEN.findall(p.b.text)
        sm = difflib.SequenceMatcher(a=[fold(t) for t in ta],
                                     b=[fold(t) for t in tb], autojunk=False)
        if sm.ratio() < MIN_PAIR_RATIO:
            continue
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op != "replace" or not (0 < i2 - i1 <= MAX_SPAN_TOKENS
                                       and 0 < j2 - j1 <= MAX_SPAN_TOKENS):
                continue
            sa, sb = " ".join(ta[i1:i2]), " ".join(tb[j1:j2])
            salient = any(t[:1].isupper() for t in ta[i1:i2] + tb[j1:j2]) or any(
                rx.search(fold(s)) for s in (sa, sb) for rx in loaded.values())
            key = (fold(sa), fold(sb))
            if salient and key not in seen and key[0] != key[1]:
                seen.add(key)
                out.append(Substitution(f"sentence {p.a.index}/{p.b.index}", sa, sb,
                                        "aligned-diff"))
    return out


def side_framing(doc: str, other_doc: str) -> SideFraming:
    """Loaded terms and attribution of ``doc``, with the loaded terms ``other_doc`` lacks."""
    _, loaded, attribution = _patterns()
    mine = _uses(doc, loaded)
    theirs = {fold(t.term) for t in _uses(other_doc, loaded)}
    only = [t for t in mine if fold(t.term) not in theirs]
    attr = _uses(doc, attribution)
    per_class: Counter[str] = Counter()
    for t in attr:
        per_class[t.category] += t.count
    return SideFraming(mine, only, dict(per_class), attr)


def compare_framing(doc_a: str, doc_b: str, shared: list[AlignedPair], *, same_lang: bool
                    ) -> Framing:
    """Framing differences between two documents (see module doc)."""
    subs = referent_substitutions(doc_a, doc_b) + diff_substitutions(shared, same_lang)
    return Framing(subs, side_framing(doc_a, doc_b), side_framing(doc_b, doc_a))
