"""How a whole story (an event or a storyline) was covered: who reported what, when, how.

``story_coverage(articles, members)`` reads the articles of one story and returns a
``Coverage``:

- Syndicated copies (members whose ``duplicate_of`` is set) are folded under their
  original: they count as *reach* (how many places carried a report), never as
  independent coverage, so facts, entities, framing and tone read originals only.
- Facts: the sentences of all originals (title = sentence 0) are grouped across articles
  and languages with the pair comparison's hybrid similarity and threshold
  (``coverage_facts.group_facts``). Each group is a fact with a representative sentence,
  the outlets and articles that report it, its reach and its first reporter; the outlets
  × facts matrix counts, per outlet, its articles reporting each fact.
- Entities (people, organisations and places from the enrichment, normalised across
  articles with ``enrich.normalize.cluster_names``), countries, framing terms (referent
  designations, loaded terms, attribution verbs: ``framing``) and tone (``tone``) per
  outlet; a timeline (first publisher, who followed, hours after the first,
  which facts each article added first); languages.

Cost is bounded, so a story of thousands of members costs about what one of a hundred
does (each cap adds a note to the result and sets ``capped``):

- copies are folded before anything is read (``MAX_ARTICLES`` counts originals only);
- at most ``MAX_ARTICLES`` originals are analysed, taken round-robin over outlets, oldest
  first, so every outlet is represented; at most ``MAX_SENTENCES`` sentences each;
- facts read at most ``FACT_SENTENCES`` distinct sentences, titles and leads first
  (``coverage_budget``): embedding is the dominant cost; entities, framing and tone read
  the whole analysed texts;
- at most ``MAX_FACTS`` facts are kept, the most widely reported.

Sentence vectors and enrichments are memoised in ``ANALYSIS_CACHE`` (in memory, bounded),
so a served story page computed again as its story grows re-reads only its new articles.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storylens.compare.analysis import Analysis, AnalysisCache, analyse_many, prepare
from storylens.compare.coverage_budget import lead_limits, lead_note
from storylens.compare.coverage_facts import (
    CoveredArticle,
    Fact,
    aware,
    group_facts,
    iso,
    when_key,
)
from storylens.compare.coverage_framing import outlet_framing
from storylens.compare.facts import threshold_for
from storylens.compare.framing import SideFraming
from storylens.compare.sentences import split_sentences
from storylens.compare.tone import Tone, article_tone
from storylens.enrich.normalize import cluster_names
from storylens.records import Article
from storylens.records_story import copy_roots
from storylens.represent.base import get_embedder
from storylens.settings import compare_embedder
from storylens.store.base import AnalysisStore
from storylens.textnorm import fold as fold_term

MAX_ARTICLES = 60
MAX_SENTENCES = 40
FACT_SENTENCES = 240
"""Distinct sentences embedded per story for the facts (see ``coverage_budget``)."""
MAX_FACTS = 200
ANALYSIS_CACHE = AnalysisCache()
"""Sentence vectors and enrichments kept between calls (a served story page is computed
again as its story grows; most of its articles are the same)."""
MAX_ENTITIES = 60
ENTITY_LABELS = frozenset({"PER", "ORG", "LOC", "?"})
"""People, organisations, places; "?" = capitalised words when enrichment is missing.
MISC is left out: for languages without a spaCy model it is mostly capitalised nouns."""


@dataclass(slots=True)
class EntityRow:
    """One normalised entity and how often each outlet mentions it."""

    name: str
    label: str
    outlets: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "outlets": dict(self.outlets),
                "mentions": sum(self.outlets.values())}


@dataclass(slots=True)
class OutletCoverage:
    """One outlet's part in the story: its originals, copies it carried, words and tone."""

    outlet: str
    articles: list[str]
    """Original (independently written) articles."""
    copies: list[str]
    """Syndicated copies it carried (reach only)."""
    copied: int
    """Syndicated copies of its originals, carried by any outlet."""
    langs: list[str]
    first_time: datetime | None
    framing: SideFraming = field(default_factory=SideFraming)
    designations: dict[str, dict[str, int]] = field(default_factory=dict)
    """Referent -> the designations this outlet uses for it, with counts."""
    distinctive: list[tuple[str, str]] = field(default_factory=list)
    """(referent, designation) no other outlet of the story uses for a referent several
    outlets name."""
    tone: Tone | None = None
    countries: dict[str, int] = field(default_factory=dict)

    @property
    def reach(self) -> int:
        return len(self.articles) + len(self.copies)

    def to_dict(self) -> dict[str, Any]:
        return {"outlet": self.outlet, "articles": self.articles, "copies": self.copies,
                "copied": self.copied, "reach": self.reach, "langs": self.langs,
                "first_time": iso(self.first_time),
                "framing": self.framing.to_dict(), "designations": self.designations,
                "distinctive": [{"referent": r, "designation": d} for r, d in self.distinctive],
                "tone": self.tone.to_dict() if self.tone else None, "countries": self.countries}


