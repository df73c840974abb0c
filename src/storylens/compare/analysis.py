"""One article prepared for comparison: sentences, their vectors, entities and numbers.

Every comparison channel (facts, framing, tone, dimensions, coverage) reads the same
``Analysis``, so an article is split, enriched and embedded once however many articles it
is compared with. The analysed document is ``title + "\\n\\n" + text``: the title is the
most condensed statement of the story and is treated as sentence 0; all offsets below
point into that document.

Enrichment (``storylens.enrich.facts.enrich``) is optional at run time: if it cannot be
imported or fails on a text, the article still gets capitalised-word names and plain
numbers, so a comparison never depends on one NER model being present.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.sentences import Sentence, split_sentences
from storylens.records import Article
from storylens.represent.base import Embedder

FloatMatrix = npt.NDArray[np.float32]

_CAPWORD = re.compile(r"(?<![\w])([^\W\d_][\w’'-]+)")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


def fold(s: str) -> str:
    """Casefold and strip diacritics (Erdoğan -> erdogan) for matching across outlets."""
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in s if not unicodedata.combining(ch))


@dataclass(slots=True)
class Analysis:
    """An article ready to compare. Sentence 0 is the title when there is one."""

    article: Article
    doc: str
    sentences: list[Sentence]
    vectors: FloatMatrix
    """One L2-normalised row per sentence (the comparison embedder's)."""
    sent_names: list[frozenset[str]]
    """Folded entity names per sentence."""
    sent_numbers: list[frozenset[str]]
    """Normalised specific numbers per sentence (years kept, 0-10 dropped)."""
    entities: Counter[str] = field(default_factory=Counter)
    """Display name -> mentions (enrichment actors and places, else capitalised words)."""
    entity_labels: dict[str, str] = field(default_factory=dict)
    countries: Counter[str] = field(default_factory=Counter)
    years: frozenset[int] = frozenset()
    quotes: int = 0
    enriched: bool = False

    @property
    def names(self) -> frozenset[str]:
        """Every folded entity name in the article."""
        out: set[str] = set()
        for s in self.sent_names:
            out |= s
        return frozenset(out)

    @property
    def numbers(self) -> frozenset[str]:
        out: set[str] = set()
        for s in self.sent_numbers:
            out |= s
        return frozenset(out)


def _enrich(doc: str, lang: str | None) -> Any | None:
    """The enrichment of ``doc`` or None when the enrich stage is unavailable/failed."""
    try:
        from storylens.enrich.facts import enrich
    except ImportError:
        return None
    try:
        return enrich(doc, lang)
    except Exception:  # enrichment is evidence, not a requirement: degrade, never crash
        return None


def _norm_number(raw: str) -> str | None:
    digits = re.sub(r"[.,](?=\d{3}\b)", "", raw).replace(",", ".")
    try:
        v = float(digits)
    except ValueError:
        return None
    return None if v <= 10 else f"{v:g}"


def analyse(article: Article, embedder: Embedder, *, enrich: bool = True) -> Analysis:
    """Split, enrich and embed ``article`` (never raises on odd text)."""
    return analyse_many([article], embedder, enrich=enrich)[0]


def analyse_many(articles: Sequence[Article], embedder: Embedder, *, enrich: bool = True
                 ) -> list[Analysis]:
    """``analyse`` for several articles with one embedding call (faster)."""
    docs: list[str] = []
    splits: list[list[Sentence]] = []
    for a in articles:
        title, text = (a.title or "").strip(), (a.text or "").strip()
        if title and text.startswith(title):
            text = text[len(title):].lstrip()
        doc = f"{title}\n\n{text}" if title else text
        docs.append(doc)
        sents: list[Sentence] = []
        if title:
            sents.append(Sentence(0, title, 0, len(title)))
        shift = len(title) + 2 if title else 0
        for s in split_sentences(text):
            sents.append(Sentence(len(sents), s.text, s.start + shift, s.end + shift))
        splits.append(sents)
    flat = [s.text for sents in splits for s in sents]
    matrix = (embedder.embed(flat) if flat
              else np.zeros((0, embedder.dim), dtype=np.float32))
    out: list[Analysis] = []
    pos = 0
    for a, doc, sents in zip(articles, docs, splits, strict=True):
        vecs = matrix[pos:pos + len(sents)]
        pos += len(sents)
        out.append(_build(a, doc, sents, vecs, enrich))
    return out


def _build(a: Article, doc: str, sents: list[Sentence], vecs: FloatMatrix, enrich: bool
           ) -> Analysis:
    en = _enrich(doc, a.lang) if enrich and doc.strip() else None
    names: list[set[str]] = [set() for _ in sents]
    nums: list[set[str]] = [set() for _ in sents]
    entities: Counter[str] = Counter()
    labels: dict[str, str] = {}
    countries: Counter[str] = Counter()
    years: set[int] = set()
    quotes = 0

    def sent_at(offset: int) -> int | None:
        for i, s in enumerate(sents):
            if s.start <= offset < s.end:
                return i
        return None

    if en is not None:
        for m in en.entities:
            entities[m.text] += 1
            labels.setdefault(m.text, m.label)
            i = sent_at(m.start)
            if i is not None and m.norm:
                names[i].add(fold(m.norm))
        for n in en.numbers:
            if n.kind == "year" and n.value.is_integer():
                years.add(int(n.value))
            i = sent_at(n.start)
            if i is not None and (n.value > 10 or n.kind == "year"):
                nums[i].add(f"{n.value:g}")
        countries = Counter(en.countries)
        quotes = len(en.quotes)
    else:
        for i, s in enumerate(sents):
            for k, m in enumerate(_CAPWORD.finditer(s.text)):
                w = m.group(1)
                if w[0].isupper() and (k > 0 or w.isupper()):
                    names[i].add(fold(w))
                    entities[w] += 1
            for m in _NUMBER.finditer(s.text):
                v = _norm_number(m.group(0))
                if v is not None:
                    nums[i].add(v)
                    fv = float(v)
                    if 1900 <= fv <= 2100 and fv.is_integer():
                        years.add(int(fv))
    return Analysis(
        article=a, doc=doc, sentences=sents, vectors=vecs,
        sent_names=[frozenset(s) for s in names], sent_numbers=[frozenset(s) for s in nums],
        entities=entities, entity_labels=labels, countries=countries,
        years=frozenset(years), quotes=quotes, enriched=en is not None,
    )
