"""Helpers shared by the server tests: build the corpus store, run the real server.

``build_corpus_store`` ingests the real example articles and the 28-article sample corpus
through ``storylens.api.ingest``; ``ServerProcess`` runs ``storylens serve`` (the Typer
command function, exactly as the CLI runs it) in a subprocess on a free loopback port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx works the same
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from storylens import api
from storylens.store import open_store

__all__ = ["ServerProcess", "TestClient", "build_corpus_store", "corpus_inputs", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "fixtures" / "examples"
SAMPLE = ROOT / "samples" / "news-sample.jsonl"
SERVE_CODE = "import typer; from storylens.cli.serve_cmd import serve; typer.run(serve)"


def corpus_inputs() -> list[str]:
    """The example articles (*.txt only: not their README) and the sample corpus."""
    return [*(str(p) for p in sorted(EXAMPLES.glob("*.txt"))), str(SAMPLE)]


def build_corpus_store(db: Path) -> api.IngestReport:
    """Create the store at ``db`` from ``corpus_inputs()``; fails loudly if any input fails."""
    store = open_store(db)
    try:
        report = api.ingest(corpus_inputs(), store)
    finally:
        store.close()
    assert report.ok, report.failed
    return report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``storylens serve`` in a subprocess; use as a context manager."""

    def __init__(self, db: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {k: v for k, v in os.environ.items() if k != "STORYLENS_TOKEN"}
        full_env.update(env or {})
        # A file, not a pipe: an unread pipe could fill up and stall the server.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE_CODE, "--db", str(db), "--port", str(self.port),
             *args],
            env=full_env, stdout=self.log, stderr=subprocess.STDOUT, text=True,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early: {self.output()}")
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server not ready in {timeout}s")

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM (graceful shutdown), then the exit code; kills only if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return int(self.proc.returncode)

    def output(self) -> str:
        """Everything the server printed so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def __enter__(self) -> ServerProcess:
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()
