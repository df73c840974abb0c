"""Throughput of the enrich stage per language and entity backend (docs/s, one process).

Reads the article texts of ../shared/data/semeval2022-task8/dev.jsonl (both sides of each
pair, de-duplicated) and times, per language with enough texts:

* ``ner``: ``extract_entities`` alone, with the backend the registry picks (spaCy for
  fr/en when installed: head-only, see ``entities.DEFAULT_HEAD_CHARS``), and with the
  fallback forced (``--fallback``);
* ``enrich``: the whole ``facts.enrich`` (entities, title resolution, countries, numbers,
  quotes).

Model loading and the gazetteer build are done before timing. Skips (exit 0) when the data
file is absent.

    python benchmarks/enrich_speed.py                    # markdown table
    python benchmarks/enrich_speed.py --langs en,de,fr --limit 200 --json
    STORYLENS_NER_HEAD_CHARS=100000 python benchmarks/enrich_speed.py --langs en  # full text
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "semeval2022-task8" / "dev.jsonl"


def load_texts(path: Path) -> dict[str, list[str]]:
    """Language -> unique article texts of the dev split."""
    seen: set[str] = set()
    by_lang: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for side in ("a", "b"):
                art = rec.get(side) or {}
                text, lang = art.get("text") or "", art.get("lang") or "xx"
                if text and art.get("id", text[:80]) not in seen:
                    seen.add(art.get("id", text[:80]))
                    by_lang[lang].append(text)
    return by_lang


def _rate(fn: Any, texts: list[str]) -> float:
    t0 = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / max(time.perf_counter() - t0, 1e-9)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--langs", default="", help="comma-separated; default: all with >= 20")
    ap.add_argument("--limit", type=int, default=150, help="texts per language")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not DATA.is_file():
        print(f"skip: {DATA} is absent")
        return 0
    from storylens.enrich.entities import extract_entities, tagger_for
    from storylens.enrich.facts import enrich
    from storylens.enrich.fallback_ner import CapsTagger
    from storylens.enrich.places import place_index

    place_index()
    by_lang = load_texts(DATA)
    langs = [x for x in args.langs.split(",") if x] or sorted(
        lg for lg, ts in by_lang.items() if len(ts) >= 20)
    rows: list[dict[str, Any]] = []
    for lang in langs:
        texts = by_lang.get(lang, [])[: args.limit]
        if not texts:
            continue
        tagger = tagger_for(lang)
        tagger.tag(texts[0])  # warm-up (model load)
        fb = CapsTagger(lang)
        rows.append({
            "lang": lang,
            "docs": len(texts),
            "mean_chars": round(sum(map(len, texts)) / len(texts)),
            "backend": tagger.name,
            "ner_docs_s": round(_rate(lambda t, lg=lang: extract_entities(t, lg), texts), 1),
            "fallback_docs_s": round(_rate(fb.tag, texts), 1),
            "enrich_docs_s": round(_rate(lambda t, lg=lang: enrich(t, lg), texts), 1),
        })
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        cols = list(rows[0]) if rows else []
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
