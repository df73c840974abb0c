"""Pin the public API and the settings table (habits 1 and 7 of DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

import storylens
from storylens.errors import ConfigError
from storylens.settings import SETTINGS, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_exported_members() -> None:
    assert sorted(storylens.__all__) == sorted([
        "Article", "ArticleQuery", "ConfigError", "IngestReport", "InputError",
        "NotFoundError", "RawDoc", "RemovedLine", "SQLiteStore", "Store", "StoreError",
        "StorylensError", "__version__", "get_article", "ingest", "ingest_raw",
        "list_articles", "open_store",
    ])
    for name in storylens.__all__:
        assert hasattr(storylens, name)


def test_every_setting_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert s.env in readme, f"{s.env} missing from README settings table"
        assert s.help


def test_settings_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STORYLENS_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("STORYLENS_BATCH_SIZE", "7")
    s = Settings.load()
    assert s.db == tmp_path / "env.db" and s.batch_size == 7
    assert Settings.load(db=tmp_path / "arg.db").db == tmp_path / "arg.db"
    monkeypatch.delenv("STORYLENS_DB")
    assert Settings.load().db.name == "storylens.db"
    monkeypatch.setenv("STORYLENS_MAX_BYTES", "lots")
    with pytest.raises(ConfigError, match="STORYLENS_"):
        Settings.load()
