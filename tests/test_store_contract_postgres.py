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


def test_the_contract_runs_on_postgresql_at_its_latest_schema(pg_url: str) -> None:
    """The class above is only a PostgreSQL contract if its store is one: the URL must
    open the PostgreSQL backend (not a fallback), migrated to its last version."""
    from storylens.store.postgres.schema import SCHEMA_VERSION
    from storylens.store.postgres.store import PostgresStore

    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        assert store.schema_version == SCHEMA_VERSION
