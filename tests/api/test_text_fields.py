"""Text the ledger may not hold is refused at the edge (issue 27): U+0000, the other C0
controls but TAB, LF and CR in notes (every one in names), DEL and lone surrogates — a 422
naming the field, on every text field of every request, recording nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import Api, receipt

NUL = "bad\u0000note"


def _stocked(api: Api) -> None:
    """A receipt R-0 of AB-001 at main, and an item and a recipe to sell."""
    assert api.post("/api/receipts", receipt("R-0", qty="50")).status_code == 201
    item = {"name": "Beer", "base_unit": "each"}
    assert api.put("/api/items/AB-001", item).status_code in (200, 201)
    recipe = {"name": "Pint", "lines": [{"sku": "AB-001", "quantity": "1"}]}
    assert api.put("/api/recipes/pint", recipe).status_code in (200, 201)


def _line(qty: str = "1") -> list[dict[str, str]]:
    return [{"sku": "AB-001", "quantity": qty}]


# (method, path, body, field): one request per text field a request may carry.
def _requests(text: str) -> list[tuple[str, str, dict[str, Any], str]]:
    return [
        ("post", "/api/receipts", {**receipt("R-x"), "note": text}, "note"),
        (
            "post",
            "/api/returns",
            {"return_id": "RT-x", "delivery_id": "D-0", "lines": _line(), "note": text},
            "note",
        ),
        (
            "post",
            "/api/transfers",
            {
                "transfer_id": "T-x",
                "from_location": "main",
                "to_location": "bar",
                "lines": _line(),
                "note": text,
            },
            "note",
        ),
        (
            "post",
            "/api/consumptions",
            {"consumption_id": "C-x", "location": "main", "lines": _line(), "note": text},
            "note",
        ),
        (
            "post",
            "/api/waste",
            {"waste_id": "W-x", "location": "main", "lines": _line(), "note": text},
            "note",
        ),
        (
            "post",
            "/api/stock/AB-001/main/adjust",
            {"adjustment_id": "A-x", "quantity": "-1", "note": text},
            "note",
        ),
        (
            "post",
            "/api/counts",
            {
                "count_id": "K-x",
                "location": "main",
                "lines": [{"sku": "AB-001", "counted": "3"}],
                "note": text,
            },
            "note",
        ),
        (
            "post",
            "/api/receipts/R-0/costs",
            {"cost_id": "F-x", "amount": "5", "note": text},
            "note",
        ),
        (
            "post",
            "/api/sales",
            {
                "sale_id": "S-x",
                "location": "main",
                "lines": [{"menu_item": "pint", "quantity": "1", "unit_price": "4"}],
                "note": text,
            },
            "note",
        ),
        (
            "post",
            "/api/quotes",
            {
                "quote_id": "Q-x",
                "customer": text,
                "location": "main",
                "lines": [{"sku": "AB-001", "quantity": "1", "unit_price": "2"}],
            },
            "customer",
        ),
        ("put", "/api/items/AB-002", {"name": text, "base_unit": "each"}, "name"),
        (
            "put",
            "/api/items/AB-002",
            {"name": "Ale", "base_unit": "each", "category": text},
            "category",
        ),
        (
            "put",
            "/api/items/AB-002",
            {"name": "Ale", "base_unit": "each", "barcode": text},
            "barcode",
        ),
        ("put", "/api/locations/bar", {"name": text}, "name"),
        ("put", "/api/recipes/half", {"name": text, "lines": _line()}, "name"),
        (
            "put",
            "/api/locations/main/areas",
            {"areas": [{"area": text, "skus": ["AB-001"]}]},
            "areas[0].area",
        ),
        (
            "post",
            "/api/count-sheets",
            {"count_id": "K-s", "location": "main", "kind": "full", "note": text},
            "note",
        ),
    ]


def _send(api: Api, method: str, path: str, body: dict[str, Any]) -> Any:
    # Sent as JSON text: the escapes (\u0000, a lone \ud800) reach the server as a client
    # would send them.
    content = json.dumps(body).encode()
    headers = {**api.headers("admin"), "content-type": "application/json"}
    return api.client.request(method.upper(), path, content=content, headers=headers)


def _refused_naming(answer: Any, field: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "validation_error"
    assert [e["field"] for e in problem["errors"]] == [field], problem
    # A lone surrogate is refused while the JSON is read ("not a valid string"); the rest
    # by the text rule ("must not contain U+…").
    assert problem["detail"].startswith(f"{field}: "), problem["detail"]


def test_a_nul_in_any_text_field_is_a_422_naming_the_field_and_records_nothing(
    any_api: Api,
) -> None:
    _stocked(any_api)
    head = any_api.head
    for method, path, body, field in _requests(NUL):
        _refused_naming(_send(any_api, method, path, body), field)
    assert any_api.head == head
    detail = _send(any_api, *_requests(NUL)[0][:3]).json()["detail"]
    assert detail == "note: must not contain U+0000 (NUL) (character 4)"


@pytest.mark.parametrize(
    "text",
    [
        "\u0001",
        "\u0008",
        "\u000b",
        "\u000c",
        "\u001b[31mred",
        "\u001f",
        "\u007f",
        "\ud800",
        "x\udfff",
    ],
)
def test_other_control_characters_del_and_lone_surrogates_are_refused_in_notes_and_names(
    api: Api, text: str
) -> None:
    _stocked(api)
    head = api.head
    for method, path, body, field in _requests(f"a{text}b"):
        _refused_naming(_send(api, method, path, body), field)
    assert api.head == head


def test_a_note_may_hold_tabs_and_line_breaks_and_reads_back_as_sent(any_api: Api) -> None:
    note = "line one\tcol\r\nline two\nend"
    body = {**receipt("R-lines"), "note": note}
    answer = any_api.post("/api/receipts", body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["movements"][0]["note"] == note
    history = any_api.get("/api/stock/AB-001/main/movements", params={"min_position": any_api.head})
    assert history.status_code == 200, history.text
    assert [m["note"] for m in history.json()["items"]] == [note]


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_a_name_is_one_line_without_tabs_or_line_breaks(api: Api, char: str) -> None:
    head = api.head
    answer = api.put("/api/items/AB-003", {"name": f"Pils{char}0.33", "base_unit": "each"})
    _refused_naming(answer, "name")
    answer = api.put("/api/locations/bar", {"name": f"Bar{char}1"})
    _refused_naming(answer, "name")
    assert api.head == head
    assert api.put("/api/items/AB-003", {"name": "Pils 0.33", "base_unit": "each"}).status_code in (
        200,
        201,
    )


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/items?search=a%00b", "search"),
        ("/api/items?category=a%00b", "category"),
        ("/api/stock?sku_prefix=a%00b", "sku_prefix"),
    ],
)
def test_a_nul_in_a_text_query_parameter_is_a_422_naming_it(
    any_api: Api, path: str, field: str
) -> None:
    _refused_naming(any_api.get(path), field)
