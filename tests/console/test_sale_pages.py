"""The sale page and the owed page (SPEC §17) through the real app: a ticket that owes shows
what it owes until the receipt settles it; a clerk voids a line from the page (posted twice,
recorded once); a viewer sees no void button and cannot post one."""

from __future__ import annotations

import re

from tests.console.conftest import Console, document_cells


def setup(console: Console) -> None:
    api = console.client
    headers = {"Authorization": f"Bearer {console.tokens['admin']}"}
    for rid, sku, qty, where in (("R-F", "FLOUR", "10", "kitchen"), ("R-K", "KEG", "5", "bar")):
        body = {
            "receipt_id": rid,
            "location": where,
            "lines": [{"sku": sku, "quantity": qty, "unit_cost": "2"}],
        }
        assert api.post("/api/receipts", json=body, headers=headers).status_code == 201
    api.post(
        "/api/receipts",
        json={
            "receipt_id": "R-M0",
            "location": "main",
            "lines": [{"sku": "MOZZ", "quantity": "1", "unit_cost": "9"}],
        },
        headers=headers,
    )
    pizza = {
        "name": "Pizza",
        "lines": [{"sku": "FLOUR", "quantity": "0.2"}, {"sku": "MOZZ", "quantity": "0.1"}],
    }
    beer = {"name": "Beer", "lines": [{"sku": "KEG", "quantity": "0.5"}]}
    assert api.put("/api/recipes/pizza", json=pizza, headers=headers).status_code == 201
    assert api.put("/api/recipes/beer", json=beer, headers=headers).status_code == 201
    sale = {
        "sale_id": "S-1",
        "location": "kitchen",
        "lines": [
            {"menu_item": "pizza", "quantity": "2", "unit_price": "12"},
            {"menu_item": "beer", "quantity": "1", "unit_price": "5", "location": "bar"},
        ],
    }
    assert api.post("/api/sales", json=sale, headers=headers).status_code == 201


def test_the_sale_page_shows_what_it_owes_and_a_clerk_voids_a_line_once(console: Console) -> None:
    setup(console)
    console.sign_in("clerk")
    page = console.get("/sales/S-1")
    assert page.status_code == 200
    assert "MOZZ" in page.text.split('id="owed"')[1].split("</table>")[0]
    assert 'name="line-1"' in page.text
    assert sorted(document_cells(page.text.split('id="movements"')[1])) == [
        "1 × Beer · Sale S-1",
        "2 × Pizza · Sale S-1",
        "2 × Pizza · Sale S-1",
    ]
    console.settle()
    owed = console.get("/owed")
    assert owed.status_code == 200 and 'href="/sales/S-1"' in owed.text
    void_id = re.search(r'name="void_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"void_id": void_id, "line-1": "on", "note": "flat beer"}
    assert console.post("/sales/S-1/void", form).status_code == 303
    assert console.post("/sales/S-1/void", form).status_code == 303  # twice: recorded once
    shown = console.api("/api/sales/S-1", "viewer").json()
    assert [v["void_id"] for v in shown["voids"]] == [void_id]
    assert [ln["voided"] for ln in shown["lines"]] == [False, True]
    after = console.get("/sales/S-1")
    assert f"Void {void_id}" in after.text and 'name="line-1"' not in after.text
    moved = document_cells(after.text.split('id="movements"')[1])
    assert f"1 × Beer taken back · Void {void_id}" in moved


def test_a_viewer_sees_the_sale_without_a_void_button_and_cannot_void(console: Console) -> None:
    setup(console)
    console.sign_in("viewer")
    page = console.get("/sales/S-1")
    assert page.status_code == 200 and "void-note" not in page.text
    refused = console.post("/sales/S-1/void", {"void_id": "V-9", "note": "x"})
    assert refused.status_code == 403
    assert console.api("/api/sales/S-1", "viewer").json()["voids"] == []
    assert console.get("/sales/S-404").status_code == 404
