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

import bisect
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.sentences import Sentence, split_sentences
from storylens.lru import LRUCache
from storylens.records import Article
from storylens.represent.base import Embedder
from storylens.store.base import AnalysisStore
from storylens.textnorm import fold as fold  # re-exported: server.story_coverage reads it
from storylens.textnorm import number_key, parse_number

FloatMatrix = npt.NDArray[np.float32]

_CAPWORD = re.compile(r"(?<![\w])([^\W\d_][\w’'-]+)")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


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
    embedded: int = -1
    """How many leading sentences have a real vector (the rest are zero rows); -1: all."""

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


def _enrich_all(docs: Sequence[str], langs: Sequence[str | None]) -> list[Any | None]:
    """``_enrich`` of every doc, batched per language (spaCy tags a batch much faster than
    one text at a time); a failing batch falls back to one text at a time."""
    try:
        from storylens.enrich.facts import enrich_many
    except ImportError:
        return [None] * len(docs)
    out: list[Any | None] = [None] * len(docs)
    by_lang: dict[str | None, list[int]] = {}
    for i, (d, lang) in enumerate(zip(docs, langs, strict=True)):
        if d.strip():
            by_lang.setdefault(lang, []).append(i)
    for lang, idx in by_lang.items():
        try:
            ens: list[Any | None] = list(enrich_many([docs[i] for i in idx], lang))
        except Exception:  # one bad text must not cost the batch its enrichment
            ens = [_enrich(docs[i], lang) for i in idx]
        for i, en in zip(idx, ens, strict=True):
            out[i] = en
    return out


