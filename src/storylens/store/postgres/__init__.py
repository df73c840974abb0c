"""The PostgreSQL store: ``open_store("postgresql://user@host:port/db")`` (or
``postgres://``, ``--db``, ``STORYLENS_DB``) for several writers and a shared server.

Needs ``pip install 'storylens[postgres]'`` (psycopg 3 and psycopg_pool); SQLite users
never import this package. The table logic is shared with the SQLite store (written once
over ``storylens.store.sql``'s dialect seam); here are what is PostgreSQL's own:
``store.py`` (transactions, schema, change counter, locks, article inserts),
``schema.py`` (migrations, full-text configuration) and ``connection.py`` (the shared
pool, error messages without passwords).

Design choices:

- **Vectors as ``bytea``, not pgvector.** The linker keeps its candidate window in memory
  (``link/online.py``) and reads stored representations by article id only; nothing asks
  the database for nearest neighbours, so a vector index would not be used. pgvector is
  also absent from Debian 12's archive. Vectors are float32 bytes, as on SQLite.
- **Writers take turns per batch.** Each write transaction takes a transaction-scoped
  advisory lock first (what ``BEGIN IMMEDIATE`` does on SQLite): a watcher and a backfill
  ingest at once, extracting in parallel, and neither loses nor duplicates an article
  (inserts are also ``ON CONFLICT (id) DO NOTHING``).
- **One linking worker at a time.** ``clustering()`` holds a session advisory lock for a
  whole ``cluster`` run; a second run waits for it, then clusters what is still new with
  the same cluster ids. A killed run's lock goes with its connection.
- **Full-text search** uses a ``tsvector`` in each article's language configuration
  (``simple`` where PostgreSQL has none) and a GIN index; see ``schema.py``.
"""

from __future__ import annotations

from storylens.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
