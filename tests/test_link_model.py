"""The stored logistic decision model (storylens.link.model): probabilities by hand, JSON
round trip, and the errors that name the file and the fix."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from storylens.errors import ConfigError
from storylens.link.features import FEATURES
from storylens.link.model import MODEL_DIR, LogisticModel

M = LogisticModel(features=("a", "b"), mean=np.array([1.0, 0.0]), scale=np.array([2.0, 1.0]),
                  coef=np.array([1.0, -1.0]), intercept=0.5, threshold=0.6, meta={"n": 3})


def test_proba_by_hand() -> None:
    z = ((3.0 - 1.0) / 2.0) * 1.0 + (2.0 - 0.0) * -1.0 + 0.5  # = -0.5
    assert M.proba(np.array([3.0, 2.0])) == pytest.approx([1 / (1 + math.exp(0.5))])
    assert M.proba(np.array([[3.0, 2.0], [1.0, 0.0]])) == pytest.approx(
        [1 / (1 + math.exp(-z)), 1 / (1 + math.exp(-0.5))])


def test_proba_saturates_without_overflow() -> None:
    with np.errstate(over="raise"):
        p = M.proba(np.array([[1e9, 0.0], [-1e9, 0.0]]))
    assert 0.999 < p[0] < 1.0 and 0.0 < p[1] < 1e-12


def test_json_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    M.save(p)
    back = LogisticModel.load(p, ("a", "b"))
    assert back.to_json() == M.to_json()
    assert json.loads(p.read_text())["meta"] == {"n": 3}


def test_wrong_features_name_the_file_and_the_fix(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    M.save(p)
    with pytest.raises(ConfigError) as ei:
        LogisticModel.load(p, ("a", "c"))
    assert str(p) in str(ei.value) and "train_link" in str(ei.value)


@pytest.mark.parametrize("content", [None, "{not json", ""])
def test_unreadable_model_is_a_config_error(tmp_path: Path, content: str | None) -> None:
    p = tmp_path / "m.json"
    if content is not None:
        p.write_text(content)
    with pytest.raises(ConfigError, match="cannot read the model"):
        LogisticModel.load(p, ("a", "b"))


def test_shipped_models_load_for_the_current_features() -> None:
    shipped = sorted(MODEL_DIR.glob("*.json"))
    assert shipped
    for p in shipped:
        m = LogisticModel.load(p, FEATURES)
        assert m.coef.shape == m.mean.shape == m.scale.shape == (len(FEATURES),)
        assert (m.scale > 0).all() and 0 < m.threshold < 1
        p0 = m.proba(np.zeros(len(FEATURES)))
        assert p0.shape == (1,) and 0 < p0[0] < 1
