"""Store stage: where articles, representations, clusters and analyses live.

``open_store(location)`` picks the backend from the location: a SQLite file path (or
``":memory:"``), or a ``postgresql://`` / ``postgres://`` URL for the PostgreSQL store
(imported only then, so SQLite users need no driver). It returns the store typed as the
``Store`` protocol, which is all the rest of storylens may rely on.
"""

from __future__ import annotations

from pathlib import Path

from storylens.errors import StoreError
from storylens.store.base import ArticleQuery, Store
from storylens.store.location import redact, url_scheme
from storylens.store.sqlite import SQLiteStore

__all__ = ["ArticleQuery", "SQLiteStore", "Store", "open_store", "redact", "url_scheme"]

POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_store(location: str | Path) -> Store:
    """Open (creating and migrating if needed) the store at ``location``."""
    loc = str(location)
    scheme = url_scheme(loc)
    if scheme is not None:
        if scheme in POSTGRES_SCHEMES:
            return _open_postgres(loc)
        raise StoreError(f"{scheme}://…: this storylens has no {scheme} backend; give a "
                         "SQLite file path or a postgresql:// URL (--db)")
    return SQLiteStore(loc)


def _open_postgres(dsn: str) -> Store:
    try:
        from storylens.store.postgres import PostgresStore
    except ImportError as e:
        raise StoreError(f"PostgreSQL store needs psycopg ({e.name or e}): pip install "
                         "'storylens[postgres]'") from None
    return PostgresStore(dsn)
