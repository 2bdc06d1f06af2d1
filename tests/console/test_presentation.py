"""Figures as a finance person reads them (issue 32.3): headings in words with the
currency, times to the minute with the full value in a tooltip, names beside codes,
quantity totals only where the units agree, and wide reports scrolling in their own box
with the first column in view."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import Browser, Console


def settle(console: Console) -> None:
    state = console.client.app.state  # type: ignore[attr-defined]
    assert state.read_models.wait_for(state.ledger.recorder.max_notification_id(), 60)


def name_items(console: Console, **units: str) -> None:
    admin = {"Authorization": f"Bearer {console.tokens['admin']}"}
    for sku, unit in units.items():
        item = {"name": f"Item {sku}", "base_unit": unit}
        assert console.client.put(f"/api/items/{sku}", json=item, headers=admin).is_success
    settle(console)


def test_report_headings_are_words_with_the_currency_and_codes_have_their_names(
    console: Console,
) -> None:
    name_items(console, **{"AB-001": "kg"})
    console.sign_in("finance")
    page = console.get("/valuation?period=2025-01").text
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert "Opening quantity" in headings and "Closing value (EUR)" in headings
    assert "Transfers out value (EUR)" in headings
    assert not [h for h in headings if "_" in h or h.endswith(" qty")]
    assert '<span class="name">Item AB-001</span>' in page
    assert re.search(r'data-column="closing_qty">[0-9.]+<span class="unit"> kg</span>', page)
    stock = console.get("/stock").text
    assert "Value (EUR)" in stock and '<span class="name">Item AB-001</span>' in stock
    assert 'class="scroll"' in page
    cogs = console.get("/cogs?from=2025-01&to=2025-01").text
    assert "Net COGS (EUR)" in cogs
    assert 'data-column="consumed_qty"' not in cogs  # quantities of many units: by SKU only


def test_a_quantity_total_is_shown_only_where_the_rows_share_a_unit(console: Console) -> None:
    admin = {"Authorization": f"Bearer {console.tokens['admin']}"}
    found = {"adjustment_id": "A-2", "quantity": "2", "unit_cost": "1", "note": "found"}
    answer = console.client.post("/api/stock/AB-002/main/adjust", json=found, headers=admin)
    assert answer.status_code == 201, answer.text
    name_items(console, **{"AB-001": "kg"})
    console.sign_in("finance")
    one = console.get("/valuation?period=2025-01").text
    assert re.search(r'<tfoot>.*data-column="closing_qty">[^<]*kg</td>', one, re.S)
    name_items(console, **{"AB-002": "l"})
    pages = [console.get(f"/valuation?period={p}").text for p in ("2025-02", "")]
    mixed = [p for p in pages if 'data-sku="AB-002"' in p and 'data-sku="AB-001"' in p]
    assert mixed, "a period holding both"
    assert re.search(
        r'<tfoot>.*data-column="closing_qty"><span title="the rows\' units differ">', mixed[0], re.S
    )


def test_times_show_the_minute_with_the_full_value_in_a_tooltip(console: Console) -> None:
    console.sign_in("viewer")
    page = console.get("/journal").text
    found = re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', page)
    assert found
    for full, title, shown in found:
        assert full == title and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown)
        assert full.startswith(shown.replace(" ", "T")[:13])


@pytest.mark.browser
def test_a_wide_report_scrolls_in_its_own_box_with_its_first_column_in_view(
    browser: Browser,
) -> None:
    browser.sign_in("finance")
    browser.open("/valuation?period=2025-01")
    page, inner = browser.driver.execute_script(
        "return [document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    assert page <= inner
    box = browser.driver.execute_script(
        "const b = document.querySelector('.scroll'); return [b.scrollWidth, b.clientWidth,"
        " getComputedStyle(b.querySelector('tbody th, tbody td')).position]"
    )
    assert box[0] > box[1] and box[2] == "sticky"
