"""The ``Store`` contract (``tests/store_contract.py``) on PostgreSQL, each test in a
schema of its own (``tests/pg_server.py`` starts a throwaway server when
``STORYLENS_TEST_PG_DSN`` is not set)."""

from __future__ import annotations

import pytest

from storylens.store import open_store
from tests.store_contract import OpenStore, StoreContract


class TestPostgres(StoreContract):
    persistent = True

    @pytest.fixture
    def open_store_fn(self, pg_url: str) -> OpenStore:
        return lambda: open_store(pg_url)
