"""The C load generator of ``bench http``: ``wrk`` with a Lua script, and CPU per process.

``drive`` runs ``wrk --latency`` against a URL for a fixed time and parses its report
(requests/s, the latency percentiles, non-2xx responses, socket errors). Around the run it
reads the CPU time (utime + stime, and cutime + cstime of reaped children) of every process
of each named group from ``/proc/<pid>/stat`` — a group is a root process and all its
descendants, e.g. ``serve`` and its projector, or the postmaster and every backend — and the
machine's idle time from ``/proc/stat``; wrk's own CPU comes from its rusage (``wait4``).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "wrk"
TICK = os.sysconf("SC_CLK_TCK")
SOCKET_ERRORS = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class WrkError(RuntimeError):
    """wrk failed, or its run had errors (a run with errors is not a figure)."""


@dataclass
class WrkReport:
    requests: int
    rate: float  # requests/s, as wrk reports it
    percentiles: dict[int, float]  # ms, 50/75/90/99
    non_2xx: int
    socket_errors: int


@dataclass
class Measured:
    """One measured run: wrk's report and the CPU seconds of each group over its window."""

    wrk: WrkReport
    cpu: dict[str, float] = field(default_factory=dict)
    idle: float = 0.0  # fraction of the machine's CPU time idle over the window
    wall: float = 0.0  # seconds of the window (from /proc/stat jiffies over the cores)

    def ms_per_request(self, group: str) -> float:
        return self.cpu[group] * 1000 / max(1, self.wrk.requests)

    def ms_per_request_all(self) -> float:
        """CPU ms per request of every group measured (and wrk) together."""
        return sum(map(self.ms_per_request, self.cpu))


def parse(text: str) -> WrkReport:
    """wrk 4's text report with ``--latency``."""
    done = re.search(r"^\s*(\d+) requests in ", text, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if done is None or rate is None:
        raise WrkError(f"not a wrk report:\n{text[-2000:]}")
    percentiles = {
        int(pct): float(value) * UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(SOCKET_ERRORS, text)
    return WrkReport(
        requests=int(done.group(1)),
        rate=float(rate.group(1)),
        percentiles=percentiles,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks of the process and of its reaped children), None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    return int(fields[1]), sum(int(n) for n in fields[11:15])


def tree_ticks(root: int) -> int:
    """CPU ticks of ``root`` and every live descendant (exited ones are in cutime/cstime)."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            stats[int(entry)] = stat
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            todo.extend(children.get(pid, ()))
    return total


def machine_ticks() -> tuple[int, int]:
    """(idle + iowait, all) jiffies of the machine, from /proc/stat."""
    values = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return values[3] + values[4], sum(values[:8])


def postmaster_pid(datadir: Path) -> int:
    return int((datadir / "postmaster.pid").read_text().splitlines()[0])


def drive(
    url: str,
    seconds: float,
    groups: dict[str, int],
    *,
    token: str,
    tag: str,
    connections: int = 8,
    threads: int = 2,
    script: str = "deliveries.lua",
    env: dict[str, str] | None = None,
) -> Measured:
    """Runs wrk for ``seconds`` against ``url``; measures the CPU of each group (root pid)."""
    command = [
        "wrk", "--latency", "-t", str(threads), "-c", str(connections),
        "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", str(SCRIPTS / script), "-H", f"Authorization: Bearer {token}", url,
    ]  # fmt: skip
    wrk_env = {**os.environ, **(env or {}), "WRK_TAG": tag}
    before = {name: tree_ticks(pid) for name, pid in groups.items()}
    idle_before, all_before = machine_ticks()
    process = subprocess.Popen(
        command, env=wrk_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    with process.stdout:
        output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    idle_after, all_after = machine_ticks()
    after = {name: tree_ticks(pid) for name, pid in groups.items()}
    if process.returncode != 0:
        raise WrkError(f"wrk exited {process.returncode}:\n{output[-2000:]}")
    report = parse(output)
    if report.non_2xx or report.socket_errors:
        raise WrkError(
            f"{report.non_2xx} non-2xx responses, {report.socket_errors} socket errors "
            f"against {url}: a run with errors is not a figure"
        )
    cpu = {name: (after[name] - before[name]) / TICK for name in groups}
    cpu["wrk"] = usage.ru_utime + usage.ru_stime
    elapsed = max(1, all_after - all_before)
    return Measured(
        wrk=report,
        cpu=cpu,
        idle=(idle_after - idle_before) / elapsed,
        wall=elapsed / TICK / (os.cpu_count() or 1),
    )
