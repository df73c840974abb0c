"""Seconds of a cold ``storylens compare`` of two stored articles and of a cold
``storylens story`` (coverage) of a 100-member story, each run twice in fresh processes.

Issue 12 ("compute once, read many"): enrichments and sentence vectors are kept in the
store by the first run, so the second run, in a new process with nothing in memory,
reads them instead of recomputing. Run it against another source tree (e.g. main before
the change, checked out with ``git worktree add /tmp/base <commit>``) with ``--src`` to
compare before and after on the same machine in one session::

    .venv/bin/python benchmarks/compute_once.py                       # this checkout
    .venv/bin/python benchmarks/compute_once.py --src /tmp/base/src   # another tree

The store is built by ``coverage_speed.build_store`` (a synthetic COVID story stitched
from SemEval dev sentences; needs ``.devdata/semeval-dev-stream.jsonl`` from
``benchmarks/make_dev_streams.py``) with the tree under test, so each tree reads a store
of its own schema. Exits 0 with a note when the source file is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / ".devdata" / "semeval-dev-stream.jsonl"


def _py(src: Path, code: str) -> str:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT / 'benchmarks'}"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, cwd=ROOT)
    return res.stdout


def _cli(src: Path, *args: str) -> tuple[float, dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", "from storylens.cli.app import main; main()",
                          *args], capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - t0, json.loads(res.stdout)


def run(src: Path, size: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="compute-once-") as tmp:
        db = Path(tmp) / "bench.db"
        _py(src, "import coverage_speed as c; from pathlib import Path; "
                 f"c.build_store(Path({str(db)!r}), [{size}], Path({str(SOURCE)!r}), {seed})")
        story = f"ev-bench-{size}"
        members = json.loads(_py(
            src, "import json; from storylens.store.sqlite import open_store; "
                 f"print(json.dumps(open_store({str(db)!r}).get_story({story!r}).members))"))
        originals = [m["id"] for m in members if not m.get("duplicate_of")]
        a, b = originals[0], originals[len(originals) // 2]
        out: dict[str, Any] = {"src": str(src), "size": size}
        for label, args in (("compare", ("compare", a, b)),
                            (f"story_{size}", ("story", story))):
            runs = []
            for _ in range(2):
                wall, _ = _cli(src, *args, "--db", str(db), "--json")
                runs.append(round(wall, 2))
            out[label] = runs
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src",
                    help="source tree (its src/ folder) to time")
    ap.add_argument("--size", type=int, default=100, help="members of the story")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not SOURCE.is_file():
        print(f"skip: {SOURCE} is absent (run benchmarks/make_dev_streams.py)")
        return 0
    res = run(args.src.resolve(), args.size, args.seed)
    res["machine"] = f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
    if args.json:
        print(json.dumps(res))
        return 0
    print(f"{res['src']} ({res['machine']})")
    print(f"  compare A B      first {res['compare'][0]:.2f} s, again {res['compare'][1]:.2f} s")
    k = f"story_{args.size}"
    print(f"  story ({args.size} members) first {res[k][0]:.2f} s, again {res[k][1]:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
