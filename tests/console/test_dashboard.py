"""The console's home page (issue 32.3): what needs attention, by role — low stock with
item names, consumption sales owe, ended periods not yet closed (finance); a calm store
says so."""

from __future__ import annotations

import re

from tests.console.conftest import Console


def settle(console: Console) -> None:
    state = console.client.app.state  # type: ignore[attr-defined]
    assert state.read_models.wait_for(state.ledger.recorder.max_notification_id(), 60)


def test_signing_in_opens_the_home_page_listing_low_stock_owed_and_periods_to_close(
    console: Console,
) -> None:
    admin = {"Authorization": f"Bearer {console.tokens['admin']}"}
    item = {
        "name": "Flour",
        "base_unit": "kg",
        "reorder": [{"location": "main", "reorder_point": "5", "reorder_qty": "20"}],
    }
    assert console.client.put("/api/items/AB-001", json=item, headers=admin).is_success
    recipe = {"name": "Bread", "lines": [{"sku": "AB-001", "quantity": "2"}]}
    assert console.client.put("/api/recipes/bread", json=recipe, headers=admin).is_success
    sale = {
        "sale_id": "S-1",
        "location": "main",
        "lines": [{"menu_item": "bread", "quantity": "2", "unit_price": "4"}],
    }
    assert console.client.post("/api/sales", json=sale, headers=admin).status_code == 201
    settle(console)
    console.sign_in("finance")
    home = console.get("/dashboard")
    assert home.status_code == 200, home.text
    low = home.text[home.text.index('id="low-stock"') : home.text.index('id="owed"')]
    assert "AB-001" in low and "Flour" in low and "kg" in low
    owed = home.text[home.text.index('id="owed"') :]
    assert re.search(r'class="num">1(\.0+)? kg<', owed), owed[:600]
    periods = home.text[home.text.index('id="periods"') :]
    assert "2025-01" in periods and "2025-02" in periods
    assert 'id="webhooks"' not in home.text and 'id="all-clear"' not in home.text
    console.sign_in("viewer")
    assert 'id="periods"' not in console.get("/dashboard").text


def test_a_calm_store_says_nothing_needs_attention(console: Console) -> None:
    console.sign_in("viewer")  # no reorder points, nothing owed; periods are finance's
    home = console.get("/dashboard").text
    assert 'id="all-clear"' in home and 'id="low-stock"' not in home
