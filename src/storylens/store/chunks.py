"""Batching helper shared by the SQLite store modules."""

from __future__ import annotations

from collections.abc import Iterator


def chunks(items: list[str], n: int) -> Iterator[list[str]]:
    """``items`` in consecutive slices of at most ``n`` (SQLite caps bound parameters)."""
    for i in range(0, len(items), n):
        yield items[i : i + n]