@dataclass(slots=True)
class TimelineEntry:
    """One article in publication order (undated ones last)."""

    article: str
    outlet: str
    published: datetime | None
    hours_after_first: float | None
    copy_of: str | None
    new_facts: list[str] = field(default_factory=list)
    """Ids of the facts this article reported first."""

    def to_dict(self) -> dict[str, Any]:
        h = self.hours_after_first
        return {"article": self.article, "outlet": self.outlet,
                "published": iso(self.published), "copy_of": self.copy_of,
                "hours_after_first": None if h is None else round(h, 2),
                "new_facts": self.new_facts}


@dataclass(slots=True)
class Coverage:
    """Everything ``story_coverage`` found (see module doc)."""

    articles: list[CoveredArticle]
    outlets: list[OutletCoverage]
    facts: list[Fact]
    entities: list[EntityRow]
    timeline: list[TimelineEntry]
    langs: dict[str, int]
    embedder: str
    threshold: float
    capped: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def reporting_outlets(self) -> list[str]:
        """Outlets with at least one analysed original: the rows of the matrices."""
        done = {a.outlet for a in self.articles if a.analysed}
        return [o.outlet for o in self.outlets if o.outlet in done]

    @property
    def first_publisher(self) -> TimelineEntry | None:
        first = self.timeline[0] if self.timeline else None
        return first if first is not None and first.published is not None else None

    def fact_matrix(self) -> list[list[int]]:
        """Rows ``reporting_outlets``, columns ``facts``: how many of the outlet's articles
        report the fact."""
        outlet = {a.id: a.outlet for a in self.articles}
        return [[sum(1 for a in f.articles if outlet.get(a) == o) for f in self.facts]
                for o in self.reporting_outlets]

    def entity_matrix(self) -> list[list[int]]:
        """Rows ``reporting_outlets``, columns ``entities``: mentions."""
        return [[e.outlets.get(o, 0) for e in self.entities] for o in self.reporting_outlets]

    def to_dict(self) -> dict[str, Any]:
        rows = self.reporting_outlets
        return {
            "embedder": self.embedder, "threshold": self.threshold, "capped": self.capped,
            "notes": list(self.notes), "seconds": round(self.seconds, 2),
            "langs": dict(self.langs),
            "first_publisher": self.first_publisher.to_dict() if self.first_publisher else None,
            "articles": [a.to_dict() for a in self.articles],
            "outlets": [o.to_dict() for o in self.outlets],
            "facts": [f.to_dict() for f in self.facts],
            "entities": [e.to_dict() for e in self.entities],
            "timeline": [t.to_dict() for t in self.timeline],
            "matrices": {
                "outlets": rows,
                "facts": {"columns": [f.id for f in self.facts], "rows": self.fact_matrix()},
                "entities": {"columns": [e.name for e in self.entities],
                             "rows": self.entity_matrix()},
            },
        }


