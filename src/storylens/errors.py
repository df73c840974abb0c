"""The error tree. Every error names the input it is about and, where one exists, the fix.

Batch stages never return ``None`` on failure: they raise one of these per item, and the
batch driver records it against that item and goes on (see ``storylens.api.ingestion``).
"""

from __future__ import annotations


class StorylensError(Exception):
    """Base of all errors storylens raises on purpose."""


class InputError(StorylensError):
    """One input (file, line, URL) could not be read or made into an article."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreError(StorylensError):
    """The store could not be opened, migrated or written."""


class NotFoundError(StorylensError):
    """An id or name that is not in the store."""


class ConfigError(StorylensError):
    """A setting or option has a value storylens cannot use."""
