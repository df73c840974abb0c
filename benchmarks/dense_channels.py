"""Dense channels side by side: how well each text representation separates same-event
article pairs from the rest, across languages, on the multilingual-stories set.

Every article is embedded as the product embeds it, ``lead(title, text, lead_chars)``
(``storylens.represent.article.lead``), and every pair of articles is scored by the cosine.
For each run (a backend at one lead length) the table gives:

* docs/s: embedding only, measured in this run (a fresh instance, so a static model's
  segmentation cache starts cold; best of ``--repeat``);
* AUC all: ROC-AUC of the cosine, same-event pairs vs all other pairs;
* AUC x-ling: the same, restricted to cross-lingual pairs (a.lang != b.lang);
* AUC hard: same-event pairs vs same-storyline / different-event pairs (later events'
  articles recap the earlier ones, so these are the hard negatives);
* with ``--per-lang``, AUC all over the pairs touching each frequent language
  (languages with fewer than ``--min-lang`` articles are pooled as "rest").

A run is ``NAME[+csls|+centre][:LEAD]``: ``+csls`` scores the calibrated cosine
(``storylens.link.calibration``: cosine minus both articles' hubness against the shipped
background ``link/models/background-NAME.npy``, made from SemEval dev texts, never from
this set); ``+centre`` the cosine of vectors centred on their language's mean as the
linker centres them (``storylens.link.centring``: language detected from the text as the
product does; the means are those of the whole set, what a store holding it has, with
the background's mean as prior; ``--centre-with FILE`` counts a stream of unrelated
articles in the means too, as a store holding both would). ``--centre-folds K`` adds a
stricter reading of ``+centre``: the set split by storyline into K folds, each fold's
articles centred on means of the other folds' articles only, AUC over the pairs inside a
fold (so no article's own event is in the means it is centred on), beside the raw and
the plain ``+centre`` cosine over the same pairs. NAME is a registered embedder (``static``,
``use``, ...) or the path of a static-model ``.npz`` (read by ``StaticEmbedder``), at
``LEAD`` characters (default 600)::

    python benchmarks/dense_channels.py                          # default runs, markdown
    python benchmarks/dense_channels.py --runs static,path/to/other.npz,use:400 --json
    python benchmarks/dense_channels.py --runs artifacts/my_model.npz --per-lang

This set is for evaluation only: nothing in storylens is fitted on its texts. Skips
(exit 0) when the data directory is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DEFAULT_DATA = Path(os.environ.get("STORYLENS_SHARED", "/work/shared")) / (
    "data/multilingual-stories"
)
DEFAULT_RUNS = "static,static+csls,use:200,use:400,use:600"
DEFAULT_LEAD = 600

BoolVec = npt.NDArray[np.bool_]
FloatVec = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Article:
    """The fields of one labelled article this benchmark needs."""

    id: str
    title: str
    text: str
    lang: str
    event: str
    storyline: str


@dataclass
class Pairs:
    """Upper-triangle pair indices and their labels."""

    i: npt.NDArray[np.int64]
    j: npt.NDArray[np.int64]
    same_event: BoolVec
    same_storyline: BoolVec
    cross_lingual: BoolVec


@dataclass
class Result:
    """Scores of one backend at one lead length."""

    run: str
    backend: str
    lead_chars: int
    dim: int
    docs_per_s: float
    auc_all: float
    auc_cross_lingual: float
    auc_hard: float
    per_lang: dict[str, float] = field(default_factory=dict)


def load_articles(data: Path) -> list[Article]:
    """Every ``part-*.jsonl`` article in ``data``, in file order."""
    out: list[Article] = []
    for path in sorted(data.glob("part-*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row: dict[str, Any] = json.loads(line)
                out.append(Article(row["id"], row["title"], row["text"], row["lang"],
                                   row["event"], row["storyline"]))
    return out


def load_plain(path: Path) -> list[Article]:
    """Unlabelled articles of a JSONL file (``title``, ``text``; labels left empty)."""
    out: list[Article] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if line.strip():
                row: dict[str, Any] = json.loads(line)
                out.append(Article(str(row.get("id", n)), str(row.get("title") or ""),
                                   str(row.get("text") or ""), str(row.get("lang") or ""),
                                   "", ""))
    return out


def make_pairs(articles: Sequence[Article]) -> Pairs:
    """All unordered pairs of distinct articles with their labels."""
    i, j = np.triu_indices(len(articles), k=1)
    event = np.array([a.event for a in articles])
    story = np.array([a.storyline for a in articles])
    lang = np.array([a.lang for a in articles])
    return Pairs(i.astype(np.int64), j.astype(np.int64), event[i] == event[j],
                 story[i] == story[j], lang[i] != lang[j])


def roc_auc(pos: FloatVec, neg: FloatVec) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    scores = np.concatenate([pos, neg])
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0  # average 1-based rank of each distinct value
    rank_sum = float(mean_rank[inverse[: len(pos)]].sum())
    return (rank_sum - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg))


def score(cos: FloatVec, pairs: Pairs, mask: BoolVec | None = None) -> float:
    """Same-event vs other AUC over the pairs in ``mask`` (all pairs when ``None``)."""
    keep = np.ones(len(cos), dtype=np.bool_) if mask is None else mask
    return roc_auc(cos[keep & pairs.same_event], cos[keep & ~pairs.same_event])


def lang_groups(articles: Sequence[Article], min_articles: int) -> dict[str, BoolVec]:
    """Per frequent language (and "rest"), which articles belong to it."""
    counts = Counter(a.lang for a in articles)
    langs = np.array([a.lang for a in articles])
    groups = {lang: langs == lang for lang, n in counts.most_common() if n >= min_articles}
    rare = [lang for lang, n in counts.items() if n < min_articles]
    if rare:
        groups["rest"] = np.isin(langs, rare)
    return groups


def parse_run(spec: str) -> tuple[str, int, str]:
    """``NAME[+csls|+centre][:LEAD]`` -> (name, lead chars, "csls", "centre" or "")."""
    name, sep, tail = spec.strip().rpartition(":")
    if not (sep and tail.isdigit()):
        name, tail = spec.strip(), str(DEFAULT_LEAD)
    for mode in ("csls", "centre"):
        if name.endswith("+" + mode):
            return name.removesuffix("+" + mode), int(tail), mode
    return name, int(tail), ""


def detected_langs(articles: Sequence[Article]) -> list[str | None]:
    """Each article's language as the product detects it from title and text."""
    from storylens.enrich.language import detect

    return [detect(f"{a.title}\n{a.text}")[0] for a in articles]


