"""The console in a real headless Chromium against a real `stockledger serve`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.console.conftest import Browser

pytestmark = pytest.mark.browser


def test_each_role_signs_in_and_sees_the_stock_the_api_reports(browser: Browser) -> None:
    for role in ("viewer", "clerk", "finance", "admin"):
        browser.sign_in(role)
        assert role in browser.text("#who")
        browser.open("/stock")
        rows = browser.all("#stock tbody tr[data-sku]")
        api = browser.api("/api/stock", role)["items"]
        shown = [
            (
                row.get_attribute("data-sku"),
                row.get_attribute("data-location"),
                Decimal(row.find_element("css selector", ".on-hand").text),
                Decimal(row.find_element("css selector", ".value").text),
            )
            for row in rows
        ]
        assert shown == [
            (b["sku"], b["location"], Decimal(b["on_hand"]), Decimal(b["value"])) for b in api
        ]


def test_a_viewer_sees_no_close_or_rebuild_button_and_no_finance_pages(browser: Browser) -> None:
    browser.sign_in("viewer")
    links = [a.get_attribute("href") for a in browser.all("header nav a")]
    assert not [link for link in links if link.endswith(("/cogs", "/periods", "/keys"))]
    browser.open("/projections")
    assert browser.all("#projections tr[data-name]") and not browser.all("button.rebuild")
    browser.open("/periods")
    assert not browser.all("#close") and "Forbidden" in browser.text("h1")


def test_finance_follows_a_cogs_figure_down_to_its_movements(browser: Browser) -> None:
    browser.sign_in("finance")
    browser.open("/cogs")
    api = browser.api("/api/reports/cogs?group_by=period,location", "finance")["rows"]
    january = next(r for r in api if r["period"] == "2025-01")
    cell = 'tr[data-period="2025-01"][data-location="main"] td[data-column="shipped_value"] a'
    assert Decimal(browser.text(cell)) == Decimal(january["shipped_value"])
    browser.all(cell)[0].click()
    browser.wait(lambda: browser.all("tr[data-sku]"), "the figure by SKU")
    by_sku = 'tr[data-sku="AB-001"] td[data-column="shipped_value"] a'
    assert Decimal(browser.text(by_sku)) == Decimal(january["shipped_value"])
    browser.all(by_sku)[0].click()
    browser.wait(lambda: browser.all("#figure"), "the movements behind the figure")
    values = [Decimal(td.text) for td in browser.all("#movements td.value")]
    assert -sum(values) == Decimal(browser.text("#figure")) == Decimal(january["shipped_value"])
    shown = [int(tr.get_attribute("data-position")) for tr in browser.all("#movements tr")[1:]]
    ships = browser.api("/api/stock/AB-001/main/movements?kind=SHIP", "finance")["items"]
    assert shown == [m["position"] for m in ships if m["recorded_at"].startswith("2025-01")]


def test_finance_opens_food_cost_and_follows_a_cost_to_its_sales(browser: Browser) -> None:
    import httpx

    admin = {"Authorization": f"Bearer {browser.tokens['admin']}"}
    recipe = {"name": "Burger", "lines": [{"sku": "AB-001", "quantity": "1"}]}
    url = browser.server.url
    assert httpx.put(f"{url}/api/recipes/burger", json=recipe, headers=admin).is_success
    sale = {
        "sale_id": "S-1",
        "location": "main",
        "lines": [{"menu_item": "burger", "quantity": "2", "unit_price": "9"}],
    }
    posted = httpx.post(f"{url}/api/sales", json=sale, headers=admin)
    assert posted.status_code == 201, posted.text
    api = browser.api(f"/api/reports/food-cost?min_position={posted.json()['position']}", "finance")
    browser.sign_in("finance")
    browser.open("/food-cost")
    for amount, value in api["totals"].items():
        assert browser.text(f'tfoot td[data-column="{amount}"]') == (value or "")
    browser.all('tr[data-menu-item="burger"] td[data-column="cost"] a')[0].click()
    browser.wait(lambda: browser.all("#figure"), "the sale movements behind the cost")
    values = [Decimal(td.text) for td in browser.all("#movements td.value")]
    assert -sum(values) == Decimal(browser.text("#figure")) == Decimal(api["totals"]["cost"])


def test_finance_closes_a_period_and_sees_it_verified(browser: Browser) -> None:
    browser.sign_in("finance")
    browser.open("/periods")
    browser.driver.find_element("id", "period").send_keys("2025-01")
    browser.driver.find_element("id", "close").click()
    browser.wait(lambda: browser.all("#verified .badge"), "the closed period's page")
    assert browser.text("#verified .badge") == "verified"
    api = browser.api("/api/periods/2025-01", "finance")
    assert api["verified"] is True and browser.text("#digest") == api["digest"]
    browser.open("/periods")
    assert browser.text('tr[data-period="2025-01"] code') == api["digest"]


def test_an_admin_starts_a_rebuild_and_watches_it_finish(browser: Browser) -> None:
    browser.sign_in("admin")
    browser.open("/projections")
    row = 'tr[data-name="movements"]'
    before = int(browser.all(row)[0].get_attribute("data-generation"))
    browser.all(f"{row} button.rebuild")[0].click()
    browser.wait(lambda: browser.all("#projections"), "the projections page again")

    # The page is not reloaded: its live region (static/console.js) polls the status.
    def rebuilt() -> bool:
        rows = browser.all(row)
        return bool(rows) and (
            int(rows[0].get_attribute("data-generation")) > before
            and rows[0].get_attribute("data-state") == "live"
        )

    browser.wait(rebuilt, "the rebuilt generation to go live", timeout=60)
    status = next(p for p in browser.api("/api/projections") if p["name"] == "movements")
    assert status["state"] == "live" and status["lag"] == 0
