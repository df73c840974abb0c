"""Scores of one clustering against gold, overall and per language group.

Per group: the B³ precision and recall of the group's articles (each article's own B³
terms, computed against whole clusters, averaged over the group's articles) and the
recall of the cross-lingual same-event pairs that touch the group. So "Arabic-script
recall 0.6" reads: an Arabic-script article finds 60% of its event's other articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

from storylens.eval.metrics import PRF, b_cubed, cross_lingual_pairwise, pairwise
from storylens.learn.devset import lang_group


def item_bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]
                ) -> list[tuple[float, float]]:
    """Each item's B³ (precision, recall)."""
    both = Counter(zip(gold, pred, strict=True))
    g, p = Counter(gold), Counter(pred)
    return [(both[(a, b)] / p[b], both[(a, b)] / g[a]) for a, b in zip(gold, pred, strict=True)]


def group_scores(gold: Sequence[Hashable], pred: Sequence[Hashable],
                 langs: Sequence[str | None]) -> dict[str, dict[str, Any]]:
    """B³ P/R/F1 and cross-lingual pair recall per language group."""
    terms = item_bcubed(gold, pred)
    groups = [lang_group(lang) for lang in langs]
    out: dict[str, dict[str, Any]] = {}
    for grp in sorted(set(groups)):
        idx = [i for i, g in enumerate(groups) if g == grp]
        prec = sum(terms[i][0] for i in idx) / len(idx)
        rec = sum(terms[i][1] for i in idx) / len(idx)
        found = total = 0
        for i in idx:
            for j in range(len(gold)):
                if j != i and gold[j] == gold[i] and langs[j] != langs[i]:
                    total += 1
                    found += pred[j] == pred[i]
        out[grp] = {"articles": len(idx), "bcubed": PRF.from_pr(prec, rec).to_dict(),
                    "crosslingual_recall": found / total if total else None}
    return out


def scores(gold: Sequence[Hashable], pred: Sequence[Hashable],
           langs: Sequence[str | None], *, groups: bool = True) -> dict[str, Any]:
    """B³, pairwise and cross-lingual pairwise scores, cluster counts, and (optionally)
    the per-group breakdown."""
    lang_keys = [lang or "?" for lang in langs]
    out: dict[str, Any] = {
        "bcubed": b_cubed(gold, pred).to_dict(), "pairwise": pairwise(gold, pred).to_dict(),
        "crosslingual_pairwise": cross_lingual_pairwise(gold, pred, lang_keys).to_dict(),
        "n_gold": len(set(gold)), "n_pred": len(set(pred)),
    }
    if groups:
        out["groups"] = group_scores(gold, pred, langs)
    return out