def centred(vectors: npt.NDArray[np.float32], langs: Sequence[str | None],
            folds: npt.NDArray[np.int64] | None = None,
            extra: tuple[npt.NDArray[np.float32], Sequence[str | None]] | None = None
            ) -> npt.NDArray[np.float32]:
    """``vectors`` centred per language (``link.centring``) on the means of all of them,
    or, with ``folds``, each on the means of the other folds' vectors only; ``extra``
    (vectors, languages) of unrelated articles count in every mean too."""
    from storylens.link.centring import LanguageCentring

    out = np.empty_like(vectors)
    for f in ([None] if folds is None else sorted(set(folds.tolist()))):
        c = LanguageCentring.shipped(vectors.shape[1])
        if c is None:
            raise SystemExit(f"+centre: no shipped background of {vectors.shape[1]} "
                             "dimensions (its mean is the prior); build it with "
                             "`python -m storylens.learn.background`")
        for v, lang in zip(*(extra or ((), ())), strict=True):
            c.observe(lang, v)
        for k, (lang, v) in enumerate(zip(langs, vectors, strict=True)):
            if folds is None or folds[k] != f:
                c.observe(lang, v)
        for k, lang in enumerate(langs):
            if folds is None or folds[k] == f:
                x = vectors[k].astype(np.float64) - c.mean(lang)
                out[k] = x / max(float(np.linalg.norm(x)), 1e-12)
    return out


def hubness(name: str, vectors: npt.NDArray[np.float32]) -> FloatVec:
    """Each vector's hubness against the shipped background of embedder ``name``."""
    from storylens.link.calibration import Background
    from storylens.link.model import MODEL_DIR

    path = MODEL_DIR / f"background-{Path(name).stem if name.endswith('.npz') else name}.npy"
    if not path.is_file():
        raise SystemExit(f"{path}: no background for {name!r}; build it with "
                         f"`python -m storylens.learn.background --embedder {name}`")
    return Background.load(path).hub(vectors)


