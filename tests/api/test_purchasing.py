"""Purchasing over HTTP (SPEC §14, API.md "Purchasing"): suppliers, purchase orders and
receipts against them, on both backends."""

from __future__ import annotations

from tests.api.conftest import Api, receipt

TOMATOES = {"name": "Tomatoes", "base_unit": "kg", "units": [{"unit": "crate", "factor": "6"}]}
GREEN = {
    "name": "Green Farm",
    "lead_time_days": 2,
    "items": [
        {"sku": "TOM", "supplier_sku": "GF-7", "unit": "crate", "price": "18", "preferred": True}
    ],
}
PO = {
    "po_id": "PO-1",
    "supplier": "GREEN",
    "location": "main",
    "lines": [{"sku": "TOM", "quantity": "10", "unit": "crate", "unit_price": "18.00"}],
}


def setup(api: Api) -> None:
    assert api.put("/api/items/TOM", TOMATOES).status_code == 201
    assert api.put("/api/suppliers/GREEN", GREEN).status_code == 201


def received_on_po(api: Api, crates: str) -> None:
    """PO-1 ordered by a clerk and R-1 received against it: ``crates`` crates of TOM."""
    setup(api)
    assert api.post("/api/purchase-orders", PO, role="clerk").status_code == 201
    lines = [{"sku": "TOM", "quantity": crates, "unit": "crate"}]
    received = {"receipt_id": "R-1", "location": "main", "po_id": "PO-1", "lines": lines}
    assert api.post("/api/receipts", received, role="clerk").status_code == 201


def test_an_admin_puts_a_supplier_and_any_viewer_reads_it(any_api: Api) -> None:
    setup(any_api)
    again = any_api.put("/api/suppliers/GREEN", GREEN)
    assert again.status_code == 200 and again.json()["version"] == 1
    assert any_api.put("/api/suppliers/BLUE", GREEN, role="clerk").status_code == 403
    one = any_api.get("/api/suppliers/GREEN", role="viewer").json()
    assert one["items"][0] == {
        "sku": "TOM",
        "supplier_sku": "GF-7",
        "unit": "crate",
        "price": "18",
        "preferred": True,
    }
    listed = any_api.get("/api/suppliers", role="viewer").json()["items"]
    assert [s["code"] for s in listed] == ["GREEN"]
    assert any_api.get("/api/suppliers/NOPE").status_code == 404


def test_a_supplier_item_in_an_unknown_unit_is_422_unknown_unit(any_api: Api) -> None:
    setup(any_api)
    body = {**GREEN, "items": [{"sku": "TOM", "unit": "pallet"}]}
    answer = any_api.put("/api/suppliers/GREEN", body)
    assert answer.status_code == 422 and answer.json()["code"] == "unknown_unit"
    assert any_api.get("/api/suppliers/GREEN").json()["items"][0]["unit"] == "crate"


def test_a_purchase_order_is_posted_once_read_listed_and_cancelled(any_api: Api) -> None:
    setup(any_api)
    head = any_api.head
    first = any_api.post("/api/purchase-orders", PO, role="clerk")
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "open"
    assert body["lines"][0] | {"entered": None} == {
        "sku": "TOM",
        "unit": "crate",
        "ordered": "60",
        "received": "0",
        "open": "60",
        "unit_price": "18.00",
        "entered": None,
    }
    assert any_api.post("/api/purchase-orders", PO, role="clerk").status_code == 200
    changed = {**PO, "location": "bar"}
    assert any_api.post("/api/purchase-orders", changed, role="clerk").status_code == 409
    at = body["position"]
    stock = any_api.get(f"/api/stock/TOM/main?min_position={at}", role="viewer").json()
    assert (stock["on_hand"], stock["value"]) == ("0", "0.00")
    assert any_api.head > head
    listed = any_api.get("/api/purchase-orders?status=open&supplier=GREEN").json()["items"]
    assert [po["po_id"] for po in listed] == ["PO-1"]
    assert any_api.get("/api/purchase-orders?status=received").json()["items"] == []
    cancelled = any_api.post("/api/purchase-orders/PO-1/cancel", role="clerk")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["lines"][0]["open"] == "0"
    assert any_api.post("/api/purchase-orders/PO-9/cancel", role="clerk").status_code == 404


