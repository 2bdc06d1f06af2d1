"""How long until the read models show a command, while ``serve`` is under the http load.

``python -m bench.probe_lag [SECONDS] [NICE ...]`` (default: 20 s, nice 0 then 10, twice)
starts ``stockledger serve`` on a durable PostgreSQL once per value of
``STOCKLEDGER_PROJECTOR_NICE``, loads it with the ``http`` bench's 8 clients and, beside
them, posts a probe receipt every 0.3 s and polls ``GET /api/projections`` every 5 ms
until every projection has reached the receipt's position. Prints the load's rate and the
probe's median, p90 and largest lag (ms) per run.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from tests.pgserver import free_port

from bench.bench_http import cli_key, serving, stockledger_env
from bench.common import new_database, percentile, postgres
from bench.http_clients import load


def probe(url: str, token: str, loading: threading.Thread) -> list[float]:
    """Lags (ms) of receipts posted every 0.3 s while ``loading`` runs."""
    lags: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        time.sleep(1.5)  # past the clients' warm-up
        number = 0
        while loading.is_alive():
            line = {"sku": "PROBE", "quantity": "1", "unit_cost": "1"}
            body = {"receipt_id": f"P{number}", "location": "main", "lines": [line]}
            position = http.post("/api/receipts", json=body).json()["position"]
            done = time.perf_counter()
            number += 1
            while min(p["position"] for p in http.get("/api/projections").json()) < position:
                time.sleep(0.005)
            if loading.is_alive():
                lags.append((time.perf_counter() - done) * 1000)
            time.sleep(0.3)
    return lags


def _load(url: str, token: str, seconds: float, rate: list[float]) -> None:
    rate.append(load(url, token, seconds, 10**6)[0])


def main(argv: list[str]) -> None:
    seconds = float(argv[0]) if argv else 20.0
    nices = argv[1:] or ["0", "10", "0", "10"]
    os.environ["BENCH_DURABLE"] = "1"
    script = str(Path(sys.executable).parent / "stockledger")
    with postgres() as server:
        for nice in nices:
            with ExitStack() as stack:
                env = stockledger_env(new_database(server))
                env["STOCKLEDGER_PROJECTOR_NICE"] = nice
                token, port = cli_key(env), free_port()
                command = [script, "serve", "--port", str(port)]
                url = stack.enter_context(serving(command, env, port))
                rate: list[float] = []
                loading = threading.Thread(target=_load, args=(url, token, seconds, rate))
                loading.start()
                lags = probe(url, token, loading)
                loading.join()
                print(
                    f"nice {nice}: {rate[0]:.1f} commands/s; lag median "
                    f"{statistics.median(lags):.1f} ms, p90 {percentile(lags, 90):.1f}, "
                    f"max {max(lags):.1f} ({len(lags)} probes)",
                    flush=True,
                )


if __name__ == "__main__":
    main(sys.argv[1:])