def build(name: str) -> Any:
    """A fresh embedder: a registered name, or the path of a static ``.npz`` file."""
    if name.endswith(".npz"):
        from storylens.represent.static import StaticEmbedder

        return StaticEmbedder(Path(name))
    from storylens.represent.base import build_embedder

    return build_embedder(name)


def run_one(spec: str, articles: Sequence[Article], pairs: Pairs,
            groups: dict[str, BoolVec], repeat: int,
            centre_with: Sequence[Article] = ()) -> Result:
    """Embed every article's lead with one backend, time it and score all pairs."""
    from storylens.represent.article import lead

    name, lead_chars, mode = parse_run(spec)
    texts = [lead(a.title, a.text, lead_chars) for a in articles]
    best = float("inf")
    vectors: npt.NDArray[np.float32] | None = None
    embedder: Any = None
    for _ in range(max(1, repeat)):
        embedder = build(name)
        embedder.embed(["warm-up: load weights lazily"])  # not an evaluation text
        started = time.perf_counter()
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        best = min(best, time.perf_counter() - started)
    assert vectors is not None
    if mode == "centre":
        extra = None
        if centre_with:
            ev = np.asarray(embedder.embed([lead(a.title, a.text, lead_chars)
                                            for a in centre_with]), dtype=np.float32)
            extra = (ev, detected_langs(centre_with))
        vectors = centred(vectors, detected_langs(articles), extra=extra)
    cos = np.einsum("ij,ij->i", vectors[pairs.i], vectors[pairs.j]).astype(np.float64)
    if mode == "csls":
        hub = hubness(name, vectors)
        cos = cos - (hub[pairs.i] + hub[pairs.j]) / 2
    hard = pairs.same_event | pairs.same_storyline  # same event vs same storyline, other event
    per_lang = {g: score(cos, pairs, member[pairs.i] | member[pairs.j])
                for g, member in groups.items()}
    return Result(spec.strip(), str(embedder.name), lead_chars, int(embedder.dim),
                  len(texts) / best, score(cos, pairs), score(cos, pairs, pairs.cross_lingual),
                  score(cos, pairs, hard), per_lang)


def storyline_folds(articles: Sequence[Article], k: int) -> npt.NDArray[np.int64]:
    """Fold of each article: its storyline's position in a seeded shuffle, modulo ``k``."""
    lines = sorted({a.storyline for a in articles})
    order = np.random.default_rng(0).permutation(len(lines))
    fold = {lines[p]: i % k for i, p in enumerate(order)}
    return np.array([fold[a.storyline] for a in articles], dtype=np.int64)


def centre_folds(name: str, articles: Sequence[Article], pairs: Pairs, k: int
                 ) -> dict[str, Any]:
    """AUC all / cross-lingual over the pairs inside one storyline fold: raw cosine,
    centred on the whole set's means, centred on the other folds' means only."""
    from storylens.link.centring import LanguageCentring
    from storylens.represent.article import lead

    vectors = np.asarray(build(name).embed([lead(a.title, a.text, DEFAULT_LEAD)
                                            for a in articles]), dtype=np.float32)
    langs = detected_langs(articles)
    folds = storyline_folds(articles, k)
    inside = folds[pairs.i] == folds[pairs.j]
    out: dict[str, Any] = {"folds": k, "pairs": int(inside.sum()),
                           "same_event_pairs": int((inside & pairs.same_event).sum())}
    runs = [("raw", vectors)]
    if LanguageCentring.shipped(vectors.shape[1]) is not None:  # the prior; else raw only
        runs += [("centred, whole-set means", centred(vectors, langs)),
                 ("centred, other folds' means", centred(vectors, langs, folds))]
    for label, v in runs:
        cos = np.einsum("ij,ij->i", v[pairs.i], v[pairs.j]).astype(np.float64)
        out[label] = [round(score(cos, pairs, inside), 4),
                      round(score(cos, pairs, inside & pairs.cross_lingual), 4)]
    return out


