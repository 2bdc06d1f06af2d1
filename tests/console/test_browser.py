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
