"""The SQL statements one ``POST /api/deliveries`` costs on PostgreSQL, and the CPU, per process.

``python -m bench.statements [COMMIT|-] [DELIVERIES]`` starts a throwaway PostgreSQL with
``log_statement = all`` (every statement a backend executes, simple or extended protocol,
pipelined or not) and a log line prefix naming the connection's ``application_name``:
``serve`` names its connections ``stockledger-api`` and ``stockledger-projector``
(cli/serve.py). For this tree (and COMMIT's ``src`` from ``git archive``, when given) it
starts ``stockledger serve``, receives stock of 200 SKUs, posts 20 warm-up deliveries, waits
until every read model has read the ledger's head, then posts DELIVERIES (default 50) 1-unit
deliveries one at a time (no two in one group commit), waits until the read models have
read them and counts the statements logged in between, per process and per statement text.
It then counts what the processes run on their own (polls) over as long again, idle.

``python -m bench.statements [COMMIT|-] ROUNDS SECONDS`` measures under load instead, on a
durable server with ``pg_stat_statements`` (the statement log off): each round, this tree
and COMMIT in turn take ``wrk``'s 8 connections for SECONDS (bench/loadgen.py); it prints the
CPU per delivery of the API process and of the projector process (``/proc``), of the
PostgreSQL backends of each (by ``application_name``) and of the server's own processes, and
``pg_stat_statements``' calls and execution time per delivery of each statement.
"""

from __future__ import annotations

import os
import re
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
from tests.pgserver import PostgresServer, free_port

from bench import bench_commands, loadgen
from bench.bench_http import cli_key, receive_stock, serving, serving_process, stockledger_env
from bench.common import DURABLE, new_database

SETTINGS = {
    "log_statement": "'all'",
    "log_line_prefix": "'@@%a|%p|'",
    "log_parameter_max_length": "0",
    "log_min_duration_statement": "-1",
}
LOAD_SETTINGS = {"shared_preload_libraries": "'pg_stat_statements'"}
LINE = re.compile(r"^@@([^|]*)\|(\d+)\|(?:LOG|ERROR):\s+(?:execute [^:]+|statement): (.*)$")
QUIET = 1.0  # seconds after the warm-up deliveries


def log_size(server: PostgresServer) -> int:
    return (server.basedir / "server.log").stat().st_size if server.basedir else 0


def statements(server: PostgresServer, start: int, end: int) -> Counter[tuple[str, str]]:
    """(application, statement) → count, logged between byte offsets ``start`` and ``end``."""
    assert server.basedir is not None
    with (server.basedir / "server.log").open("rb") as log:
        log.seek(start)
        text = log.read(end - start).decode(errors="replace")
    found: Counter[tuple[str, str]] = Counter()
    current: list[str] | None = None
    app = ""

    def flush() -> None:
        if current is not None:
            found[(app, _normal(" ".join(current)))] += 1

    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            flush()
            app, current = match.group(1) or "(unnamed)", [match.group(3)]
        elif line.startswith("\t") and current is not None:
            current.append(line.strip())
        else:
            flush()
            current = None
    flush()
    return found


def _normal(statement: str) -> str:
    text = re.sub(r"\s+", " ", statement).strip()
    text = re.sub(r"'[0-9a-f-]{8,}'", "'…'", text)
    return text if len(text) <= 110 else text[:107] + "…"


def caught_up(server: PostgresServer, url: str) -> int:
    """Waits until every read model's position is the ledger's head; the log's size then
    (this connection's own statements are logged under ``bench`` and left out)."""
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True, application_name="bench") as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT (SELECT max(notification_id) FROM ledger_events),"
                " (SELECT min(position) FROM rm_registry)"
            ).fetchone()
            if row is not None and row[0] is not None and row[1] is not None and row[1] >= row[0]:
                return log_size(server)
            time.sleep(0.02)
    raise RuntimeError("the read models did not catch up within 60 s")


def post(base: str, token: str, count: int, tag: str) -> float:
    """``count`` 1-unit deliveries, one at a time; the seconds they took."""
    started = time.monotonic()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        for n in range(count):
            body = {"delivery_id": f"D-{tag}-{n}", "location": "main",
                    "lines": [{"sku": f"W{n % 200}", "quantity": "1"}]}  # fmt: skip
            answer = http.post("/api/deliveries", json=body, timeout=30)
            if answer.status_code != 201:
                raise RuntimeError(f"delivery: {answer.status_code} {answer.text[:300]}")
    return time.monotonic() - started


def serve_command(
    server: PostgresServer, source: Path | None
) -> tuple[list[str], dict[str, str], int, str]:
    """``stockledger serve`` on a new database of ``server`` (the code of ``source`` first on
    the path when given): its command line, environment, port and the database's URL."""
    url = new_database(server)
    env = stockledger_env(url)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    port = free_port()
    script = str(Path(sys.executable).parent / "stockledger")
    return [script, "serve", "--port", str(port)], env, port, url


