"""Text representation: turn article text into unit vectors that cluster by event.

See ``storylens.represent.base`` for the ``Embedder`` contract and the registry; the
backends live one per module (``hashing``, ``static``, ``use``, ``e5``).
"""

from storylens.represent.base import (
    Embedder,
    available_embedders,
    get_embedder,
    register_embedder,
)

__all__ = ["Embedder", "available_embedders", "get_embedder", "register_embedder"]
