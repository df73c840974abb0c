"""The settings table (storylens.settings) and the error tree (storylens.errors): resolution
order, type checks with one clear error, and every setting documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from storylens.errors import ConfigError, InputError, NotFoundError, StoreError, StorylensError
from storylens.settings import SETTINGS, Settings, default_db_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)


def test_defaults() -> None:
    s = Settings.load()
    assert s.db == default_db_path() and s.db.name == "storylens.db"
    assert (s.max_bytes, s.batch_size, s.embedder, s.token) == (20_000_000, 200, "static", None)


def test_env_then_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STORYLENS_MAX_BYTES", "1000")
    monkeypatch.setenv("STORYLENS_EMBEDDER", "hashing")
    monkeypatch.setenv("STORYLENS_DB", str(tmp_path / "env.db"))
    s = Settings.load()
    assert (s.max_bytes, s.embedder, s.db) == (1000, "hashing", tmp_path / "env.db")
    s2 = Settings.load(max_bytes=5, embedder=None, db=str(tmp_path / "arg.db"))
    assert (s2.max_bytes, s2.embedder, s2.db) == (5, "hashing", tmp_path / "arg.db")


def test_db_path_expands_the_home_directory(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings.load(db="~/s.db").db == tmp_path / "s.db"


def test_empty_db_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLENS_DB", "")
    assert Settings.load().db == default_db_path()


def test_batch_size_is_at_least_one() -> None:
    assert Settings.load(batch_size=0).batch_size == 1
    assert Settings.load(batch_size="-5").batch_size == 1


def test_empty_token_is_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLENS_TOKEN", "")
    assert Settings.load().token is None
    assert Settings.load(token="s3cret").token == "s3cret"


@pytest.mark.parametrize(("env", "value"), [("STORYLENS_MAX_BYTES", "20MB"),
                                            ("STORYLENS_BATCH_SIZE", "many")])
def test_bad_value_is_one_config_error(monkeypatch: pytest.MonkeyPatch, env: str,
                                       value: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match="STORYLENS_"):
        Settings.load()


def test_every_setting_has_an_env_var_and_help() -> None:
    assert [s.env for s in SETTINGS] == ["STORYLENS_DB", "STORYLENS_MAX_BYTES",
                                         "STORYLENS_BATCH_SIZE", "STORYLENS_EMBEDDER",
                                         "STORYLENS_COMPARE_EMBEDDER", "STORYLENS_TOKEN",
                                         "STORYLENS_ALLOW_HOSTS"]
    assert all(s.help.endswith(".") or s.help.endswith(")") for s in SETTINGS)


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert s.env in readme, s.env


def test_error_tree() -> None:
    for cls in (InputError, StoreError, NotFoundError, ConfigError):
        assert issubclass(cls, StorylensError)
    e = InputError("feed.jsonl:3", "malformed JSON; skipped")
    assert (e.source, e.reason) == ("feed.jsonl:3", "malformed JSON; skipped")
    assert str(e) == "feed.jsonl:3: malformed JSON; skipped"
    assert isinstance(e, Exception) and not isinstance(e, ValueError)


def test_a_database_url_is_kept_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://ann@db.example:5432/news?sslmode=require"
    assert Settings.load(db=url).db == url, "a Path would fold the // of the URL"
    monkeypatch.setenv("STORYLENS_DB", "postgres:///news")
    assert Settings.load().db == "postgres:///news"
