"""storylens: news articles in any language -> stories, and how each outlet tells them.

The public API is what ``__all__`` lists (pinned by tests/test_public_api.py); everything
else is private and may change.
"""

from storylens.api import IngestReport, get_article, ingest, ingest_raw, list_articles
from storylens.errors import (
    ConfigError,
    InputError,
    NotFoundError,
    StoreError,
    StorylensError,
)
from storylens.records import Article, RawDoc, RemovedLine
from storylens.store import ArticleQuery, SQLiteStore, Store, open_store

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleQuery",
    "ConfigError",
    "IngestReport",
    "InputError",
    "NotFoundError",
    "RawDoc",
    "RemovedLine",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StorylensError",
    "__version__",
    "get_article",
    "ingest",
    "ingest_raw",
    "list_articles",
    "open_store",
]
