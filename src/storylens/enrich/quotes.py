"""Direct quotations and who is quoted.

Why: what each outlet lets each actor say is a core of "how outlets tell a story".

Quotes: text between «…», “…”, „…“ / „…”, ‚…‘, »…«, ‹…›, 「…」, 『…』 and straight "…"
pairs, of at least two words, within one paragraph (no blank line inside), at most 2,000
characters. ’ is never an opening mark (it is the French apostrophe).

Speaker, first rule that applies:
1. After the quote, within 80 characters of the same sentence, an attribution verb
   ("a déclaré", "said", "sagte", "dijo"...) followed within 50 characters by a PER/ORG/MISC
   mention -> that mention ("», a déclaré Gantz"); a mention between the quote and the
   verb ("», Gantz said") also counts.
2. Same verb but a pronoun ("a-t-il déclaré", "he said", "sagte er") -> the last named
   speaker, else the nearest PER mention before the quote.
3. Before the quote, in the same sentence (<= 200 chars): a mention followed by a verb
   ("Gantz a déclaré : « … »", "X said: \"…\"") -> that mention.
4. Otherwise the nearest PER mention in the 300 characters before the quote, with no verb.
Speakers are given as display names: the canonical name of the mention's cluster
(``normalize.cluster_names``), so "Gantz" reads "Benny Gantz" when the text names him so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from storylens.enrich.entities import Mention, extract_entities
from storylens.enrich.normalize import TitleRef, cluster_names


@dataclass(slots=True, frozen=True)
class Quote:
    """A quotation: ``text`` is inside the marks; ``start``/``end`` include the marks."""

    text: str
    speaker: str | None
    verb: str | None
    start: int
    end: int


_PAIRS = {"«": "»", "“": "”", "„": "“”", "‚": "‘’", "»": "«", "‹": "›", "「": "」",
          "『": "』", '"': '"'}
_VERBS: dict[str, str] = {
    "fr": r"(?:a|ont|avait|avaient|aurait|va|allait)(?:-t)?(?:-(?:il|elle|ils|elles|on))?\s+"
          r"(?:\w+\s+)?(?:déclaré|dit|affirmé|ajouté|expliqué|souligné|indiqué|annoncé|"
          r"assuré|estimé|précisé|rapporté|écrit|averti|insisté|répondu|poursuivi|conclu|"
          r"confié|martelé|lancé|déploré|dénoncé|rappelé|noté|commenté|tweeté|"
          r"reconnu|admis|jugé|prévenu|menacé|promis|raconté)|"
          r"(?:déclare|dit|affirme|ajoute|explique|souligne|indique|annonce|assure|estime|"
          r"précise|rapporte|écrit|avertit|insiste|répond|poursuit|conclut|selon)",
    "en": r"(?:said|says|told|added|stated|declared|explained|noted|wrote|warned|insisted|"
          r"argued|claimed|announced|reported|tweeted|asked|replied|continued|stressed|"
          r"according\s+to|has\s+said|had\s+said)",
    "de": r"(?:sagte|sagt|erklärte|erklärt|betonte|betont|fügte\s+\w+\s+hinzu|meinte|"
          r"schrieb|warnte|berichtete|sagten|erklärten|teilte\s+\w+\s+mit|so|laut|"
          r"hat\s+gesagt|hatte\s+gesagt|sagte\s+\w+)",
    "ru": r"(?:заявил|заявила|заявили|сказал|сказала|сообщил|сообщила|отметил|отметила|"
          r"подчеркнул|подчеркнула|добавил|добавила|пишет|сообщает|по\s+словам)",
    "es": r"(?:dijo|afirmó|declaró|añadió|agregó|explicó|señaló|aseguró|indicó|manifestó|"
          r"advirtió|escribió|subrayó|según|ha\s+dicho|había\s+dicho|dice|afirma|asegura)",
}
_PRONOUNS = re.compile(
    r"(?:-t-|-)(?:il|elle|ils|elles)\b|\b(?:he|she|they|er|sie|il|elle)\b", re.IGNORECASE)


@lru_cache(maxsize=8)
def _verb_re(lang: str | None) -> re.Pattern[str]:
    alts = [_VERBS[lang]] if lang in _VERBS else list(_VERBS.values())
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation, marks included, outermost only."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        closers = _PAIRS.get(ch)
        if closers is None or (ch == "»" and "«" not in text[i + 1:i + 2000]):
            i += 1
            continue
        limit = min(n, i + 2000)
        para = text.find("\n\n", i, limit)
        if para >= 0:
            limit = para
        j = min((k for k in (text.find(c, i + 1, limit) for c in closers) if k >= 0),
                default=-1)
        if j < 0:
            i += 1
            continue
        inner = text[i + 1:j].strip()
        if len(inner.split()) >= 2:
            spans.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return spans


def _sentence_end(text: str, pos: int, limit: int) -> int:
    m = re.compile(r"[.!?](?:\s|$)|\n").search(text, pos, min(len(text), pos + limit))
    return m.start() if m else min(len(text), pos + limit)


def extract_quotes(
    text: str, lang: str | None, mentions: Sequence[Mention] | None = None,
    title_refs: Sequence[TitleRef] = (),
) -> list[Quote]:
    """Quotations of ``text`` with their speakers (see module docstring). ``title_refs``
    (``normalize.resolve_titles``) count as person mentions for rules 2 and 4."""
    if mentions is None:
        mentions = extract_entities(text, lang)
    names = cluster_names([m.text for m in mentions if m.label in ("PER", "ORG", "MISC")]
                          + [r.person for r in title_refs], fuzzy=True)
    actors = [m for m in mentions if m.label in ("PER", "ORG", "MISC")]
    people = sorted([(m.start, m.end, m.text) for m in mentions if m.label == "PER"]
                    + [(r.start, r.end, r.person) for r in title_refs])
    verb_re = _verb_re(lang)
    out: list[Quote] = []
    last_speaker: str | None = None
    spans = find_quote_spans(text)
    for k, (qs, qe) in enumerate(spans):
        inner = text[qs + 1:qe - 1].strip()
        speaker: str | None = None
        verb: str | None = None
        stop = _sentence_end(text, qe, 130)
        if k + 1 < len(spans):  # a verb past the next quote attributes that one, not this
            stop = min(stop, spans[k + 1][0])
        vm = verb_re.search(text, qe, min(stop + 1, qe + 80))
        if vm:
            verb = vm.group()
            after = [m for m in actors if vm.end() <= m.start <= vm.end() + 50
                     and m.start <= stop]
            between = [m for m in actors if qe <= m.start and m.end <= vm.start()]
            if between:
                speaker = between[-1].text
            elif after and not _PRONOUNS.match(text[vm.end():vm.end() + 6].lstrip()) and not (
                    _PRONOUNS.search(vm.group())):
                speaker = after[0].text
            else:
                speaker = last_speaker or _nearest_before(people, qs, 10_000)
        if speaker is None:
            lo = max(0, qs - 200)
            cut = max(text.rfind(". ", lo, qs), text.rfind("\n", lo, qs))
            lo = cut + 1 if cut >= 0 else lo
            for pv in reversed(list(verb_re.finditer(text, lo, qs))):
                before = [m for m in actors if lo <= m.start and m.end <= pv.start()]
                if before:
                    speaker, verb = before[-1].text, pv.group()
                    break
        if speaker is None:
            speaker = _nearest_before(people, qs, 300)
        display = names.get(speaker, speaker) if speaker else None
        if display:
            last_speaker = display
        out.append(Quote(inner, display, verb, qs, qe))
    return out


def _nearest_before(people: Sequence[tuple[int, int, str]], pos: int,
                    window: int) -> str | None:
    best = [name for _s, e, name in people if pos - window <= e <= pos]
    return best[-1] if best else None
