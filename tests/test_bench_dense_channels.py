"""benchmarks/dense_channels.py's run specs and the calibrated cosine it scores, on a tiny
hand-made set (the benchmark itself needs the development data)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import numpy as np
import pytest

from tests.conftest import ROOT


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dense_channels",
                                                  ROOT / "benchmarks" / "dense_channels.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["dense_channels"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_parse_run_reads_name_calibration_and_lead() -> None:
    b = _bench()
    assert b.parse_run("static") == ("static", b.DEFAULT_LEAD, False)
    assert b.parse_run("static+csls") == ("static", b.DEFAULT_LEAD, True)
    assert b.parse_run("static+csls:400") == ("static", 400, True)
    assert b.parse_run("use:200") == ("use", 200, False)
    assert b.parse_run("path/to/m.npz+csls") == ("path/to/m.npz", b.DEFAULT_LEAD, True)


def test_hubness_uses_the_shipped_background_and_names_a_missing_one() -> None:
    b = _bench()
    rng = np.random.default_rng(1)
    v = rng.normal(size=(5, 64)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    hub = b.hubness("static", v)
    assert hub.shape == (5,) and np.all(hub > -1) and np.all(hub < 1)
    with pytest.raises(SystemExit, match=r"learn\.background --embedder nosuch"):
        b.hubness("nosuch", v)
