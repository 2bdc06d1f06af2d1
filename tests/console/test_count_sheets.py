"""The counts and AvT pages: through the real ASGI app (roles, CSRF, the API's figures), and
in a real headless Chromium at a 375 px phone's width and at desktop width (entries saved on
blur with a visible mark, progress, no sideways scrolling)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.console.conftest import Browser, Console, document_cells

# post_history leaves 3 AB-001 at main, worth 15.00.


def count(console: Console, count_id: str, quantity: str) -> None:
    """A full count of main by a clerk, approved by finance, all through the console."""
    console.sign_in("clerk")
    opened = console.post(
        "/count-sheets", {"count_id": count_id, "location": "main", "kind": "full"}
    )
    assert opened.status_code == 303, opened.text
    saved = console.client.post(
        f"/count-sheets/{count_id}/lines",
        data={
            "csrf": console.csrf,
            "sku": "AB-001",
            "area": "not in an area",
            "quantity": quantity,
        },
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.json()["counted"] == 1, saved.text
    assert console.post(f"/count-sheets/{count_id}/submit").status_code == 303
    assert console.get(f"/count-sheets/{count_id}/review").status_code == 403
    console.sign_in("finance")
    review = console.get(f"/count-sheets/{count_id}/review").text
    assert 'data-sku="AB-001"' in review and 'id="approve"' in review
    assert console.post(f"/count-sheets/{count_id}/approve").status_code == 303


def test_a_clerk_counts_finance_approves_and_the_avt_page_shows_the_api_figures(
    console: Console,
) -> None:
    count(console, "K-1", "3")
    console.sign_in("clerk")
    page = console.get("/count-sheets/K-1").text
    assert "approved" in page and "disabled" in page
    count(console, "K-2", "2")  # one unit unexplained
    page = console.get("/avt?location=main").text
    api = console.api("/api/reports/avt?location=main", "finance").json()
    (row,) = api["rows"]
    assert row["unexplained_value"] == "5.00"
    shown = re.search(r'data-sku="AB-001" data-unexplained="([^"]+)"', page)
    assert shown is not None and Decimal(shown.group(1)) == Decimal(row["unexplained_value"])
    assert 'id="csv" href="/avt.csv?location=main&amp;from_count=K-1&amp;to_count=K-2"' in page
    csv = console.get("/avt.csv?location=main&from_count=K-1&to_count=K-2")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].startswith("AB-001,")
    drill = console.get(
        "/avt/movements?location=main&sku=AB-001&column=unexplained&from_count=K-1&to_count=K-2"
    ).text
    assert 'data-kind="ADJUSTMENT"' in drill and "-5.00" in drill
    assert document_cells(drill) == ["Count K-2"]
    assert 'title="count K-2, line 0"' in drill


def test_a_save_without_the_csrf_token_is_refused_and_records_nothing(console: Console) -> None:
    console.sign_in("clerk")
    console.post("/count-sheets", {"count_id": "K-1", "location": "main", "kind": "spot"})
    refused = console.post("/count-sheets/K-1/lines", {"sku": "AB-001", "quantity": "1"}, False)
    assert refused.status_code in (400, 403)
    sheet = console.api("/api/count-sheets/K-1", "viewer").json()
    assert sheet["lines"] == []


# --- Chromium -----------------------------------------------------------------------------


def post(browser: Browser, path: str, body: Any, role: str = "admin", put: bool = False) -> Any:
    headers = {"Authorization": f"Bearer {browser.tokens[role]}"}
    send = httpx.put if put else httpx.post
    answer = send(browser.server.url + path, json=body, headers=headers, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def count_and_approve(
    browser: Browser, count_id: str, kind: str, counted: str, approval: dict[str, str]
) -> None:
    """A sheet at main counting AB-001 in the dry store, submitted and approved."""
    post(
        browser,
        "/api/count-sheets",
        {"count_id": count_id, "location": "main", "kind": kind},
        "clerk",
    )
    post(
        browser,
        f"/api/count-sheets/{count_id}/lines/AB-001",
        {"quantity": counted, "area": "dry store"},
        "clerk",
        put=True,
    )
    post(browser, f"/api/count-sheets/{count_id}/submit", None, "clerk")
    post(browser, f"/api/count-sheets/{count_id}/approve", approval, "finance")


def no_sideways_scroll(browser: Browser) -> bool:
    return bool(
        browser.driver.execute_script(
            "return document.scrollingElement.scrollWidth <= window.innerWidth"
        )
    )


@pytest.mark.browser
def test_on_a_phone_each_entry_is_saved_on_blur_with_a_mark_and_nothing_scrolls_sideways(
    browser: Browser,
) -> None:
    areas = [
        {"area": "walk-in cooler by the back door", "skus": ["AB-001", "VERY-LONG-SKU-CODE-0001"]},
        {"area": "dry store", "skus": ["AB-001"]},
    ]
    post(browser, "/api/locations/main/areas", {"areas": areas}, put=True)
    post(
        browser,
        "/api/count-sheets",
        {"count_id": "P-1", "location": "main", "kind": "full"},
        "clerk",
    )
    driver = browser.driver
    driver.set_window_size(375, 800)
    try:
        browser.sign_in("clerk")
        browser.open("/count-sheets/P-1")
        assert no_sideways_scroll(browser)
        inputs = browser.all("input.count")
        assert [i.get_attribute("inputmode") for i in inputs] == ["decimal"] * 3
        assert browser.text("#progress") == "0 / 3"
        inputs[0].send_keys("2")
        inputs[1].click()  # the first loses focus: saved
        browser.wait(lambda: browser.all(".mark.saved"), "the saved mark")
        assert browser.text("#progress") == "1 / 3"
        inputs[2].send_keys("1,5")
        inputs[1].click()
        browser.wait(lambda: len(browser.all(".mark.saved")) == 2, "the second saved mark")
        sheet = browser.api("/api/count-sheets/P-1", "viewer")
        assert [ln["quantity"] for ln in sheet["lines"]] == ["2", None, "1.5"]
        assert no_sideways_scroll(browser)
        browser.open("/count-sheets")
        assert no_sideways_scroll(browser)
    finally:
        driver.set_window_size(1400, 1000)


@pytest.mark.browser
def test_the_avt_page_sorts_by_unexplained_value_and_fits_a_phone_and_a_desktop(
    browser: Browser,
) -> None:
    for number, counted in ((1, "3"), (2, "1")):
        count_and_approve(browser, f"A-{number}", "spot", counted, {})
    for number, counted in ((1, "1"), (2, "0")):
        count_and_approve(browser, f"F-{number}", "full", counted, {"uncounted": "zero"})
    driver = browser.driver
    try:
        for width in (375, 1400):
            driver.set_window_size(width, 900)
            browser.sign_in("finance")
            browser.open("/avt?location=main&sort=unexplained")
            browser.wait(lambda: browser.all("#avt tbody tr"), "the AvT rows")
            assert no_sideways_scroll(browser), width
            first = browser.all("#avt tbody tr")[0]
            assert first.get_attribute("data-sku") == "AB-001"
            link = first.find_element("css selector", "td.unexplained a")
            link.click()
            browser.wait(lambda: browser.all("#movements tr[data-kind]"), "the drill-down")
            assert {
                r.get_attribute("data-kind") for r in browser.all("#movements tr[data-kind]")
            } == {"ADJUSTMENT"}
            assert no_sideways_scroll(browser), width
    finally:
        driver.set_window_size(1400, 1000)
