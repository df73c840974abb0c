"""benchmarks/dense_channels.py's run specs and the calibrated cosine it scores, on a tiny
hand-made set (the benchmark itself needs the development data)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
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
    assert b.parse_run("static") == ("static", b.DEFAULT_LEAD, "")
    assert b.parse_run("static+csls") == ("static", b.DEFAULT_LEAD, "csls")
    assert b.parse_run("static+csls:400") == ("static", 400, "csls")
    assert b.parse_run("static+centre:300") == ("static", 300, "centre")
    assert b.parse_run("use:200") == ("use", 200, "")
    assert b.parse_run("path/to/m.npz+csls") == ("path/to/m.npz", b.DEFAULT_LEAD, "csls")


def test_centred_uses_the_other_folds_means_only() -> None:
    from storylens.link.calibration import default_background
    from storylens.link.centring import PRIOR_WEIGHT

    b = _bench()
    bg = default_background(64)
    assert bg is not None
    prior = bg.vectors.astype(np.float64).mean(axis=0)
    rng = np.random.default_rng(3)
    v = rng.normal(size=(4, 64)).astype(np.float32)
    langs = ["ja", "ja", "ja", "en"]
    folds = np.array([0, 0, 1, 1])
    out = b.centred(v, langs, folds)
    # article 0 (fold 0, ja) is centred on the only ja article of fold 1: article 2
    want = v[0] - (v[2] + PRIOR_WEIGHT * prior) / (1 + PRIOR_WEIGHT)
    assert np.allclose(out[0], want / np.linalg.norm(want), atol=1e-5)
    # article 3 (fold 1, en): no en article elsewhere, so the prior alone
    want = v[3] - prior
    assert np.allclose(out[3], want / np.linalg.norm(want), atol=1e-5)
    # without folds, every ja article is centred on the mean of all three
    whole = b.centred(v, langs)
    want = v[1] - (v[0] + v[1] + v[2] + PRIOR_WEIGHT * prior) / (3 + PRIOR_WEIGHT)
    assert np.allclose(whole[1], want / np.linalg.norm(want), atol=1e-5)


def test_centre_with_counts_unrelated_articles_in_the_means(tmp_path: Path) -> None:
    from storylens.link.calibration import default_background
    from storylens.link.centring import PRIOR_WEIGHT

    b = _bench()
    bg = default_background(64)
    assert bg is not None
    prior = bg.vectors.astype(np.float64).mean(axis=0)
    rng = np.random.default_rng(4)
    v, other = rng.normal(size=(2, 64)).astype(np.float32), rng.normal(size=(3, 64))
    out = b.centred(v, ["de", "de"], extra=(other.astype(np.float32), ["de", "de", "fr"]))
    want = v[0] - (v.sum(0) + other[:2].sum(0) + PRIOR_WEIGHT * prior) / (4 + PRIOR_WEIGHT)
    assert np.allclose(out[0], want / np.linalg.norm(want), atol=1e-5)
    f = tmp_path / "x.jsonl"
    f.write_text('{"id": "a", "title": "T", "text": "body"}\n\n{"title": "U"}\n',
                 encoding="utf-8")
    got = b.load_plain(f)
    assert [(a.id, a.title, a.text) for a in got] == [("a", "T", "body"), ("2", "U", "")]


def test_storyline_folds_keep_a_storyline_together() -> None:
    b = _bench()
    arts = [b.Article(str(i), "t", "x", "en", f"e{i}", f"s{i % 3}") for i in range(9)]
    folds = b.storyline_folds(arts, 2)
    for s in ("s0", "s1", "s2"):
        assert len({int(f) for a, f in zip(arts, folds, strict=True) if a.storyline == s}) == 1
    assert set(folds.tolist()) <= {0, 1}


def test_hubness_uses_the_shipped_background_and_names_a_missing_one() -> None:
    b = _bench()
    rng = np.random.default_rng(1)
    v = rng.normal(size=(5, 64)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    hub = b.hubness("static", v)
    assert hub.shape == (5,) and np.all(hub > -1) and np.all(hub < 1)
    with pytest.raises(SystemExit, match=r"learn\.background --embedder nosuch"):
        b.hubness("nosuch", v)
