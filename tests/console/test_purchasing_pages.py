"""The purchasing pages (SPEC §14) through the real app: a clerk turns a supplier's
suggestions into a PO with one button, receives part of it on the PO page (posted twice,
recorded once), finance matches an invoice with a price increase and reads GRNI."""

from __future__ import annotations

import re

import pytest

from console import purchasing
from tests.console.conftest import Console

TOMATOES = {
    "name": "Tomatoes",
    "base_unit": "kg",
    "units": [{"unit": "crate", "factor": "6"}],
    "reorder": [{"location": "kitchen", "reorder_point": "10", "reorder_qty": "6", "par": "30"}],
}
GREEN = {
    "name": "Green Farm",
    "items": [{"sku": "TOM", "unit": "crate", "price": "18", "preferred": True}],
}


def setup(console: Console) -> None:
    headers = {"Authorization": f"Bearer {console.tokens['admin']}"}
    api = console.client
    assert api.put("/api/items/TOM", json=TOMATOES, headers=headers).status_code == 201
    assert api.put("/api/suppliers/GREEN", json=GREEN, headers=headers).status_code == 201
    head = api.app.state.ledger.head()  # type: ignore[attr-defined]
    assert api.app.state.read_models.wait_for(head, 60)  # type: ignore[attr-defined]


def shown_lines(page: str) -> dict[str, str]:
    """The hidden inputs naming each invoice line's receipt and SKU, as a browser posts them."""
    return dict(re.findall(r'type="hidden" name="((?:receipt|sku)-\d+)" value="([^"]*)"', page))


def test_a_clerk_orders_the_suggestions_and_receives_against_the_po(console: Console) -> None:
    setup(console)
    console.sign_in("clerk")
    page = console.get("/purchasing").text
    assert "Order 1 line from GREEN for kitchen" in page
    po_id = re.search(r'name="po_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    made = console.post(
        "/purchasing/suggestions/order",
        {"supplier": "GREEN", "location": "kitchen", "po_id": po_id},
    )
    assert made.status_code == 303
    po_page = console.get(made.headers["location"]).text
    assert '<strong id="po-status">open</strong>' in po_page and ">30<" in po_page
    receipt_id = re.search(r'name="receipt_id" value="([^"]+)"', po_page).group(1)  # type: ignore[union-attr]
    form = {"receipt_id": receipt_id, "qty-0": "12"}
    assert console.post(f"/purchasing/orders/{po_id}/receive", form).status_code == 303
    assert console.post(f"/purchasing/orders/{po_id}/receive", form).status_code == 303
    po = console.api(f"/api/purchase-orders/{po_id}").json()
    assert (po["status"], po["lines"][0]["received"], po["receipts"]) == (
        "partially_received",
        "12",
        [receipt_id],
    )
    over = console.post(f"/purchasing/orders/{po_id}/receive", {"receipt_id": "R-X", "qty-0": "19"})
    assert over.status_code == 409 and "More than is still on order" in over.text
    console.sign_in("viewer")
    assert 'id="receive"' not in console.get(f"/purchasing/orders/{po_id}").text
    assert console.post(f"/purchasing/orders/{po_id}/receive", form).status_code == 403


def test_finance_matches_an_invoice_with_a_price_increase_and_reads_grni(console: Console) -> None:
    setup(console)
    console.sign_in("clerk")
    page = console.get("/purchasing").text
    po_id = re.search(r'name="po_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    console.post(
        "/purchasing/suggestions/order",
        {"supplier": "GREEN", "location": "kitchen", "po_id": po_id},
    )
    console.post(f"/purchasing/orders/{po_id}/receive", {"receipt_id": "R-P1", "qty-0": "30"})
    console.sign_in("finance")
    grni = console.get("/purchasing/grni?supplier=GREEN").text
    assert "R-P1" in grni and "90.00" in grni
    assert "open 90.00" in grni  # the total of what is waiting for an invoice
    invoice = console.get("/purchasing/invoice?receipt_id=R-P1").text
    assert 'id="invoice"' in invoice
    matched = console.post(
        "/purchasing/invoice",
        {"invoice_id": "INV-9", **shown_lines(invoice), "qty-0": "30", "price-0": "3.20"},
    )
    assert matched.status_code == 200
    assert "6.00" in matched.text and "REVALUE TOM 6.00" in matched.text
    assert "Nothing received is waiting" in console.get("/purchasing/grni").text


