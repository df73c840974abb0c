#!/usr/bin/env bash
# Install storylens with its test dependencies into .venv, then lint, type-check and test.
# This is the README's second command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
# A real browser for the web UI tests: Debian's chromium (Playwright's own download
# cannot work offline). Installed only when missing and when we may use apt.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) >/dev/null \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
# PostgreSQL for the PostgreSQL store tests (never skipped in CI): Debian's server, when
# no server binaries are found; tests/pg_server.py starts a throwaway one with
# scripts/dev-postgres.sh (or uses STORYLENS_TEST_PG_DSN).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null \
    && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
     --no-install-recommends postgresql) >/dev/null \
    || echo "warning: could not install postgresql; the PostgreSQL tests will fail in CI" >&2
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m pytest -q --cov=storylens --cov-report=term:skip-covered --cov-fail-under=92 "$@"
