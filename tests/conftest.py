"""Shared fixtures: paths to the project's fixtures and to ../shared/data when present."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run: a CI run is never failed by a new
# random draw (explore with `--hypothesis-profile=default` locally).
settings.register_profile("storylens", derandomize=True, print_blob=True)
settings.load_profile("storylens")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = FIXTURES / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"
JFORUM = EXAMPLES / "jforum-2022-10-gantz-erdogan-hamas.fr.txt"
PRESSTV = EXAMPLES / "presstv-2022-02-mossad-ankara-hamas.fr.txt"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip the test when this checkout has none beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run the real `storylens` console entry point in a subprocess against a temp store."""
    db = tmp_path / "store.db"

    def run(*args: str, input: str | None = None, db_path: Path | None = None,
            check_rc: int | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "STORYLENS_DB": str(db_path or db), "COLUMNS": "200"}
        proc = subprocess.run(
            [sys.executable, "-c", "from storylens.cli.app import main; main()", *args],
            input=input, capture_output=True, text=True, env=env, timeout=300,
        )
        if check_rc is not None:
            assert proc.returncode == check_rc, (proc.returncode, proc.stdout, proc.stderr)
        return proc

    return run


from tests.pg_server import pg_dsn, pg_url  # noqa: E402,F401  (PostgreSQL fixtures)
