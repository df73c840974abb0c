"""Compare two articles: verdicts, dimensions, shared/unique facts, framing, tone, timing.

``compare_articles(a, b)`` is the one entry point; every channel degrades instead of
failing: no link models -> no verdicts (with a note), no dimension weights -> no scores
(with a note), empty or tiny texts -> empty facts, different scripts -> no token diffs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storylens.compare.analysis import Analysis, AnalysisCache, analyse_many
from storylens.compare.channels import COVERAGE_THRESHOLD, channels
from storylens.compare.dimensions import DimensionScore, score_dimensions
from storylens.compare.facts import Facts, align_facts, threshold_for
from storylens.compare.framing import Framing, compare_framing
from storylens.compare.tone import Tone, article_tone
from storylens.errors import StorylensError
from storylens.records import Article
from storylens.records_story import ClusterAssignment
from storylens.represent.article import ArticleRep
from storylens.represent.base import get_embedder
from storylens.represent.lexical import DocFreq
from storylens.settings import compare_embedder
from storylens.store.base import AnalysisStore

SHORT_TEXT_CHARS = 200


@dataclass(slots=True)
class Verdict:
    """A same-event or same-storyline answer.

    ``probability`` and ``threshold`` are the link pair model's. When both articles are
    clustered, ``cluster`` says whether the store put them in one event (storyline) and
    decides: compare then never contradicts ``storylens stories``, which reads the same
    assignment. The model's probability stays as evidence."""

    probability: float
    threshold: float
    model: str
    cluster: bool | None = None
    """Same cluster in the store (None: an article is not clustered yet)."""

    @property
    def decision(self) -> bool:
        if self.cluster is not None:
            return self.cluster
        return self.probability >= self.threshold

    @property
    def source(self) -> str:
        """"clusters" when the stored assignment decided, else "model"."""
        return "clusters" if self.cluster is not None else "model"

    def to_dict(self) -> dict[str, Any]:
        return {"probability": round(self.probability, 4), "threshold": self.threshold,
                "decision": self.decision, "model": self.model, "source": self.source}


@dataclass(frozen=True, slots=True)
class StoredLinks:
    """What the store knows about a pair before compare looks at it: the representations
    linking computed (with the document frequencies it used), the link embedder's name
    and each article's cluster assignment (None when not clustered)."""

    model: str
    reps: tuple[ArticleRep, ArticleRep] | None = None
    docfreq: DocFreq | None = None
    assigned: tuple[ClusterAssignment | None, ClusterAssignment | None] = (None, None)


@dataclass(slots=True)
class Comparison:
    """Everything storylens can say about how two articles relate."""

    a: Article
    b: Article
    identical: bool
    same_event: Verdict | None
    same_storyline: Verdict | None
    dimensions: dict[str, DimensionScore]
    facts: Facts
    framing: Framing
    tone_a: Tone
    tone_b: Tone
    first: str | None
    """"a", "b", "same time" or None when a date is missing."""
    gap_hours: float | None
    channels: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def side(x: Article) -> dict[str, Any]:
            return {"id": x.id, "title": x.title, "outlet": x.outlet, "url": x.url,
                    "lang": x.lang, "source": x.source, "chars": len(x.text),
                    "published": x.published.isoformat() if x.published else None}

        return {
            "a": side(self.a), "b": side(self.b), "identical": self.identical,
            "verdicts": {"same_event": self.same_event.to_dict() if self.same_event else None,
                         "same_storyline": (self.same_storyline.to_dict()
                                            if self.same_storyline else None)},
            "dimensions": {k: v.to_dict() for k, v in self.dimensions.items()},
            "facts": self.facts.to_dict(), "framing": self.framing.to_dict(),
            "tone": {"a": self.tone_a.to_dict(), "b": self.tone_b.to_dict()},
            "timing": {"first": self.first, "gap_hours": (round(self.gap_hours, 2)
                                                          if self.gap_hours is not None
                                                          else None)},
            "channels": {k: round(v, 4) for k, v in self.channels.items()},
            "notes": list(self.notes),
        }


