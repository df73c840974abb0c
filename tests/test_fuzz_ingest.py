"""The ingest fuzzer (benchmarks/fuzz_ingest.py) at a bounded size: hostile inputs of
every class, valid articles interleaved; nothing crashes, nothing valid is lost, no item
goes over its time budget. The full run (10,000 inputs) is in BENCHMARKS.md."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_ingest",
                                                  ROOT / "benchmarks" / "fuzz_ingest.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_class_generates_bytes() -> None:
    fuzz = _fuzz()
    rng = random.Random(0)
    for kind, gens in fuzz.CLASSES.items():
        for g in gens:
            suffix, data = g(rng)
            assert suffix.startswith(".") and isinstance(data, bytes), kind


@pytest.mark.slow
def test_fuzz_ingest_bounded_run_has_no_crash_loss_or_overrun(tmp_path: Path) -> None:
    r = _fuzz().run(n=100, seed=7, budget=20.0, chunk=100)
    assert r["items"] >= 200
    assert r["crashed"] == 0, r["examples"]["crashed"]
    assert r["lost"] == 0, r["examples"]["lost"]
    assert r["over_budget"] == 0, r["examples"]["slow"]
