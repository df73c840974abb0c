"""One article -> its comparable channels (dense, lexical title/body, salient names,
numbers, MinHash): the ``ArticleRep`` the linker works on.

Dense vectors embed the title plus the lead (first ``lead_chars`` of the text): the lead
carries the event (who, what, where), and embedding less text is what makes ≥ 200
articles/s possible on two cores.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from storylens.represent.base import Embedder
from storylens.represent.lexical import DocFreq, SparseVec, term_counts, tfidf
from storylens.represent.minhash import Signature, signature
from storylens.represent.skeleton import katakana_names
from storylens.textnorm import fold, number_key, parse_number

FloatVec = npt.NDArray[np.float32]

_CAP = re.compile(r"(?<![\w])([^\W\d_][\w'’-]*)", re.UNICODE)
_NUM = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ .,]\d{3})+|\d+(?:[.,]\d+)?)(?![\w])")
_SENT_END = re.compile(r"[.!?…:;»\"“”]\s*$")


@dataclass(slots=True)
class ArticleRep:
    """The linker's view of one article."""

    id: str
    time: float | None
    """Publication time as a UNIX timestamp; ``None`` when unknown."""
    lang: str | None
    outlet: str | None
    dense: FloatVec
    title_vec: SparseVec
    body_vec: SparseVec
    names: frozenset[str]
    numbers: frozenset[str]
    minhash: Signature
    title: str = ""


def salient_names(text: str) -> frozenset[str]:
    """Capitalised words that do not start a sentence, plus all-caps acronyms, folded.

    A cheap, language-independent stand-in for named entities in cased scripts (Latin,
    Cyrillic, Greek): "Erdogan", "Ankara", "MIT", "Hamas"; plus katakana runs, which is
    how Japanese writes foreign names ("バイデン"). Other caseless scripts give none, and
    the dense channel carries them.
    """
    out: set[str] = set(katakana_names(text))  # not folded: that would drop the dakuten
    for line in text.splitlines():
        prev_end = True
        for m in re.finditer(r"\S+", line):
            tok = m.group(0)
            w = _CAP.match(tok)
            word = w.group(1).strip("'’-") if w else ""
            if word and word[0].isupper() and len(word) > 1 and (
                not prev_end or (word.isupper() and len(word) <= 6)
            ):
                out.add(fold(word))
            prev_end = bool(_SENT_END.search(tok))
    return frozenset(out)


def numbers_of(text: str) -> frozenset[str]:
    """Numbers written in the text, normalised (1,000 = 1000), years and 0-10 excluded: the
    specific counts ("12 tentatives", "16 muertos") that tie reports of one event."""
    out: set[str] = set()
    for m in _NUM.finditer(text):
        v = parse_number(m.group(1))
        if v is None or v <= 10 or (1900 <= v <= 2100 and v.is_integer()):
            continue
        out.add(number_key(v))
    return frozenset(out)


def lead(title: str, text: str, lead_chars: int = 600) -> str:
    """Title plus the first ``lead_chars`` characters of the text, cut at a word."""
    body = text[:lead_chars]
    if len(text) > lead_chars:
        body = body.rsplit(" ", 1)[0]
    return f"{title}\n{body}".strip()


@dataclass(slots=True)
class PartialRep:
    """The IDF-free part of an ``ArticleRep``: everything but the two TF-IDF vectors,
    which need the running document frequencies (an order-dependent state). Workers of a
    distributed batch compute these; ``finish_rep`` weights them in stream order."""

    id: str
    time: float | None
    lang: str | None
    outlet: str | None
    dense: FloatVec
    title_counts: Counter[int]
    body_counts: Counter[int]
    names: frozenset[str]
    numbers: frozenset[str]
    minhash: Signature
    title: str


Item = tuple[str, str, str, datetime | None, str | None, str | None]
"""``(id, title, text, published, lang, outlet)`` of one article to represent."""


def prepare_batch(items: Sequence[Item], embedder: Embedder, *, lead_chars: int = 600
                  ) -> list[PartialRep]:
    """The IDF-free parts of ``items``' representations (pure: no shared state)."""
    dense = embedder.embed([lead(t, x, lead_chars) for _, t, x, *_ in items])
    out: list[PartialRep] = []
    for (aid, title, text, published, lang, outlet), vec in zip(items, dense, strict=True):
        full = f"{title}\n{text}"
        out.append(PartialRep(
            id=aid, time=published.timestamp() if published else None, lang=lang,
            outlet=outlet, dense=np.asarray(vec, dtype=np.float32),
            title_counts=term_counts(title), body_counts=term_counts(text),
            names=salient_names(full), numbers=numbers_of(full), minhash=signature(text),
            title=title,
        ))
    return out


def finish_rep(p: PartialRep, df: DocFreq) -> ArticleRep:
    """Count ``p`` into ``df`` and weight its terms: the order-dependent step."""
    df.add(list(p.title_counts) + list(p.body_counts))
    return ArticleRep(
        id=p.id, time=p.time, lang=p.lang, outlet=p.outlet, dense=p.dense,
        title_vec=tfidf(p.title_counts, df, max_terms=40), body_vec=tfidf(p.body_counts, df),
        names=p.names, numbers=p.numbers, minhash=p.minhash, title=p.title,
    )


def represent_batch(
    items: Sequence[Item], embedder: Embedder, df: DocFreq, *, lead_chars: int = 600,
) -> list[ArticleRep]:
    """Represent ``(id, title, text, published, lang, outlet)`` items; updates ``df``."""
    return [finish_rep(p, df) for p in prepare_batch(items, embedder, lead_chars=lead_chars)]
