"""A Patroni cluster on loopback for the ops suite, run from the production files in
deploy/patroni/: three etcd members (three processes, their own ports and data
directories) and two PostgreSQL nodes, each under its own Patroni.

The files are rendered as ``envsubst`` would (``${NAME}``, every one must be given); the
test shortens Patroni's timings in the bootstrap DCS section (``TIMINGS``) and turns
``fsync`` off (every fault here is a process fault: the kernel keeps what was written).

Under root (as in CI) Patroni, and so PostgreSQL, run as the ``postgres`` system user,
like tests/pgserver.py; etcd runs as whoever runs the test.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import httpx
import psycopg
import yaml

from tests.pgserver import SYSTEM_USER, find_bindir, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "patroni"
MISSING = [tool for tool in ("patroni", "etcd") if shutil.which(tool) is None]
SKIP_REASON = (
    f"{' and '.join(MISSING)} not installed "
    "(apt-get install -y --no-install-recommends patroni etcd-server)"
)
# Short enough for a quick test (Patroni's rule: loop_wait + 2 * retry_timeout <= ttl);
# production keeps deploy/patroni's 30 / 10 / 10.
TIMINGS = {"ttl": 12, "loop_wait": 2, "retry_timeout": 5}
PASSWORDS = {
    "PATRONI_SUPERUSER_PASSWORD": "super-secret",
    "PATRONI_REPLICATION_PASSWORD": "replication-secret",
    "PATRONI_REWIND_PASSWORD": "rewind-secret",
}
SUPERUSER = "postgres"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def render(template: Path, values: dict[str, str]) -> str:
    return Template(template.read_text()).substitute(values)


def _as_root() -> bool:
    return os.geteuid() == 0


def _hand_over(path: Path) -> None:
    if _as_root():
        shutil.chown(path, user=SYSTEM_USER, group=SYSTEM_USER)


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (a postmaster's backends and auxiliary processes)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


@dataclass
class EtcdMember:
    name: str
    client_port: int
    peer_port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self, base: Path, cluster: str) -> None:
        directory = base / self.name
        directory.mkdir()
        config = directory / "etcd.yml"
        config.write_text(
            render(
                DEPLOY / "etcd.yml",
                {
                    "ETCD_NAME": self.name,
                    "ETCD_HOST": "127.0.0.1",
                    "ETCD_LISTEN_HOST": "127.0.0.1",
                    "ETCD_CLIENT_PORT": str(self.client_port),
                    "ETCD_PEER_PORT": str(self.peer_port),
                    "ETCD_DATA_DIR": str(directory / "data"),
                    "ETCD_CLUSTER": cluster,
                },
            )
        )
        with (directory / "etcd.log").open("wb") as log:
            self.process = subprocess.Popen(
                ["etcd", "--config-file", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def read(self, key: str, serializable: bool = False) -> tuple[str, str] | None:
        """``key``'s value and mod_revision (``serializable``: as this member alone holds
        it, the read Patroni makes), or None for no such key."""
        answer = self._call("range", {"key": _b64(key), "serializable": serializable})
        kvs = answer.get("kvs")
        if not kvs:
            return None
        return base64.b64decode(kvs[0].get("value", "")).decode(), kvs[0]["mod_revision"]

    def delete_unchanged(self, key: str, mod_revision: str) -> bool:
        """Deletes ``key`` if nothing wrote it since ``mod_revision`` (a compare-and-delete)."""
        compare = {"key": _b64(key), "target": "MOD", "mod_revision": mod_revision}
        delete = {"request_delete_range": {"key": _b64(key)}}
        answer = self._call("txn", {"compare": [compare], "success": [delete]})
        return bool(answer.get("succeeded"))

    def describe(self, key: str) -> str:
        try:
            return f"{self.name}: {key} = {self.read(key, serializable=True)}"
        except (httpx.TransportError, ValueError, KeyError) as error:
            return f"{self.name}: {error!r}"

    def _call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.client_port}/v3/kv/{method}"
        answer: dict[str, Any] = httpx.post(url, json=body, timeout=2).json()
        return answer

    def healthy(self) -> bool:
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.client_port}/health", timeout=1)
        except httpx.TransportError:
            return False
        return answer.status_code == 200 and answer.json().get("health") == "true"


class PatroniNode:
    """One PostgreSQL node under its own Patroni."""

    def __init__(self, name: str, base: Path, etcd_hosts: str) -> None:
        self.name = name
        self.directory = base / name
        self.pg_port = free_port()
        self.api_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.paused: list[int] = []
        self.directory.mkdir()
        _hand_over(self.directory)
        config: dict[str, Any] = yaml.safe_load(
            render(
                DEPLOY / f"{name}.yml",
                {
                    "NODE_HOST": "127.0.0.1",
                    "LISTEN_HOST": "127.0.0.1",
                    "PG_PORT": str(self.pg_port),
                    "API_PORT": str(self.api_port),
                    "ETCD_HOSTS": etcd_hosts,
                    "DATA_DIR": str(self.datadir),
                    "BIN_DIR": str(find_bindir()),
                    "SOCKET_DIR": str(self.directory),
                    "CLIENT_NETWORK": "127.0.0.1/32",
                },
            )
        )
        dcs = config["bootstrap"]["dcs"]
        dcs.update(TIMINGS)
        dcs["postgresql"]["parameters"]["fsync"] = "off"
        self.config = self.directory / "patroni.yml"
        self.config.write_text(yaml.safe_dump(config, sort_keys=False))
        _hand_over(self.config)
        self.log = self.directory / "patroni.log"

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": str(self.directory),
            **PASSWORDS,
        }
        user: dict[str, Any] = {}
        if _as_root():
            user = {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["patroni", str(self.config)],
                env=env,
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                **user,
            )

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM to Patroni, as `systemctl stop patroni` does: it stops PostgreSQL (fast
        shutdown) and gives up the leader lease."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)

    def restart_daemon(self) -> None:
        """SIGKILL Patroni alone and start it again: PostgreSQL keeps running and the new
        Patroni adopts it, reading the DCS afresh (what an operator does for a Patroni whose
        view of etcd went stale; SIGTERM would stop PostgreSQL and fail over)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)
        self.start()

    def stale_sync(self) -> bool:
        """Whether this node's latest HA cycles all failed to write the /sync key ("updated
        by someone else" every cycle: seen with Debian's Patroni 3.0.2 after a failover, the
        cluster never healing; PatroniCluster.wait_healthy repairs it)."""
        if not self.log.exists():
            return False
        tail = self.log.read_text(errors="replace").splitlines()[-16:]
        return sum("Synchronous replication key updated by someone else" in t for t in tail) >= 3

    def postmaster(self) -> int:
        return int((self.datadir / "postmaster.pid").read_text().split()[0])

    def kill_postgres(self) -> None:
        """SIGKILL PostgreSQL's postmaster (its backends die as soon as they notice)."""
        os.kill(self.postmaster(), signal.SIGKILL)

    def pause(self) -> None:
        """SIGSTOP Patroni, the postmaster and every one of its processes: the node stops
        answering anything, as a frozen or cut-off machine does."""
        assert self.process is not None
        postmaster = self.postmaster()
        self.paused = [self.process.pid, postmaster, *_children(postmaster)]
        for pid in self.paused:
            _signal(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in reversed(self.paused):
            _signal(pid, signal.SIGCONT)
        self.paused = []

    def url(self, dbname: str = "postgres") -> str:
        password = PASSWORDS["PATRONI_SUPERUSER_PASSWORD"]
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.pg_port}/{dbname}"

    def rewinds(self) -> int:
        """How many times Patroni ran pg_rewind on this node (from its log)."""
        return self.log.read_text(errors="replace").count("running pg_rewind from")

    def unreplicated_commits(self) -> int:
        """Commits PostgreSQL reported done without the synchronous standby's flush: a
        cancel request ended their wait, which PostgreSQL answers with a mere warning.
        (statement_timeout cannot: it is disarmed before the commit waits; the writer's
        watchdog terminates the session instead, and the client then hears an error.)"""
        return self.log.read_text(errors="replace").count(
            "canceling wait for synchronous replication due to user request"
        )

    def terminate(self) -> None:
        self.resume()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if (self.datadir / "postmaster.pid").exists():
            _signal(self.postmaster(), signal.SIGKILL)


