"""The embedder contract and the registry that hands embedders out by name.

Clustering only needs one thing from a text representation: a unit vector per text such
that the dot product of two vectors says how likely the texts tell the same event, in any
language. ``Embedder`` is that contract; everything behind it (a hashed bag of n-grams, a
neural encoder, a distilled static table) is swappable.

Backends register a zero-argument factory under a name. Built-ins go through the same
``register_embedder`` call a plugin would use, and their heavy imports happen only when the
factory runs, so ``import storylens.represent`` stays cheap and a missing optional package
surfaces as one ``ConfigError`` line naming the ``pip install`` that fixes it. Third-party
packages can also expose factories under the ``storylens.embedders`` entry-point group.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from types import ModuleType
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from storylens.errors import ConfigError

FloatMatrix = npt.NDArray[np.float32]
EmbedderFactory = Callable[[], "Embedder"]

ENTRY_POINT_GROUP = "storylens.embedders"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows (one row per text, ``dim`` columns).

    An empty text must still get a row (all zeros is allowed), so callers can rely on
    ``embed(texts).shape == (len(texts), dim)``.
    """

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed ``texts``; rows are float32 and have unit length (or are all zero)."""
        ...


_FACTORIES: dict[str, EmbedderFactory] = {}
_INSTANCES: dict[str, Embedder] = {}
_LOCK = threading.Lock()
_ENTRY_POINTS_LOADED = False


def register_embedder(name: str, factory: EmbedderFactory, *, replace: bool = False) -> None:
    """Make ``factory`` available as ``get_embedder(name)``.

    Registering a taken name is a ``ConfigError`` unless ``replace`` is true, so two
    plugins cannot silently shadow each other.
    """
    with _LOCK:
        if name in _FACTORIES and not replace:
            raise ConfigError(f"embedder {name!r} is already registered")
        _FACTORIES[name] = factory
        _INSTANCES.pop(name, None)


def _load_entry_points() -> None:
    """Register factories that installed packages advertise (once per process)."""
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED:
        return
    _ENTRY_POINTS_LOADED = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _FACTORIES:
            _FACTORIES[ep.name] = ep.load()


def available_embedders() -> list[str]:
    """Names ``get_embedder`` accepts (whether or not their optional package is installed)."""
    _load_entry_points()
    return sorted(_FACTORIES)


def get_embedder(name: str) -> Embedder:
    """The embedder registered as ``name``, built once per process and then reused.

    Raises ``ConfigError`` for an unknown name or when the backend's optional package is
    missing (the message holds the exact ``pip install`` line).
    """
    _load_entry_points()
    with _LOCK:
        cached = _INSTANCES.get(name)
        if cached is not None:
            return cached
        factory = _FACTORIES.get(name)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES)) or "none"
        raise ConfigError(f"unknown embedder {name!r}; known: {known}")
    embedder = factory()
    with _LOCK:
        return _INSTANCES.setdefault(name, embedder)


def build_embedder(name: str) -> Embedder:
    """A new instance of the embedder registered as ``name``, not cached or shared.

    For measurements that must start cold (a static model's segmentation cache, say);
    everything else should use ``get_embedder``.
    """
    _load_entry_points()
    with _LOCK:
        factory = _FACTORIES.get(name)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES)) or "none"
        raise ConfigError(f"unknown embedder {name!r}; known: {known}")
    return factory()


def require(module: str, pip_line: str, *, backend: str) -> ModuleType:
    """Import an optional dependency or raise a one-line ``ConfigError`` saying how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            f"embedder {backend!r} needs the {module!r} module: pip install {pip_line}"
        ) from exc


def l2_normalise(matrix: npt.NDArray[np.floating]) -> FloatMatrix:
    """Rows scaled to unit length as float32; all-zero rows stay zero instead of NaN."""
    out = np.asarray(matrix, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    return np.ascontiguousarray(out / norms, dtype=np.float32)


def _register_builtins() -> None:
    """Register the shipped backends exactly as a plugin would (factories import lazily)."""

    def hashing() -> Embedder:
        from storylens.represent.hashing import HashingEmbedder

        return HashingEmbedder()

    def static() -> Embedder:
        from storylens.represent.static import StaticEmbedder

        return StaticEmbedder()

    def use() -> Embedder:
        from storylens.represent.use import UseEmbedder

        return UseEmbedder()

    def e5() -> Embedder:
        from storylens.represent.e5 import E5Embedder

        return E5Embedder()

    builtins: tuple[tuple[str, EmbedderFactory], ...] = (
        ("hashing", hashing), ("static", static), ("use", use), ("e5", e5),
    )
    for name, factory in builtins:
        register_embedder(name, factory)


_register_builtins()
