"""``stockledger serve``: the API in one or several processes, the projectors in their own.

On PostgreSQL, with the projectors on (``STOCKLEDGER_RUN_PROJECTORS``, the default), the
projectors do not share the API's GIL: ``serve`` supervises one projector process (the
`projections run` worker, webhook delivery included), restarting it a second after it
exits for any reason, however many API processes there are. SQLite keeps them in-process.

``--workers N`` (PostgreSQL) runs N API processes, each with its own listening socket on the
same port (``SO_REUSEPORT``): the kernel spreads new connections across them, where one
shared socket let every keep-alive connection land on whichever process accepted first.
They are supervised like the projector. ``--metrics-port P`` gives process i the keyless
/metrics listener on P + i (one scrape target per process).

Every child reads its stdin, a pipe from ``serve``: EOF means ``serve`` is gone (even by
SIGKILL), and the child stops rather than live on as an orphan.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from application.settings import Settings

log = logging.getLogger("stockledger.serve")

RESTART_DELAY = 1.0  # seconds between a child's exit and its restart
STOP_TIMEOUT = 20.0  # seconds a child has to stop on SIGTERM before it is killed
TENANT_POLL = 2.0  # seconds between the projector process's looks for new tenants


class Supervised:
    """One child process kept running until ``stop``: restarted whenever it exits."""

    def __init__(self, name: str, command: Sequence[str], env: dict[str, str]) -> None:
        self.name = name
        self.command = list(command)
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep, daemon=True, name=f"supervise-{name}")

    def start(self) -> Supervised:
        """Starts the child and returns once its start is logged."""
        self._thread.start()
        self._started.wait(STOP_TIMEOUT)
        return self

    def _keep(self) -> None:
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = subprocess.Popen(self.command, env=self.env, stdin=subprocess.PIPE)
                process = self.process
            log.info(json.dumps({"process": self.name, "pid": process.pid, "event": "started"}))
            self._started.set()
            code = process.wait()
            if self._stopping.is_set():
                return
            log.warning(
                json.dumps(
                    {"process": self.name, "pid": process.pid, "event": "exited", "code": code}
                )
            )
            self._stopping.wait(RESTART_DELAY)

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout=STOP_TIMEOUT)


def _child(role: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli.serve", role, *args]


def child_env(tenant: str | None, kind: str, **settings: str) -> dict[str, str]:
    """The environment of a child: this one's, the tenant served and ``settings``; its
    PostgreSQL connections are named ``stockledger-<kind>`` (pg_stat_activity's
    application_name, through libpq's PGAPPNAME)."""
    env = dict(os.environ)
    env.pop("STOCKLEDGER_TENANT", None)
    if tenant is not None:
        env["STOCKLEDGER_TENANT"] = tenant
    env["PGAPPNAME"] = f"stockledger-{kind}"
    env.update({f"STOCKLEDGER_{k.upper()}": v for k, v in settings.items()})
    return env


def buffer_log_lines() -> None:
    """The root logger's stream handlers become ``api.observe.LineBuffer``s on the same
    streams, with the same format: lines written in chunks, not one write and flush each."""
    from api.observe import LineBuffer

    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            buffered = LineBuffer(handler.stream)
            buffered.setFormatter(handler.formatter)
            buffered.setLevel(handler.level)
            root.removeHandler(handler)
            root.addHandler(buffered)


def prepare(settings: Settings, workers: int, tenant: str | None) -> None:
    """Before ``serve`` opens anything: buffers its log lines, names this process's
    PostgreSQL connections, and refuses to start (exit 1, naming the settings) when the
    connections ``serve`` may hold at worst do not fit in what a cluster allows
    (tenancy.capacity)."""
    from cli.context import fail
    from tenancy.capacity import refusal

    buffer_log_lines()
    os.environ["PGAPPNAME"] = "stockledger-api" if workers == 1 else "stockledger-serve"
    why = refusal(settings, workers, tenant)
    if why is not None:
        raise fail(why)


def projector_settings(settings: Settings) -> Settings:
    """What the projector process runs with: for every store, one pool of
    ``projector_pool_size`` connections, the event store's, which the read models borrow
    (its runners, webhooks and registry look-ups: ``Composition(shared=True)``)."""
    size = settings.projector_pool_size
    return settings.model_copy(update={"pool_size": size, "pool_max_overflow": 0})


def projector(settings: Settings, tenant: str | None = None) -> Supervised | None:
    """The supervised projector process, where the stores served (the home store and every
    tenant, or ``tenant`` alone) run projectors and webhook delivery out of the API."""
    if not (settings.is_postgres and settings.run_projectors):
        return None
    env = child_env(tenant, "projector")
    return Supervised("projector", _child("projector"), env).start()


def api_settings(settings: Settings) -> Settings:
    """What an API process runs with: no projectors of its own beside a projector process."""
    if settings.is_postgres:
        return settings.model_copy(update={"run_projectors": False})
    return settings


def api_workers(
    host: str, port: int, workers: int, metrics_port: int | None, tenant: str | None = None
) -> list[Supervised]:
    """``workers`` supervised API processes sharing ``port`` through SO_REUSEPORT."""
    env = child_env(tenant, "api", run_projectors="false")  # several API processes: PostgreSQL
    # One console secret for all of them (a session opened on one is valid on the next); unset,
    # this run draws one, so sessions end when serve restarts, as with one process.
    env.setdefault("STOCKLEDGER_CONSOLE_SECRET", secrets.token_urlsafe(32))
    children = []
    for index in range(workers):
        args = ["--host", host, "--port", str(port)]
        if metrics_port is not None:
            args += ["--metrics-port", str(metrics_port + index)]
        children.append(Supervised(f"api-{index}", _child("api", *args), env).start())
    return children


def wait_for_signal() -> None:
    """Blocks until SIGTERM or SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def listener(host: str, port: int) -> socket.socket:
    """A listening socket on ``port`` that other processes may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _on_parent_exit(stop: Callable[[], None]) -> None:
    """Calls ``stop`` once stdin (a pipe from ``serve``) reaches EOF."""

    def watch() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        stop()

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def settle_gc(threshold: int, process: str) -> None:
    """Freezes the objects made at start-up (the app, its routes and models, the caches'
    first fill) out of the cyclic collector's sight and raises its thresholds: a full
    collection over them stopped a busy API process for up to 0.1 s (docs/DECISIONS.md
    "Garbage collection in serve"). ``threshold`` 0 leaves Python's defaults."""
    if not threshold:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 50, 100)
    frozen = gc.get_freeze_count()
    log.info(json.dumps({"process": process, "pid": os.getpid(), "event": "gc", "frozen": frozen}))


