"""The calibrated dense cosine's hubness (storylens.link.calibration), by hand: values,
shape errors, and the shipped file round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storylens.errors import ConfigError
from storylens.link.calibration import Background
from storylens.link.model import MODEL_DIR
from tests.link_helpers import unit


def _bg() -> Background:
    # 12 background vectors: 10 along x (a "hub" direction), 2 along y
    return Background([[1.0, 0.0, 0.0]] * 10 + [[0.0, 1.0, 0.0]] * 2, k=10)


def test_hub_is_the_mean_of_the_k_nearest_background_cosines() -> None:
    bg = _bg()
    assert bg.hub([1.0, 0.0, 0.0])[0] == pytest.approx(1.0)  # ten neighbours at cos 1
    # along y: two at 1, eight of the x ones at 0
    assert bg.hub([0.0, 1.0, 0.0])[0] == pytest.approx(0.2)
    assert bg.hub([0.0, 0.0, 1.0])[0] == pytest.approx(0.0)
    assert bg.hub(np.eye(3)).shape == (3,)
    # an article close to the hub direction is discounted more than a distinctive one
    assert bg.hub(unit(1, 1, 0))[0] > bg.hub(unit(0, 1, 1))[0]


def test_background_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="at least 10 rows"):
        Background(np.ones((3, 4)))
    with pytest.raises(ValueError, match="4 dimensions against a background of 3"):
        _bg().hub(np.ones(4))


def test_background_round_trips_and_names_an_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "bg.npy"
    _bg().save(p)
    back = Background.load(p)
    assert back.vectors.shape == (12, 3) and back.hub([1, 0, 0])[0] == pytest.approx(1.0)
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"not numpy")
    with pytest.raises(ConfigError, match=r"bad\.npy.*learn\.background"):
        Background.load(bad)


def test_the_shipped_background_loads_with_unit_rows() -> None:
    bg = Background.load(MODEL_DIR / "background-static.npy")
    assert bg.vectors.shape == (256, 64)
    assert np.allclose(np.linalg.norm(bg.vectors, axis=1), 1.0, atol=1e-3)
