"""The console's forms (issue 32.1) through the real app: each posts a document through
the ledger's path and the API shows it; refusals come back beside the field they name;
the proposed document id is kept on a retry, so posting twice records once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.console.conftest import Console

TWO_LINES = {
    "location": "main",
    "lines[0].sku": "AB-001",
    "lines[0].quantity": "2",
}


def proposed(page: Any, field: str) -> str:
    found = re.search(rf'name="{re.escape(field)}" value="([^"]*)"', page.text)
    assert found, f"{field} on the page"
    return found.group(1)


def error_beside(page: Any, control: str) -> str:
    found = re.search(
        rf'<p class="error field-error" id="{re.escape(control)}-error">([^<]*)</p>', page.text
    )
    assert found, f"an error beside {control}"
    return found.group(1)


def api_json(console: Console, path: str, role: str = "admin") -> Any:
    """The API's answer once its read models hold everything recorded so far."""
    head = console.client.app.state.ledger.recorder.max_notification_id()  # type: ignore[attr-defined]
    answer = console.api(f"{path}{'&' if '?' in path else '?'}min_position={head}", role)
    assert answer.status_code == 200, answer.text
    return answer.json()


def moved(console: Console, sku: str, location: str, document: str) -> list[Any]:
    items = api_json(console, f"/api/stock/{sku}/{location}/movements")["items"]
    return [m for m in items if m["document"]["id"] == document]


@pytest.mark.parametrize(
    ("slug", "fields", "checks"),
    [
        (
            "receipt",
            {
                "location": "main",
                "lines[0].sku": "AB-001",
                "lines[0].quantity": "5",
                "lines[0].unit_cost": "2.50",
            },
            [("AB-001", "main", "RECEIVE")],
        ),
        (
            "transfer",
            {
                "from_location": "main",
                "to_location": "kitchen",
                "lines[0].sku": "AB-001",
                "lines[0].quantity": "1",
                "note": "for tonight",
            },
            [("AB-001", "main", "TRANSFER_OUT"), ("AB-001", "kitchen", "TRANSFER_IN")],
        ),
        (
            "consumption",
            {**TWO_LINES},
            [("AB-001", "main", "CONSUME")],
        ),
        (
            "waste",
            {
                "location": "main",
                "lines[0].sku": "AB-001",
                "lines[0].quantity": "1",
                "note": "dropped",
            },
            [("AB-001", "main", "WASTE")],
        ),
        (
            "adjustment",
            {"sku": "AB-001", "location": "main", "quantity": "-1", "note": "broken"},
            [("AB-001", "main", "ADJUSTMENT")],
        ),
    ],
)
def test_each_document_form_posts_its_document_and_the_api_shows_its_movements(
    console: Console, slug: str, fields: dict[str, str], checks: list[tuple[str, str, str]]
) -> None:
    console.sign_in("admin")
    page = console.get(f"/record/{slug}")
    assert page.status_code == 200, page.text
    id_field = f"{slug}_id"
    document = proposed(page, id_field)
    answer = console.post(f"/record/{slug}", {id_field: document, **fields})
    assert answer.status_code == 201, answer.text
    assert "recorded" in answer.text and 'id="recorded"' in answer.text
    for sku, location, kind in checks:
        found = moved(console, sku, location, document)
        assert [m["kind"] for m in found] == [kind], (sku, location, found)
        assert f'href="/items/{sku}/{location}"' in answer.text
    assert proposed(answer, id_field) != document  # a fresh id for the next document


def test_posting_the_same_form_twice_records_the_document_once(console: Console) -> None:
    console.sign_in("clerk")
    document = proposed(console.get("/record/waste"), "waste_id")
    form = {
        "waste_id": document,
        "location": "main",
        "lines[0].sku": "AB-001",
        "lines[0].quantity": "1",
        "note": "dropped",
    }
    first = console.post("/record/waste", form)
    second = console.post("/record/waste", form)
    assert (first.status_code, second.status_code) == (201, 200)
    assert "already recorded" in second.text
    assert len(moved(console, "AB-001", "main", document)) == 1


def test_a_field_the_api_refuses_is_marked_beside_that_field_and_the_id_is_kept(
    console: Console,
) -> None:
    console.sign_in("clerk")
    document = proposed(console.get("/record/receipt"), "receipt_id")
    form = {
        "receipt_id": document,
        "location": "main",
        "lines[0].sku": "AB-001",
        "lines[0].quantity": "1",
        "lines[0].unit_cost": "1",
        "lines[1].sku": "AB-002",
        "lines[1].quantity": "-3",
        "lines[1].unit_cost": "1",
    }
    answer = console.post("/record/receipt", form)
    assert answer.status_code == 422
    assert error_beside(answer, "lines-1-quantity")
    assert 'aria-describedby="lines-1-quantity-error"' in answer.text
    assert proposed(answer, "receipt_id") == document
    assert proposed(answer, "lines[1].quantity") == "-3"  # what was typed stays
    assert moved(console, "AB-001", "main", document) == []


