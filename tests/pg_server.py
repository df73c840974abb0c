"""A PostgreSQL server for the tests: ``STORYLENS_TEST_PG_DSN`` when set, else a throwaway
one started with ``scripts/dev-postgres.sh`` for the session and stopped after it. When
neither works the PostgreSQL tests are skipped locally but fail when ``CI`` is set: CI
must never pass them by skipping. Each test gets a schema of its own (dropped after), so
tests never see each other's rows."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "dev-postgres.sh"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def start_server(state: Path) -> str:
    """Start a throwaway server with its state in ``state``; its DSN."""
    env = {**os.environ, "STORYLENS_PG_STATE": str(state)}
    proc = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True,
                          env=env, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr or proc.stdout).strip()[-500:])
    return proc.stdout.strip().splitlines()[-1]


def stop_server(state: Path) -> None:
    env = {**os.environ, "STORYLENS_PG_STATE": str(state)}
    subprocess.run(["bash", str(SCRIPT), "stop"], capture_output=True, env=env, timeout=120)


@pytest.fixture(scope="session")
def pg_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The DSN of a PostgreSQL database the tests may create schemas in."""
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'storylens[postgres]')")
    given = os.environ.get("STORYLENS_TEST_PG_DSN")
    state = tmp_path_factory.mktemp("pg") / "dev-postgres.state"
    if given:
        dsn = given
    else:
        try:
            dsn = start_server(state)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            _unavailable(f"scripts/dev-postgres.sh start failed: {e}")
    try:
        psycopg.connect(dsn, connect_timeout=10).close()
    except psycopg.Error as e:
        stop_server(state)
        _unavailable(f"cannot connect to {dsn}: {e}")
    try:
        yield dsn
    finally:
        if not given:
            stop_server(state)


def with_schema(dsn: str, schema: str) -> str:
    """``dsn`` whose connections use ``schema`` (created by the caller)."""
    sep = "&" if "?" in dsn else "?"
    return f"{dsn}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url(pg_dsn: str) -> Iterator[str]:
    """A URL for a fresh, empty schema of the test database (dropped after the test)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(pg_dsn, schema)
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
