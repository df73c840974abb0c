"""Connections to PostgreSQL: one shared pool per DSN, errors as one-line ``StoreError``s
that never show a password.

A process keeps one ``psycopg_pool.ConnectionPool`` per DSN, shared by every
``PostgresStore`` opened on it (the web server opens one store per worker thread) and
closed when the last of them closes. Connections are in autocommit mode: a read is one
round trip, and writes run inside explicit transactions (``PostgresStore._tx``). Each
connection is checked when taken from the pool, so after a server restart the first
request gets a fresh connection instead of a dead one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool

from storylens.errors import StoreError
from storylens.store.location import redact, secrets

POOL_MAX = 10
"""Most connections one process opens to one database: the server's worker threads share
them (a request holds one only while it runs a statement or a transaction)."""
CONNECT_TIMEOUT_S = 10
"""How long opening a connection, or waiting for a free one from the pool, may take."""

# The pool logs each dead connection it drops and each failed reconnect; the store reports
# the failure once, as a StoreError, so without logging set up those lines stay quiet
# (Python would print them on stderr) while an application's own handlers still get them.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

_pools: dict[str, tuple[psycopg_pool.ConnectionPool[Any], int]] = {}
_pools_lock = threading.Lock()


def _reason(exc: BaseException, dsn: str) -> str:
    """The first line of a driver error, with any password in it masked."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for secret in secrets(dsn):
        text = text.replace(secret, "***")
    return text


@contextmanager
def guard(dsn: str) -> Iterator[None]:
    """Turn a lost or refused connection into a one-line ``StoreError`` naming the
    (redacted) DSN. Other driver errors (bad data, a bug in a statement) pass unchanged:
    they belong to the input or to storylens, not to the database being away."""
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError) as e:
        raise StoreError(f"{redact(dsn)}: PostgreSQL connection failed "
                         f"({_reason(e, dsn)}); is the server up?") from None
    except psycopg_pool.PoolTimeout:
        raise StoreError(f"{redact(dsn)}: no PostgreSQL connection within "
                         f"{CONNECT_TIMEOUT_S} s; is the server up?") from None


def connect(dsn: str) -> psycopg.Connection[Any]:
    """One direct connection (autocommit), for migrating before the pool opens; it gives
    the server's own reason when connecting fails."""
    with guard(dsn):
        return psycopg.connect(dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)


def acquire_pool(dsn: str) -> psycopg_pool.ConnectionPool[Any]:
    """The process's pool for ``dsn`` (opened on first use); pair with ``release_pool``."""
    with _pools_lock:
        pool, users = _pools.get(dsn, (None, 0))
        if pool is None:
            pool = psycopg_pool.ConnectionPool(
                dsn, min_size=1, max_size=POOL_MAX, open=False, timeout=CONNECT_TIMEOUT_S,
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                check=psycopg_pool.ConnectionPool.check_connection,
                name="storylens", reconnect_timeout=60.0)
            try:
                with guard(dsn):
                    pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
            except StoreError:
                pool.close(timeout=0.0)
                raise
        _pools[dsn] = (pool, users + 1)
        return pool


def release_pool(dsn: str) -> None:
    """One user of ``dsn``'s pool is done; the last one closes it."""
    with _pools_lock:
        pool, users = _pools.get(dsn, (None, 0))
        if pool is None:
            return
        if users > 1:
            _pools[dsn] = (pool, users - 1)
            return
        del _pools[dsn]
    pool.close(timeout=5.0)