def test_bad_purchase_orders_are_refused_with_their_codes(any_api: Api) -> None:
    setup(any_api)
    unknown = any_api.post("/api/purchase-orders", {**PO, "supplier": "NOBODY"}, role="clerk")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_supplier"
    line = {"sku": "TOM", "quantity": "1", "unit": "pallet", "unit_price": "1"}
    bad_unit = any_api.post("/api/purchase-orders", {**PO, "lines": [line]}, role="clerk")
    assert bad_unit.status_code == 422 and bad_unit.json()["code"] == "unknown_unit"
    assert any_api.post("/api/purchase-orders", PO, role="viewer").status_code == 403
    assert any_api.get("/api/purchase-orders").json()["items"] == []


def test_receipts_against_a_po_take_its_price_and_refuse_what_is_not_open(any_api: Api) -> None:
    setup(any_api)
    any_api.post("/api/purchase-orders", PO, role="clerk")
    lines = [{"sku": "TOM", "quantity": "9", "unit": "crate"}]
    short = {"receipt_id": "R-1", "location": "main", "po_id": "PO-1", "lines": lines}
    answer = any_api.post("/api/receipts", short, role="clerk")
    assert answer.status_code == 201 and answer.json()["movements"][0]["value"] == "162.00"
    po = any_api.get("/api/purchase-orders/PO-1", role="viewer").json()
    assert po["status"] == "partially_received" and po["lines"][0]["open"] == "6"
    over = {**short, "receipt_id": "R-2", "lines": [{"sku": "TOM", "quantity": "7"}]}
    refused = any_api.post("/api/receipts", over, role="clerk")
    assert refused.status_code == 409 and refused.json()["code"] == "over_receipt"
    assert refused.json()["errors"][0]["field"] == "lines[0].quantity"
    other = {**short, "receipt_id": "R-3", "lines": [{"sku": "OIL", "quantity": "1"}]}
    not_on = any_api.post("/api/receipts", other, role="clerk")
    assert not_on.status_code == 422 and not_on.json()["code"] == "not_on_order"
    bare = {"receipt_id": "R-4", "location": "main", "lines": [{"sku": "TOM", "quantity": "1"}]}
    missing = any_api.post("/api/receipts", bare, role="clerk")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "lines[0].unit_cost"
    rest = {**short, "receipt_id": "R-5", "lines": [{"sku": "TOM", "quantity": "6"}]}
    assert any_api.post("/api/receipts", rest, role="clerk").status_code == 201
    assert any_api.get("/api/purchase-orders/PO-1").json()["status"] == "received"


