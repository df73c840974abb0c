"""``storylens serve``: refuses unsafe setups with one line, and really serves (then shuts
down gracefully on SIGTERM) when started as the CLI starts it."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from storylens.cli.serve_cmd import is_loopback, serve
from tests.browser.serverproc import ServerProcess

TOKEN = "cli-test-token-0123456789"


def run_serve(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    app = typer.Typer()
    app.command()(serve)
    result = CliRunner().invoke(app, list(args), env={"STORYLENS_TOKEN": None, **(env or {})})
    return result.exit_code, result.output


@pytest.mark.parametrize("host,loop", [
    ("127.0.0.1", True), ("127.3.4.5", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False),
    ("example.org", False),
])
def test_is_loopback(host: str, loop: bool) -> None:
    assert is_loopback(host) is loop


def test_no_auth_refused_off_loopback(tmp_path: Path) -> None:
    code, out = run_serve("--db", str(tmp_path / "s.db"), "--host", "0.0.0.0", "--no-auth")
    assert code == 2 and "--no-auth is only allowed on a loopback" in out
    assert len(out.strip().splitlines()) == 1


def test_token_required_off_loopback(tmp_path: Path) -> None:
    code, out = run_serve("--db", str(tmp_path / "s.db"), "--host", "0.0.0.0")
    assert code == 2 and "needs a token" in out
    assert not (tmp_path / "s.db").exists()


def test_token_and_no_auth_conflict(tmp_path: Path) -> None:
    code, out = run_serve("--db", str(tmp_path / "s.db"), "--no-auth",
                          env={"STORYLENS_TOKEN": TOKEN})
    assert code == 2 and "not both" in out


def test_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, out = run_serve("--db", str(tmp_path / "s.db"), "--port", str(port),
                              "--token", TOKEN)
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in out


def test_bad_store_is_one_line(tmp_path: Path) -> None:
    code, out = run_serve("--db", str(tmp_path), "--token", TOKEN)
    assert code == 2 and "is a directory" in out


def test_serves_then_shuts_down_gracefully(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with ServerProcess(db, env={"STORYLENS_TOKEN": TOKEN}) as srv:
        assert httpx.get(srv.base + "/api/v1/health").json() == {"status": "ok",
                                                                  "articles": 0}
        item = [{"title": "T", "text": "A sentence long enough to be an article body. " * 3}]
        assert httpx.post(srv.base + "/api/v1/articles", json=item).status_code == 401
        ok = httpx.post(srv.base + "/api/v1/articles", json=item,
                        headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.json()["ingested"] == 1
        rebind = httpx.get(srv.base + "/api/v1/health", headers={"Host": "evil.example"})
        assert rebind.status_code == 400
        assert "server" not in rebind.headers
        code = srv.stop()
        out = srv.output()
    # uvicorn finishes the shutdown, then re-raises SIGTERM so the exit status says why.
    assert code in (0, -15), out
    assert "writes need the token" in out and "Application shutdown complete" in out


def test_workers_share_the_port_and_see_each_others_writes(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with ServerProcess(db, "--no-auth", "--workers", "2") as srv:
        item = [{"title": "T", "text": "A sentence long enough to be an article body. " * 3}]
        with httpx.Client(base_url=srv.base) as client:
            totals = {client.get("/api/v1/articles").json()["total"] for _ in range(6)}
            assert totals == {0}
            assert client.post("/api/v1/articles", json=item).json()["ingested"] == 1
        # new connections land on either worker: each sees the write (no stale cache)
        for _ in range(6):
            assert httpx.get(srv.base + "/api/v1/articles").json()["total"] == 1
        code = srv.stop()
        out = srv.output()
    assert code in (0, -15), out
    assert "2 worker processes" in out and out.count("Application startup complete") == 2


def test_page_cache_off_still_serves(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "s.db", "--page-cache-mb", "0") as srv:
        assert httpx.get(srv.base + "/api/v1/stories").json()["total"] == 0
        assert httpx.get(srv.base + "/").status_code == 200


@pytest.mark.parametrize("args,named", [(["--workers", "0"], "--workers"),
                                        (["--page-cache-mb", "-1"], "--page-cache-mb")])
def test_bad_worker_and_cache_options_name_the_option(tmp_path: Path, args: list[str],
                                                      named: str) -> None:
    code, out = run_serve("--db", str(tmp_path / "s.db"), *args)
    assert code == 2 and named in out


def test_worker_factory_needs_the_serve_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    from storylens.errors import ConfigError
    from storylens.server.app import APP_ENV, app_from_env

    monkeypatch.setenv(APP_ENV, "not json")
    with pytest.raises(ConfigError, match="STORYLENS_SERVE_APP 'not json'"):
        app_from_env()