def story_coverage(articles: Sequence[Article], members: Sequence[dict[str, Any]], *,
                   embedder: str | None = None, max_articles: int = MAX_ARTICLES,
                   max_sentences: int = MAX_SENTENCES, fact_sentences: int = FACT_SENTENCES,
                   max_facts: int = MAX_FACTS, cache: AnalysisCache | None = ANALYSIS_CACHE,
                   store: AnalysisStore | None = None) -> Coverage:
    """Coverage of one story from its articles and ``Story.members`` (see module doc).

    ``max_articles`` originals are analysed (round-robin over outlets), each up to
    ``max_sentences`` sentences; at most ``fact_sentences`` distinct sentences (titles
    and leads first) are embedded and grouped into facts; ``max_facts`` facts are kept.
    ``cache`` (default: the process-wide one) and ``store`` reuse enrichments and sentence
    vectors computed before.
    """
    t0 = time.perf_counter()
    name = embedder or compare_embedder()
    by_id = {a.id: a for a in articles}
    mem = [m for m in members if m["id"] in by_id]
    notes = [f"{len(members) - len(mem)} member articles are missing from the store"
             ] if len(mem) < len(members) else []
    dup = {m["id"]: m.get("duplicate_of") for m in mem}
    root = copy_roots(dup)
    originals = {i: CoveredArticle(i, a.outlet_label, a.lang, a.title, aware(a.published))
                 for i, a in ((m["id"], by_id[m["id"]]) for m in mem) if root[i] == i}
    for m in mem:
        if root[m["id"]] != m["id"]:
            cp = by_id[m["id"]]
            originals[root[m["id"]]].copies.append((cp.id, cp.outlet_label,
                                                     aware(cp.published)))
    n_copies = len(mem) - len(originals)
    if n_copies:
        notes.append(f"{n_copies} syndicated copies folded under their originals "
                     "(counted as reach, not as independent coverage)")
    chosen = _pick(list(originals.values()), max_articles)
    capped = len(chosen) < len(originals)
    if capped:
        notes.append(f"capped: facts, entities, framing and tone read {len(chosen)} of "
                     f"{len(originals)} original articles")
    cut = [_cut(by_id[c.id], max_sentences) for c in chosen]
    if any(c is not by_id[x.id] for c, x in zip(cut, chosen, strict=True)):
        capped = True
        notes.append(f"capped: at most {max_sentences} sentences read per article")
    for c in chosen:
        c.analysed = True
    leads = lead_limits([[x.text for x in prepare(a)[1]] for a in cut], fact_sentences)
    ans = analyse_many(cut, get_embedder(name), embed_limits=leads, cache=cache,
                       store=store) if cut else []
    if any(n < len(an.sentences) for n, an in zip(leads, ans, strict=True)):
        capped = True
        notes.append(lead_note(leads, ans, fact_sentences))
    if ans and not any(an.enriched for an in ans):
        notes.append("enrichment unavailable: entities are capitalised words")
    threshold = threshold_for(name)
    facts = group_facts(ans, chosen, threshold)
    if len(facts) > max_facts:
        capped = True
        notes.append(f"facts: the {max_facts} most widely reported of {len(facts)} are "
                     "listed (the matrix and timeline count only those)")
        facts = facts[:max_facts]
    outlets = _outlets(list(originals.values()), ans, chosen)
    timeline = _timeline(list(originals.values()), facts)
    langs = Counter(by_id[m["id"]].lang or "?" for m in mem)
    if not mem:
        notes.append("the story has no readable articles")
    elif not any(t.published for t in timeline):
        notes.append("no article is dated: the timeline has no order")
    entities = _entities(ans, chosen)
    if len(entities) > MAX_ENTITIES:
        notes.append(f"entities: the {MAX_ENTITIES} most widely mentioned of {len(entities)}")
    return Coverage(list(originals.values()), outlets, facts, entities[:MAX_ENTITIES],
                    timeline, dict(langs.most_common()), name, threshold, capped, notes,
                    time.perf_counter() - t0)


def _pick(originals: list[CoveredArticle], n: int) -> list[CoveredArticle]:
    """Up to ``n`` originals, oldest first, round-robin over outlets."""
    queues: dict[str, list[CoveredArticle]] = defaultdict(list)
    for c in sorted(originals, key=when_key):
        queues[c.outlet].append(c)
    out: list[CoveredArticle] = []
    while len(out) < n and any(queues.values()):
        for q in queues.values():
            if q and len(out) < n:
                out.append(q.pop(0))
    return sorted(out, key=when_key)


def _cut(a: Article, n: int) -> Article:
    """``a`` with its text cut after ``n - 1`` sentences (the title is sentence 0)."""
    sents = split_sentences(a.text)
    return a if len(sents) < n else dataclasses.replace(a, text=a.text[:sents[n - 2].end])


