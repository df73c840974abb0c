"""The static model's refit to its teacher (represent.tokenlearn) on a tiny vocabulary."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from storylens.learn.tokenlearn import build, mean_cosine, ridge_map, windows
from storylens.represent.hashing import HashingEmbedder
from storylens.represent.static import SPACE, StaticEmbedder, StaticModelFile

WORDS = ["rail", "strike", "lyon", "union", "trains", "pensions", "quake", "izmir", "rescue",
         "buildings", "vote", "budget", "warsaw", "parliament", "coalition", "flood", "porto",
         "rain", "residents", "firefighters"]
CHUNKS = [" ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(9)) for i in range(60)]


def test_windows_cut_at_words_and_drop_short_tails() -> None:
    text = " ".join(["word"] * 400)
    chunks = windows(text, size=200)
    assert all(len(c) <= 200 and not c.endswith(" ") for c in chunks)
    assert all(c.startswith("word") for c in chunks) and windows("too short") == []


def test_ridge_map_recovers_a_linear_teacher() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)).astype(np.float32)
    m = rng.normal(size=(6, 6)).astype(np.float32)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    fitted = ridge_map(x, unit @ m, ridge=1e-6)
    assert mean_cosine(unit @ fitted, unit @ m) > 0.999


def test_build_gives_a_static_model_that_loads_and_embeds(tmp_path: Path) -> None:
    tokens = [SPACE + w for w in WORDS] + list("abcdefghijklmnopqrstuvwxyz")
    logp = np.log(np.full(len(tokens), 1.0 / len(tokens), dtype=np.float32))
    teacher_texts = [t.replace(SPACE, "") for t in tokens]
    model = build(HashingEmbedder(), tokens, teacher_texts, logp, CHUNKS, dim=8, rounds=1,
                  steps=3, name="tiny-tl")
    assert model.vectors.shape == (len(tokens), 8)
    fit = model.meta["fit"]
    assert fit["chunks"] == len(CHUNKS) and len(fit["theta"]) > 0
    path = tmp_path / "tiny.npz"
    model.save(path)
    again = StaticModelFile.load(path)
    assert again.tokens == tokens and again.meta["name"] == "tiny-tl"
    emb = StaticEmbedder(path)
    v = emb.embed(["rail strike in lyon", "rail strike lyon union", "flood in porto"])
    assert v.shape == (3, 8)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