def test_an_invoice_is_matched_its_difference_posted_and_grni_follows(any_api: Api) -> None:
    received_on_po(any_api, "10")
    used = {
        "consumption_id": "C-1",
        "location": "main",
        "lines": [{"sku": "TOM", "quantity": "30"}],
    }
    assert any_api.post("/api/consumptions", used, role="clerk").status_code == 201
    grni = any_api.get("/api/reports/grni?supplier=GREEN", role="finance").json()
    assert grni["totals"] == {
        "received_value": "180.00",
        "billed_value": "0.00",
        "open_value": "180.00",
    }
    line = {
        "receipt_id": "R-1",
        "sku": "TOM",
        "quantity": "6",
        "unit": "crate",
        "unit_price": "19.00",
    }
    body = {"invoice_id": "INV-1", "supplier": "GREEN", "lines": [line], "note": "price up"}
    assert any_api.post("/api/supplier-invoices", body, role="clerk").status_code == 403
    answer = any_api.post("/api/supplier-invoices", body, role="finance")
    assert answer.status_code == 201
    result = answer.json()
    assert result["document"]["type"] == "supplier_invoice"
    (matched,) = result["matched"]
    assert (matched["difference"], matched["billed_value"]) == ("6.00", "108.00")
    # Half the received units are gone: half the difference to stock, half to COGS.
    moved = [(m["kind"], m["value"]) for m in result["movements"]]
    assert moved == [("REVALUE", "3.00"), ("VARIANCE", "0.00")]  # 3.00 to this period's COGS
    at = result["position"]
    stock = any_api.get(f"/api/stock/TOM/main?min_position={at}", role="viewer").json()
    assert (stock["on_hand"], stock["value"]) == ("30", "93.00")  # 90.00 + 3.00
    assert any_api.post("/api/supplier-invoices", body, role="finance").status_code == 200
    over = {**body, "invoice_id": "INV-2", "lines": [{**line, "quantity": "5"}]}
    refused = any_api.post("/api/supplier-invoices", over, role="finance")
    assert refused.status_code == 409 and refused.json()["code"] == "over_billed"
    grni = any_api.get("/api/reports/grni", role="finance").json()
    assert grni["rows"] == [
        {
            "supplier": "GREEN",
            "receipt_id": "R-1",
            "sku": "TOM",
            "received_qty": "60",
            "received_value": "180.00",
            "billed_qty": "36",
            "billed_value": "108.00",
            "open_qty": "24",
            "open_value": "72.00",
        }
    ]
    assert any_api.get("/api/reports/grni", role="clerk").status_code == 403
    unknown = any_api.post(
        "/api/supplier-invoices", {**body, "invoice_id": "INV-3", "supplier": "X"}, role="finance"
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_supplier"


def test_the_feed_carries_purchase_orders_and_supplier_invoices(any_api: Api) -> None:
    received_on_po(any_api, "2")
    line = {"receipt_id": "R-1", "sku": "TOM", "quantity": "12", "unit_price": "3.10"}
    body = {"invoice_id": "INV-1", "supplier": "GREEN", "lines": [line]}
    assert any_api.post("/api/supplier-invoices", body, role="finance").status_code == 201
    any_api.post("/api/purchase-orders/PO-1/cancel", role="clerk")
    params = {"type": "purchase_order", "limit": 100}
    events = any_api.get("/api/events", role="finance", params=params).json()["items"]
    assert [e["type"] for e in events] == [
        "purchase_order.posted",
        "purchase_order.received",
        "purchase_order.cancelled",
    ]
    assert [e["data"]["status"] for e in events] == ["open", "partially_received", "cancelled"]
    assert events[1]["data"]["lines"][0]["received"] == "12"
    params = {"type": "supplier_invoice", "limit": 100}
    (billed,) = any_api.get("/api/events", role="finance", params=params).json()["items"]
    assert billed["data"] | {"lines": None} == {
        "invoice_id": "INV-1",
        "supplier": "GREEN",
        "receipt_id": "R-1",
        "po_id": "PO-1",
        "lines": None,
        "user": "finance",
    }
    assert billed["data"]["lines"][0]["quantity"] == "12"
    params = {"type": "document", "limit": 100}
    docs = any_api.get("/api/events", role="finance", params=params).json()["items"]
    invoice = next(e for e in docs if e["data"]["type"] == "supplier_invoice")
    assert invoice["data"]["matched"][0]["difference"] == "1.20"


def test_suggestions_order_up_to_par_in_packs_and_become_a_purchase_order(any_api: Api) -> None:
    reorder = [{"location": "main", "reorder_point": "20", "reorder_qty": "12", "par": "50"}]
    put = any_api.put("/api/items/TOM", {**TOMATOES, "reorder": reorder})
    assert put.status_code == 201 and put.json()["reorder"][0]["par"] == "50"
    oil = {"name": "Oil", "base_unit": "l", "reorder": [{**reorder[0], "par": None}]}
    any_api.put("/api/items/OIL", oil)
    any_api.put("/api/suppliers/GREEN", GREEN)
    other = {"name": "Other", "items": [{"sku": "TOM", "unit": "kg", "price": "4"}]}
    any_api.put("/api/suppliers/OTHER", other)
    first = any_api.post("/api/receipts", receipt("R-1", "TOM", "8", "3"), role="clerk")
    at = first.json()["position"]
    answer = any_api.get(
        f"/api/purchasing/suggestions?location=main&min_position={at}", role="clerk"
    )
    assert answer.status_code == 200
    rows = {row["sku"]: row for row in answer.json()["items"]}
    # 50 − 8 = 42 kg in crates of 6 from the preferred supplier: 7 crates.
    assert rows["TOM"] | {"position": None} == {
        "sku": "TOM",
        "location": "main",
        "available": "8",
        "on_order": "0",
        "reorder_point": "20",
        "par": "50",
        "supplier": "GREEN",
        "unit": "crate",
        "packs": "7",
        "quantity": "42",
        "position": None,
    }
    assert (rows["OIL"]["supplier"], rows["OIL"]["quantity"]) == (None, "12")
    body = {"po_id": "PO-S1", "supplier": "GREEN", "location": "main"}
    made = any_api.post("/api/purchasing/suggestions/order", body, role="clerk")
    assert made.status_code == 201
    assert [(n["sku"], n["ordered"], n["unit_price"]) for n in made.json()["lines"]] == [
        ("TOM", "42", "18")
    ]
    # What is on order now covers par: nothing more to suggest from GREEN.
    after = any_api.get("/api/purchasing/suggestions?supplier=GREEN", role="clerk").json()
    assert after["items"] == []
    again = any_api.post(
        "/api/purchasing/suggestions/order", {**body, "po_id": "PO-S2"}, role="clerk"
    )
    assert again.status_code == 422
    assert any_api.get("/api/purchasing/suggestions", role="viewer").status_code == 403
