"""A/B of ``present.money.with_places`` on the valuation report, same app, same store.

``python -m bench.ab_with_places [COMMIT]`` fills a store of 10,000 positions
(``BENCH_CONSOLE_MOVEMENTS``, default 20,000 movements; 1,000 SKUs x 10 locations), then
asks ``/api/reports/valuation`` for one month 9 times with each implementation,
alternating: this code's and the one at COMMIT (default 664b3c6, before the change),
loaded from ``git show``. Prints both medians, their ratio, and checks the answers are the
same bytes.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

import api.dependencies as dependencies
from api.main import create_app
from bench.bench_console import _store
from bench.common import Report
from bench.generator import HistorySpec
from present.money import with_places

REPO = Path(__file__).resolve().parent.parent


def baseline(commit: str) -> Any:
    """``with_places`` as it was at ``commit``."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{commit}:src/api/money.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "money_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("money_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.with_places


def main(commit: str = "664b3c6") -> None:
    movements = int(os.environ.get("BENCH_CONSOLE_MOVEMENTS", 20_000))
    spec = HistorySpec(movements, skus=1_000, locations=10)
    variants = {"baseline": baseline(commit), "this code": with_places}
    with _store(spec, Report("ab_with_places", False, {})) as (settings, token):
        month = (spec.start + timedelta(days=spec.days) / 2).strftime("%Y-%m")
        path = f"/api/reports/valuation?period={month}"
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(settings)) as client:
            client.get(path, headers=headers)
            timings: dict[str, list[float]] = {name: [] for name in variants}
            bodies: dict[str, bytes] = {}
            for _ in range(9):
                for name, variant in variants.items():
                    dependencies.with_places = variant  # type: ignore[attr-defined]
                    began = time.perf_counter()
                    answer = client.get(path, headers=headers)
                    timings[name].append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200, answer.text[-300:]
                    bodies[name] = answer.content
    assert bodies["baseline"] == bodies["this code"], "the answers differ"
    old, new = (statistics.median(timings[name]) for name in variants)
    print(
        f"valuation {month}, {len(bodies['this code']):,} bytes: baseline {old:.0f} ms, "
        f"this code {new:.0f} ms, ratio {new / old:.2f}"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
