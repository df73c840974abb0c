"""Fact groups of a story: same-fact sentences across its articles and languages.

Used by ``coverage.story_coverage``. The sentences of all analysed originals are compared
with the pair comparison's hybrid similarity (``facts.similarity_matrix``: multilingual
embedding cosine blended with entity-name/number overlap) and grouped greedily: sentence
pairs in decreasing similarity; two groups merge when they hold no sentence of the same
article and their *average* pairwise similarity reaches the threshold, so one loose link
cannot chain two different facts together. A group's representative is its medoid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.analysis import Analysis
from storylens.compare.facts import hybrid_similarity, sentence_keys


def iso(t: datetime | None) -> str | None:
    """ISO 8601 text of ``t`` (None stays None)."""
    return t.isoformat() if t else None


def aware(t: datetime | None) -> datetime | None:
    """``t`` with UTC assumed when it carries no time zone (so times compare)."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


@dataclass(slots=True)
class CoveredArticle:
    """One original article of the story, with the syndicated copies folded under it."""

    id: str
    outlet: str
    lang: str | None
    title: str
    published: datetime | None
    copies: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    """(article id, outlet, published) of each syndicated copy."""
    analysed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "outlet": self.outlet, "lang": self.lang, "title": self.title,
                "published": iso(self.published), "analysed": self.analysed,
                "copies": [{"id": i, "outlet": o, "published": iso(t)}
                           for i, o, t in self.copies]}


@dataclass(slots=True)
class FactReport:
    """One sentence of one article that reports a fact."""

    article: str
    outlet: str
    index: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "outlet": self.outlet, "index": self.index,
                "text": self.text}


@dataclass(slots=True)
class Fact:
    """A group of same-fact sentences across articles (and languages)."""

    id: str
    text: str
    """The representative sentence (the group's medoid)."""
    lang: str | None
    reports: list[FactReport]
    first_article: str | None
    """The earliest dated article reporting it; None when none is dated."""
    first_outlet: str | None
    first_time: datetime | None
    reach: int
    """Articles carrying it: reporting originals plus their syndicated copies."""

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(r.outlet for r in self.reports))

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(r.article for r in self.reports))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "lang": self.lang, "outlets": self.outlets,
                "articles": self.articles, "reach": self.reach,
                "first": {"article": self.first_article, "outlet": self.first_outlet,
                          "time": iso(self.first_time)},
                "reports": [r.to_dict() for r in self.reports]}


def when_key(c: CoveredArticle) -> tuple[bool, float]:
    """Sort key: oldest first, undated last."""
    return (c.published is None, c.published.timestamp() if c.published else 0.0)


def group_facts(ans: list[Analysis], chosen: list[CoveredArticle], threshold: float
                ) -> list[Fact]:
    """Facts of the analysed originals ``ans`` (``chosen[i]`` describes ``ans[i]``), the
    ones most outlets report first; ids ``f1``, ``f2``... in that order. Only sentences
    with a vector take part (``Analysis.embedded``: the title and lead under a budget)."""
    spans = [(ai, si) for ai, an in enumerate(ans) for si in range(embedded(an))]
    sim = story_similarity(ans, spans)
    groups = _greedy_groups(sim, [ai for ai, _ in spans], threshold)
    facts: list[Fact] = []
    for g in groups:
        sub = sim[np.ix_(g, g)]
        rep = g[int(np.argmax(sub.sum(axis=1)))] if len(g) > 1 else g[0]
        reports = [FactReport(chosen[spans[k][0]].id, chosen[spans[k][0]].outlet,
                              spans[k][1], ans[spans[k][0]].sentences[spans[k][1]].text)
                   for k in sorted(g, key=lambda k: when_key(chosen[spans[k][0]]))]
        arts = [chosen[spans[k][0]] for k in g]
        dated = [c for c in sorted(arts, key=when_key) if c.published]
        ra = chosen[spans[rep][0]]
        facts.append(Fact("", ans[spans[rep][0]].sentences[spans[rep][1]].text, ra.lang,
                          reports, dated[0].id if dated else None,
                          dated[0].outlet if dated else None,
                          dated[0].published if dated else None,
                          sum(1 + len(c.copies) for c in arts)))
    facts.sort(key=lambda f: (-len(f.outlets), -len(f.reports), f.first_time is None,
                              f.first_time.timestamp() if f.first_time else 0.0))
    for k, f in enumerate(facts, 1):
        f.id = f"f{k}"
    return facts


def embedded(an: Analysis) -> int:
    """How many leading sentences of ``an`` have vectors (the ones that can be facts)."""
    return len(an.sentences) if an.embedded < 0 else min(an.embedded, len(an.sentences))


def story_similarity(ans: list[Analysis], spans: list[tuple[int, int]]
                     ) -> npt.NDArray[np.float64]:
    """Hybrid similarity (``facts.hybrid_similarity``) between all ``spans`` (article,
    sentence) in one matrix product; -1 between two sentences of the same article, which
    never make one fact."""
    n = len(spans)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float64)
    vecs = np.stack([ans[ai].vectors[si] for ai, si in spans]).astype(np.float32)
    by_article = [sentence_keys(an) for an in ans]
    keys = [by_article[ai][si] for ai, si in spans]
    sim = hybrid_similarity((vecs @ vecs.T).astype(np.float64), keys, keys)
    art = np.array([ai for ai, _ in spans])
    sim[art[:, None] == art[None, :]] = -1.0
    return sim


def _greedy_groups(sim: npt.NDArray[np.float64], art: list[int], threshold: float
                   ) -> list[list[int]]:
    """Average-linkage greedy grouping, one sentence per article per group."""
    members: dict[int, list[int]] = {k: [k] for k in range(len(art))}
    arts: dict[int, set[int]] = {k: {a} for k, a in enumerate(art)}
    where = list(range(len(art)))
    ii, jj = np.nonzero(np.triu(sim >= threshold, 1))
    for p in np.argsort(-sim[ii, jj], kind="stable"):
        a, b = where[int(ii[p])], where[int(jj[p])]
        if a == b or arts[a] & arts[b]:
            continue
        if float(sim[np.ix_(members[a], members[b])].mean()) < threshold:
            continue
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for k in members[b]:
            where[k] = a
        members[a] += members.pop(b)
        arts[a] |= arts.pop(b)
    return sorted((sorted(g) for g in members.values()), key=lambda g: g[0])
