"""Screenshots of every console page at 375 px (a phone) and 1400 px (a desktop), for a
reviewer to look at: ``make screenshots`` (``python -m tests.console.screenshots DIR``)
writes them to DIR (build/screenshots, git-ignored), one PNG per page and width.

A real ``stockledger serve`` on a throwaway store holding the tests' history plus names,
a recipe, a sale and a late cost, driven by Debian's headless Chromium as the browser
tests drive it."""

from __future__ import annotations

import base64
import re
import sys
import tempfile
from pathlib import Path

import httpx

from application.settings import Settings
from console.form_specs import SPECS
from console.pages import PAGES
from tests.api.conftest import post_history
from tests.console.conftest import Browser, chrome, issue_keys
from tests.e2e.conftest import Server

WIDTHS = (375, 1400)
EXTRA = (
    "/cogs?by_sku=true",
    "/cogs/movements?period=2025-01&location=main&sku=AB-001&column=net_cogs",
    "/items/AB-001/main",
    "/periods/2025-01",
)


def furnish(server: Server, token: str) -> None:
    """Names, a recipe, a sale and a late cost, through the API."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as api:
        api.put("/api/locations/main", json={"name": "Main store", "kind": "store"})
        api.put("/api/locations/kitchen", json={"name": "Kitchen", "kind": "kitchen"})
        item = {
            "name": "Flour, type 00",
            "base_unit": "kg",
            "category": "dry goods",
            "units": [{"unit": "sack", "factor": "25"}],
            "reorder": [{"location": "main", "reorder_point": "5", "reorder_qty": "25"}],
        }
        api.put("/api/items/AB-001", json=item)
        api.put(
            "/api/recipes/pizza",
            json={"name": "Margherita", "lines": [{"sku": "AB-001", "quantity": "0.25"}]},
        )
        api.post(
            "/api/sales",
            json={
                "sale_id": "POS-1",
                "location": "main",
                "lines": [{"menu_item": "pizza", "quantity": "2", "unit_price": "9.50"}],
            },
        )
        api.post(
            "/api/receipts/R-1/costs", json={"cost_id": "LC-1", "amount": "4.20", "note": "freight"}
        )


def pages() -> list[str]:
    found = [module.NAV.path for module in PAGES]
    found += [f"/record/{spec.slug}" for spec in SPECS]
    return [*found, *EXTRA]


def shoot(browser: Browser, path: str, width: int, folder: Path) -> Path:
    driver = browser.driver
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.open(path)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
    target = folder / f"{name}-{width}.png"
    target.write_bytes(base64.b64decode(shot["data"]))
    return target


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        store = Settings(database_url=None, data_dir=Path(work) / "var")
        post_history(store)
        tokens = issue_keys(store)
        server = Server(store, Path(work)).start()
        try:
            furnish(server, tokens["admin"])
            driver = chrome()
            try:
                browser = Browser(driver, server, tokens).sign_in("admin")
                for path in pages():
                    for width in WIDTHS:
                        print(shoot(browser, path, width, folder))
            finally:
                driver.quit()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "build/screenshots"))
