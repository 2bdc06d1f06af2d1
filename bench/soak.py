"""soak: ``python -m bench.soak [--seconds 60] [--clients 16]`` — a random mixed load against a
real ``stockledger serve`` on a throwaway PostgreSQL, then checks: no 5xx, every acknowledged
(2xx) document is in the ledger (the ``document.posted`` feed, or its own GET), and
``stockledger verify`` exits 0. Exit 1 on any failure; prints a one-line summary."""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from tests.pgserver import free_port

from bench.bench_http import cli_key, serving, stockledger_env
from bench.common import new_database, postgres

SCRIPT = str(Path(sys.executable).parent / "stockledger")
SKUS = [f"S{n}" for n in range(12)]
PLACES = ("main", "bar")
MENU = ("M0", "M1", "M2")
OWN_GET = {"quote": "/api/quotes/{}", "po": "/api/purchase-orders/{}"}
statuses: Counter[int] = Counter()
acked: list[tuple[str, str]] = []
accepted_bad: Counter[str] = Counter()
lock = threading.Lock()


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def lines(n: int = 2, cost: bool = False) -> list[dict[str, str]]:
    chosen = random.sample(SKUS, n)
    extra = {"unit_cost": f"{random.randint(1, 900) / 100}"} if cost else {}
    return [{"sku": s, "quantity": str(random.randint(1, 5)), **extra} for s in chosen]


class Client:
    def __init__(self, base: str, token: str) -> None:
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                 timeout=60)  # fmt: skip
        self.receipts: list[str] = []

    def call(self, method: str, path: str, kind: str = "", doc: str = "", **kw: object) -> int:
        answer = self.http.request(method, path, **kw)  # type: ignore[arg-type]
        code = answer.status_code
        if code >= 500:
            print(f"{code} {method} {path} {kw!r:.300} -> {answer.text[:300]}", file=sys.stderr)
        with lock:
            statuses[code] += 1
            if kind and 200 <= code < 300:
                acked.append((kind, doc))
        return code

    def receipt(self) -> None:
        rid = uid("R")
        body = {"receipt_id": rid, "location": random.choice(PLACES), "lines": lines(3, True)}
        if self.call("POST", "/api/receipts", "receipt", rid, json=body) == 201:
            self.receipts.append(rid)

    def outbound(self) -> None:
        path, key, kind = random.choice([("deliveries", "delivery_id", "delivery"),
                                         ("consumptions", "consumption_id", "consumption"),
                                         ("waste", "waste_id", "waste")])  # fmt: skip
        did = uid(kind[0].upper())
        body = {key: did, "location": random.choice(PLACES), "lines": lines(), "note": "soak"}
        self.call("POST", f"/api/{path}", kind, did, json=body)

    def transfer(self) -> None:
        tid = uid("T")
        body = {"transfer_id": tid, "from_location": "main", "to_location": "bar",
                "lines": lines(1)}  # fmt: skip
        self.call("POST", "/api/transfers", "transfer", tid, json=body)

    def sale_and_void(self) -> None:
        sid = uid("SALE")
        sale = [{"menu_item": m, "quantity": "1", "unit_price": "9.50"} for m in MENU[:2]]
        body = {"sale_id": sid, "location": random.choice(PLACES), "lines": sale}
        if self.call("POST", "/api/sales", "sale", sid, json=body) == 201 and random.random() < 0.3:
            vid = uid("V")
            self.call("POST", f"/api/sales/{sid}/void", "void", vid,
                      json={"void_id": vid, "note": "customer sent it back"})  # fmt: skip

    def quote(self) -> None:
        qid = uid("Q")
        body = {"quote_id": qid, "customer": "acme", "location": "main",
                "lines": [{**line, "unit_price": "20"} for line in lines(1)]}  # fmt: skip
        if self.call("POST", "/api/quotes", "quote", qid, json=body) == 201:
            self.call("POST", f"/api/quotes/{qid}/close")

    def late_cost(self) -> None:
        if self.receipts:
            cid, rid = uid("C"), random.choice(self.receipts)
            body = {"cost_id": cid, "amount": "3.30", "note": "freight"}
            self.call("POST", f"/api/receipts/{rid}/costs", "cost", cid, json=body)

    def count(self) -> None:
        cid = uid("CNT")
        body = {"count_id": cid, "location": "bar", "kind": "spot", "note": "soak"}
        if self.call("POST", "/api/count-sheets", json=body) != 201:
            return
        for sku in random.sample(SKUS, 2):
            qty = {"quantity": str(random.randint(0, 30))}
            self.call("PUT", f"/api/count-sheets/{cid}/lines/{sku}", json=qty)
        if self.call("POST", f"/api/count-sheets/{cid}/submit") == 200:
            self.call("POST", f"/api/count-sheets/{cid}/approve", "count", cid, json={})

    def purchase(self) -> None:
        po, rid = uid("PO"), uid("RPO")
        ordered = [{**line, "unit_price": "1.10"} for line in lines(2)]
        body = {"po_id": po, "supplier": "ACME", "location": "main", "lines": ordered}
        if self.call("POST", "/api/purchase-orders", "po", po, json=body) == 201:
            got = [{"sku": line["sku"], "quantity": "1"} for line in ordered]
            body = {"receipt_id": rid, "location": "main", "po_id": po, "lines": got}
            self.call("POST", "/api/receipts", "receipt", rid, json=body)

    def bad(self) -> None:
        hdr = {"Content-Type": "application/json"}
        nul = {"waste_id": uid("W"), "location": "main", "lines": lines(1), "note": "a\x00b"}
        ghost = {"delivery_id": uid("D"), "location": "main",
                 "lines": [{"sku": uid("NOPE"), "quantity": "1"}]}  # fmt: skip
        rid = random.choice(self.receipts) if self.receipts else "R-open-main"
        again = {"receipt_id": rid, "location": "main", "lines": lines(1, True)}
        tries: list[tuple[str, str, dict[str, object]]] = [
            ("POST", "/api/receipts", {"content": b"{not json", "headers": hdr}),
            ("POST", "/api/waste", {"json": nul}),
            ("POST", "/api/deliveries", {"json": ghost}),
            ("POST", "/api/receipts", {"json": again}),
            ("GET", "/api/stock?location=main&location=bar", {}),
        ]
        method, path, kw = random.choice(tries)
        if 200 <= self.call(method, path, "", "", **kw) < 300:  # a bad request taken as good
            with lock:
                accepted_bad[path] += 1

    def read(self) -> None:
        sku, place = random.choice(SKUS), random.choice(PLACES)
        self.call("GET", random.choice([
            "/api/stock?location=main", f"/api/stock/{sku}", f"/api/stock/{sku}/{place}/movements",
            "/api/reports/cogs", "/api/reports/valuation?period=2026-12",
            "/api/journal?period=2026-12",
            "/api/reports/avt?location=bar", "/api/reports/food-cost", "/api/events?limit=50",
            "/api/reports/owed", "/api/count-sheets?location=bar", "/api/purchase-orders",
        ]))  # fmt: skip

    def run(self, until: float) -> None:
        actions: list[Callable[[], None]] = [
            self.receipt, self.outbound, self.outbound, self.transfer, self.sale_and_void,
            self.quote, self.late_cost, self.count, self.purchase, self.bad, self.read, self.read,
        ]  # fmt: skip
        while time.monotonic() < until:
            try:
                random.choice(actions)()
            except httpx.HTTPError as error:
                with lock:
                    statuses[0] += 1
                print(f"transport error: {error!r}", file=sys.stderr)


