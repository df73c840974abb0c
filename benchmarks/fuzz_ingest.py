"""Fuzz the ingest path with hostile inputs, valid articles interleaved, and report
tried / crashed / lost / over-budget.

Each generated input is one file (text, HTML, JSONL, gzip, odd names) written to a
temporary folder; after every hostile input comes a valid JSONL article with a known
title. The whole folder goes through ``storylens.api.ingest`` in chunks (what
``storylens ingest DIR`` does), with a store on disk. Checked:

- **crashed**: an item reported as an internal error (a storylens bug: a traceback the
  user would have seen before the isolation boundary existed), or an exception out of
  ``ingest`` itself;
- **lost**: a valid article that is not in the store afterwards;
- **over budget**: an item that took longer than ``--budget`` seconds (the time between
  two progress callbacks: reading, decoding, extracting and cleaning it);
- peak RSS of the process once the ingest is done (generation included; the check that
  reads the stored titles back afterwards is not counted).

    python benchmarks/fuzz_ingest.py --n 10000            # the full run (BENCHMARKS.md)
    python benchmarks/fuzz_ingest.py --n 300 --json       # what the test suite runs

Exit code 1 when anything crashed, was lost or went over budget.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

Gen = Callable[[random.Random], tuple[str, bytes]]
"""A generator of one hostile input: (file name suffix, bytes)."""


def _j(obj: Any) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def _words(rng: random.Random, n: int) -> str:
    alphabet = ["news", "harbour", "минister", "市长", "وزير", "[red]", "\u202e", "\x00",
                "\ud7ff", "🙂", "é", "\u0301", "<b>", "&amp;", "\\", "\"", "'", "\t"]
    return " ".join(rng.choice(alphabet) for _ in range(n))


def _surrogate_record(r: random.Random) -> bytes:
    field = r.choice(["title", "url", "outlet", "lang", "id", "published"])
    line = '{"text": "' + _words(r, 30) + f' \\ud800", "{field}": "\\udfff"}}'
    return line.encode("utf-8", "surrogatepass") + b"\n"


def _jsonl_classes() -> list[Gen]:
    return [
        lambda r: (".jsonl", b'{"text": "x", "id": ' + b"9" * r.randint(4301, 20000) + b"}\n"),
        lambda r: (".jsonl", b"[" * r.randint(900, 200_000) + b"\n"),
        lambda r: (".jsonl", b'{"text": ' + b'{"a":' * r.randint(500, 5000) + b"1"
                   + b"}" * r.randint(0, 5000) + b"}\n"),
        lambda r: (".jsonl", _surrogate_record(r)),
        lambda r: (".jsonl", _j({"text": _words(r, 40), r.choice(["title", "url", "lang"]):
                                 r.choice([{"a": 1}, [1, 2], True, None, 1e308, -0.0])})),
        lambda r: (".jsonl", b'{"text": "t", "title": NaN, "published": Infinity}\n'),
        lambda r: (".jsonl", _j({"html": "<p>" * r.randint(1, 3000) + _words(r, 20)})),
        lambda r: (".jsonl", _j({"text": "", "html": ""})),
        lambda r: (".jsonl", _j(r.choice(["string", 12, [1], None, True]))),
        lambda r: (".jsonl", bytes(r.randrange(256) for _ in range(r.randint(1, 3000)))),
        lambda r: (".jsonl", _j({"text": _words(r, 10), "published": r.choice(
            ["0001-01-01", "9999-12-31T23:59:59+14:00", "yesterday", "1e9", "-5",
             "2020-02-30", "٢٠٢٠-٠١-٠١"])})),
        lambda r: (".jsonl", b'{"text": "' + b"a" * r.randint(1000, 200_000) + b"\n"),
        lambda r: (".jsonl", _j({"text": "\n" * r.randint(1, 100_000) + "end."})),
    ]


def _text_classes() -> list[Gen]:
    return [
        lambda r: (".txt", bytes(r.randrange(256) for _ in range(r.randint(1, 50_000)))),
        lambda r: (".txt", "\n".join(f"w{i}" for i in range(r.randint(1000, 60_000))).encode()),
        lambda r: (".txt", ("x" * r.randint(10_000, 2_000_000)).encode()),
        lambda r: (".txt", _words(r, r.randint(1, 5000)).encode("utf-8", "surrogatepass")),
        lambda r: (".txt", "\u202e\u200b\ufeff".encode() * r.randint(1, 10_000)),
        lambda r: (".txt", b""),
        lambda r: (".txt", b"\xff\xfe" + "UTF-16 text here ".encode("utf-16-le") * 50),
        lambda r: (".txt", ("Share\nComments\n[red]x[/red]\n" * r.randint(1, 3000)).encode()),
    ]


def _html_classes() -> list[Gen]:
    return [
        lambda r: (".html", ("<div>" * r.randint(100, 40_000) + "deep text" +
                             "</div>" * r.randint(0, 40_000)).encode()),
        lambda r: (".html", ("<html><body>" + "".join(
            f"<p>p{i} of a page.</p>" for i in range(r.randint(1000, 80_000)))).encode()),
        lambda r: (".html", ("<p>" + "<br>" * r.randint(1000, 500_000) + "x</p>").encode()),
        lambda r: (".html", ("<table>" + "<tr><td>1</td><td>2</td></tr>" *
                             r.randint(100, 30_000) + "</table>").encode()),
        lambda r: (".html", b"<html><head><meta charset='x-bogus'></head><body><p>"
                   + bytes(r.randrange(256) for _ in range(2000)) + b"</p></body></html>"),
        lambda r: (".html", b"<script>" + b"a" * r.randint(1, 100_000) + b"</script>"),
        lambda r: (".html", ("<p>" + "&amp;&#0;&#xD800;&#99999999;" * r.randint(1, 5000)
                             + "</p>").encode()),
        lambda r: (".html", b"<<<<>>>>" * r.randint(1, 20_000)),
        lambda r: (".html", ("<title>" + _words(r, 50) + "</title><p>"
                             + _words(r, 500) + "</p>").encode("utf-8", "surrogatepass")),
    ]


def _gzip_classes() -> list[Gen]:
    return [
        lambda r: (".txt.gz", gzip.compress(b"a" * r.randint(1_000_000, 60_000_000), 9)),
        lambda r: (".jsonl.gz", gzip.compress(_j({"text": "ok text"}) + b"x" * 3_000_000)),
        lambda r: (".txt.gz", gzip.compress(b"truncated text " * 1000)[: r.randint(10, 200)]),
        lambda r: (".txt.gz", b"\x1f\x8b" + bytes(r.randrange(256) for _ in range(500))),
        lambda r: (".html.gz", gzip.compress(b"<p>" * 200_000)),
    ]


CLASSES: dict[str, list[Gen]] = {"jsonl": _jsonl_classes(), "text": _text_classes(),
                                 "html": _html_classes(), "gzip": _gzip_classes()}
WEIGHTS = {"jsonl": 5, "text": 3, "html": 2, "gzip": 1}
ODD_NAMES = [b"caf\xe9", b"[red]x[red]", b"name with spaces", b"tab\tname", b"-dash",
             b"\xff\xfe", b"line\nbreak", b"%s%n", b"..."]


def generate(folder: Path, n: int, seed: int) -> tuple[int, dict[str, int]]:
    """Write ``n`` hostile inputs, each followed by a valid article; returns the number
    of valid articles and the count per class."""
    rng = random.Random(seed)
    kinds = [k for k, w in WEIGHTS.items() for _ in range(w)]
    counts: Counter[str] = Counter()
    for i in range(n):
        kind = rng.choice(kinds)
        k = rng.randrange(len(CLASSES[kind]))
        suffix, data = CLASSES[kind][k](rng)
        counts[f"{kind}-{k}"] += 1
        stem = os.fsencode(f"{i:06d}-h-") + (rng.choice(ODD_NAMES) if rng.random() < 0.1
                                             else b"")
        with open(os.fsencode(folder) + b"/" + stem + suffix.encode(), "wb") as fh:
            fh.write(data)
        valid = {"id": f"valid-{i}", "title": f"Valid report {i}", "lang": "en",
                 "text": f"Valid report number {i} about the harbour works. " * 5}
        (folder / f"{i:06d}-v.jsonl").write_bytes(_j(valid))
    return n, dict(counts)


def run(n: int, seed: int, budget: float, chunk: int) -> dict[str, Any]:
    from storylens import api
    from storylens.store import ArticleQuery, open_store

    with tempfile.TemporaryDirectory(prefix="fuzz-ingest-") as tmp:
        folder = Path(tmp) / "inputs"
        folder.mkdir()
        t0 = time.perf_counter()
        n_valid, classes = generate(folder, n, seed)
        gen_s = time.perf_counter() - t0
        files = sorted(os.listdir(os.fsencode(folder)))
        paths = [os.fsdecode(os.fsencode(folder) + b"/" + f) for f in files]
        crashed: list[str] = []
        slow: list[tuple[str, float]] = []
        items = 0
        last = [time.perf_counter()]

        def tick(source: str, outcome: str) -> None:
            nonlocal items
            now = time.perf_counter()
            if now - last[0] > budget:
                slow.append((source[-80:], round(now - last[0], 2)))
            last[0] = now
            items += 1

        t0 = time.perf_counter()
        with open_store(Path(tmp) / "fuzz.db") as store:
            for k in range(0, len(paths), chunk):
                last[0] = time.perf_counter()
                try:
                    report = api.ingest(paths[k:k + chunk], store, progress=tick,
                                        max_bytes=20_000_000)
                except Exception as e:  # the batch itself crashed: the worst outcome
                    crashed.append(f"batch {k}: {type(e).__name__}: {e}"[:300])
                    continue
                crashed += [f"{s[-80:]}: {r}" for s, r in report.failed
                            if r.startswith("internal error")]
            ingest_s = time.perf_counter() - t0
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # after ingest
            titles: set[str] = set()
            for off in range(0, store.count_articles(), 500):  # a page at a time: bounded
                titles.update(a.title for a in store.list_articles(
                    ArticleQuery(limit=500, offset=off)))
        lost = [i for i in range(n_valid) if f"Valid report {i}" not in titles]
    return {"inputs": n, "valid": n_valid, "items": items, "crashed": len(crashed),
            "lost": len(lost), "over_budget": len(slow), "budget_s": budget,
            "peak_rss_mb": round(rss), "generate_s": round(gen_s, 1),
            "ingest_s": round(ingest_s, 1), "classes": len(classes),
            "examples": {"crashed": crashed[:10], "lost": lost[:10], "slow": slow[:10]}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="hostile inputs to generate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=10.0, help="seconds per item at most")
    ap.add_argument("--chunk", type=int, default=500, help="inputs per ingest call")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    r = run(args.n, args.seed, args.budget, args.chunk)
    if args.json:
        print(json.dumps(r))
    else:
        print(f"{r['inputs']} hostile inputs ({r['classes']} classes) + {r['valid']} valid "
              f"articles, {r['items']} items: crashed {r['crashed']}, lost {r['lost']}, "
              f"over {r['budget_s']} s {r['over_budget']}; peak RSS {r['peak_rss_mb']} MB; "
              f"ingest {r['ingest_s']} s")
        for k, v in r["examples"].items():
            for e in v:
                print(f"  {k}: {e}")
    return 1 if r["crashed"] or r["lost"] or r["over_budget"] else 0


if __name__ == "__main__":
    sys.exit(main())
