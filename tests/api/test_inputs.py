"""What a request may say (issue 9, SPEC §7 Bounds): caps, numbers, times, query parameters,
and refusals that name the field and the problem. Every refusal records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Api, receipt

JSON = {"content-type": "application/json"}


def _refused(api: Api, response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["code"] == "validation_error"
    assert field in {error["field"] for error in problem["errors"]}, problem
    if field != "body":  # a body problem says "the body is not valid JSON: …"
        assert problem["detail"].startswith(f"{field}: "), problem["detail"]
    return problem


def _raw(api: Api, path: str, body: bytes | Iterator[bytes], role: str = "admin") -> Any:
    return api.client.post(path, content=body, headers={**api.headers(role), **JSON})


def _line(quantity: bytes, cost: bytes) -> bytes:
    return b'{"sku":"AB-001","quantity":%s,"unit_cost":%s}' % (quantity, cost)


# --- A. caps -----------------------------------------------------------------------------------


def test_a_document_of_more_than_1000_lines_is_refused_naming_lines(api: Api) -> None:
    line = {"sku": "AB-001", "quantity": "1", "unit_cost": "1"}
    head = api.head
    body = {"receipt_id": "R-big", "location": "main", "lines": [line] * 1001}
    _refused(api, api.post("/api/receipts", body), "lines")
    assert api.head == head
    body["lines"] = [line] * 1000
    assert api.post("/api/receipts", body).status_code == 201


def test_a_body_over_1_mib_is_a_413_problem_by_content_length(api: Api) -> None:
    head = api.head
    response = _raw(api, "/api/receipts", b" " * ((1 << 20) + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert api.head == head


def test_a_streamed_body_over_1_mib_is_refused_while_it_arrives(api: Api) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts what arrives
        yield b'{"receipt_id": "'
        for _ in range(64):  # 4 MiB in all
            yield b"x" * 65536

    response = _raw(api, "/api/receipts", chunks())
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


# --- B. numbers --------------------------------------------------------------------------------

BAD_QUANTITIES = [
    "1e400",
    "1e27",
    "1" * 30,
    "1000000000000.001",  # beyond 10^12
    "1_000",
    " 5",
    "5 ",
    "NaN",
    "Infinity",
    "-Infinity",
    "1E+3",
    "1.2345",  # 4 places
    "0." + "1" * 27,
    "",
    "+5",
    "05",
]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_quantity_not_plain_or_out_of_bounds_is_refused_naming_the_field(
    api: Api, quantity: str
) -> None:
    head = api.head
    _refused(api, api.post("/api/receipts", receipt("R-1", qty=quantity)), "lines[0].quantity")
    assert api.head == head


@pytest.mark.parametrize("number", [b"1e400", b"1e27", b"1E3", b"NaN", b"Infinity", b"1" * 30])
def test_a_json_number_not_plain_or_out_of_bounds_is_refused(api: Api, number: bytes) -> None:
    body = b'{"receipt_id":"R-1","location":"main","lines":[%s]}' % _line(number, b'"1"')
    _refused(api, _raw(api, "/api/receipts", body), "lines[0].quantity")


def test_json_numbers_written_plainly_are_exact(api: Api) -> None:
    body = b'{"receipt_id":"R-1","location":"main","lines":[%s]}' % _line(b"2.5", b"0.1")
    response = _raw(api, "/api/receipts", body)
    assert response.status_code == 201, response.text
    assert response.json()["movements"][0]["value"] == "0.25"


@pytest.mark.parametrize("cost", ["1000000000.000001", "1.0000001", "1e9", "-1", " 1"])
def test_a_unit_cost_beyond_10_9_or_6_places_is_refused(api: Api, cost: str) -> None:
    _refused(api, api.post("/api/receipts", receipt("R-1", cost=cost)), "lines[0].unit_cost")


def test_the_largest_bounds_are_accepted(api: Api) -> None:
    response = api.post("/api/receipts", receipt("R-1", qty="1000000", cost="1000000000"))
    assert response.status_code == 201, response.text
    assert response.json()["movements"][0]["value"] == "1000000000000000.00"


def test_a_receipt_whose_value_exceeds_10_15_is_refused_not_rounded(any_api: Api) -> None:
    head = any_api.head
    response = any_api.post("/api/receipts", receipt("R-1", qty="1000000", cost="1000000000.01"))
    _refused(any_api, response, "lines[0].unit_cost")  # 6 places ok, but q × cost > 10^15
    response = any_api.post("/api/receipts", receipt("R-2", qty="1000000000000", cost="1001"))
    problem = _refused(any_api, response, "lines[0].quantity")
    assert "money" in problem["detail"]
    assert any_api.head == head


def test_on_hand_beyond_10_12_is_refused_rather_than_losing_the_small_part(any_api: Api) -> None:
    full = receipt("R-1", qty="1000000000000", cost="0.001")
    assert any_api.post("/api/receipts", full).status_code == 201
    head = any_api.head
    response = any_api.post("/api/receipts", receipt("R-2", qty="0.001", cost="1"))
    problem = _refused(any_api, response, "lines[0].quantity")
    assert "units" in problem["detail"]
    assert any_api.head == head


def test_bounds_hold_on_every_document(api: Api) -> None:
    assert api.post("/api/receipts", receipt("R-1")).status_code == 201
    big = "10000000000000"
    line = {"sku": "AB-001", "quantity": big}
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/api/deliveries", {"delivery_id": "D-1", "location": "main", "lines": [line]}, "q"),
        ("/api/returns", {"return_id": "RT-1", "delivery_id": "D-1", "lines": [line]}, "q"),
        (
            "/api/transfers",
            {"transfer_id": "T-1", "from_location": "main", "to_location": "b", "lines": [line]},
            "q",
        ),
        ("/api/consumptions", {"consumption_id": "C-1", "location": "main", "lines": [line]}, "q"),
        ("/api/waste", {"waste_id": "W-1", "location": "main", "lines": [line], "note": "x"}, "q"),
        (
            "/api/quotes",
            {
                "quote_id": "Q-1",
                "customer": "c",
                "location": "main",
                "lines": [{"sku": "AB-001", "quantity": "1", "unit_price": "1e3"}],
            },
            "lines[0].unit_price",
        ),
        (
            "/api/counts",
            {
                "count_id": "K-1",
                "location": "main",
                "lines": [{"sku": "AB-001", "counted": "1.0001"}],
                "note": "n",
            },
            "lines[0].counted",
        ),
        (
            "/api/stock/AB-001/main/adjust",
            {"adjustment_id": "A-1", "quantity": "-" + big, "note": "n"},
            "quantity",
        ),
    ]
    head = api.head
    for path, body, field in cases:
        _refused(api, api.post(path, body), "lines[0].quantity" if field == "q" else field)
    assert api.head == head


def _malformed(response: Any) -> dict[str, Any]:
    """Issue 35.2: a body that is not valid JSON is a 400 malformed_json naming the body."""
    assert response.status_code == 400, response.text
    problem: dict[str, Any] = response.json()
    assert problem["code"] == "malformed_json"
    assert problem["errors"][0]["field"] == "body"
    return problem


def test_duplicate_json_keys_are_refused(api: Api) -> None:
    body = b'{"receipt_id":"R-1","receipt_id":"R-2","location":"main","lines":[]}'
    problem = _malformed(_raw(api, "/api/receipts", body))
    assert "duplicate key 'receipt_id'" in problem["detail"]


@pytest.mark.parametrize("when", [1773482400, "1773482400", "2026-03-14T10:00:00"])
def test_counted_at_must_be_an_iso_time_with_an_offset(api: Api, when: Any) -> None:
    body = {
        "count_id": "K-1",
        "location": "main",
        "counted_at": when,
        "lines": [{"sku": "AB-001", "counted": "1"}],
        "note": "n",
    }
    _refused(api, api.post("/api/counts", body), "counted_at")


def test_query_times_must_be_iso_with_an_offset_not_epoch_numbers(api: Api) -> None:
    _refused(api, api.get("/api/stock/AB-001/main/at?time=1773482400"), "time")
    _refused(api, api.get("/api/stock/AB-001/main/movements?from=1773482400"), "from")
    _refused(api, api.get("/api/stock/AB-001/main/movements?to=1773482400"), "to")
    ok = api.get("/api/stock/AB-001/main/at", params={"time": "2026-03-14T10:00:00+00:00"})
    assert ok.status_code == 200


# --- C. unknown query parameters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/stock?sku=AB-001", "viewer"),
        ("/api/stock/AB-001?locaton=main", "viewer"),
        ("/api/stock/AB-001/main/movements?kinds=SHIP", "viewer"),
        ("/api/reports/cogs?locaton=main", "finance"),
        ("/api/reports/valuation?periode=2026-01", "finance"),
        ("/api/periods?x=1", "finance"),
        ("/api/projections?x=1", "admin"),
        ("/api/quotes/Q-1?x=1", "viewer"),
    ],
)
def test_an_unknown_query_parameter_is_a_422_naming_it(api: Api, path: str, role: str) -> None:
    name = path.split("?")[1].split("=")[0]
    problem = _refused(api, api.get(path, role=role), name)
    assert "unknown query parameter" in problem["detail"]


def test_an_unknown_query_parameter_on_a_command_records_nothing(api: Api) -> None:
    head = api.head
    _refused(api, api.post("/api/receipts?dry_run=1", receipt("R-1")), "dry_run")
    assert api.head == head


def test_declared_query_parameters_still_work(api: Api) -> None:
    assert api.get("/api/stock?location=main&limit=5&min_position=0").status_code == 200


# --- D. messages -----------------------------------------------------------------------------


def test_malformed_json_says_so_with_line_and_column(api: Api) -> None:
    body = b'{"receipt_id": "R-1",\n  "location": "main",,\n  "lines": []}'
    problem = _malformed(_raw(api, "/api/receipts", body))
    assert problem["detail"].startswith("the body is not valid JSON")
    assert "line 2 column 22" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "says"),
    [(b'{"receipt_id": "\xff\xfe"}', "not UTF-8"), (b"[" * 100_000, "nested too deeply")],
)
def test_a_body_that_is_not_json_text_is_a_400_malformed_json(
    api: Api, body: bytes, says: str
) -> None:
    problem = _malformed(_raw(api, "/api/receipts", body))
    assert problem["detail"].startswith("the body is not valid JSON")
    assert says in problem["detail"]


def test_a_places_error_names_the_field_and_the_problem(api: Api) -> None:
    response = api.post("/api/receipts", receipt("R-1", qty="1.2345"))
    problem = _refused(api, response, "lines[0].quantity")
    assert problem["detail"] == "lines[0].quantity: has more than 3 decimal places"
    assert problem["errors"] == [
        {
            "field": "lines[0].quantity",
            "in": "body",
            "message": "has more than 3 decimal places",
            "type": "decimal_bounds",
        }
    ]
