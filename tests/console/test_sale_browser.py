"""The sale page in a real headless Chromium against a real `stockledger serve` (SPEC §17):
a clerk ticks a line of a ticket across outlets, says why and voids it; the page shows the
void and the line voided, and the API agrees."""

from __future__ import annotations

import httpx
import pytest

from tests.console.conftest import Browser

pytestmark = pytest.mark.browser


def post(browser: Browser, method: str, path: str, body: dict[str, object]) -> None:
    headers = {"Authorization": f"Bearer {browser.tokens['admin']}"}
    answer = httpx.request(method, browser.server.url + path, json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text


def test_a_clerk_voids_a_line_from_the_sale_page(browser: Browser) -> None:
    from selenium.webdriver.common.by import By

    for rid, sku, where in (("RB-1", "VB-FLOUR", "kitchen"), ("RB-2", "VB-KEG", "bar")):
        line = {"sku": sku, "quantity": "5", "unit_cost": "2"}
        post(
            browser,
            "POST",
            "/api/receipts",
            {"receipt_id": rid, "location": where, "lines": [line]},
        )
    post(
        browser,
        "PUT",
        "/api/recipes/vb-pizza",
        {"name": "Pizza", "lines": [{"sku": "VB-FLOUR", "quantity": "0.2"}]},
    )
    post(
        browser,
        "PUT",
        "/api/recipes/vb-beer",
        {"name": "Beer", "lines": [{"sku": "VB-KEG", "quantity": "0.5"}]},
    )
    lines = [
        {"menu_item": "vb-pizza", "quantity": "1", "unit_price": "12"},
        {"menu_item": "vb-beer", "quantity": "1", "unit_price": "5", "location": "bar"},
    ]
    post(browser, "POST", "/api/sales", {"sale_id": "SB-1", "location": "kitchen", "lines": lines})
    browser.sign_in("clerk")
    driver = browser.open("/sales/SB-1")
    driver.find_element(By.ID, "line-1").click()
    driver.find_element(By.ID, "void-note").send_keys("flat beer")
    driver.find_element(By.CSS_SELECTOR, "#void-sale button[type=submit]").click()
    browser.wait(lambda: browser.all("p.void"), "the void on the page")
    assert "lines 1" in browser.text("p.void")
    assert not browser.all("#line-1") and browser.all("#line-0")
    shown = browser.api("/api/sales/SB-1", "viewer")
    assert [ln["voided"] for ln in shown["lines"]] == [False, True]
    assert shown["voided_revenue"] == "5.00"