def test_an_invoice_typed_on_one_receipts_page_bills_that_receipt(console: Console) -> None:
    """The invoice page shows one receipt's lines; the lines typed there bill that receipt,
    not whichever lines come first in GRNI (they did: matched by position, and the filter
    read another parameter)."""
    setup(console)
    receive_two_orders(console)
    console.sign_in("finance")
    page = console.get("/purchasing/invoice?receipt_id=R-B").text
    assert shown_lines(page) == {"receipt-0": "R-B", "sku-0": "TOM"}  # R-B's line alone
    form = {"invoice_id": "INV-B", **shown_lines(page), "qty-0": "12", "price-0": "3"}
    assert console.post("/purchasing/invoice", form).status_code == 200
    again = console.post("/purchasing/invoice", form)  # posted twice: recorded once
    assert again.status_code == 200
    grni = console.client.get(
        "/api/reports/grni", headers={"Authorization": f"Bearer {console.tokens['finance']}"}
    ).json()
    assert [(r["receipt_id"], r["open_qty"]) for r in grni["rows"]] == [("R-A", "12")]
    # The console's filters read their own parameters (they all read ``location`` once).
    assert "Nothing received is waiting" in console.get("/purchasing/grni?supplier=OTHER").text
    assert "R-A" in console.get("/purchasing/grni?supplier=GREEN").text


def receive_two_orders(console: Console) -> None:
    """GREEN's orders PO-A and PO-B received as R-A and R-B, 12 kg of TOM each."""
    headers = {"Authorization": f"Bearer {console.tokens['admin']}"}
    line = {"sku": "TOM", "quantity": "2", "unit": "crate", "unit_price": "18"}
    for po_id, receipt_id in (("PO-A", "R-A"), ("PO-B", "R-B")):
        po = {"po_id": po_id, "supplier": "GREEN", "location": "kitchen", "lines": [line]}
        assert console.client.post("/api/purchase-orders", json=po, headers=headers).is_success
        console.sign_in("clerk")
        console.post(
            f"/purchasing/orders/{po_id}/receive", {"receipt_id": receipt_id, "qty-0": "12"}
        )


def test_the_invoice_page_lists_receipts_to_bill_until_one_or_a_supplier_is_chosen(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a choice the page lists the receipts still to bill, not every line; a
    supplier shows its lines over several receipts, at most MAX_LINES of them."""
    setup(console)
    receive_two_orders(console)
    console.sign_in("finance")
    page = console.get("/purchasing/invoice").text
    assert 'id="receipts"' in page and 'id="invoice"' not in page
    assert 'href="/purchasing/invoice?receipt_id=R-A"' in page
    assert 'href="/purchasing/invoice?supplier=GREEN"' in page
    assert page.count("36.00") == 2  # each receipt: 2 crates at 18.00 still to bill
    both = console.get("/purchasing/invoice?supplier=GREEN").text
    assert shown_lines(both) == {
        "receipt-0": "R-A",
        "sku-0": "TOM",
        "receipt-1": "R-B",
        "sku-1": "TOM",
    }
    assert 'id="more"' not in both
    form = {"invoice_id": "INV-AB", **shown_lines(both)}
    form |= {"qty-0": "12", "price-0": "3", "qty-1": "12", "price-1": "3"}
    assert console.post("/purchasing/invoice", form).status_code == 200  # one invoice, two receipts
    assert "Nothing received is waiting" in console.get("/purchasing/invoice").text
    line = {"sku": "TOM", "quantity": "1", "unit": "crate", "unit_price": "18"}
    po = {"po_id": "PO-C", "supplier": "GREEN", "location": "kitchen", "lines": [line]}
    headers = {"Authorization": f"Bearer {console.tokens['admin']}"}
    assert console.client.post("/api/purchase-orders", json=po, headers=headers).is_success
    for receipt_id in ("R-C1", "R-C2"):
        console.sign_in("clerk")
        console.post("/purchasing/orders/PO-C/receive", {"receipt_id": receipt_id, "qty-0": "1"})
    monkeypatch.setattr(purchasing, "MAX_LINES", 1)
    console.sign_in("finance")
    capped = console.get("/purchasing/invoice?supplier=GREEN").text
    assert shown_lines(capped) == {"receipt-0": "R-C1", "sku-0": "TOM"}
    assert "1 more lines to bill are not shown" in capped
