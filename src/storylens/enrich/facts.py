"""One call that enriches an article text: entities, actors, countries, numbers, quotes.

``enrich(text, lang)`` runs the enrich modules in the order they depend on each other
(entities first; quotes and countries reuse them) and returns a slotted ``Enrichment``
that serialises with ``to_dict()`` for the store, the CLI and the HTTP API.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from storylens.enrich.entities import Mention, extract_entities, extract_entities_many
from storylens.enrich.normalize import TitleRef, cluster_names, resolve_titles
from storylens.enrich.numbers import NumberMention, extract_numbers
from storylens.enrich.places import countries_of, lookup_place
from storylens.enrich.quotes import Quote, extract_quotes


@dataclass(slots=True)
class Enrichment:
    """What enrich found in one text."""

    entities: list[Mention] = field(default_factory=list)
    actors: dict[str, int] = field(default_factory=dict)
    """Canonical actor name (PER/ORG/MISC clusters) -> mentions, title references included."""
    countries: Counter[str] = field(default_factory=Counter)
    """ISO 3166-1 alpha-2 code -> place mentions and nationality words."""
    numbers: list[NumberMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    title_refs: list[TitleRef] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Enrichment:
        """The inverse of ``to_dict`` (what the store keeps)."""
        return cls(
            entities=[Mention(**m) for m in d.get("entities", [])],
            actors=dict(d.get("actors", {})),
            countries=Counter(d.get("countries", {})),
            numbers=[NumberMention(**n) for n in d.get("numbers", [])],
            quotes=[Quote(**q) for q in d.get("quotes", [])],
            title_refs=[TitleRef(**t) for t in d.get("title_refs", [])],
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists of plain dicts, countries most frequent first)."""
        return {
            "entities": [asdict(m) for m in self.entities],
            "actors": dict(self.actors),
            "countries": dict(self.countries.most_common()),
            "numbers": [asdict(n) for n in self.numbers],
            "quotes": [asdict(q) for q in self.quotes],
            "title_refs": [asdict(t) for t in self.title_refs],
        }


def actor_counts(
    mentions: Sequence[Mention], refs: Sequence[TitleRef] = (), lang: str | None = None
) -> dict[str, int]:
    """Mentions per canonical actor; places (gazetteer hits) are not actors."""
    names = [m.text for m in mentions
             if m.label in ("PER", "ORG", "MISC") and lookup_place(m.text, lang) is None]
    canon = cluster_names(names + [r.person for r in refs], fuzzy=True)
    counts: Counter[str] = Counter(canon[n] for n in names)
    for r in refs:
        counts[canon.get(r.person, r.person)] += 1
    return dict(counts.most_common())


ENRICH_VERSION = "1"
"""Bump when enrichment output changes for the same text: stored enrichments are keyed by
``enrich_signature``, so old ones are then recomputed instead of reused."""


def enrich_signature(lang: str | None) -> str:
    """What an enrichment of a ``lang`` text depends on besides the text: this module's
    version, the language and the entity tagger that serves it (spaCy model or the
    fallback), and how much of a text spaCy tags."""
    from storylens.enrich.entities import DEFAULT_HEAD_CHARS, tagger_for

    return f"{ENRICH_VERSION}/{lang or '-'}/{tagger_for(lang).name}/{DEFAULT_HEAD_CHARS}"


def enrich(text: str, lang: str | None) -> Enrichment:
    """Enrich ``text`` written in ``lang`` (ISO 639-1 code, or None when unknown)."""
    if not text.strip():
        return Enrichment()
    return _assemble(text, lang, extract_entities(text, lang))


def enrich_many(texts: Sequence[str], lang: str | None) -> list[Enrichment]:
    """``enrich`` over many texts of one language; entity tagging is batched (faster with
    spaCy)."""
    all_mentions = extract_entities_many(texts, lang)
    return [_assemble(t, lang, ms) if t.strip() else Enrichment()
            for t, ms in zip(texts, all_mentions, strict=True)]


def _assemble(text: str, lang: str | None, mentions: list[Mention]) -> Enrichment:
    refs = resolve_titles(text, mentions, lang)
    return Enrichment(
        entities=mentions,
        actors=actor_counts(mentions, refs, lang),
        countries=countries_of(mentions, lang, text=text),
        numbers=extract_numbers(text, lang),
        quotes=extract_quotes(text, lang, mentions, refs),
        title_refs=refs,
    )
