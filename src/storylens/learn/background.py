"""Build the linker's background vectors (``link.calibration``) for an embedder.

    python benchmarks/make_dev_streams.py      # once: .devdata/semeval-dev-stream.jsonl
    python -m storylens.learn.background [--embedder static] [--size 256]

The background is unrelated news the linker is never scored on: the SemEval-2022 Task 8
dev articles (ten languages, as the development stream holds them), minus any article
whose URL is in the README sample (``samples/news-sample.jsonl`` is drawn from the same
pairs; its articles must not sit in their own background). Each article goes through the
product's extract, clean and represent steps, so the vectors are the ones linking makes;
``--size`` of them are kept, picked by a stable hash of the article id, and written as
float16 to ``link/models/background-<embedder>.npy`` (32 KB for 256 × 64: four times
more rows change the AUC of the calibrated cosine by 0.001 and cost ten times more).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from storylens.learn.devset import DEVDATA, REPO
from storylens.learn.streams import stable_hash
from storylens.learn.train_link import load_stream
from storylens.link.calibration import Background
from storylens.link.model import MODEL_DIR

SAMPLE = REPO / "samples" / "news-sample.jsonl"
BACKGROUND_FILE = "background-{embedder}.npy"


def sample_urls(path: Path = SAMPLE) -> set[str]:
    """URLs of the README sample's articles (empty when the file is absent)."""
    if not path.is_file():
        return set()
    return {str(json.loads(line).get("url") or "") for line in
            path.read_text(encoding="utf-8").splitlines() if line.strip()} - {""}


def build(stream: Path, embedder: str, size: int, exclude: set[str]) -> Background:
    """The background of ``size`` articles of ``stream`` (none whose URL is excluded)."""
    lines = [line for line in stream.read_text(encoding="utf-8").splitlines()
             if line.strip() and str(json.loads(line).get("url") or "") not in exclude]
    with tempfile.TemporaryDirectory() as tmp:
        kept_file = Path(tmp) / stream.name
        kept_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        kept = [r for r, _, _ in load_stream(kept_file, embedder)]
    kept.sort(key=lambda r: (stable_hash("background:" + r.id), r.id))
    if len(kept) < size:
        print(f"{stream}: {len(kept)} usable articles, fewer than --size {size}; using all",
              file=sys.stderr)
    return Background(np.vstack([r.dense for r in kept[:size]]))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the background vectors that calibrate "
                                             "the linker's dense cosine (see "
                                             "storylens.link.calibration).")
    ap.add_argument("--stream", type=Path, default=DEVDATA / "semeval-dev-stream.jsonl",
                    help="labelled JSONL of unrelated news (benchmarks/make_dev_streams.py)")
    ap.add_argument("--embedder", default="static")
    ap.add_argument("--size", type=int, default=256, help="background articles kept")
    ap.add_argument("--out", type=Path, default=None,
                    help="output file (default: link/models/background-<embedder>.npy)")
    args = ap.parse_args(argv)
    if not args.stream.is_file():
        ap.error(f"{args.stream}: not found; build it with `python benchmarks/make_dev_streams.py`")
    bg = build(args.stream, args.embedder, args.size, sample_urls())
    out = args.out or MODEL_DIR / BACKGROUND_FILE.format(embedder=args.embedder)
    bg.save(out)
    print(json.dumps({"out": str(out), "vectors": int(bg.vectors.shape[0]), "dim": bg.dim}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
