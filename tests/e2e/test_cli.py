"""The `stockledger` commands other than serve, run as subprocesses on a SQLite store."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from application.ledger import Ledger
from application.settings import Settings
from cli.demo import movement_topics
from tests.e2e.conftest import STOCKLEDGER, cli, environment, wait_until


@pytest.fixture
def store(tmp_path: Path) -> Settings:
    return Settings(database_url=None, data_dir=tmp_path / "var")


def test_keys_are_created_listed_without_secrets_and_revoked(store: Settings) -> None:
    created = cli(store, "keys", "create", "--user", "alice", "--role", "clerk").stdout
    token = created.strip().splitlines()[-1]
    key_id = token.split("_")[1]
    listed = cli(store, "keys", "list").stdout
    assert key_id in listed and "alice" in listed and "clerk" in listed
    assert token.split("_", 2)[2] not in listed
    cli(store, "keys", "revoke", key_id)
    ledger = Ledger(store)
    try:
        assert ledger.authenticate(token) is None
    finally:
        ledger.close()
    refused = cli(store, "keys", "create", "--user", "bob", "--role", "boss", check=False)
    assert refused.returncode != 0


def test_demo_fills_the_store_then_status_rebuild_and_verify_agree(store: Settings) -> None:
    demo = cli(store, "demo", "--skus", "4", "--days", "65")
    assert "documents up to position" in demo.stdout
    ledger = Ledger(store)
    try:
        notes = ledger.recorder.select_notifications(1, 100_000, topics=movement_topics())
        events = [ledger.mapper.to_domain_event(note) for note in notes]
    finally:
        ledger.close()
    kinds = {event.kind for event in events}  # type: ignore[attr-defined]
    assert kinds >= {"RECEIVE", "RESERVE", "SHIP", "RETURN", "TRANSFER_OUT", "CONSUME", "WASTE"}
    assert len({event.timestamp.strftime("%Y-%m") for event in events}) >= 3
    again = cli(store, "demo", "--skus", "6", "--days", "3", check=False)
    assert again.returncode == 1
    cli(store, "projections", "rebuild", "balances")
    status = cli(store, "projections", "status").stdout
    for name in ("balances", "movements", "cogs"):
        assert name in status
    verified = cli(store, "verify")
    assert "no discrepancies" in verified.stdout
    unknown = cli(store, "projections", "rebuild", "nope", check=False)
    assert unknown.returncode == 1


def test_a_projection_worker_runs_until_sigterm(store: Settings) -> None:
    cli(store, "keys", "create", "--user", "a", "--role", "admin")
    process = subprocess.Popen(
        [STOCKLEDGER, "projections", "run", "balances"],
        env=environment(store),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(
            lambda: (store.data_dir / "views.sqlite").exists() or process.poll() is not None,
            30,
            "worker start",
        )
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert process.returncode == 0, output
        assert "stopped" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


CLOSED = "postgresql://someone:hunter2-secret@127.0.0.1:{port}/ledger"
COMMANDS = [
    ["keys", "list"],
    ["keys", "create", "--user", "alice", "--role", "clerk"],
    ["keys", "revoke", "abc"],
    ["projections", "status"],
    ["projections", "rebuild", "balances"],
    ["projections", "run"],
    ["verify"],
    ["demo", "--days", "2"],
    ["db", "migrate"],
    ["serve", "--port", "1"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_that_cannot_be_reached_is_one_line_on_stderr(
    store: Settings, command: list[str]
) -> None:
    from tests.pgserver import free_port

    port = free_port()  # nothing listens there
    env = {**environment(store), "STOCKLEDGER_DATABASE_URL": CLOSED.format(port=port)}
    done = subprocess.run(
        [STOCKLEDGER, *command], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"stockledger: cannot connect to PostgreSQL at 127.0.0.1:{port} ")
    assert "Connection refused" in lines[0]
    assert "hunter2" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
