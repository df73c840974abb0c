"""The channels added with the tree models: sensible on related vs unrelated pairs, finite,
and computed on the heads only."""

from __future__ import annotations

import math

import pytest

from storylens.compare.analysis import Analysis, analyse_many
from storylens.compare.channels import COVERAGE_THRESHOLD, FEATURES, channels
from storylens.records import Article
from storylens.represent.base import get_embedder

STORM = ("Storm hits Lisbon. A storm hit Lisbon in Portugal on Monday and 40 people were "
         "evacuated by officials. Mayor Carlos Moedas said the damage was severe.")
STORM2 = ("Lisbon storm. Officials in Portugal evacuated 40 people as a storm struck Lisbon "
          "on Monday. Carlos Moedas visited the flooded streets.")
CAKE = ("Chocolate cake. This recipe for chocolate cake needs flour, sugar and eggs. "
        "Bake it in an oven at 180 degrees for 35 minutes.")


@pytest.fixture(scope="module")
def analyses() -> list[Analysis]:
    arts = [Article(id=f"c{i}", source="t", title=t.split(".")[0], text=t, raw=t,
                    raw_format="text", lang="en") for i, t in enumerate((STORM, STORM2, CAKE))]
    return analyse_many(arts, get_embedder("static"))


def _ch(a: Analysis, b: Analysis) -> dict[str, float]:
    return channels(a, b, threshold=COVERAGE_THRESHOLD, tone_a=0.0, tone_b=0.0)


def test_new_channels_rank_related_above_unrelated(analyses: list[Analysis]) -> None:
    storm, storm2, cake = analyses
    near, far = _ch(storm, storm2), _ch(storm, cake)
    assert set(FEATURES) <= set(near) and all(math.isfinite(near[f]) for f in FEATURES)
    for f in ("dense_max", "dense_mean", "best_min", "best_top3", "match_mean",
              "dense_tail", "tfidf_cos", "char4_cos", "word_jacc", "nametok_jacc",
              "numbers_cover"):
        assert near[f] > far[f], f
    assert far["tfidf_cos"] < 0.1 < near["tfidf_cos"]
    assert near["nametok_cover"] > 0.5
    if storm.enriched and storm2.enriched:
        assert near["loc_jacc"] > 0 and near["loc_none"] == 0.0


def test_identical_sides_saturate(analyses: list[Analysis]) -> None:
    storm = analyses[0]
    same = _ch(storm, storm)
    assert same["dense_max"] == pytest.approx(1.0, abs=1e-5)
    assert same["match_mean"] == pytest.approx(1.0, abs=1e-5)
    assert same["frac_07"] == 1.0 and same["tfidf_cos"] == pytest.approx(1.0)
    assert same["char4_cos"] == pytest.approx(1.0)


def test_empty_side_gives_zeros(analyses: list[Analysis]) -> None:
    empty = analyse_many([Article(id="e", source="t", title="", text="", raw="",
                                  raw_format="text", lang="en")], get_embedder("static"))[0]
    ch = _ch(analyses[0], empty)
    assert all(math.isfinite(ch[f]) for f in FEATURES)
    assert ch["dense_max"] == ch["match_mean"] == ch["tfidf_cos"] == 0.0
    assert ch["per_none"] == ch["no_countries"] == 1.0
