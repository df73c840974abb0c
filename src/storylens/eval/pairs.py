"""Labelled article pairs: loading, channel extraction and Pearson per dimension.

The input is JSONL, one pair per line: ``{"a": {...}, "b": {...}, "overall": 1..4, ...}``
where ``a`` and ``b`` are articles in the ingest JSONL format (``text`` or ``html``, and
optional ``id``, ``url``, ``lang``, ``title``, ``published``...) and any of the SemEval-2022
Task 8 dimensions may be given. The SemEval dev file is in exactly this format. Articles
are extracted (cleaned) in memory; nothing is stored.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storylens.compare.analysis import Analysis, analyse_many
from storylens.compare.channels import COVERAGE_THRESHOLD, FEATURES, channels
from storylens.compare.dimensions import DIMENSIONS, DimensionModels, load_dimension_models
from storylens.compare.tone import article_tone
from storylens.errors import InputError
from storylens.extract.pipeline import extract_article
from storylens.ingest.files import raw_from_json
from storylens.records import Article
from storylens.represent.base import get_embedder

DEFAULT_EMBEDDER = "use"
"""USE-multilingual sentence vectors: out-of-fold overall Pearson 0.749 vs 0.702 with the
static embedder on the SemEval dev pairs (ridge + trees, 5 folds, seeds 0-2), at ~33
pairs/s instead of ~70 end to end on two cores (``benchmarks/compare_pairs.py``)."""


@dataclass(slots=True)
class LabelledPair:
    a: Article
    b: Article
    labels: dict[str, float]


def load_pairs(path: Path) -> tuple[list[LabelledPair], list[tuple[int, str]]]:
    """Read labelled pairs; returns (pairs, failures as (line number, reason))."""
    now = datetime.now(UTC)
    pairs: list[LabelledPair] = []
    failed: list[tuple[int, str]] = []
    cache: dict[str, Article] = {}
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
                arts = [_article(obj.get(s), f"{path}:{no}:{s}", now, cache) for s in "ab"]
                labels = {d: float(obj[d]) for d in DIMENSIONS
                          if isinstance(obj.get(d), int | float) and not isinstance(obj[d], bool)}
            except (ValueError, InputError) as e:
                failed.append((no, str(e)[:200]))
                continue
            pairs.append(LabelledPair(arts[0], arts[1], labels))
    return pairs, failed


def _article(obj: Any, where: str, now: datetime, cache: dict[str, Article]) -> Article:
    key = json.dumps(obj, sort_keys=True, ensure_ascii=False)
    if key not in cache:
        cache[key] = extract_article(raw_from_json(obj, where), now=now)
    return cache[key]


def analyse_pairs(pairs: Sequence[LabelledPair], embedder: str = DEFAULT_EMBEDDER
                  ) -> tuple[dict[int, Analysis], dict[int, float]]:
    """Analysis and tone score of every distinct article of ``pairs`` (keyed by ``id()``)."""
    emb = get_embedder(embedder)
    unique: dict[int, Article] = {}
    for p in pairs:
        unique.setdefault(id(p.a), p.a)
        unique.setdefault(id(p.b), p.b)
    keys = list(unique)
    analyses: dict[int, Analysis] = {}
    for i in range(0, len(keys), 64):
        chunk = keys[i:i + 64]
        for k, an in zip(chunk, analyse_many([unique[k] for k in chunk], emb), strict=True):
            analyses[k] = an
    tones = {k: article_tone(an.doc, an.article.lang).score for k, an in analyses.items()}
    return analyses, tones


def channel_matrix(pairs: Sequence[LabelledPair], *, embedder: str = DEFAULT_EMBEDDER,
                   threshold: float = COVERAGE_THRESHOLD,
                   prepared: tuple[dict[int, Analysis], dict[int, float]] | None = None
                   ) -> npt.NDArray[np.float64]:
    """Channels of every pair, one row per pair in ``FEATURES`` order."""
    analyses, tones = prepared or analyse_pairs(pairs, embedder)
    rows = []
    for p in pairs:
        ch = channels(analyses[id(p.a)], analyses[id(p.b)], threshold=threshold,
                      tone_a=tones[id(p.a)], tone_b=tones[id(p.b)])
        rows.append([ch[f] for f in FEATURES])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def pearson(x: Sequence[float] | npt.NDArray[np.float64],
            y: Sequence[float] | npt.NDArray[np.float64]) -> float:
    """Pearson correlation; NaN when fewer than two points or a constant side."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xa.size < 2 or xa.std() == 0 or ya.std() == 0:
        return math.nan
    return float(np.corrcoef(xa, ya)[0, 1])


def evaluate_pairs(path: Path, *, models: DimensionModels | None = None,
                   embedder: str = DEFAULT_EMBEDDER) -> dict[str, Any]:
    """Predict every dimension for every pair of ``path`` and correlate with its labels.

    Returns ``{"n_pairs", "pearson": {dimension: r or None}, "seconds", "pairs_per_s",
    "failed"}``; a dimension without labels (or with constant labels) gets None.
    """
    t0 = time.perf_counter()
    pairs, failed = load_pairs(path)
    m = models or load_dimension_models(embedder)
    preds: dict[str, list[float]] = {d: [] for d in DIMENSIONS}
    gold: dict[str, list[float]] = {d: [] for d in DIMENSIONS}
    if pairs:
        x = channel_matrix(pairs, embedder=embedder)
        for d in DIMENSIONS:
            if d not in m.models:
                continue
            pred = m.models[d].predict(x)
            for p, v in zip(pairs, pred, strict=True):
                if d in p.labels:
                    preds[d].append(float(v))
                    gold[d].append(p.labels[d])
    seconds = time.perf_counter() - t0
    out: dict[str, float | None] = {}
    for d in DIMENSIONS:
        r = pearson(preds[d], gold[d])
        out[d] = None if math.isnan(r) else round(r, 4)
    return {"n_pairs": len(pairs), "pearson": out, "seconds": round(seconds, 3),
            "pairs_per_s": round(len(pairs) / seconds, 2) if seconds > 0 else None,
            "failed": [{"line": n, "reason": r} for n, r in failed]}
