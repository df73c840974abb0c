"""Word weights for the lexical comparison channels: a small shipped document-frequency table.

Why: the plain sublinear-TF cosine (``channels.lexical_cosine``) lets the most common words
("that", "nicht", "para") count as much as a shared name. Weighting each word by its
inverse document frequency raised the out-of-fold Pearson of "overall" by ~0.008 (USE
channels) on the SemEval-2022 Task 8 dev pairs, and a table of only the most frequent
words keeps almost all of it (top 300 words: +0.007, top 1,000: +0.009, all 56,000:
+0.009, each table estimated on half of the articles), because IDF matters for the
frequent words: every word outside the table gets the highest weight, as a rare word.

The table (``word_df.json``: ``n_docs`` and ``df``, the document frequency of the
``TABLE_SIZE`` most frequent words) is written by ``train_dimensions`` from the texts it
trains on (the heads of the dev articles, 8 languages), so it holds no labels. Words are
the lexical channels' tokens: runs of 4+ word characters of ``folded`` text.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from storylens.errors import ConfigError
from storylens.textnorm import fold

TABLE_PATH = Path(__file__).resolve().parent / "word_df.json"
TABLE_SIZE = 1500
"""Words kept in the shipped table: the most frequent ones (see the module doc)."""

_WORD = re.compile(r"\w{4,}")
_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=64)
def folded(text: str) -> str:
    """``textnorm.fold(text, table=False)``, memoised: the lexical channels of one pair
    fold the same two documents several times, and folding is the costly part. Without
    the letter table because the shipped word table and dimension models were fitted on
    that fold (see ``textnorm.fold``)."""
    return fold(text, table=False)


def words(text: str) -> Counter[str]:
    """Counts of the folded words of 4+ characters of ``text``."""
    return Counter(_WORD.findall(folded(text)))


@dataclass(frozen=True, slots=True)
class DocFreqTable:
    """Document frequencies of the frequent words; IDF of any word."""

    n_docs: int
    df: Mapping[str, int]

    def idf(self, word: str) -> float:
        """Smoothed IDF; a word outside the table counts as seen in one document."""
        return math.log((self.n_docs + 1) / (self.df.get(word, 1) + 1)) + 1.0

    def to_json(self) -> dict[str, object]:
        return {"n_docs": self.n_docs, "df": dict(self.df)}

    @classmethod
    def build(cls, texts: Iterable[str], size: int = TABLE_SIZE) -> DocFreqTable:
        """The table of the ``size`` most frequent words over ``texts`` (one per document);
        ties broken alphabetically so the table does not depend on the texts' order."""
        df: Counter[str] = Counter()
        n = 0
        for t in texts:
            df.update(set(words(t)))
            n += 1
        top = sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
        return cls(n, dict(top))


def write_table(table: DocFreqTable, path: Path = TABLE_PATH) -> None:
    """Write ``table`` as the shipped JSON (sorted keys: stable diffs)."""
    path.write_text(json.dumps(table.to_json(), ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")
    load_table.cache_clear()


@lru_cache(maxsize=1)
def load_table() -> DocFreqTable:
    """The shipped table; ``ConfigError`` when it is missing or unreadable."""
    try:
        d = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
        return DocFreqTable(int(d["n_docs"]), {str(k): int(v) for k, v in d["df"].items()})
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"{TABLE_PATH}: cannot read the word table ({e}); retrain with "
                          "`python -m storylens.learn.train_dimensions`") from e


def mapping_cosine(x: Mapping[str, float], y: Mapping[str, float]) -> float:
    """Cosine of two sparse vectors keyed by strings (0 when either is empty)."""
    nx = math.sqrt(sum(v * v for v in x.values()))
    ny = math.sqrt(sum(v * v for v in y.values()))
    if not nx or not ny:
        return 0.0
    return sum(v * y.get(k, 0.0) for k, v in x.items()) / (nx * ny)


def tfidf_cosine(doc_a: str, doc_b: str, table: DocFreqTable | None = None) -> float:
    """Cosine of sublinear TF x IDF vectors of the two texts' words."""
    t = table or load_table()
    va = {w: (1 + math.log(c)) * t.idf(w) for w, c in words(doc_a).items()}
    vb = {w: (1 + math.log(c)) * t.idf(w) for w, c in words(doc_b).items()}
    return mapping_cosine(va, vb)


def char_ngram_cosine(doc_a: str, doc_b: str, n: int = 4) -> float:
    """Cosine of character ``n``-gram counts over the folded words (joined by one space).

    Catches what word matching misses: inflections ("Erdoğans"/"Erdoğan"), compounds and
    names spelled alike across languages (the de-en pairs)."""

    def grams(s: str) -> Counter[str]:
        t = " ".join(_TOKEN.findall(folded(s)))
        return Counter(t[i:i + n] for i in range(max(0, len(t) - n + 1)))

    return mapping_cosine({k: float(v) for k, v in grams(doc_a).items()},
                          {k: float(v) for k, v in grams(doc_b).items()})


def set_jaccard(x: AbstractSet[str], y: AbstractSet[str]) -> float:
    """Jaccard of two sets (0 when both are empty)."""
    u = len(x | y)
    return len(x & y) / u if u else 0.0


def word_jaccard(doc_a: str, doc_b: str) -> float:
    """Jaccard of the sets of folded word tokens (any length)."""
    return set_jaccard(set(_TOKEN.findall(folded(doc_a))), set(_TOKEN.findall(folded(doc_b))))
