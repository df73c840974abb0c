"""Persistence of what compare and story coverage reuse (content-addressed enrichments
and sentence vectors) and of the settings of record, for both backends: written once over
the ``SqlSeam``, mixed into ``SQLiteStore`` and ``PostgresStore``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from storylens.store.sql import SqlSeam


class AnalysisTablesMixin(SqlSeam):
    """Enrichments, sentence vectors and settings: the first write of a key wins for the
    content-addressed ones, a setting is replaced."""

    def get_enrichments(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for cond, params in self._dialect.in_list("key", list(dict.fromkeys(keys))):
            for k, data in self._rows(f"SELECT key, data FROM enrichments WHERE {cond}",
                                      params):
                out[str(k)] = json.loads(data)
        return out

    def put_enrichments(self, items: Mapping[str, dict[str, Any]]) -> None:
        self._many(self._dialect.put("enrichments", ("key", "data"), ("key",), replace=False),
                   [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()])

    def get_sentence_vectors(self, model: str, keys: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for cond, params in self._dialect.in_list("key", list(dict.fromkeys(keys))):
            for k, vec in self._rows(
                    f"SELECT key, vec FROM sentence_vectors WHERE model = ? AND {cond}",
                    [model, *params]):
                out[str(k)] = bytes(vec)
        return out

    def put_sentence_vectors(self, model: str, items: Mapping[str, bytes]) -> None:
        self._many(self._dialect.put("sentence_vectors", ("model", "key", "vec"),
                                     ("model", "key"), replace=False),
                   [(model, k, v) for k, v in items.items()])

    def get_setting(self, key: str) -> str | None:
        row = self._one("SELECT value FROM kv WHERE key = ?", (f"setting:{key}",))
        return str(row[0]) if row else None

    def set_setting(self, key: str, value: str) -> None:
        self._many(self._dialect.put("kv", ("key", "value"), ("key",)),
                   [(f"setting:{key}", value)])