def markdown(results: Sequence[Result], per_lang: bool) -> str:
    """The results as one markdown table."""
    groups = list(results[0].per_lang) if per_lang and results else []
    head = ["run", "model", "lead", "dim", "docs/s", "AUC all", "AUC x-ling", "AUC hard",
            *groups]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [r.run, r.backend, str(r.lead_chars), str(r.dim), f"{r.docs_per_s:.0f}",
                 f"{r.auc_all:.3f}", f"{r.auc_cross_lingual:.3f}", f"{r.auc_hard:.3f}"]
        cells += [f"{r.per_lang[g]:.3f}" for g in groups]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; see the module docstring."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0] if __doc__ else "",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run spec: NAME[:LEAD], NAME a registered embedder or a static .npz path.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="directory holding part-*.jsonl (default: %(default)s)")
    parser.add_argument("--runs", default=DEFAULT_RUNS,
                        help="comma list of NAME[:LEAD] (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time each run N times on fresh instances, keep the best")
    parser.add_argument("--per-lang", action="store_true",
                        help="add AUC all over the pairs touching each frequent language")
    parser.add_argument("--min-lang", type=int, default=20,
                        help="articles a language needs for its own --per-lang column")
    parser.add_argument("--centre-with", type=Path, default=None, metavar="JSONL",
                        help="unrelated articles (id, title, text per line) whose vectors "
                             "also count in +centre's means: a store holding the set "
                             "and this stream (e.g. .devdata/semeval-dev-stream.jsonl)")
    parser.add_argument("--centre-folds", type=int, default=0, metavar="K",
                        help="also score the first run's backend centred on means of other "
                             "storyline folds (see the module docstring; 0: skip)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    args = parser.parse_args(argv)

    if not args.data.is_dir() or not any(args.data.glob("part-*.jsonl")):
        print(f"skipped: {args.data} not found (multilingual-stories part-*.jsonl)")
        return 0
    articles = load_articles(args.data)
    pairs = make_pairs(articles)
    groups = lang_groups(articles, args.min_lang)
    centre_with = load_plain(args.centre_with) if args.centre_with else []
    results: list[Result] = []
    for spec in (s for s in args.runs.split(",") if s.strip()):
        results.append(run_one(spec, articles, pairs, groups, args.repeat, centre_with))
        r = results[-1]
        print(f"done {spec}: {r.docs_per_s:.0f} docs/s, AUC {r.auc_all:.3f}", file=sys.stderr)
    n_hard = int((pairs.same_storyline & ~pairs.same_event).sum())
    summary = {
        "data": str(args.data), "articles": len(articles),
        "languages": len({a.lang for a in articles}), "pairs": len(pairs.i),
        "same_event_pairs": int(pairs.same_event.sum()),
        "cross_lingual_same_event_pairs": int((pairs.same_event & pairs.cross_lingual).sum()),
        "hard_negative_pairs": n_hard, "cores": os.cpu_count(),
    }
    folds: dict[str, Any] = {}
    if args.centre_folds > 1 and results:
        folds = centre_folds(parse_run(args.runs.split(",")[0])[0], articles, pairs,
                             args.centre_folds)
    if args.json:
        print(json.dumps({**summary, "results": [asdict(r) for r in results],
                          **({"centre_folds": folds} if folds else {})}, indent=2))
    else:
        print(f"Data: {args.data} ({summary['articles']} articles, {summary['languages']} "
              f"languages; {summary['pairs']} pairs, {summary['same_event_pairs']} same-event, "
              f"{summary['cross_lingual_same_event_pairs']} of them cross-lingual; "
              f"{n_hard} same-storyline/other-event hard negatives); {os.cpu_count()} cores.\n")
        print(markdown(results, args.per_lang))
        if folds:
            print(f"\nInside {folds['folds']} storyline folds ({folds['pairs']} pairs, "
                  f"{folds['same_event_pairs']} same-event), AUC all / cross-lingual:")
            for label, (a, x) in ((k, v) for k, v in folds.items() if isinstance(v, list)):
                print(f"- {label}: {a:.3f} / {x:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