def link_verdicts(a: Article, b: Article, stored: StoredLinks | None = None
                  ) -> tuple[Verdict | None, Verdict | None, str | None]:
    """Same event / same storyline: the stored clusters decide when both articles are
    clustered; the linker's shipped pair models give the probability.

    The models are those of the store's link embedder (``stored.model``), else the
    configured one, else the hashing ones; stored representations and document
    frequencies are used when given, so the features are those linking saw. Returns a
    note instead of verdicts when no model can be loaded.
    """
    from storylens.link.features import pair_features
    from storylens.link.service import embedder_name, load_models
    from storylens.link.state import EventState
    from storylens.represent.article import represent_batch

    errors: list[str] = []
    first = stored.model if stored is not None else embedder_name()
    for name in dict.fromkeys([first, "hashing"]):
        try:
            ev_model, sl_model = load_models(name)
            if stored is not None and stored.reps is not None and name == first:
                reps = list(stored.reps)
            else:
                df = stored.docfreq if stored is not None and stored.docfreq else DocFreq()
                reps = represent_batch([(x.id, x.title, x.text, x.published, x.lang,
                                         x.outlet) for x in (a, b)], get_embedder(name), df)
            feats = pair_features(reps[0], EventState.start(b.id, reps[1]))
        except (StorylensError, ValueError, KeyError) as e:
            errors.append(f"{name}: {e}")
            continue
        ev_same = sl_same = None
        if stored is not None and all(x is not None for x in stored.assigned):
            x, y = stored.assigned
            assert x is not None and y is not None
            ev_same, sl_same = x.event_id == y.event_id, x.storyline_id == y.storyline_id
        return (Verdict(float(ev_model.proba(feats)[0]), ev_model.threshold, f"event-{name}",
                        ev_same),
                Verdict(float(sl_model.proba(feats)[0]), sl_model.threshold,
                        f"storyline-{name}", sl_same), None)
    return None, None, "no usable link models (" + "; ".join(errors)[:300] + ")"


def _timing(a: Article, b: Article) -> tuple[str | None, float | None]:
    if a.published is None or b.published is None:
        return None, None
    gap = (b.published - a.published).total_seconds() / 3600.0
    if abs(gap) < 1e-9:
        return "same time", 0.0
    return ("a" if gap > 0 else "b"), abs(gap)


def compare_articles(a: Article, b: Article, *, embedder: str | None = None,
                     verdicts: bool = True, prepared: tuple[Analysis, Analysis] | None = None,
                     stored: StoredLinks | None = None, cache: AnalysisCache | None = None,
                     store: AnalysisStore | None = None) -> Comparison:
    """Compare ``a`` with ``b`` (see module doc). ``embedder`` picks the sentence vectors
    (default: the ``compare_embedder`` setting). ``stored`` is what the store knows
    (clusters decide the verdicts); ``cache`` and ``store`` reuse enrichments and
    sentence vectors computed before (``store`` also keeps the new ones)."""
    notes: list[str] = []
    name = embedder or compare_embedder()
    if prepared is None:
        an_a, an_b = analyse_many([a, b], get_embedder(name), cache=cache, store=store)
    else:
        an_a, an_b = prepared
    identical = a.id == b.id or (a.text.strip() == b.text.strip() and bool(a.text.strip()))
    if identical:
        notes.append("the two inputs are the same article (same id or identical text): "
                     "everything is shared and the scores are those of a copy")
    for tag, x in (("a", a), ("b", b)):
        if len(x.text.strip()) < SHORT_TEXT_CHARS:
            notes.append(f"article {tag} is very short ({len(x.text.strip())} characters): "
                         "scores rest on little evidence")
    tone_a, tone_b = article_tone(an_a.doc, a.lang), article_tone(an_b.doc, b.lang)
    ch = channels(an_a, an_b, threshold=COVERAGE_THRESHOLD, tone_a=tone_a.score,
                  tone_b=tone_b.score)
    try:
        dims = score_dimensions(an_a, an_b, ch, embedder=name)
    except StorylensError as e:
        dims = {}
        notes.append(f"no dimension scores: {e}")
    if identical and dims:
        for d in dims.values():
            d.score = 1.0
    facts = align_facts(an_a, an_b, threshold=threshold_for(name))
    same_lang = bool(a.lang) and a.lang == b.lang
    if not same_lang:
        notes.append(f"different languages ({a.lang or '?'} vs {b.lang or '?'}): facts are "
                     "aligned cross-lingually; no word-level diffs")
    framing = compare_framing(an_a.doc, an_b.doc, facts.shared, same_lang=same_lang)
    ev = sl = None
    if verdicts:
        ev, sl, note = link_verdicts(a, b, stored)
        if note:
            notes.append(note)
    first, gap = _timing(a, b)
    if first is None:
        notes.append("a publication date is missing: who published first is unknown")
    if not an_a.names and not an_b.names:
        notes.append("no entities found on either side")
    return Comparison(a, b, identical, ev, sl, dims, facts, framing, tone_a, tone_b, first,
                      gap, ch, notes)
