"""How each outlet covers one story: the matrices, tone and framing of the story page.

With the compare stage (``storylens.compare.coverage.story_coverage``) the page shows its
outlets x facts and outlets x entities matrices, tone and framing terms per outlet, and
the API returns its ``to_dict()``. Without it (not installed, or it fails), the page still
shows what the store gives: outlets x articles (who published which report, copies
marked) and outlets x names from ``storylens.enrich.facts.enrich``; the API then returns
this fallback's ``to_dict()`` with ``source: "fallback"``.

A coverage is cached by story id and its members' ids and text hashes: the first one
loads the sentence embedder (seconds); later ones of a small story take well under one.
The compare stage bounds a big story (originals only, a sample of them, a sentence budget
for the facts; its notes say so, and the page shows them) and keeps sentence vectors and
enrichments between calls, so a story that grew by a few articles is recomputed mostly
from memory.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from storylens.lru import LRUCache
from storylens.records import Article
from storylens.records_story import Story
from storylens.server.story_members import Member
from storylens.store.base import AnalysisStore

log = logging.getLogger("storylens.server")

MAX_ENTITY_COLUMNS = 12
MAX_FACT_COLUMNS = 16
CACHE_SIZE = 32
MAX_ENRICHED = 60
"""Originals enriched for the entities matrix (each costs ~20 ms)."""


@dataclass(slots=True)
class Cell:
    text: str
    level: int
    """0 (absent) .. 3 (strong): the cell's shade class."""
    title: str = ""


@dataclass(slots=True)
class Column:
    label: str
    href: str | None = None
    title: str = ""


@dataclass(slots=True)
class Matrix:
    """Rows are outlets; ``kind`` says what the columns are."""

    kind: str
    columns: list[Column]
    rows: list[tuple[str, list[Cell]]]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "columns": [asdict(c) for c in self.columns],
                "rows": [{"outlet": o, "cells": [asdict(c) for c in cells]}
                         for o, cells in self.rows]}


@dataclass(slots=True)
class OutletTone:
    outlet: str
    score: float
    label: str
    method: str
    articles: int


@dataclass(slots=True)
class Coverage:
    """Everything the story page shows per outlet."""

    source: str
    facts: Matrix
    entities: Matrix | None
    tone: list[OutletTone] = field(default_factory=list)
    framing: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    """Outlet -> (term, category, count): loaded terms and referent designations."""
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None
    """The compare stage's own ``to_dict()``, when it computed this coverage."""
    fact_texts: list[tuple[str, str, int]] = field(default_factory=list)
    """(fact id, representative sentence, outlets reporting it) of the facts matrix."""

    def to_dict(self) -> dict[str, Any]:
        """The API's ``coverage``: the compare stage's own JSON, else this fallback's."""
        if self.data is not None:
            return {"source": self.source, **self.data}
        return {"source": self.source, "facts": self.facts.to_dict(),
                "entities": self.entities.to_dict() if self.entities else None,
                "tone": [asdict(t) for t in self.tone],
                "framing": {o: [{"term": t, "category": c, "count": n} for t, c, n in terms]
                            for o, terms in self.framing.items()},
                "notes": list(self.notes)}


_CACHE: LRUCache[tuple[str, tuple[tuple[str, str], ...]], Coverage] = LRUCache(CACHE_SIZE)


