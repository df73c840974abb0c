"""Store stage: where articles (and later stories) live. SQLite by default."""

from storylens.store.base import ArticleQuery, Store
from storylens.store.sqlite import SQLiteStore, open_store

__all__ = ["ArticleQuery", "SQLiteStore", "Store", "open_store"]