def setup(http: httpx.Client) -> None:
    for sku in SKUS:
        http.put(f"/api/items/{sku}", json={"name": sku, "base_unit": "each"}).raise_for_status()
    for n, menu in enumerate(MENU):
        recipe = {"name": menu, "lines": [{"sku": SKUS[n], "quantity": "1"},
                                          {"sku": SKUS[n + 3], "quantity": "2"}]}  # fmt: skip
        http.put(f"/api/recipes/{menu}", json=recipe).raise_for_status()
    supplier = {"name": "Acme", "items": [{"sku": s, "price": "1.10"} for s in SKUS]}
    http.put("/api/suppliers/ACME", json=supplier).raise_for_status()
    for place in PLACES:
        stock = [{"sku": s, "quantity": "200", "unit_cost": "2.00"} for s in SKUS]
        body = {"receipt_id": f"R-open-{place}", "location": place, "lines": stock}
        http.post("/api/receipts", json=body).raise_for_status()


def posted(http: httpx.Client) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    after = 0
    while True:
        page = http.get("/api/events", params={"after": after, "limit": 1000,
                                               "type": "document.posted"}).json()  # fmt: skip
        found |= {(e["data"]["type"], e["data"]["id"]) for e in page["items"]}
        if not page["items"] or page["next"] >= page["head"]:
            return found
        after = page["next"]


def caught_up(http: httpx.Client, seconds: float = 120) -> None:
    """Waits (bounded) until every projection has read the whole ledger, so verify's
    keeps-up check sees the system at rest rather than mid-catch-up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(p["lag"] == 0 for p in http.get("/api/projections").json()):
            return
        time.sleep(0.5)


def missing(http: httpx.Client, ledger: set[tuple[str, str]], kind: str, doc: str) -> bool:
    if kind in OWN_GET:
        return http.get(OWN_GET[kind].format(doc)).status_code != 200
    return (kind, doc) not in ledger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    with postgres() as server:
        env = stockledger_env(new_database(server, "soak"))
        subprocess.run([SCRIPT, "db", "migrate"], env=env, check=True, capture_output=True)
        token, port = cli_key(env, "admin"), free_port()
        with serving([SCRIPT, "serve", "--port", str(port)], env, port) as base:
            clients = [Client(base, token) for _ in range(args.clients)]
            setup(clients[0].http)
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=c.run, args=(until,)) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            ledger = posted(clients[0].http)
            lost = [(k, d) for k, d in acked if missing(clients[0].http, ledger, k, d)]
            caught_up(clients[0].http)
            done = subprocess.run([SCRIPT, "verify"], env=env,
                                  capture_output=True, text=True)  # fmt: skip
    bad = sum(n for code, n in statuses.items() if code >= 500 or code == 0)
    kinds = Counter(k for k, _ in acked)
    print(f"soak {args.seconds:.0f}s x{args.clients}: {sum(statuses.values())} requests "
          f"{dict(sorted(statuses.items()))}; 5xx/errors {bad}; acknowledged {len(acked)} "
          f"{dict(kinds)}; bad requests answered 2xx {dict(accepted_bad)}; "
          f"lost {len(lost)} {lost[:5]}; verify exit {done.returncode}")  # fmt: skip
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-2000:], file=sys.stderr)
    return 1 if bad or lost or done.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
