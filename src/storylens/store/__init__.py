"""Store stage: where articles, representations, clusters and analyses live.

``open_store(location)`` picks the backend from the location (today: a SQLite file path
or ``":memory:"``) and returns it typed as the ``Store`` protocol, which is all the rest
of storylens may rely on.
"""

from __future__ import annotations

import re
from pathlib import Path

from storylens.errors import StoreError
from storylens.store.base import ArticleQuery, Store
from storylens.store.sqlite import SQLiteStore

__all__ = ["ArticleQuery", "SQLiteStore", "Store", "open_store"]


def open_store(location: str | Path) -> Store:
    """Open (creating and migrating if needed) the store at ``location``."""
    loc = str(location)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", loc)
    if m:
        scheme = m.group(1)
        raise StoreError(f"{scheme}://…: this storylens has no {scheme} backend; give a "
                         "SQLite file path (--db FILE)")
    return SQLiteStore(loc)