def _run_api(host: str, port: int, metrics_port: int | None) -> None:
    import uvicorn

    from api.main import create_app
    from api.metrics import serve_metrics

    tenant = _tenant()
    application = create_app(_settings(tenant), tenant=tenant)
    stop_metrics = None
    if metrics_port is not None:
        stop_metrics = serve_metrics(application.state.metrics, host, metrics_port)
    _on_parent_exit(lambda: os.kill(os.getpid(), signal.SIGTERM))
    settle_gc(application.state.settings.gc_threshold, "api")
    config = uvicorn.Config(application, access_log=False, log_level="info")
    try:
        uvicorn.Server(config).run(sockets=[listener(host, port)])
    finally:
        if stop_metrics is not None:
            stop_metrics()


def _tenant() -> str | None:
    return os.environ.get("STOCKLEDGER_TENANT") or None


def _settings(tenant: str | None) -> Settings:
    from cli.context import tenant_settings

    return tenant_settings(tenant)


def _run_projector() -> None:
    """Projectors and webhook delivery of every store served: the home store's and each
    registered tenant's (a tenant registered later is picked up within TENANT_POLL seconds),
    or the one tenant's of ``serve --tenant``."""
    from tenancy.compositions import Composition, Tenancy
    from tenancy.registry import TenantRegistry

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    _on_parent_exit(stop.set)
    tenant = _tenant()
    settings = projector_settings(_settings(tenant))
    os.nice(settings.projector_nice)  # docs/DECISIONS.md "… a yielding projector"
    home = Composition(settings, tenant, shared=True)
    registry = None if tenant else TenantRegistry(home.read_models.db)
    tenancy = Tenancy(settings, home, registry, shared=True)
    try:
        tenancy.start()
        settle_gc(settings.gc_threshold, "projector")
        while not stop.wait(TENANT_POLL):
            tenancy.open_registered()
    finally:
        tenancy.stop()


def main(argv: list[str] | None = None) -> int:
    """A child of ``serve``: ``api --host H --port P [--metrics-port M]`` or ``projector``."""
    parser = argparse.ArgumentParser(prog="python -m cli.serve")
    roles = parser.add_subparsers(dest="role", required=True)
    api = roles.add_parser("api")
    api.add_argument("--host", required=True)
    api.add_argument("--port", type=int, required=True)
    api.add_argument("--metrics-port", type=int, default=None)
    roles.add_parser("projector")
    args: Any = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    buffer_log_lines()
    if args.role == "api":
        _run_api(args.host, args.port, args.metrics_port)
    else:
        _run_projector()
    return 0


if __name__ == "__main__":
    sys.exit(main())