def count(server: PostgresServer, name: str, source: Path | None, deliveries: int) -> None:
    with ExitStack() as stack:
        command, env, port, url = serve_command(server, source)
        base = stack.enter_context(serving(command, env, port))
        token = cli_key(env)
        receive_stock(base, token)
        tag = uuid.uuid4().hex[:6]
        post(base, token, 20, f"{tag}-warm")
        time.sleep(QUIET)
        start = caught_up(server, url)
        began = time.monotonic()
        seconds = post(base, token, deliveries, tag)
        end = caught_up(server, url)
        window = time.monotonic() - began
        busy = statements(server, start, end)
        time.sleep(window)
        idle = statements(server, end, log_size(server))
    busy.pop(("bench", ""), None)
    print(f"\n== {name}: {deliveries} deliveries posted one at a time ({seconds:.2f} s; "
          f"caught up after {window:.2f} s)")  # fmt: skip
    per_app: Counter[str] = Counter()
    for (app, text), n in sorted(busy.items(), key=lambda kv: (kv[0][0], -kv[1])):
        if app == "bench":
            continue
        per_app[app] += n
        print(f"{app:24} {n / deliveries:6.2f}  {text}")
    for app, n in sorted(per_app.items()):
        print(f"{name}: {app}: {n / deliveries:.2f} statements per delivery")
    idle_total: Counter[str] = Counter()
    for (app, _), n in idle.items():
        if app != "bench":
            idle_total[app] += n
    for app, n in sorted(idle_total.items()):
        print(
            f"{name}: {app}: {n} statements in the next {window:.2f} s, idle (included above "
            "for the same length of time)"
        )


def backend_ticks(url: str) -> dict[str, int]:
    """CPU ticks of the server's processes by what they serve: each client's
    application_name, or the server's own processes (``server``: postmaster, WAL writer,
    checkpointer, …)."""
    with psycopg.connect(url, autocommit=True, application_name="bench") as conn:
        names = {int(pid): str(app or "") for pid, app in conn.execute(
            "SELECT pid, application_name FROM pg_stat_activity")}  # fmt: skip
        root = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        parent = loadgen._stat(root)
    assert parent is not None
    postmaster = parent[0]
    found: Counter[str] = Counter()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := loadgen._stat(int(entry))) is not None:
            pid = int(entry)
            if pid == postmaster or stat[0] == postmaster:
                found[names.get(pid) or "server"] += stat[1]
    return found


def under_load(server: PostgresServer, name: str, source: Path | None, seconds: float) -> None:
    """wrk's 8 connections for ``seconds`` (statement log off): CPU per delivery of each
    process of serve and of each kind of PostgreSQL process, and pg_stat_statements."""
    with ExitStack() as stack:
        command, env, port, url = serve_command(server, source)
        base, process = stack.enter_context(serving_process(command, env, port))
        token = cli_key(env)
        receive_stock(base, token)
        tag = uuid.uuid4().hex[:6]
        loadgen.drive(f"{base}/api/deliveries", 2, {}, token=token, tag=f"{tag}-w",
                      env={"WRK_SKUS": "200"})  # fmt: skip
        with psycopg.connect(url, autocommit=True, application_name="bench") as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
        children = {pid: _role(pid) for pid in _children(process.pid)}
        before = {pid: _ticks(pid) for pid in children}
        pg_before = backend_ticks(url)
        measured = loadgen.drive(f"{base}/api/deliveries", seconds, {"serve": process.pid},
                                 token=token, tag=tag, env={"WRK_SKUS": "200"})  # fmt: skip
        pg_after = backend_ticks(url)
        after = {pid: _ticks(pid) for pid in children}
        with psycopg.connect(url, autocommit=True, application_name="bench") as conn:
            rows = conn.execute(
                "SELECT calls, total_exec_time, query FROM pg_stat_statements"
                " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " ORDER BY total_exec_time DESC").fetchall()  # fmt: skip
    n = measured.wrk.requests
    print(
        f"\n== {name}: wrk 8 connections {seconds:g} s: {n} deliveries, "
        f"{measured.wrk.rate:.1f}/s, machine idle {measured.idle * 100:.0f} %"
    )
    tick_ms = 1000 / loadgen.TICK
    for pid, role in children.items():
        print(
            f"{name}: CPU per delivery, {role}: {(after[pid] - before[pid]) * tick_ms / n:.3f} ms"
        )
    print(
        f"{name}: CPU per delivery, serve and children: {measured.ms_per_request('serve'):.3f} ms"
    )
    for app in sorted(set(pg_before) | set(pg_after)):
        if app == "bench":
            continue
        used = (pg_after.get(app, 0) - pg_before.get(app, 0)) * tick_ms / n
        print(f"{name}: PostgreSQL CPU per delivery, {app or 'server'}: {used:.3f} ms")
    for calls, total, query in rows:
        if "pg_stat" in query or "pg_backend_pid" in query:
            continue
        print(f"{calls / n:7.3f} calls {total * 1000 / n:7.1f} µs exec  {_normal(query)}")


def _ticks(pid: int) -> int:
    stat = loadgen._stat(pid)
    return stat[1] if stat else 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := loadgen._stat(int(entry))) is not None and stat[0] == pid:
            found.append(int(entry))
    return [pid, *found]


def _role(pid: int) -> str:
    words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return "projector" if b"projector" in words else "api (serve)"


def main(argv: list[str]) -> None:
    commit = argv[0] if argv and argv[0] != "-" else None
    deliveries = int(argv[1]) if len(argv) > 1 else 50
    seconds = float(argv[2]) if len(argv) > 2 else 0.0
    if seconds:
        with PostgresServer({**DURABLE, **LOAD_SETTINGS}) as server, ExitStack() as stack:
            source = None
            if commit is not None:
                bench_commands.BASELINE = commit
                source = stack.enter_context(bench_commands.baseline_source())
            for _ in range(deliveries):
                under_load(server, "this tree", None, seconds)
                if source is not None:
                    under_load(server, commit or "", source, seconds)
        return
    with PostgresServer(SETTINGS) as server, ExitStack() as stack:
        count(server, "this tree", None, deliveries)
        if commit is not None:
            bench_commands.BASELINE = commit
            source = stack.enter_context(bench_commands.baseline_source())
            if source is None:
                raise SystemExit(f"no git archive of {commit}")
            count(server, commit, source, deliveries)


if __name__ == "__main__":
    main(sys.argv[1:])
