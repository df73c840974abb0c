"""`storylens eval clustering`: run the whole pipeline on a labelled JSONL stream in a
throwaway store and score the clusters against the gold ``event`` (and ``storyline``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from storylens.api import ingest_raw
from storylens.errors import InputError
from storylens.eval.metrics import b_cubed, cross_lingual_pairwise, pairwise
from storylens.ingest.files import raw_from_json
from storylens.link.online import ClusterConfig
from storylens.link.service import cluster_store
from storylens.records import RawDoc, article_id
from storylens.store import open_store


def read_labelled(path: Path) -> Iterator[tuple[RawDoc, str, str | None] | InputError]:
    """Articles of a labelled JSONL file with their gold event and storyline."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict) or obj.get("event") in (None, ""):
                    raise InputError(where, "needs a gold 'event' label; skipped")
                raw = raw_from_json(obj, where)
            except json.JSONDecodeError as e:
                yield InputError(where, f"malformed JSON ({e.msg}); skipped")
                continue
            except InputError as e:
                yield e
                continue
            sl = obj.get("storyline")
            yield raw, str(obj["event"]), str(sl) if sl not in (None, "") else None


def _scores(gold: Sequence[str], pred: Sequence[str], langs: Sequence[str]) -> dict[str, Any]:
    cl = cross_lingual_pairwise(gold, pred, langs)
    return {"bcubed": b_cubed(gold, pred).to_dict(), "pairwise": pairwise(gold, pred).to_dict(),
            "crosslingual_pairwise": cl.to_dict(),
            "n_gold": len(set(gold)), "n_pred": len(set(pred))}


def evaluate_clustering(path: Path, *, embedder: str | None = None,
                        config: ClusterConfig | None = None) -> dict[str, Any]:
    """Score the pipeline's clustering of the labelled stream at ``path``."""
    t0 = time.perf_counter()
    items = list(read_labelled(path))
    errors = [i for i in items if isinstance(i, InputError)]
    good = [i for i in items if not isinstance(i, InputError)]
    gold_event: dict[str, str] = {}
    gold_story: dict[str, str] = {}
    raws: list[RawDoc] = []
    for raw, ev, sl in good:
        aid = article_id(raw)
        if aid in gold_event:
            continue
        gold_event[aid], gold_story[aid] = ev, sl or ev
        raws.append(raw)
    has_storylines = any(sl for _, _, sl in good)
    with open_store(":memory:") as store:
        report = ingest_raw(raws, store, batch_size=500)
        crep = cluster_store(store, embedder=embedder, config=config)
        ids = [a for a in report.ingested]
        rows = {a: store.article_assignment(a) for a in ids}
        langs = {a.id: a.lang or "?" for a in store.get_articles(ids)}
    ids = [a for a in ids if rows[a] is not None]
    pred_ev = [rows[a].event_id for a in ids]  # type: ignore[union-attr]
    out: dict[str, Any] = {"input": str(path), "n_articles": len(ids)}
    out.update(_scores([gold_event[a] for a in ids], pred_ev, [langs[a] for a in ids]))
    if has_storylines:
        pred_sl = [rows[a].storyline_id for a in ids]  # type: ignore[union-attr]
        out["storyline"] = _scores([gold_story[a] for a in ids], pred_sl,
                                   [langs[a] for a in ids])
    out["failed"] = [{"input": e.source, "reason": e.reason} for e in errors] + [
        {"input": s, "reason": r} for s, r in report.failed]
    out["duplicates_found"] = crep.duplicates
    out["stage_seconds"] = crep.seconds
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out
