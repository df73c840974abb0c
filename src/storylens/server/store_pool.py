"""One open store connection per server worker thread, reused from request to request.

Opening the SQLite store costs about a millisecond (connect, pragmas, schema check):
more than answering a cached page. So each thread of the server's pool keeps its own
connection (``sqlite3`` connections must not cross threads) and every request that
thread serves uses it. SQLite in WAL mode lets these readers run while the CLI or a
``POST`` writes; each statement reads the latest committed state, so a kept connection
never serves stale data. A connection that failed with a store error is closed and the
thread's next request opens a fresh one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storylens.errors import StoreError
from storylens.store import Store, open_store


class StorePool:
    """Stores over ``path``, one per thread that asks; ``reuse=False`` opens and closes
    one per request instead (what the server did before)."""

    def __init__(self, path: Path | str, *, reuse: bool = True) -> None:
        self.path, self.reuse = path, reuse
        self._local = threading.local()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """This thread's store for the duration of one request."""
        if not self.reuse:
            fresh = open_store(self.path)
            try:
                yield fresh
            finally:
                fresh.close()
            return
        kept: Store | None = getattr(self._local, "store", None)
        if kept is None:
            kept = open_store(self.path)
            self._local.store = kept
        try:
            yield kept
        except StoreError:
            self._local.store = None
            kept.close()
            raise
