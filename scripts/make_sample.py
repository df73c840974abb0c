"""Build the bundled sample corpus ``samples/news-sample.jsonl`` from the SemEval-2022
Task 8 dev pairs in ../shared/data (development data, third-party texts).

Deterministic: it takes, per language pair, the first same-event pairs (overall <= 1.5)
whose two texts are long enough, in file order, up to 28 articles in all, and keeps each
text as the short excerpt the dev file holds (cut at 1,200 characters), with its source
URL. Titles are the part before the first double space, as in the dev file. Dates come
from the URL when it holds one (otherwise storylens looks for one itself).

    python scripts/make_sample.py [--data ../shared/data] [--out samples/news-sample.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

PER_LANG_PAIR = {"en-en": 2, "de-en": 2, "de-de": 2, "es-es": 2, "fr-fr": 2, "pl-pl": 1,
                 "tr-tr": 1, "ar-ar": 2}
_DATE = re.compile(r"/(20\d\d)[/-](\d\d?)[/-](\d\d?)(?:/|$|-)")


def _article(side: dict[str, str]) -> dict[str, str]:
    text = side["text"].strip()
    title, _, body = text.partition("  ")
    if "\n" in title:
        title, _, rest = title.partition("\n")
        body = (rest + "  " + body).strip()
    if not body or len(title) > 200:
        # No title in the excerpt: use its first sentence (or first words) as the title and
        # keep the whole excerpt as the text.
        body = text
        m = re.match(r"(.{20,160}?[.!?؟])\s", text)
        title = m.group(1) if m else text[:120].rsplit(" ", 1)[0]
    body = body.strip()
    if len(body) > 1200:
        cut = body.rfind(". ", 0, 1200)
        body = body[: cut + 1 if cut > 600 else 1200]
    out = {"id": f"semeval-{side['id']}", "url": side["url"], "lang": side["lang"],
           "title": title.strip(), "text": body}
    m = _DATE.search(side["url"])
    if m:
        out["published"] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    return {k: v for k, v in out.items() if v}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="samples/news-sample.jsonl")
    args = ap.parse_args()
    src = Path(args.data) / "semeval2022-task8" / "dev.jsonl"
    if not src.exists():
        print(f"{src}: not found; the sample is built from the shared dev data", file=sys.stderr)
        return 1
    taken: dict[str, int] = {}
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for line in src.open(encoding="utf-8"):
        pair = json.loads(line)
        lp = f"{pair['a']['lang']}-{pair['b']['lang']}"
        if pair["overall"] > 1.5 or taken.get(lp, 0) >= PER_LANG_PAIR.get(lp, 0):
            continue
        if min(len(pair["a"]["text"]), len(pair["b"]["text"])) < 600:
            continue
        if pair["a"]["id"] in seen or pair["b"]["id"] in seen:
            continue
        taken[lp] = taken.get(lp, 0) + 1
        for side in (pair["a"], pair["b"]):
            seen.add(side["id"])
            out.append(_article(side))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