# A stuck Patroni that wait_healthy repaired is given this long before another repair.
RESTART_SPACING = 20.0
LEADER_KEY = "/service/stockledger/leader"
SYNC_KEY = "/service/stockledger/sync"


class PatroniCluster:
    """Three etcd members and two Patroni nodes (pg1, pg2) in one temporary directory."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="stockledger-patroni-"))
        _hand_over(self.base)
        self.etcd = [EtcdMember(f"etcd{n}", free_port(), free_port()) for n in (1, 2, 3)]
        self.etcd_hosts = ",".join(f"127.0.0.1:{m.client_port}" for m in self.etcd)
        self.nodes = {
            name: PatroniNode(name, self.base, self.etcd_hosts) for name in ("pg1", "pg2")
        }
        # When wait_healthy last restarted each node's stuck Patroni (monotonic seconds).
        self.restarted: dict[str, float] = {}

    def start(self) -> None:
        cluster = ",".join(f"{m.name}=http://127.0.0.1:{m.peer_port}" for m in self.etcd)
        for member in self.etcd:
            member.start(self.base, cluster)
        self._wait(lambda: all(m.healthy() for m in self.etcd), 60, "etcd healthy")
        self.nodes["pg1"].start()
        self._wait(lambda: self.leader() == "pg1", 90, "pg1 to bootstrap and lead")
        self.nodes["pg2"].start()
        self.wait_healthy(120)

    def members(self) -> list[dict[str, Any]]:
        """Patroni's view of the cluster, from the first node whose REST API answers."""
        for node in self.nodes.values():
            if node.paused or node.process is None or node.process.poll() is not None:
                continue
            try:
                answer = httpx.get(f"{node.api}/cluster", timeout=1)
            except httpx.TransportError:
                continue
            if answer.status_code == 200:
                members: list[dict[str, Any]] = answer.json()["members"]
                return members
        return []

    def leader(self) -> str | None:
        return next((m["name"] for m in self.members() if m["role"] == "leader"), None)

    def streaming_sync(self, leader: str) -> bool:
        """Whether ``leader`` is a writable primary with a synchronous standby streaming."""
        try:
            with psycopg.connect(self.nodes[leader].url(), autocommit=True, connect_timeout=2) as c:
                row = c.execute(
                    "SELECT pg_is_in_recovery(), (SELECT count(*) FROM pg_stat_replication "
                    "WHERE state = 'streaming' AND sync_state = 'sync')"
                ).fetchone()
        except psycopg.Error:
            return False
        return row is not None and not row[0] and int(row[1]) == 1

    def healthy(self) -> bool:
        roles = {m["name"]: (m["role"], m["state"]) for m in self.members()}
        leader = next((n for n, (role, _) in roles.items() if role == "leader"), None)
        return (
            leader is not None
            and len(roles) == 2
            and all(state in ("running", "streaming") for _, state in roles.values())
            and sorted(role for role, _ in roles.values()) == ["leader", "sync_standby"]
            and self.streaming_sync(leader)
        )

    def wait_healthy(self, timeout: float) -> None:
        """Waits for a leader with a synchronous standby streaming. A node whose Patroni
        cannot write the /sync key (``stale_sync``) is repaired as OPERATIONS.md says, said
        on stdout, and the wait goes on; again after RESTART_SPACING seconds if need be:
        when /sync names another leader than the leader key does, /sync is deleted (if
        unchanged since read); otherwise that Patroni's view is stale and it is restarted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return
            for node in self.nodes.values():
                last = self.restarted.get(node.name)
                due = last is None or time.monotonic() - last > RESTART_SPACING
                if not node.paused and due and node.stale_sync():
                    self.restarted[node.name] = time.monotonic()
                    self._repair(node)
            time.sleep(0.2)  # polling interval, not synchronisation
        raise AssertionError(
            f"timed out waiting for a leader and a synchronous standby {self.members()}\n"
            + self.logs()
        )

    def _repair(self, node: PatroniNode) -> None:
        member = next((m for m in self.etcd if m.healthy()), None)
        if member is None:
            return
        leader, sync = member.read(LEADER_KEY), member.read(SYNC_KEY)
        named = json.loads(sync[0]).get("leader") if sync else None
        if leader and sync and named != leader[0]:
            deleted = member.delete_unchanged(SYNC_KEY, sync[1])
            said = f"/sync names {named}, the leader key {leader[0]}"
            print(f"\n{node.name}: {said}; /sync deleted: {deleted}")
        else:
            print(f"\n{node.name}: Patroni stuck on a stale etcd view; restarting it")
            node.restart_daemon()

    def in_recovery(self, name: str) -> bool:
        with psycopg.connect(self.nodes[name].url(), autocommit=True, connect_timeout=2) as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])

    def hosts(self, order: tuple[str, str] = ("pg1", "pg2")) -> str:
        return ",".join(f"127.0.0.1:{self.nodes[n].pg_port}" for n in order)

    def stop(self) -> None:
        for node in self.nodes.values():
            node.terminate()
        for member in self.etcd:
            if member.process is not None and member.process.poll() is None:
                member.process.kill()
                member.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)

    def logs(self) -> str:
        """The /leader and /sync keys as each etcd member holds them and the tail of every
        Patroni log, for a failure message."""
        keys = [member.describe(key) for key in (LEADER_KEY, SYNC_KEY) for member in self.etcd]
        return (
            "\n".join(keys)
            + "\n"
            + "\n".join(
                f"--- {node.name}\n"
                + "\n".join(node.log.read_text(errors="replace").splitlines()[-40:])
                for node in self.nodes.values()
                if node.log.exists()
            )
        )

    def _wait(self, condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)  # polling interval, not synchronisation
        raise AssertionError(f"timed out waiting for {what}\n{self.logs()}")
