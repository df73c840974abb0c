"""SQLite persistence of what compare and story coverage reuse (enrichments, sentence
vectors) and of the settings of record. Mixed into ``SQLiteStore``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from storylens.store.chunks import chunks


class AnalysisTablesMixin:
    """Methods over the schema-4 tables and the ``kv`` table; expects ``self._db`` and
    ``self._tx()``."""

    _db: sqlite3.Connection

    def _tx(self) -> AbstractContextManager[None]:  # provided by SQLiteStore
        raise NotImplementedError

    def get_enrichments(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(dict.fromkeys(keys)), 500):
            marks = ",".join("?" * len(chunk))
            for k, data in self._db.execute(
                    f"SELECT key, data FROM enrichments WHERE key IN ({marks})", chunk):
                out[str(k)] = json.loads(data)
        return out

    def put_enrichments(self, items: Mapping[str, dict[str, Any]]) -> None:
        if not items:
            return
        with self._tx():
            self._db.executemany(
                "INSERT OR IGNORE INTO enrichments VALUES (?, ?)",
                [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()])

    def get_sentence_vectors(self, model: str, keys: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for chunk in chunks(list(dict.fromkeys(keys)), 500):
            marks = ",".join("?" * len(chunk))
            for k, vec in self._db.execute(
                    f"SELECT key, vec FROM sentence_vectors WHERE model = ? AND key IN "
                    f"({marks})", [model, *chunk]):
                out[str(k)] = bytes(vec)
        return out

    def put_sentence_vectors(self, model: str, items: Mapping[str, bytes]) -> None:
        if not items:
            return
        with self._tx():
            self._db.executemany("INSERT OR IGNORE INTO sentence_vectors VALUES (?, ?, ?)",
                                 [(model, k, v) for k, v in items.items()])

    def get_setting(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM kv WHERE key = ?",
                               (f"setting:{key}",)).fetchone()
        return str(row[0]) if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self._tx():
            self._db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)",
                             (f"setting:{key}", value))
