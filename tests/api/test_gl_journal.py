"""PUT/GET /api/accounts/map, GET /api/journal (JSON, CSV, beancount) and the
reconciliation (SPEC §15)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.settings import Settings
from domain.journal import ROLES
from projections.registry import entry
from tests.api.conftest import Api, _api, post_history
from tests.beancheck import bean_errors

ACCOUNTS = {
    "inventory": "1400",
    "grni": "2100",
    "cogs": "5000",
    "food_cost": "5100",
    "waste": "5200",
    "shrinkage": "5300",
    "cost_variance": "5400",
    "payables": "2000",
}
FORMATS = ("json", "csv", "beancount")
MAP = {"rules": [{"role": role, "account": code} for role, code in ACCOUNTS.items()]}


@pytest.fixture
def any_history_api(settings: Settings) -> Iterator[Api]:
    """The app on each backend, holding post_history() (January and February 2025)."""
    post_history(settings)
    for api in _api(settings):
        assert api.client.app.state.read_models.wait_for(api.head, timeout=30)  # type: ignore[attr-defined]
        yield api


def _valued(api: Api, period: str) -> Decimal:
    body = api.get(f"/api/reports/valuation?period={period}", role="finance").json()
    return Decimal(body["totals"]["closing_value"]) - Decimal(body["totals"]["opening_value"])


def _inventory(body: dict[str, Any]) -> Decimal:
    return sum(
        (
            Decimal(x["debit"]) - Decimal(x["credit"])
            for e in body["entries"]
            for x in e["lines"]
            if x["role"] == "inventory" and x["location"]
        ),
        Decimal(0),
    )


def test_without_an_account_map_the_journal_is_refused_naming_what_to_set(history_api: Api) -> None:
    response = history_api.get("/api/journal?period=2025-01", role="finance")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")
    assert "PUT /api/accounts/map" in response.json()["detail"]
    assert history_api.get("/api/accounts/map", role="finance").status_code == 409


def test_a_map_with_an_unknown_role_an_empty_code_or_a_gap_is_refused(history_api: Api) -> None:
    bad_role = history_api.put("/api/accounts/map", json={"rules": [{"role": "x", "account": "1"}]})
    assert bad_role.status_code == 422 and bad_role.json()["errors"][0]["field"] == "rules[0].role"
    empty = history_api.put("/api/accounts/map", json={"rules": [{"role": "cogs", "account": ""}]})
    assert empty.status_code == 422
    partial = {"rules": [r for r in MAP["rules"] if r["role"] != "waste"]}
    gap = history_api.put("/api/accounts/map", json=partial)
    assert gap.status_code == 422 and "waste at main" in gap.json()["detail"]
    assert history_api.get("/api/accounts/map", role="finance").status_code == 409
    assert history_api.put("/api/accounts/map", json=MAP, role="finance").status_code == 403


def test_the_journal_balances_ties_to_the_valuation_and_exports_on_each_backend(
    any_history_api: Api,
) -> None:
    api = any_history_api
    assert api.put("/api/accounts/map", json=MAP).status_code == 200
    shown = api.get("/api/accounts/map", role="finance").json()
    assert (shown["version"], shown["set_by"], len(shown["rules"])) == (1, "admin", len(ROLES))
    for period in ("2025-01", "2025-02", "2025-03"):
        body = api.get(f"/api/journal?period={period}", role="finance").json()
        assert body["totals"]["debit"] == body["totals"]["credit"]
        assert _inventory(body) == _valued(api, period)
        text = api.get(f"/api/journal?period={period}&format=beancount", role="finance").text
        assert bean_errors(text) == []
    january = api.get("/api/journal?period=2025-01", role="finance").json()
    memos = {x["memo"] for x in january["entries"][0]["lines"]}
    assert "SHIP uncategorised: 1 movement" in memos
    assert january["entries"][0]["date"] == "2025-01-31"
    rows = list(csv.reader(io.StringIO(api.get("/api/journal?period=2025-01&format=csv").text)))
    assert rows[0] == ["Date", "Narration", "AccountCode", "Debit", "Credit", "TrackingLocation"]
    debits = sum(Decimal(r[3]) for r in rows[1:] if r[3])
    assert debits == sum(Decimal(r[4]) for r in rows[1:] if r[4]) == Decimal("75.00")


def test_an_empty_period_gives_an_empty_balanced_journal_and_a_future_one_is_refused(
    history_api: Api,
) -> None:
    history_api.put("/api/accounts/map", json=MAP)
    empty = history_api.get("/api/journal?period=2024-06", role="finance").json()
    assert (empty["entries"], empty["totals"]) == ([], {"debit": "0.00", "credit": "0.00"})
    assert bean_errors(history_api.get("/api/journal?period=2024-06&format=beancount").text) == []
    future = history_api.get("/api/journal?period=2999-01", role="finance")
    assert (future.status_code, future.json()["code"]) == (409, "invalid_state")


def test_a_closed_period_s_journal_is_byte_identical_after_a_map_change_and_a_rebuild(
    any_history_api: Api,
) -> None:
    api = any_history_api
    api.put("/api/accounts/map", json=MAP)
    assert api.post("/api/periods/2025-01/close", role="finance").status_code == 201
    before = {
        f: api.get(f"/api/journal?period=2025-01&format={f}").content
        for f in ("json", "csv", "beancount")
    }
    changed = {"rules": [{**r, "account": "9" + r["account"]} for r in MAP["rules"]]}
    assert api.put("/api/accounts/map", json=changed).json()["version"] == 2
    after = {
        f: api.get(f"/api/journal?period=2025-01&format={f}").content
        for f in ("json", "csv", "beancount")
    }
    assert after == before
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    models.rebuild("all", wait=True)
    rebuilt = {f: api.get(f"/api/journal?period=2025-01&format={f}").content for f in FORMATS}
    assert rebuilt == before
    february = api.get("/api/journal?period=2025-02", role="finance").json()
    assert {x["account"] for e in february["entries"] for x in e["lines"]} <= {
        "9" + code for code in ACCOUNTS.values()
    }


def test_the_reconciliation_shows_no_difference_until_a_read_model_row_is_tampered_with(
    any_history_api: Api,
) -> None:
    api = any_history_api
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    assert models.wait_for(api.head, timeout=30)
    api.put("/api/accounts/map", json=MAP)
    path = "/api/journal/reconciliation?from=2025-01&to=2025-02"
    rows = api.get(path, role="finance").json()["rows"]
    assert [(r["period"], r["difference"]) for r in rows] == [
        ("2025-01", "0.00"),
        ("2025-02", "0.00"),
    ]
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    assert models.verify().ok
    table = (
        models.projections["cogs"].table(models.registry_entry("cogs").generation)
        if hasattr(models, "registry_entry")
        else None
    )
    del table

    with models.db.session() as session, session.transaction():
        live = entry(session, "cogs")
        assert live is not None
        name = models.projections["cogs"].table(live.generation)
        session.execute(
            f"UPDATE {name} SET closing_value = closing_value + 1 WHERE period = ?", ("2025-02",)
        )
    tampered = api.get(path, role="finance").json()["rows"]
    assert tampered[1]["difference"] == "-1.00"
    assert not models.verify().ok


def _purchased(api: Api) -> str:
    """A PO for 10 crates (60 kg) at 18.00, received in full (180.00), half consumed, then
    billed by INV-1 (6 crates at 19.00: 108.00 at receipt cost, a 6.00 difference through
    REVALUE/VARIANCE) and INV-2 (the other 4 crates at 18.00: 72.00); the period posted."""
    tomatoes = {"name": "Tomatoes", "base_unit": "kg", "units": [{"unit": "crate", "factor": "6"}]}
    assert api.put("/api/items/TOM", tomatoes).status_code == 201
    green = {"name": "Green Farm", "items": [{"sku": "TOM", "unit": "crate", "price": "18"}]}
    assert api.put("/api/suppliers/GREEN", green).status_code == 201
    line = {"sku": "TOM", "quantity": "10", "unit": "crate", "unit_price": "18.00"}
    po = {"po_id": "PO-1", "supplier": "GREEN", "location": "main", "lines": [line]}
    assert api.post("/api/purchase-orders", po, role="clerk").status_code == 201
    lines = [{"sku": "TOM", "quantity": "10", "unit": "crate"}]
    got = {"receipt_id": "R-1", "location": "main", "po_id": "PO-1", "lines": lines}
    received = api.post("/api/receipts", got, role="clerk")
    assert received.status_code == 201
    used = {
        "consumption_id": "C-1",
        "location": "main",
        "lines": [{"sku": "TOM", "quantity": "30"}],
    }
    assert api.post("/api/consumptions", used, role="clerk").status_code == 201
    for invoice, crates, price in (("INV-1", "6", "19.00"), ("INV-2", "4", "18.00")):
        billed = {"receipt_id": "R-1", "sku": "TOM", "quantity": crates, "unit": "crate"}
        body = {
            "invoice_id": invoice,
            "supplier": "GREEN",
            "lines": [{**billed, "unit_price": price}],
        }
        assert api.post("/api/supplier-invoices", body, role="finance").status_code == 201
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    assert models.wait_for(api.head, timeout=30)
    return str(received.json()["movements"][0]["recorded_at"])[:7]


def test_supplier_invoices_post_grni_to_payables_at_the_invoiced_value_on_each_backend(
    any_api: Api,
) -> None:
    api = any_api
    assert api.put("/api/accounts/map", json=MAP).status_code == 200
    period = _purchased(api)
    body = api.get(f"/api/journal?period={period}", role="finance").json()
    lines = [x for e in body["entries"] for x in e["lines"] if x["kind"] == "SUPPLIER_INVOICE"]
    assert [(x["account"], x["role"], x["debit"], x["credit"], x["memo"]) for x in lines] == [
        ("2000", "payables", "0.00", "186.00", "SUPPLIER_INVOICE uncategorised: 2 invoices"),
        ("2100", "grni", "186.00", "0.00", "SUPPLIER_INVOICE uncategorised: 2 invoices"),
    ]
    kinds = {x["kind"] for e in body["entries"] for x in e["lines"]}
    assert {"RECEIVE", "REVALUE", "VARIANCE", "CONSUME"} <= kinds
    every = [x for e in body["entries"] for x in e["lines"]]
    grni = sum(Decimal(x["debit"]) - Decimal(x["credit"]) for x in every if x["role"] == "grni")
    assert f"{grni:.2f}" == "0.00"  # R-1 is billed in full: nothing received-not-invoiced
    owed = [x for x in every if x["role"] == "payables"]
    payables = sum(Decimal(x["credit"]) - Decimal(x["debit"]) for x in owed)
    assert f"{payables:.2f}" == "186.00"  # 6 × 19.00 + 4 × 18.00, what GREEN invoiced
    assert body["totals"]["debit"] == body["totals"]["credit"]
    assert _inventory(body) == _valued(api, period)
    text = api.get(f"/api/journal?period={period}&format=beancount", role="finance").text
    assert bean_errors(text) == []
    assert "Liabilities:GL-2000  -186.00 XXX" in text
    rows = api.get(f"/api/journal/reconciliation?from={period}&to={period}").json()["rows"]
    assert [r["difference"] for r in rows] == ["0.00"]
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    models.rebuild("billing", wait=True)
    assert api.get(f"/api/journal?period={period}", role="finance").json() == body
    assert models.verify().ok