def _outlets(originals: list[CoveredArticle], ans: list[Analysis],
             chosen: list[CoveredArticle]) -> list[OutletCoverage]:
    outs: dict[str, OutletCoverage] = {}
    for c in sorted(originals, key=when_key):
        row = outs.setdefault(c.outlet, OutletCoverage(c.outlet, [], [], 0, [], c.published))
        row.articles.append(c.id)
        row.copied += len(c.copies)
        if c.lang and c.lang not in row.langs:
            row.langs.append(c.lang)
        for cid, cout, _ in c.copies:
            outs.setdefault(cout, OutletCoverage(cout, [], [], 0, [], None)).copies.append(cid)
    docs: dict[str, list[Analysis]] = defaultdict(list)
    for c, an in zip(chosen, ans, strict=True):
        docs[c.outlet].append(an)
    fr = {o: outlet_framing("\n\n".join(a.doc for a in d)) for o, d in docs.items()}
    desig = {o: (f.designations, f.shown) for o, f in fr.items()}
    for o, d in docs.items():
        oc = outs[o]
        oc.framing = fr[o].framing
        counts, shown = desig[o]
        oc.designations = {r: {shown[k]: n for k, n in c.most_common()}
                           for r, c in counts.items()}
        tones = [article_tone(a.doc, a.article.lang) for a in d]
        oc.tone = _mean_tone(tones)
        oc.countries = dict(sum((a.countries for a in d), Counter()).most_common())
    terms: Counter[str] = Counter(fold_term(t.term) for o in docs
                                  for t in outs[o].framing.loaded)
    named: Counter[str] = Counter(r for o in docs for r in desig[o][0])
    used: Counter[tuple[str, str]] = Counter((r, k) for o in docs
                                             for r, c in desig[o][0].items() for k in c)
    for o in docs:
        oc = outs[o]
        oc.framing.loaded_only_here = [t for t in oc.framing.loaded
                                       if terms[fold_term(t.term)] == 1]
        oc.distinctive = [(r, desig[o][1][k]) for r, c in desig[o][0].items() for k in c
                          if named[r] > 1 and used[(r, k)] == 1]
    return sorted(outs.values(), key=lambda x: (not x.articles, x.first_time is None,
                                                x.first_time.timestamp() if x.first_time
                                                else 0.0, x.outlet))


def _mean_tone(tones: list[Tone]) -> Tone:
    known = [t for t in tones if t.method != "none"]
    if not known:
        return Tone(0.0, "none")
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for t in known:
        pos.update(dict(t.positive))
        neg.update(dict(t.negative))
    return Tone(sum(t.score for t in known) / len(known),
                "+".join(sorted({t.method for t in known})), pos.most_common(6),
                neg.most_common(6))


def _entities(ans: list[Analysis], chosen: list[CoveredArticle]) -> list[EntityRow]:
    canon = cluster_names(n for an in ans for n, c in an.entities.items() for _ in range(c))
    rows: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for c, an in zip(chosen, ans, strict=True):
        for n, k in an.entities.items():
            per, labels = rows.setdefault(canon.get(n, n), (Counter(), Counter()))
            per[c.outlet] += k
            labels[an.entity_labels.get(n, "?")] += k
    out = [EntityRow(n, lab.most_common(1)[0][0], dict(per.most_common()))
           for n, (per, lab) in rows.items()]
    out = [e for e in out if e.label in ENTITY_LABELS]
    out.sort(key=lambda e: (-len(e.outlets), -sum(e.outlets.values()), e.name))
    return out


def _timeline(originals: list[CoveredArticle], facts: list[Fact]) -> list[TimelineEntry]:
    firsts: dict[str, list[str]] = defaultdict(list)
    for f in facts:
        if f.first_article:
            firsts[f.first_article].append(f.id)
    rows: list[tuple[datetime | None, str, str, str | None]] = [
        (c.published, c.id, c.outlet, None) for c in originals]
    rows += [(t, i, o, c.id) for c in originals for i, o, t in c.copies]
    rows.sort(key=lambda r: (r[0] is None, r[0].timestamp() if r[0] else 0.0, r[3] is not None))
    t0 = next((r[0] for r in rows if r[0]), None)
    return [TimelineEntry(i, o, t, (t - t0).total_seconds() / 3600 if t and t0 else None,
                          cp, firsts.get(i, []) if cp is None else [])
            for t, i, o, cp in rows]
