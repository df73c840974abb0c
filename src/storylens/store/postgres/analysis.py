"""PostgreSQL persistence of what compare and story coverage reuse (content-addressed
enrichments and sentence vectors) and of the settings of record. Mixed into
``PostgresStore``; the same rows as the SQLite store's ``analysis.py``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from storylens.store.postgres.base import PgHelpers


class PgAnalysisMixin(PgHelpers):
    """Enrichments, sentence vectors and settings: the first write of a key wins for the
    content-addressed ones (``ON CONFLICT DO NOTHING``), a setting is replaced."""

    def get_enrichments(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not keys:
            return {}
        return {str(k): json.loads(data) for k, data in self._rows(
            "SELECT key, data FROM enrichments WHERE key = ANY(%s)",
            (list(dict.fromkeys(keys)),))}

    def put_enrichments(self, items: Mapping[str, dict[str, Any]]) -> None:
        self._many("INSERT INTO enrichments VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                   [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()])

    def get_sentence_vectors(self, model: str, keys: Sequence[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        return {str(k): bytes(vec) for k, vec in self._rows(
            "SELECT key, vec FROM sentence_vectors WHERE model = %s AND key = ANY(%s)",
            (model, list(dict.fromkeys(keys))))}

    def put_sentence_vectors(self, model: str, items: Mapping[str, bytes]) -> None:
        self._many("INSERT INTO sentence_vectors VALUES (%s, %s, %s) "
                   "ON CONFLICT (model, key) DO NOTHING",
                   [(model, k, v) for k, v in items.items()])

    def get_setting(self, key: str) -> str | None:
        row = self._one("SELECT value FROM kv WHERE key = %s", (f"setting:{key}",))
        return str(row[0]) if row else None

    def set_setting(self, key: str, value: str) -> None:
        self._many("INSERT INTO kv VALUES (%s, %s) ON CONFLICT (key) "
                   "DO UPDATE SET value = excluded.value", [(f"setting:{key}", value)])
