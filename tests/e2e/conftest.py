"""Run the real `stockledger` console script as a user would: subprocesses on a real store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from application.settings import Settings
from tests.pgserver import free_port

STOCKLEDGER = str(Path(sys.executable).parent / "stockledger")


def environment(settings: Settings) -> dict[str, str]:
    """The process environment that makes ``Settings()`` equal ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLEDGER_")}
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is not None:
            env[f"STOCKLEDGER_{name.upper()}"] = str(value)
    return env


def cli(
    settings: Settings, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``stockledger ARGS`` run on ``settings`` (and ``env``: variables beyond them)."""
    result = subprocess.run(
        [STOCKLEDGER, *args],
        env={**environment(settings), "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)  # polling interval of the condition, not synchronisation
    raise AssertionError(f"timed out waiting for {what}")


class Server:
    """`stockledger serve` in a subprocess; its stdout is kept in a file."""

    def __init__(
        self,
        settings: Settings,
        workdir: Path,
        extra_env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.settings = settings
        self.extra_env = extra_env or {}
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout = workdir / f"serve-{self.port}.out"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        with self.stdout.open("wb") as out:
            self.process = subprocess.Popen(
                [STOCKLEDGER, "serve", "--port", str(self.port), *self.args],
                env={**environment(self.settings), **self.extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._healthy, 30, f"server on {self.url}")
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited:\n{self.output()}")
        try:
            return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[list[Server]]:
    """Servers started by a test, always stopped afterwards."""
    servers: list[Server] = []
    yield servers
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=10)
