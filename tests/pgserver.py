"""A throwaway PostgreSQL server for the test suite, started from the installed binaries.

The server lives in a temporary directory, listens on 127.0.0.1 on a free port with
trust authentication, and trades durability for speed (``fsync=off`` and friends).
``stop()`` kills it without a checkpoint and deletes the directory.

For replication tests a server can be given settings of its own (``PostgresServer({...})``,
e.g. ``synchronous_commit = on``), a streaming hot standby made from it with
``pg_basebackup -R`` (``start_standby``: initdb's pg_hba already trusts replication
connections from 127.0.0.1, and wal_level, max_wal_senders and hot_standby are on by default),
killed with SIGKILL (``kill``) and promoted (``promote``).

PostgreSQL refuses to run as root. Under root (as in CI) ``initdb`` and ``pg_ctl`` run
as the ``postgres`` system user that Debian's package creates, and the directory is
handed over to that user.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql

INSTALL_HINT = "install PostgreSQL (apt-get install -y postgresql)"
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"

# Durability is worthless for a database that is deleted after the run.
TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "listen_addresses": "'127.0.0.1'",
}


def find_bindir(search_root: Path = Path("/usr/lib/postgresql")) -> Path:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Tries ``pg_config --bindir``, then the newest ``<search_root>/*/bin``, then ``initdb``
    on PATH. Raises RuntimeError when none of them has a server.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        # On Debian pg_config comes with libpq-dev and may name a version whose server
        # is not installed, so every candidate is checked for initdb below.
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    versions = [p for p in search_root.glob("*/bin") if p.parent.name.isdigit()]
    candidates.extend(sorted(versions, key=lambda p: int(p.parent.name), reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    msg = f"No PostgreSQL server binaries (initdb, pg_ctl) found; {INSTALL_HINT}"
    raise RuntimeError(msg)


def fetch(url: str, query: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Every row of one query, on a connection of its own (autocommit)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


_PICK = random.SystemRandom()  # not the global generator, which tests may seed alike


def _ephemeral_floor() -> int:
    """The lowest port the kernel hands out as a connection's source port."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port nothing is bound to, below the kernel's ephemeral range.

    A port from the ephemeral range (what binding to port 0 gives) can be taken at any
    moment as the source port of an outgoing connection (an etcd client's, a poll's), and
    on Linux a connected socket holding it makes a later ``bind`` fail even with
    SO_REUSEADDR: a server restarted on it (a Patroni node after a failover) then cannot
    listen. CI saw exactly that once. Ports below the range are only ever taken by a bind.
    """
    floor = _ephemeral_floor()
    low = 10000 if floor > 20000 else 1024
    for _ in range(500):
        port = _PICK.randrange(low, floor)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {floor}")


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory, for the life of a test session."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.bindir = find_bindir()
        self.port = 0
        self.basedir: Path | None = None
        self.settings = {**TEST_SETTINGS, **(settings or {})}
        self.killed = False

    @property
    def datadir(self) -> Path:
        assert self.basedir is not None, "server not started"
        return self.basedir / "data"

    def start(self) -> None:
        """Create a cluster and start it; raises RuntimeError with the server log on failure."""
        self.basedir = Path(tempfile.mkdtemp(prefix="stockledger-pg-"))
        try:
            self._create_and_start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill the server without a shutdown checkpoint and delete its directory."""
        if self.basedir is None:
            return
        try:
            if not self.killed and (self.datadir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.basedir, ignore_errors=True)
            self.basedir = None

    def restart(self) -> None:
        """Stop the server (ending every connection) and start it again on the same port."""
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self._logfile), "-w", "start")

    def start_standby(self) -> PostgresServer:
        """A hot standby streaming from this server, on a free port of its own."""
        standby = PostgresServer(self.settings)
        standby.basedir = Path(tempfile.mkdtemp(prefix="stockledger-pg-standby-"))
        try:
            standby._hand_over(standby.basedir)
            standby._run(
                "pg_basebackup",
                "-D", str(standby.datadir),
                "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
                "-R", "-X", "stream", "-c", "fast",
            )  # fmt: skip
            standby.port = free_port()
            standby._configure()
            standby._run(
                "pg_ctl", "-D", str(standby.datadir), "-l", str(standby._logfile), "-w", "start"
            )
        except BaseException:
            standby.stop()
            raise
        return standby

    def kill(self) -> None:
        """SIGKILL the postmaster, as a machine loss would (no shutdown, no checkpoint)."""
        pid = int((self.datadir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        self.killed = True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def promote(self) -> None:
        """End recovery: this standby becomes a writable primary."""
        self._run("pg_ctl", "-D", str(self.datadir), "-w", "promote")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> None:
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        """Drop ``name``, terminating any connections a test left open."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _create_and_start(self) -> None:
        assert self.basedir is not None
        self._hand_over(self.basedir)
        self._run(
            "initdb",
            "-D", str(self.datadir),
            "-A", "trust",
            "-U", SUPERUSER,
            "--encoding=UTF8",
            "--no-locale",
        )  # fmt: skip
        self.port = free_port()
        self._configure()
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self._logfile), "-w", "start")

    def _configure(self) -> None:
        """Appends this server's settings (later lines win over a base backup's copy)."""
        assert self.basedir is not None
        settings = {
            **self.settings,
            "port": str(self.port),
            "unix_socket_directories": f"'{self.basedir}'",
        }
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    @property
    def _logfile(self) -> Path:
        assert self.basedir is not None
        return self.basedir / "server.log"

    @property
    def _as_root(self) -> bool:
        return os.geteuid() == 0

    def _hand_over(self, path: Path) -> None:
        """Give the directory to the user the server runs as (mkdtemp makes it 0700)."""
        if not self._as_root:
            return
        if shutil.which("runuser") is None:
            msg = "Running as root needs runuser (util-linux) to start PostgreSQL as postgres"
            raise RuntimeError(msg)
        try:
            shutil.chown(path, user=SYSTEM_USER, group=SYSTEM_USER)
        except LookupError:
            msg = f"Running as root needs the '{SYSTEM_USER}' system user; {INSTALL_HINT}"
            raise RuntimeError(msg) from None

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_root:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        # cwd: the server user may not be able to enter the caller's directory.
        result = subprocess.run(
            command,
            cwd=self.basedir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log = ""
            if self.basedir is not None and self._logfile.exists():
                log = self._logfile.read_text(errors="replace")
            msg = (
                f"{' '.join(command)} failed with exit code {result.returncode}\n"
                f"{result.stdout}{result.stderr}{log}"
            )
            raise RuntimeError(msg)