def text_key(text: str) -> str:
    """Content key of a sentence or document (what the store's memo is keyed by)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class AnalysisCache:
    """Memo of the two costly parts of an analysis, for callers that analyse the same
    articles again (compare of a stored pair, a story page re-rendered as the story
    grows): sentence vectors by (embedder, sentence text) and enrichments by (language,
    document hash).

    Two tiers: a bounded in-memory ``lru.LRUCache`` (thread-safe; misses are computed in
    one batch), and, when a call passes a store, the store's content-addressed tables, so
    the work is done once per store and not once per process: the second
    ``storylens compare`` of a pair reads what the first computed."""

    def __init__(self, max_vectors: int = 8192, max_enrichments: int = 1024) -> None:
        self._vectors: LRUCache[tuple[str, str], FloatMatrix] = LRUCache(max_vectors)
        self._enriched: LRUCache[tuple[str | None, str], Any] = LRUCache(max_enrichments)
        self.computed = {"vectors": 0, "enrichments": 0}
        """How many sentence vectors and enrichments were computed (not found)."""

    def vectors(self, embedder: Embedder, texts: Sequence[str],
                store: AnalysisStore | None = None) -> FloatMatrix:
        """One row per text: cached rows (memory, then ``store``), the rest embedded in
        one call and remembered in both."""
        name = f"{embedder.name}/{embedder.dim}"
        hit = {t: v for (_, t), v in self._vectors.get_many((name, t) for t in texts).items()}
        missing = [t for t in dict.fromkeys(texts) if t not in hit]
        found: dict[str, FloatMatrix] = {}
        if missing and store is not None:
            keys = {t: text_key(t) for t in missing}
            blobs = store.get_sentence_vectors(name, list(keys.values()))
            for t, k in keys.items():
                blob = blobs.get(k)
                if blob is not None and len(blob) == 4 * embedder.dim:
                    found[t] = np.frombuffer(blob, dtype=np.float32)
            missing = [t for t in missing if t not in found]
        if missing:
            fresh = _embed_unique(embedder, missing)
            self.computed["vectors"] += len(missing)
            found.update(zip(missing, fresh, strict=True))
            if store is not None:
                store.put_sentence_vectors(name, {
                    text_key(t): np.asarray(v, dtype=np.float32).tobytes()
                    for t, v in zip(missing, fresh, strict=True)})
        hit.update(found)
        self._vectors.put_many(((name, t), v) for t, v in found.items())
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([hit[t] for t in texts]).astype(np.float32, copy=False)

    def enrichments(self, docs: Sequence[str], langs: Sequence[str | None],
                    store: AnalysisStore | None = None) -> list[Any | None]:
        """``_enrich_all`` with earlier results reused (memory, then ``store``);
        failures are not remembered."""
        keys = [(lang, text_key(d)) for d, lang in zip(docs, langs, strict=True)]
        cached = self._enriched.get_many(keys)
        out: list[Any | None] = [cached.get(k) for k in keys]
        todo = [i for i, en in enumerate(out) if en is None]
        if todo and store is not None:
            skeys = {i: _store_key(*keys[i]) for i in todo}
            stored = _stored_enrichments(store, list(skeys.values()))
            for i, sk in skeys.items():
                out[i] = stored.get(sk)
            todo = [i for i in todo if out[i] is None]
        fresh = _enrich_all([docs[i] for i in todo], [langs[i] for i in todo])
        self.computed["enrichments"] += len(todo)
        if store is not None:
            store.put_enrichments({_store_key(*keys[i]): en.to_dict()
                                   for i, en in zip(todo, fresh, strict=True)
                                   if en is not None})
        for i, en in zip(todo, fresh, strict=True):
            out[i] = en
        self._enriched.put_many((k, en) for k, en in zip(keys, out, strict=True)
                                if en is not None)
        return out


def _store_key(lang: str | None, doc_key: str) -> str:
    try:
        from storylens.enrich.facts import enrich_signature
    except ImportError:
        return f"none/{lang or '-'}/{doc_key}"
    return f"{enrich_signature(lang)}/{doc_key}"


def _stored_enrichments(store: AnalysisStore, keys: list[str]) -> dict[str, Any]:
    """Stored enrichments by key, decoded; an entry that no longer decodes is skipped
    (and recomputed)."""
    try:
        from storylens.enrich.facts import Enrichment
    except ImportError:
        return {}
    out: dict[str, Any] = {}
    for k, d in store.get_enrichments(keys).items():
        try:
            out[k] = Enrichment.from_dict(d)
        except (TypeError, ValueError, KeyError):
            continue
    return out


def _embed_unique(embedder: Embedder, texts: Sequence[str]) -> FloatMatrix:
    """``embedder.embed`` with each distinct text embedded once (syndicated and wire
    sentences repeat across a story's articles)."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    uniq = list(dict.fromkeys(texts))
    if len(uniq) == len(texts):
        return embedder.embed(list(texts))
    rows = embedder.embed(uniq)
    at = {t: k for k, t in enumerate(uniq)}
    return rows[[at[t] for t in texts]]


def analyse(article: Article, embedder: Embedder, *, enrich: bool = True) -> Analysis:
    """Split, enrich and embed ``article`` (never raises on odd text)."""
    return analyse_many([article], embedder, enrich=enrich)[0]


def prepare(a: Article) -> tuple[str, list[Sentence]]:
    """The analysed document of ``a`` (title, blank line, text; the title not repeated)
    and its sentences, the title being sentence 0."""
    title, text, doc = (a.title or "").strip(), a.body, a.doc
    sents: list[Sentence] = []
    if title:
        sents.append(Sentence(0, title, 0, len(title)))
    shift = len(title) + 2 if title else 0
    for s in split_sentences(text):
        sents.append(Sentence(len(sents), s.text, s.start + shift, s.end + shift))
    return doc, sents


def analyse_many(articles: Sequence[Article], embedder: Embedder, *, enrich: bool = True,
                 embed_limits: Sequence[int | None] | None = None,
                 cache: AnalysisCache | None = None,
                 store: AnalysisStore | None = None) -> list[Analysis]:
    """``analyse`` for several articles with one embedding call (faster): each distinct
    sentence text is embedded once and enrichment is batched per language.

    ``embed_limits[i]`` (None: all) embeds only the first sentences of article ``i`` (the
    title and the lead): the rest keep zero rows and ``Analysis.embedded`` says how many
    rows are real. ``cache`` reuses vectors and enrichments of earlier calls; ``store``
    (with or without ``cache``) reads and keeps them in the store.
    """
    if store is not None and cache is None:
        cache = AnalysisCache()
    docs: list[str] = []
    splits: list[list[Sentence]] = []
    for a in articles:
        doc, sents = prepare(a)
        docs.append(doc)
        splits.append(sents)
    limits = [len(sents) if embed_limits is None or embed_limits[k] is None
              else min(len(sents), max(0, embed_limits[k] or 0))
              for k, sents in enumerate(splits)]
    flat = [s.text for sents, n in zip(splits, limits, strict=True) for s in sents[:n]]
    matrix = (cache.vectors(embedder, flat, store) if cache is not None
              else _embed_unique(embedder, flat))
    langs = [a.lang for a in articles]
    ens: list[Any | None] = ([None] * len(docs) if not enrich else
                             cache.enrichments(docs, langs, store) if cache is not None
                             else _enrich_all(docs, langs))
    out: list[Analysis] = []
    pos = 0
    for a, doc, sents, n, en in zip(articles, docs, splits, limits, ens, strict=True):
        vecs = np.zeros((len(sents), embedder.dim), dtype=np.float32)
        vecs[:n] = matrix[pos:pos + n]
        pos += n
        out.append(_build(a, doc, sents, vecs, en, n))
    return out


def _build(a: Article, doc: str, sents: list[Sentence], vecs: FloatMatrix, en: Any | None,
           embedded: int) -> Analysis:
    names: list[set[str]] = [set() for _ in sents]
    nums: list[set[str]] = [set() for _ in sents]
    entities: Counter[str] = Counter()
    labels: dict[str, str] = {}
    countries: Counter[str] = Counter()
    years: set[int] = set()
    quotes = 0

    starts = [s.start for s in sents]

    def sent_at(offset: int) -> int | None:
        i = bisect.bisect_right(starts, offset) - 1  # sentences are in order, disjoint
        return i if i >= 0 and offset < sents[i].end else None

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
                nums[i].add(number_key(n.value))
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
                fv = parse_number(m.group(0))
                if fv is not None and fv > 10:
                    nums[i].add(number_key(fv))
                    if 1900 <= fv <= 2100 and fv.is_integer():
                        years.add(int(fv))
    return Analysis(
        article=a, doc=doc, sentences=sents, vectors=vecs,
        sent_names=[frozenset(s) for s in names], sent_numbers=[frozenset(s) for s in nums],
        entities=entities, entity_labels=labels, countries=countries,
        years=frozenset(years), quotes=quotes, enriched=en is not None, embedded=embedded,
    )
