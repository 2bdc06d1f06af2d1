"""feed: event feed pages/s, SSE fan-out to many subscribers, webhook deliveries/s.

On PostgreSQL. The ledger is seeded with receipts of ten lines (eleven published events
each). Pages: ``GET /api/events?limit=100`` read back to back from a ``stockledger serve``
subprocess (and ``Feed.page`` in-process). Fan-out: that server streams to N subscribers
(``/api/events/stream``, asyncio clients in this process) while receipts are posted; events/s
is N × events ÷ the time until every subscriber had every event; CPU is the server's
(utime + stime from /proc), busy and with the subscribers idle. Webhooks: a deliverer in this
process sends the seeded events to a local receiver (http.server) that answers 200.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from tests.pgserver import free_port
from tests.receiver import Receiver, allow_loopback, wait_for

from application.commands import PostReceipt, ReceiptLine
from application.events import LedgerEvents
from application.ledger import Ledger
from application.settings import Settings
from bench.common import Report, new_database, postgres, settings_for
from feed.delivery import Deliverer, DeliverySettings
from feed.events import Feed
from feed.waiter import HeadWaiter
from feed.webhooks import Webhooks
from projections.db import Database

LINES = 10


def seed(ledger: Ledger, receipts: int, tag: str) -> None:
    for n in range(receipts):
        lines = [ReceiptLine(f"S-{tag}-{k}", Decimal(5), Decimal("2.5")) for k in range(LINES)]
        ledger.execute(PostReceipt(f"R-{tag}-{n}", "main", lines), user="bench")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(settings: Settings) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLEDGER_")}
    env |= {
        "STOCKLEDGER_DATABASE_URL": str(settings.database_url),
        "STOCKLEDGER_DATA_DIR": str(settings.data_dir),
    }
    binary = str(Path(sys.executable).parent / "stockledger")
    process = subprocess.Popen(
        [binary, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(healthy, 30, "the server")
    return process, url


async def subscriber(url: str, token: str, after: int, count: int, ready: Any) -> float:
    got = 0
    async with (
        httpx.AsyncClient(timeout=120) as client,
        client.stream(
            "GET",
            f"{url}/api/events/stream",
            params={"after": after},
            headers={"Authorization": f"Bearer {token}"},
        ) as answer,
    ):
        ready()
        async for line in answer.aiter_lines():
            if line.startswith("id:"):
                got += 1
                if got == count:
                    return time.perf_counter()
    return time.perf_counter()


async def fan_out(
    url: str, token: str, ledger: Ledger, subscribers: int, receipts: int, pid: int
) -> dict[str, float]:
    after = ledger.head()
    count = receipts * (LINES + 1)
    opened = 0

    def ready() -> None:
        nonlocal opened
        opened += 1

    tasks = [
        asyncio.create_task(subscriber(url, token, after, count, ready)) for _ in range(subscribers)
    ]
    while opened < subscribers:
        await asyncio.sleep(0.05)
    idle_cpu = cpu_seconds(pid)
    await asyncio.sleep(5)  # every subscriber connected and idle
    idle = (cpu_seconds(pid) - idle_cpu) / 5
    busy_cpu = cpu_seconds(pid)
    started = time.perf_counter()
    await asyncio.to_thread(seed, ledger, receipts, "fan")
    done = await asyncio.gather(*tasks)
    elapsed = max(done) - started
    return {
        "events_per_s": subscribers * count / elapsed,
        "elapsed": elapsed,
        "busy_cpu": (cpu_seconds(pid) - busy_cpu) / elapsed,
        "idle_cpu": idle,
        "events": count,
    }


def run(quick: bool = False, runs: int | None = None) -> Report:
    receipts = 20 if quick else 500
    subscribers = 10 if quick else 200
    report = Report("feed", quick, params={"receipts": receipts, "subscribers": subscribers})
    with postgres() as server:
        settings = settings_for(new_database(server, "feed"))
        ledger = Ledger(settings)
        try:
            seed(ledger, receipts, "seed")
            head = ledger.head()
            feed = Feed(ledger, settings.currency_decimals)
            started, after, pages = time.perf_counter(), 0, 0
            while after < head:
                after = feed.page(after, 100).next
                pages += 1
            report.add(
                "feed pages/s in-process (100 events)",
                pages / (time.perf_counter() - started),
                "pages/s",
            )

            token = ledger.issue_key("bench", "finance", issued_by="bench")[1]
            process, url = serve(settings)
            try:
                with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
                    started, after, pages = time.perf_counter(), 0, 0
                    while after < head:
                        answer = client.get(
                            f"{url}/api/events", params={"after": after, "limit": 100}
                        )
                        after = answer.json()["next"]
                        pages += 1
                    rate = pages / (time.perf_counter() - started)
                report.add("feed pages/s over HTTP (100 events)", rate, "pages/s")
                fan = asyncio.run(
                    fan_out(url, token, ledger, subscribers, 5 if quick else 40, process.pid)
                )
                report.add(
                    f"SSE events/s delivered to {subscribers} subscribers",
                    fan["events_per_s"],
                    "events/s",
                    note=f"{int(fan['events'])} events each in {fan['elapsed']:.2f} s",
                )
                report.add("server CPU while streaming", fan["busy_cpu"] * 100, "% of a core")
                report.add(
                    f"server CPU, {subscribers} idle subscribers",
                    fan["idle_cpu"] * 100,
                    "% of a core",
                )
            finally:
                process.terminate()
                process.wait(timeout=30)

            report.add(*deliveries(settings, ledger, head))
        finally:
            ledger.close()
    report.finish()
    return report


def deliveries(settings: Settings, ledger: Ledger, head: int) -> tuple[str, float, str]:
    db = Database(settings)
    feed = Feed(ledger, settings.currency_decimals)
    waiter = HeadWaiter(LedgerEvents(ledger), db.dialect)
    webhooks = Webhooks(db, allow_loopback(settings))  # the receiver is on 127.0.0.1
    deliverer = Deliverer(webhooks, feed, waiter, db, DeliverySettings())
    try:
        with Receiver() as receiver:
            created = webhooks.create(receiver.url, [], None, "bench", 0)
            receiver.secret = str(created["secret"])
            started = time.perf_counter()
            waiter.start()
            deliverer.start()
            wait_for(lambda: max(receiver.acknowledged, default=0) >= head, 600, "deliveries")
            elapsed = time.perf_counter() - started
            rate = len([p for p in receiver.acknowledged if p <= head]) / elapsed
    finally:
        deliverer.stop()
        waiter.stop()
        db.close()
    return ("webhook deliveries/s to a local receiver", rate, "deliveries/s")
