"""Receiving against a purchase order on a phone (SPEC §14), in a real headless Chromium at
375 px against a real `stockledger serve`: nothing scrolls sideways, the clerk types the
quantities (and scans a SKU), and the PO shows what came and what is still open."""

from __future__ import annotations

import httpx
import pytest

from tests.console.conftest import Browser

pytestmark = pytest.mark.browser


def send(browser: Browser, method: str, path: str, body: dict[str, object]) -> None:
    headers = {"Authorization": f"Bearer {browser.tokens['admin']}"}
    answer = httpx.request(method, browser.server.url + path, json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text


def test_a_clerk_receives_against_a_po_on_a_phone_without_sideways_scroll(
    browser: Browser,
) -> None:
    from selenium.webdriver.common.by import By

    item = {"name": "Tomatoes", "base_unit": "kg", "units": [{"unit": "crate", "factor": "6"}]}
    send(browser, "PUT", "/api/items/PB-TOM", item)
    send(browser, "PUT", "/api/items/PB-OIL-VERY-LONG-CODE", {"name": "Oil", "base_unit": "l"})
    send(browser, "PUT", "/api/suppliers/PB-GREEN", {"name": "Green Farm"})
    lines = [
        {"sku": "PB-TOM", "quantity": "5", "unit": "crate", "unit_price": "18"},
        {"sku": "PB-OIL-VERY-LONG-CODE", "quantity": "4", "unit_price": "7.5"},
    ]
    po = {"po_id": "PB-1", "supplier": "PB-GREEN", "location": "main", "lines": lines}
    send(browser, "POST", "/api/purchase-orders", po)
    driver = browser.driver
    driver.set_window_size(375, 800)
    try:
        browser.sign_in("clerk")
        browser.open("/purchasing/orders/PB-1")
        assert driver.execute_script(
            "return document.scrollingElement.scrollWidth <= window.innerWidth"
        )
        assert driver.find_element(By.ID, "qty-0").get_attribute("inputmode") == "decimal"
        driver.find_element(By.ID, "qty-0").send_keys("12")
        driver.find_element(By.ID, "scan").send_keys("PB-OIL-VERY-LONG-CODE")
        driver.find_element(By.ID, "scan-qty").send_keys("4")
        driver.find_element(By.CSS_SELECTOR, "#receive button[type=submit]").click()
        browser.wait(
            lambda: browser.text("#po-status") == "partially_received", "the PO received in part"
        )
        shown = browser.api("/api/purchase-orders/PB-1", "viewer")
        assert [(ln["received"], ln["open"]) for ln in shown["lines"]] == [("12", "18"), ("4", "0")]
    finally:
        driver.set_window_size(1400, 1000)