def test_a_rule_of_the_ledger_lands_on_the_line_it_names(console: Console) -> None:
    console.sign_in("clerk")
    form = {
        "waste_id": "W-too-much",
        "location": "main",
        "lines[0].sku": "AB-001",
        "lines[0].quantity": "1",
        "lines[1].sku": "AB-002",
        "lines[1].quantity": "5",
        "note": "flood",
    }
    answer = console.post("/record/waste", form)
    assert answer.status_code == 409, answer.text
    assert "AB-002" in error_beside(answer, "lines-1-quantity")
    assert moved(console, "AB-001", "main", "W-too-much") == []


def test_a_missing_required_note_is_named_beside_the_note(console: Console) -> None:
    console.sign_in("clerk")
    form = {
        "waste_id": "W-1",
        "location": "main",
        "lines[0].sku": "AB-001",
        "lines[0].quantity": "1",
    }
    answer = console.post("/record/waste", form)
    assert answer.status_code == 422
    assert error_beside(answer, "note")


def test_a_clerk_sees_the_clerks_forms_and_is_refused_the_admins(console: Console) -> None:
    console.sign_in("clerk")
    index = console.get("/record").text
    assert 'href="/record/receipt"' in index and 'href="/record/item"' not in index
    assert console.get("/record/item").status_code == 403
    assert (
        console.post(
            "/record/adjustment",
            {
                "adjustment_id": "A-9",
                "sku": "AB-001",
                "location": "main",
                "quantity": "1",
                "note": "x",
            },
        ).status_code
        == 403
    )
    console.sign_in("viewer")
    assert console.get("/record/receipt").status_code == 403


def test_the_item_location_and_recipe_forms_put_them_and_the_api_shows_them(
    console: Console,
) -> None:
    console.sign_in("admin")
    item = {
        "sku": "AB-001",
        "name": "Flour 25 kg",
        "base_unit": "kg",
        "category": "dry",
        "units[0].unit": "sack",
        "units[0].factor": "25",
        "reorder[0].location": "main",
        "reorder[0].reorder_point": "50",
        "reorder[0].reorder_qty": "100",
    }
    answer = console.post("/record/item", item)
    assert answer.status_code == 200 and "Item AB-001 (Flour 25 kg)" in answer.text, answer.text
    found = api_json(console, "/api/items/AB-001")
    assert found["name"] == "Flour 25 kg" and found["units"][0]["unit"] == "sack"
    assert float(found["reorder"][0]["reorder_point"]) == 50
    edit = console.get("/record/item?sku=AB-001").text
    assert '<option value="sack"></option>' in edit and 'list="units"' in edit
    assert proposed_value(edit, "units[0].factor") in ("25", "25.000000", "25.0")
    answer = console.post("/record/location", {"code": "bar", "name": "Bar", "kind": "bar"})
    assert answer.status_code == 200, answer.text
    assert {"code": "bar", "name": "Bar", "kind": "bar", "declared": True} in api_json(
        console, "/api/locations"
    )["items"]
    answer = console.post(
        "/record/recipe",
        {
            "menu_item": "bread",
            "name": "Bread",
            "lines[0].sku": "AB-001",
            "lines[0].quantity": "0.5",
        },
    )
    assert answer.status_code == 200 and "version 1" in answer.text, answer.text
    assert api_json(console, "/api/recipes/bread")["lines"][0]["sku"] == "AB-001"


def proposed_value(text: str, field: str) -> str:
    found = re.search(rf'name="{re.escape(field)}" value="([^"]*)"', text)
    assert found, field
    return found.group(1)


def test_a_manual_ticket_posts_a_sale_of_a_recipe(console: Console) -> None:
    console.sign_in("admin")
    console.post(
        "/record/recipe",
        {
            "menu_item": "bread",
            "name": "Bread",
            "lines[0].sku": "AB-001",
            "lines[0].quantity": "0.5",
        },
    )
    answer = console.post(
        "/record/sale",
        {
            "sale_id": "S-1",
            "location": "main",
            "lines[0].menu_item": "bread",
            "lines[0].quantity": "2",
            "lines[0].unit_price": "3.50",
        },
    )
    assert answer.status_code == 201, answer.text
    found = moved(console, "AB-001", "main", "S-1")
    assert [(m["kind"], float(m["quantity"])) for m in found] == [("CONSUME", 1.0)]


def test_the_receipt_form_offers_a_po_id_exactly_when_the_api_takes_one(console: Console) -> None:
    from api.schemas import ReceiptCreate

    page = console.sign_in("clerk").get("/record/receipt").text
    assert ('name="po_id"' in page) == ("po_id" in ReceiptCreate.model_fields)
    required = 'Unit cost <span class="required">' in page
    assert required == ("po_id" not in ReceiptCreate.model_fields)


def test_an_item_page_links_to_its_forms_with_the_position_filled_in(console: Console) -> None:
    console.sign_in("admin")
    page = console.get("/items/AB-001/main").text
    assert 'href="/record/adjustment?sku=AB-001&amp;location=main"' in page
    adjust = console.get("/record/adjustment?sku=AB-001&location=main").text
    assert proposed_value(adjust, "sku") == "AB-001"
    assert proposed_value(adjust, "location") == "main"
    console.sign_in("viewer")
    assert 'id="item-actions"' not in console.get("/items/AB-001/main").text
