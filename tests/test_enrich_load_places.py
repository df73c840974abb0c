"""The on-disk place index cache (``storylens.enrich.place_cache``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storylens.enrich import place_cache, places
from storylens.enrich.place_cache import (
    CACHE_ENV,
    cache_path,
    cached_index,
    fingerprint,
    load_index,
    save_index,
)
from storylens.enrich.places import Place, build_place_index

SMALL = {"turquie": Place("TR", "country"), "ankara": Place("TR", "city", 3_517_182),
         "анкара": Place("TR", "city", 3_517_182), "paris": Place("FR", "city", 2_138_551),
         "tel aviv": Place("IL", "city", 432_892)}


@pytest.fixture(scope="module")
def fresh() -> dict[str, Place]:
    return build_place_index()


def test_cached_index_equals_fresh_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         fresh: dict[str, Place]) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    calls: list[int] = []

    def build() -> dict[str, Place]:
        calls.append(1)
        return fresh

    first = cached_index(build)
    files = list(tmp_path.glob("place_index-*.npz"))
    assert len(files) == 1 and files[0] == cache_path(tmp_path, fingerprint())
    second = cached_index(build)
    assert calls == [1]  # second call read the file
    assert second == first == fresh
    assert list(second) == list(fresh)  # same insertion order
    assert len(second) > 50_000
    assert second["ankara"] == Place("TR", "city", second["ankara"].population)
    assert second["turquie"].kind == "country"


def test_round_trip_shares_place_objects(tmp_path: Path) -> None:
    fp = "abc"
    path = cache_path(tmp_path, fp)
    assert save_index(path, SMALL, fp)
    back = load_index(path, fp)
    assert back == SMALL
    assert back is not None and back["ankara"] is back["анкара"]


def test_other_fingerprint_or_garbage_is_ignored(tmp_path: Path) -> None:
    path = cache_path(tmp_path, "one")
    assert save_index(path, SMALL, "one")
    assert load_index(path, "two") is None
    assert load_index(tmp_path / "missing.npz", "one") is None
    path.write_bytes(b"not a zip file")
    assert load_index(path, "one") is None


def test_oldest_files_beyond_the_limit_are_removed(tmp_path: Path) -> None:
    for i in range(place_cache.MAX_FILES + 2):
        path = cache_path(tmp_path, f"fp{i}")
        assert save_index(path, SMALL, f"fp{i}")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    assert save_index(cache_path(tmp_path, "new"), SMALL, "new")
    left = sorted(p.name for p in tmp_path.glob("place_index-*"))
    assert len(left) == place_cache.MAX_FILES
    assert "place_index-new.npz" in left and "place_index-fp0.npz" not in left
    assert f"place_index-fp{place_cache.MAX_FILES + 1}.npz" in left


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_read_only_directory_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        monkeypatch.setenv(CACHE_ENV, str(ro / "sub"))
        assert cached_index(lambda: SMALL) == SMALL
        assert not (ro / "sub").exists()
    finally:
        ro.chmod(0o700)


def test_permission_error_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                     ) -> None:
    """What a read-only cache directory does, simulated (root ignores permissions)."""
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(place_cache.tempfile, "mkstemp", refuse)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cached_index(lambda: SMALL) == SMALL
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert cached_index(lambda: SMALL) == SMALL
    assert not save_index(cache_path(blocker / "cache", "x"), SMALL, "x")
    assert list(tmp_path.iterdir()) == [blocker]  # no temporary file left behind


def test_empty_env_disables_disk_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert place_cache.cache_dir() is None
    calls: list[int] = []
    for _ in range(2):
        cached_index(lambda: calls.append(1) or SMALL)
    assert calls == [1, 1]


def test_default_dir_is_per_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert place_cache.cache_dir() == Path(platformdirs.user_cache_dir("storylens",
                                                                       appauthor=False))


def test_fingerprint_follows_the_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    fp = fingerprint()
    assert fp == fingerprint() and len(fp) == 20
    monkeypatch.setattr(place_cache, "FORMAT_VERSION", place_cache.FORMAT_VERSION + 1)
    assert fingerprint() != fp
    monkeypatch.setattr(place_cache, "FORMAT_VERSION", place_cache.FORMAT_VERSION - 1)
    monkeypatch.setattr(place_cache, "_SOURCES", ("storylens.enrich.places",))
    assert fingerprint() != fp


def test_place_index_uses_the_cache_across_processes(tmp_path: Path) -> None:
    """A second process reads the file the first one wrote, and gets the same index."""
    env = {**os.environ, CACHE_ENV: str(tmp_path)}
    code = ("import time; from storylens.enrich.places import place_index as p; "
            "t = time.perf_counter(); i = p(); print(len(i), i['ankara'].code, "
            "time.perf_counter() - t)")
    outs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True, timeout=120).stdout.split()
            for _ in range(2)]
    assert outs[0][:2] == outs[1][:2] and outs[0][1] == "TR"
    assert int(outs[0][0]) == len(places.place_index())
    assert len(list(tmp_path.glob("place_index-*.npz"))) == 1
    assert float(outs[1][2]) < float(outs[0][2])