def _shade(n: int, top: int) -> int:
    if n <= 0:
        return 0
    return 1 if top <= 1 else min(3, 1 + (2 * n) // top)


def publication_matrix(originals: list[Member], outlets: list[str]) -> Matrix:
    """Outlets x articles: which outlet published each report, or a copy of it."""
    cols = [Column(f"#{i + 1}", f"/articles/{m.id}", m.title) for i, m in
            enumerate(originals)]
    rows = []
    for o in outlets:
        cells = []
        for m in originals:
            own = m.outlet == o
            copies = sum(1 for c in m.copies if c.outlet == o)
            text = "original" if own else (f"copy ×{copies}" if copies > 1 else
                                           "copy" if copies else "")
            cells.append(Cell(text, 3 if own else 1 if copies else 0, m.title))
        rows.append((o, cells))
    return Matrix("articles", cols, rows)


def _outlet_names(articles: list[tuple[str, Article]]) -> dict[str, Counter[str]]:
    """Outlet -> entity name -> mentions, from the enrich stage (names folded so
    "Erdoğan" and "Erdogan" count as one; shown as the most frequent spelling)."""
    from storylens.compare.analysis import fold
    from storylens.enrich.facts import enrich

    per: dict[str, Counter[str]] = defaultdict(Counter)
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for outlet, a in articles[:MAX_ENRICHED]:
        try:
            en = enrich(a.doc, a.lang)
        except Exception:  # evidence, not a requirement: skip the article, never fail
            log.warning("enrich failed on %s", a.id, exc_info=True)
            continue
        for name, n in en.actors.items():
            per[outlet][fold(name)] += n
            spelling[fold(name)][name] += n
        for m in en.entities:
            if m.label == "LOC":
                per[outlet][fold(m.text)] += 1
                spelling[fold(m.text)][m.text] += 1
    shown = {k: c.most_common(1)[0][0] for k, c in spelling.items()}
    return {o: Counter({shown[k]: n for k, n in c.items()}) for o, c in per.items()}


def entity_matrix(counts: dict[str, Counter[str]], outlets: list[str]) -> Matrix:
    """Outlets x the names most outlets mention (then most mentioned)."""
    reach: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for c in counts.values():
        reach.update(c.keys())
        total.update(c)
    names = sorted(total, key=lambda k: (-reach[k], -total[k], k))[:MAX_ENTITY_COLUMNS]
    top = max((counts.get(o, Counter())[n] for o in outlets for n in names), default=0)
    rows = [(o, [Cell(str(counts.get(o, Counter())[n] or ""),
                      _shade(counts.get(o, Counter())[n], top), n) for n in names])
            for o in outlets]
    return Matrix("entities", [Column(n, None, n) for n in names], rows)


def _tone_and_framing(per_outlet: dict[str, list[Article]], cov: Coverage) -> None:
    try:
        from storylens.compare.framing import side_framing
        from storylens.compare.lexicons import REFERENTS, find_terms, term_regex
        from storylens.compare.tone import article_tone, tone_label
    except ImportError as e:
        cov.notes.append(f"tone and framing need the compare stage ({e})")
        return
    referents = {k: term_regex(v) for k, v in REFERENTS.items()}
    for outlet, arts in per_outlet.items():
        tones = [article_tone(a.doc, a.lang) for a in arts]
        known = [t for t in tones if t.method != "none"]
        score = sum(t.score for t in known) / len(known) if known else 0.0
        label = tone_label(score, bool(known))
        cov.tone.append(OutletTone(outlet, round(score, 3), label,
                                   known[0].method if known else "none", len(arts)))
        terms: Counter[tuple[str, str]] = Counter()
        for a in arts:
            doc = a.doc
            for t in side_framing(doc, "").loaded:
                terms[(t.term.casefold(), t.category)] += t.count
            end = -1
            for h in find_terms(doc, referents):
                if h.start >= end:  # nested hits: keep the longest, outermost one
                    terms[(h.surface.casefold(), f"names {h.key}")] += 1
                    end = h.end
        cov.framing[outlet] = [(t, c, n) for (t, c), n in terms.most_common(8)]


def _from_compare(story: Story, members: list[Member], store: AnalysisStore | None
                  ) -> Coverage | None:
    """The compare stage's coverage as the page's view, or ``None`` without it."""
    try:
        from storylens.compare.coverage import story_coverage as compare_coverage
    except ImportError:
        return None
    articles = [x.article for m in members for x in (m, *m.copies) if x.article is not None]
    try:
        cc = compare_coverage(articles, story.members, store=store)
    except Exception:  # a failing channel must not take the page down: fall back, log it
        log.warning("compare coverage failed on %s; showing the fallback", story.id,
                    exc_info=True)
        return None
    rows = cc.reporting_outlets
    facts = cc.facts[:MAX_FACT_COLUMNS]
    fm = cc.fact_matrix()
    fact_cols = [Column(f"{f.id}", None, f.text) for f in facts]
    fact_rows = [(o, [Cell("✓" if n else "", 3 if n else 0, f.text)
                      for n, f in zip(fm[r], facts, strict=False)]) for r, o in enumerate(rows)]
    ents = cc.entities[:MAX_ENTITY_COLUMNS]
    em = cc.entity_matrix()
    top = max((n for row in em for n in row[:len(ents)]), default=0)
    ent_rows = [(o, [Cell(str(n or ""), _shade(n, top), e.name)
                     for n, e in zip(em[r], ents, strict=False)]) for r, o in enumerate(rows)]
    cov = Coverage("compare", Matrix("facts", fact_cols, fact_rows),
                   Matrix("entities", [Column(e.name, None, f"{e.name} ({e.label})")
                                       for e in ents], ent_rows),
                   data=cc.to_dict(), notes=list(cc.notes), fact_texts=[
                       (f.id, f.text, len(f.outlets)) for f in facts])
    if len(cc.facts) > len(facts):
        cov.notes.append(f"showing the {len(facts)} most widely reported of "
                         f"{len(cc.facts)} facts")
    for oc in cc.outlets:
        if oc.tone is not None:
            cov.tone.append(OutletTone(oc.outlet, round(oc.tone.score, 3), oc.tone.label,
                                       oc.tone.method, len(oc.articles)))
        terms = [(t.term, t.category, t.count) for t in oc.framing.loaded]
        terms += [(d, f"names {r}", n) for r, ds in oc.designations.items()
                  for d, n in ds.items() if (r, d) in oc.distinctive]
        cov.framing[oc.outlet] = terms[:8]
    return cov


def story_coverage(story: Story, members: list[Member], outlets: list[str],
                   store: AnalysisStore | None = None) -> Coverage:
    """The coverage of ``story`` whose original ``members`` hold their copies; cached in
    memory, and its enrichments and sentence vectors kept in ``store``."""
    key = (story.id, tuple((x.id, x.article.content_hash if x.article else "")
                           for m in members for x in (m, *m.copies)))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    cov = _from_compare(story, members, store) or fallback_coverage(members, outlets)
    _CACHE.put(key, cov)
    return cov


def fallback_coverage(members: list[Member], outlets: list[str]) -> Coverage:
    """Publications and enrichment names per outlet, tone and framing when importable."""
    originals = [(m.outlet, m.article) for m in members if m.article is not None]
    carried = originals + [(c.outlet, m.article) for m in members for c in m.copies
                           if m.article is not None]
    cov = Coverage(source="fallback", facts=publication_matrix(members, outlets),
                   entities=None, notes=["facts per outlet need the compare stage's story "
                                         "coverage; showing which outlet published which "
                                         "article instead"])
    try:
        cov.entities = entity_matrix(_outlet_names(carried), outlets)
    except ImportError as e:
        cov.notes.append(f"no entities: the enrich stage is unavailable ({e})")
    per_outlet: dict[str, list[Article]] = defaultdict(list)
    for o, a in carried:
        per_outlet[o].append(a)
    _tone_and_framing(dict(per_outlet), cov)
    return cov
