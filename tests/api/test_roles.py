"""The role matrix of API.md: every endpoint × every role × no key → 2xx, 401 or 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import ROLES, Api, receipt

CLERK = {"clerk", "admin"}
FINANCE = {"finance", "admin"}
ADMIN = {"admin"}
EVERYONE = set(ROLES)

Body = Callable[[str], Any]


def _lines(qty: str = "1") -> list[dict[str, str]]:
    return [{"sku": "AB-001", "quantity": qty}]


# (method, path for a role, body for a role, roles allowed); {r} is the calling role.
ENDPOINTS: list[tuple[str, str, Body | None, set[str]]] = [
    ("post", "/api/receipts", lambda r: receipt(f"R-{r}"), CLERK),
    (
        "post",
        "/api/quotes",
        lambda r: {
            "quote_id": f"Q-{r}",
            "customer": "c",
            "location": "main",
            "lines": [{"sku": "AB-001", "quantity": "1", "unit_price": "2"}],
        },
        CLERK,
    ),
    ("post", "/api/quotes/QC-{r}/close", None, CLERK),
    ("post", "/api/quotes/QX-{r}/cancel", None, CLERK),
    (
        "post",
        "/api/deliveries",
        lambda r: {"delivery_id": f"D-{r}", "location": "main", "lines": _lines()},
        CLERK,
    ),
    (
        "post",
        "/api/returns",
        lambda r: {"return_id": f"RT-{r}", "delivery_id": "D-base", "lines": _lines()},
        CLERK,
    ),
    (
        "post",
        "/api/transfers",
        lambda r: {
            "transfer_id": f"T-{r}",
            "from_location": "main",
            "to_location": "bar",
            "lines": _lines(),
        },
        CLERK,
    ),
    (
        "post",
        "/api/consumptions",
        lambda r: {"consumption_id": f"C-{r}", "location": "main", "lines": _lines()},
        CLERK,
    ),
    (
        "post",
        "/api/waste",
        lambda r: {"waste_id": f"W-{r}", "location": "main", "lines": _lines(), "note": "n"},
        CLERK,
    ),
    (
        "post",
        "/api/stock/AB-001/main/adjust",
        lambda r: {"adjustment_id": f"A-{r}", "quantity": "1", "note": "n"},
        ADMIN,
    ),
    (
        "post",
        "/api/counts",
        lambda r: {
            "count_id": f"K-{r}",
            "location": "main",
            "lines": [{"sku": "AB-001", "counted": "500"}],
            "note": "n",
        },
        ADMIN,
    ),
    (
        "post",
        "/api/receipts/R-base/costs",
        lambda r: {"cost_id": f"LC-{r}", "amount": "5", "note": "freight"},
        FINANCE,
    ),
    ("post", "/api/periods/2020-01/close", None, FINANCE),
    ("post", "/api/projections/cogs/rebuild", None, ADMIN),
    ("get", "/api/stock", None, EVERYONE),
    ("get", "/api/stock/AB-001", None, EVERYONE),
    ("get", "/api/stock/AB-001/main", None, EVERYONE),
    ("get", "/api/stock/AB-001/main/at?time=2026-01-01T00:00:00%2B00:00", None, EVERYONE),
    ("get", "/api/stock/AB-001/main/movements", None, EVERYONE),
    ("get", "/api/quotes/QC-admin", None, EVERYONE),
    ("get", "/api/reports/cogs", None, FINANCE),
    ("get", "/api/reports/valuation", None, FINANCE),
    ("get", "/api/periods", None, FINANCE),
    ("get", "/api/projections", None, EVERYONE),
]


def _prepare(api: Api) -> None:
    assert api.post("/api/receipts", receipt("R-base", qty="1000"), role="admin").status_code == 201
    base = {"delivery_id": "D-base", "location": "main", "lines": _lines("100")}
    assert api.post("/api/deliveries", base, role="admin").status_code == 201
    for role in ROLES:
        for prefix in ("QC", "QX"):
            body = {
                "quote_id": f"{prefix}-{role}",
                "customer": "c",
                "location": "main",
                "lines": [{"sku": "AB-001", "quantity": "1", "unit_price": "2"}],
            }
            assert api.post("/api/quotes", body, role="admin").status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_each_role_gets_what_api_md_grants_and_no_key_gets_401(
    api: Api, method: str, path: str, body: Body | None, allowed: set[str]
) -> None:
    _prepare(api)
    outcome = {}
    for role in (None, *ROLES):
        name = role or "none"
        kwargs = {"json": body(name)} if body is not None and method == "post" else {}
        response = getattr(api, method)(path.format(r=name), role=role, **kwargs)
        outcome[name] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
    expected = {"none": 401} | {role: ("2xx" if role in allowed else 403) for role in ROLES}
    seen = {name: ("2xx" if 200 <= status < 300 else status) for name, status in outcome.items()}
    assert seen == expected


def test_an_unknown_key_is_401_and_a_revoked_key_stops_working(api: Api) -> None:
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    key_id, token = ledger.issue_key("eve", "viewer", issued_by="test")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/projections", headers=headers).status_code == 200
    ledger.revoke_key(key_id, revoked_by="test")
    revoked = api.client.get("/api/projections", headers=headers)
    assert (revoked.status_code, revoked.json()["code"]) == (401, "unauthorized")
    for bad in ("Bearer sl_nope_nope", "Bearer " + token + "x", "Basic abc", token):
        response = api.client.get("/api/projections", headers={"Authorization": bad})
        assert (response.status_code, response.json()["code"]) == (401, "unauthorized"), bad


def test_the_acting_user_is_recorded_on_each_movement(api: Api) -> None:
    body = api.post("/api/receipts", receipt("R-1"), role="clerk").json()
    assert {m["user"] for m in body["movements"]} == {"clerk"}
