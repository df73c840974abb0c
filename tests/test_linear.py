"""linear.LinearModel: the one standardised linear model behind linking's pair models, the
plain-text cleaner and the comparison's dimension ridges."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from storylens.compare.dimensions import (
    BlendedDimension,
    LinearDimension,
    load_dimension_models,
)
from storylens.errors import ConfigError
from storylens.linear import LinearModel, sigmoid
from storylens.link.model import MODEL_DIR, LogisticModel

MODEL = LinearModel(mean=np.array([1.0, 10.0]), scale=np.array([2.0, 5.0]),
                    coef=np.array([0.5, -1.0]), intercept=0.25, features=("a", "b"),
                    threshold=0.7, meta={"trained_on": "hand"})


def test_decision_and_proba_match_hand_computation() -> None:
    # x = (3, 20): standardised (1, 2); z = 0.5 * 1 - 1.0 * 2 + 0.25 = -1.25
    assert MODEL.decision(np.array([3.0, 20.0])).tolist() == [-1.25]
    assert MODEL.proba(np.array([3.0, 20.0]))[0] == pytest.approx(1 / (1 + math.exp(1.25)))
    # rows at once; x = (1, 10) is the mean: z = intercept
    p = MODEL.proba(np.array([[3.0, 20.0], [1.0, 10.0]]))
    assert p.shape == (2,) and p[1] == pytest.approx(1 / (1 + math.exp(-0.25)))


def test_centred_proba_maps_the_threshold_to_one_half() -> None:
    # the logit is shifted by logit(0.7): a row whose proba is exactly 0.7 becomes 0.5
    z = math.log(0.7 / 0.3)
    m = LinearModel(np.zeros(1), np.ones(1), np.ones(1), 0.0, threshold=0.7)
    assert m.proba(np.array([z]))[0] == pytest.approx(0.7)
    assert m.proba(np.array([z]), centred=True)[0] == pytest.approx(0.5)


def test_inputs_clip_to_the_training_range_and_zero_scale_reads_as_one() -> None:
    m = LinearModel(np.zeros(2), np.array([1.0, 0.0]), np.ones(2), 0.0,
                    lo=np.array([-1.0, -1.0]), hi=np.array([1.0, 1.0]))
    assert m.decision(np.array([50.0, 0.5])).tolist() == [1.5]


def test_sigmoid_is_bounded_and_never_overflows() -> None:
    p = sigmoid(np.array([-1e6, 0.0, 1e6]))
    assert p[1] == 0.5 and 0.0 < p[0] < 1e-12 and 1 - 1e-12 < p[2] <= 1.0


def test_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MODEL.save(path)
    d = json.loads(path.read_text(encoding="utf-8"))
    assert list(d) == ["features", "mean", "scale", "coef", "intercept", "threshold", "meta"]
    back = LinearModel.read(path, features=("a", "b"))
    assert back.to_json() == MODEL.to_json()
    x = np.random.default_rng(0).normal(size=(4, 2))
    assert np.array_equal(back.proba(x), MODEL.proba(x))


def test_read_fails_loudly_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MODEL.save(path)
    with pytest.raises(ConfigError, match=r"trained for features \['a', 'b'\].*run train"):
        LinearModel.read(path, features=("a", "c"), retrain="run train")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read the model"):
        LinearModel.read(path)


def test_other_threshold_key_and_defaults() -> None:
    m = LinearModel.from_json({"mean": [0.0], "scale": [1.0], "coef": [2.0], "intercept": 0.0,
                               "cv_threshold": 0.85, "cv_f1": 0.78},
                              threshold_key="cv_threshold")
    assert m.threshold == 0.85 and m.features == () and m.lo is None and m.meta == {}
    assert LinearModel.from_json(m.to_json()).threshold == 0.85


def test_shipped_files_of_all_three_formats_load_as_one_class() -> None:
    from storylens.extract.plaintext import WEIGHTS_FILE, _model
    from storylens.link.features import FEATURES

    ev = LogisticModel.load(MODEL_DIR / "event-static.json", FEATURES)
    assert isinstance(ev, LinearModel) and ev.features == FEATURES and 0 < ev.threshold < 1
    cleaner = _model()
    w = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(cleaner, LinearModel) and cleaner.threshold == w["cv_threshold"]
    dim = load_dimension_models("static").models["overall"]
    assert isinstance(dim, BlendedDimension)
    assert isinstance(dim.linear, LinearModel) and dim.linear.lo is not None


def test_pair_and_dimension_models_keep_their_constructors_and_formats() -> None:
    lm = LogisticModel(("x",), np.zeros(1), np.ones(1), np.array([2.0]), -1.0, 0.6, {})
    assert lm.features == ("x",) and lm.threshold == 0.6
    assert lm.proba(np.array([0.5]))[0] == pytest.approx(0.5)
    dim = LinearDimension(np.zeros(1), np.ones(1), np.ones(1), 2.0, np.array([-1.0]),
                          np.array([1.0]))
    assert dim.predict(np.array([[5.0], [-0.5]])).tolist() == [3.0, 1.5]
    assert set(dim.to_json()) == {"mean", "scale", "coef", "intercept", "lo", "hi"}
