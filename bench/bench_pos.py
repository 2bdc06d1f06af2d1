"""pos: a POS burst over HTTP on PostgreSQL (SPEC §17) — what owing costs a ticket.

``stockledger serve`` runs as a subprocess over its own PostgreSQL database; ``wrk`` (one
thread and one connection per outlet, 8 outlets) posts tickets of 3 lines × 3 ingredients
(9 movements each) from a Lua script, each outlet at its own location so outlets never
contend on a position. Two phases in the same run on the same server: every ingredient on
hand, then 10 % of the tickets owing (their third dish uses an oil the outlet has never
received: consumed from nothing, an OWED movement instead of a CONSUME). Reported:
tickets/s and p99 of each phase and their ratio (target: owing ≤ 1.2× a normal ticket).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.bench_http import served
from bench.common import Report, database, median

OUTLETS = 8
TARGET = 1.2  # owing may cost at most 1.2× a ticket with stock on hand
DISHES = {
    "dish-a": ["A1", "A2", "A3"],
    "dish-b": ["B1", "B2", "B3"],
    "dish-c": ["C1", "C2", "C3"],
    "dish-late": ["C1", "C2", "LATE"],  # LATE is never received at an outlet: owed
}
SCRIPT = """
local token, phase = "%(token)s", "%(phase)s"
local counter, id = 0, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  counter = counter + 1
  local third = "dish-c"
  if phase == "owing" and counter %% 10 == 0 then third = "dish-late" end
  local outlet = "outlet-" .. id
  local body = '{"sale_id":"' .. phase .. "-" .. id .. "-" .. counter ..
    '","location":"' .. outlet .. '","lines":[' ..
    '{"menu_item":"dish-a","quantity":"1","unit_price":"9.50"},' ..
    '{"menu_item":"dish-b","quantity":"2","unit_price":"4.00"},' ..
    '{"menu_item":"' .. third .. '","quantity":"1","unit_price":"12.00"}]}'
  return wrk.format(nil, "/api/sales", nil, body)
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"non2xx": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def setup(base: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        skus = sorted({sku for lines in DISHES.values() for sku in lines} - {"LATE"})
        for index in range(OUTLETS):
            stock = [{"sku": s, "quantity": "10000000", "unit_cost": "2.50"} for s in skus]
            body = {"receipt_id": f"R-{index}", "location": f"outlet-{index}", "lines": stock}
            http.post("/api/receipts", json=body).raise_for_status()
        late = [{"sku": "LATE", "quantity": "1", "unit_cost": "30"}]  # known, never at an outlet
        http.post(
            "/api/receipts", json={"receipt_id": "R-late", "location": "main", "lines": late}
        ).raise_for_status()
        for dish, lines in DISHES.items():
            spec = {"name": dish, "lines": [{"sku": s, "quantity": "0.1"} for s in lines]}
            http.put(f"/api/recipes/{dish}", json=spec).raise_for_status()


def burst(base: str, token: str, phase: str, seconds: float, run: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT % {"token": token, "phase": f"{phase}{run}"})
    command = [
        "wrk",
        f"-t{OUTLETS}",
        f"-c{OUTLETS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        script.name,
        base,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if found["non2xx"] or found["errors"]:
        raise RuntimeError(f"{phase}: {found['non2xx']} non-2xx, {found['errors']} errors")
    found["rate"] = found["requests"] / (found["duration_us"] / 1e6)
    return found


def run(*, quick: bool, runs: int | None) -> Report:
    seconds = 3 if quick else 20
    runs = runs or (1 if quick else 3)
    report = Report("pos", quick, {"outlets": OUTLETS, "seconds": seconds, "runs": runs})
    found: dict[str, list[dict[str, Any]]] = {"stocked": [], "owing": []}
    with database() as url, served(url) as (base, token):
        setup(base, token)
        for number in range(runs):  # the order alternates, so drift falls on both
            order = list(found) if number % 2 == 0 else list(reversed(found))
            for phase in order:
                found[phase].append(burst(base, token, phase, seconds, number))
    rate = {phase: median([f["rate"] for f in runs_]) for phase, runs_ in found.items()}
    p99 = {phase: median([f["p99_us"] / 1000 for f in runs_]) for phase, runs_ in found.items()}
    cost = rate["stocked"] / rate["owing"]  # time per ticket, owing against stocked
    report.add(
        f"{OUTLETS} outlets: tickets of 3 lines × 3 ingredients, 10 % owing",
        rate["owing"],
        "tickets/s",
        baseline=rate["stocked"],
        target="cost ≤ 1.2×",
        met=cost <= TARGET,
        note=f"median of {runs}; baseline: the same tickets, all on hand; cost {cost:.2f}×",
    )
    report.add(
        "ticket latency p99, 10 % owing",
        p99["owing"],
        "ms",
        baseline=p99["stocked"],
        target="≤ 1.2×",
        met=p99["owing"] <= TARGET * p99["stocked"],
        note="wrk's p99 (one connection per outlet)",
    )
    report.extra["phases"] = found
    report.finish()
    return report
