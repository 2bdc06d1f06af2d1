"""purchasing: suggested orders and invoice matching (SPEC §14, issue 30) on PostgreSQL.

A store is built through the real Ledger commands: ``SKUS`` items, each with a reorder
entry (reorder point 50, par 120) at ``LOCATIONS`` locations and a pack unit (case of 6),
suppliers selling them in cases (1,000 items each, a supplier's most), and a receipt at
every location leaving each position below its reorder point. Then, through the real ASGI
app (httpx, in process):

- ``GET /api/purchasing/suggestions`` (every SKU × location suggested) after ``HISTORY``
  earlier orders received in full (what is on order comes from the purchase_orders read
  model), p99 of REQUESTS, beside reading every order from the ledger (the path before it);
- ``POST /api/supplier-invoices`` of a ``LINES``-line invoice against a ``LINES``-line
  receipt received against a PO, half its lines at a higher price (a late cost each),
  p99 of ``INVOICES`` invoices, each on its own receipt.

Targets (issue 30): suggestions for 2,000 SKUs × 5 locations < 500 ms p99; matching a
200-line invoice < 1 s.

    python -m bench.bench_purchasing [--quick] [--skus N] [--locations N]
"""

from __future__ import annotations

import argparse
import time
from decimal import Decimal

from fastapi.testclient import TestClient
from tests.application import ledger_reports

from api.main import create_app
from application import purchasing
from application.commands import OrderLine, PostPurchaseOrder, PostReceipt, ReceiptLine
from application.ledger import Ledger
from bench.common import median, new_database, percentile, postgres, settings_for
from domain.bounds import MAX_LINES
from domain.item import ItemSpec, PackUnit, Reorder
from domain.supplier import SupplierItem, SupplierSpec

D = Decimal


def build(ledger: Ledger, skus: int, locations: int, lines: int, invoices: int) -> None:
    places = [f"L{n}" for n in range(locations)]
    for n in range(skus):
        reorder = tuple(Reorder(p, D(50), D(60), D(120)) for p in places)
        spec = ItemSpec(f"Item {n}", "each", units=(PackUnit("case", D(6)),), reorder=reorder)
        ledger.put_item(f"S{n:05d}", spec, user="admin")
    items = [SupplierItem(f"S{n:05d}", None, "case", D("12.00"), True) for n in range(skus)]
    for start in range(0, skus, MAX_LINES):  # a supplier's catalogue holds MAX_LINES items
        code = "SUP" if start == 0 else f"SUP{start // MAX_LINES + 1}"
        spec = SupplierSpec(f"Supplier {code}", 2, tuple(items[start : start + MAX_LINES]))
        purchasing.put_supplier(ledger, code, spec, "admin")
    for place in places:
        for start in range(0, skus, 1000):
            chunk = range(start, min(start + 1000, skus))
            got = [ReceiptLine(f"S{n:05d}", D(10), D(2)) for n in chunk]
            ledger.execute(PostReceipt(f"R-{place}-{start}", place, got), user="bench")
    for k in range(invoices):
        order = [OrderLine(f"S{n:05d}", D(1), D("12.00"), "case") for n in range(lines)]
        ledger.execute(PostPurchaseOrder(f"PO-{k}", "SUP", "L0", order), user="bench")
        got = [ReceiptLine(f"S{n:05d}", D(1), None, "case") for n in range(lines)]
        ledger.execute(PostReceipt(f"RP-{k}", "L0", got, None, f"PO-{k}"), user="bench")


def history(ledger: Ledger, orders: int, skus: int) -> None:
    """``orders`` earlier purchase orders of ten lines at L1, each received in full."""
    for k in range(orders):
        picked = [f"S{(k * 10 + n) % skus:05d}" for n in range(min(10, skus))]
        order = [OrderLine(sku, D(1), D("12.00"), "case") for sku in dict.fromkeys(picked)]
        ledger.execute(PostPurchaseOrder(f"H-{k}", "SUP", "L1", order), user="bench")
        got = [ReceiptLine(line.sku, D(1), None, "case") for line in order]
        ledger.execute(PostReceipt(f"RH-{k}", "L1", got, None, f"H-{k}"), user="bench")


def timed(call: object) -> float:
    started = time.perf_counter()
    answer = call()  # type: ignore[operator]
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code in (200, 201), answer.text
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skus", type=int)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--history", type=int, help="earlier orders, received (1,000)")
    args = parser.parse_args()
    skus = args.skus or (200 if args.quick else 2000)
    requests = args.requests or (5 if args.quick else 20)
    lines = min(args.lines, skus)
    earlier = args.history if args.history is not None else (50 if args.quick else 1000)
    with postgres() as server:
        settings = settings_for(new_database(server, "purchasing"))
        started = time.perf_counter()
        with Ledger(settings) as ledger:
            build(ledger, skus, args.locations, lines, requests)
            history(ledger, earlier, skus)
            key = ledger.issue_key("bench", "admin", issued_by="bench")[1]
        built = time.perf_counter() - started
        app = create_app(settings)
        with TestClient(app) as client:
            client.headers["Authorization"] = f"Bearer {key}"
            head = app.state.ledger.head()
            assert app.state.read_models.wait_for(head, 600)
            first = client.get("/api/purchasing/suggestions").json()["items"]
            # Every position, but the invoices' lines at L0 once their receipts lift them
            # above the reorder point (10 + 6 per invoice's case > 50).
            stocked = lines if 10 + 6 * requests > 50 else 0
            assert len(first) == skus * args.locations - stocked, len(first)
            suggest = [
                timed(lambda: client.get("/api/purchasing/suggestions")) for _ in range(requests)
            ]
            # The baseline, same run: reading every order from the ledger, as what was on
            # order was found before the purchase_orders read model.
            every = []
            for _ in range(max(3, requests // 4)):
                started = time.perf_counter()
                ledger_reports.purchase_orders(app.state.ledger)
                every.append((time.perf_counter() - started) * 1000)
            match = []
            for k in range(requests):
                body = {
                    "invoice_id": f"INV-{k}",
                    "supplier": "SUP",
                    "lines": [
                        {
                            "receipt_id": f"RP-{k}",
                            "sku": f"S{n:05d}",
                            "quantity": "1",
                            "unit": "case",
                            "unit_price": "12.60" if n % 2 else "12.00",
                        }
                        for n in range(lines)
                    ],
                }
                match.append(timed(lambda b=body: client.post("/api/supplier-invoices", json=b)))
    print(f"store built in {built:.0f} s: {skus} SKUs × {args.locations} locations")
    print(
        f"suggestions ({len(first)} rows, {earlier + requests} orders in the ledger): median "
        f"{median(suggest):.0f} ms, p99 {percentile(suggest, 99):.0f} ms over {requests} "
        f"(target < 500 ms); reading every order from the ledger alone: median "
        f"{median(every):.0f} ms"
    )
    print(
        f"invoice of {lines} lines: median {median(match):.0f} ms, "
        f"p99 {percentile(match, 99):.0f} ms over {requests} (target < 1000 ms)"
    )


if __name__ == "__main__":
    main()
