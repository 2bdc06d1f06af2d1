"""The item page's chart (issue 32: a time axis, gridlines, steps where movements happen, a
hover read-out) and its history in words ("2 × Margherita"), through the real app (ASGI)
and, for the read-out, a real headless Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from console.chart import nice_step, round_scale, time_ticks
from tests.console.conftest import Browser, Console, document_cells

SVG = re.compile(r"<svg class=\"chart\".*?</svg>", re.S)
MONTHS = {date(2000, month, 1).strftime("%b"): month for month in range(1, 13)}


def admin_headers(console: Console) -> dict[str, str]:
    return {"Authorization": f"Bearer {console.tokens['admin']}"}


def the_chart(page: str) -> ET.Element:
    found = SVG.search(page)
    assert found is not None, "the page has the chart"
    return ET.fromstring(found.group(0))


def history(console: Console) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = console.api("/api/stock/AB-001/main/movements").json()["items"]
    return items


def linear(pairs: list[tuple[Decimal, Decimal]]) -> Any:
    """The line through the first and last (input, coordinate) pair."""
    (a, fa), (b, fb) = pairs[0], pairs[-1]
    return lambda v: fa + (v - a) * (fb - fa) / (b - a)


def seconds(moment: datetime) -> Decimal:
    return Decimal(int(moment.timestamp()))


def tick_dates(labels: list[str]) -> list[date]:
    """``13 Jan 2025``, ``20 Jan``, ``3 Feb`` → dates (the year carried from the last named)."""
    out, year = [], None
    for label in labels:
        day, month, *rest = label.split()
        year = int(rest[0]) if rest else year
        assert year is not None, f"the first tick names its year: {label}"
        out.append(date(year, MONTHS[month], int(day)))
    return out


@pytest.fixture
def named(console: Console) -> Console:
    console.sign_in("viewer")
    answer = console.client.put(
        "/api/items/AB-001",
        json={"name": "Flour", "base_unit": "kg"},
        headers=admin_headers(console),
    )
    assert answer.is_success, answer.text
    console.settle()
    return console


def test_the_chart_has_a_time_axis_with_dated_ticks_scaled_by_time_and_gridlines(
    named: Console,
) -> None:
    svg = the_chart(named.get("/items/AB-001/main").text)
    moves = history(named)
    points = svg.findall(".//g[@class='point']")
    assert len(points) == len(moves) == 6
    # The movements (10, 11, 12 Jan, 3, 4, 5 Feb) are not evenly spaced: by time, not index.
    at = [
        (seconds(datetime.fromisoformat(m["recorded_at"])), Decimal(p.get("data-x", "")))
        for m, p in zip(moves, points, strict=True)
    ]
    x_of = linear(at)
    for moment, x in at:
        assert abs(x_of(moment) - x) < Decimal("0.2")
    gap_january, gap_february_to_january = at[1][1] - at[0][1], at[3][1] - at[2][1]
    assert gap_february_to_january > 10 * gap_january
    ticks = svg.findall(".//g[@class='axis x-axis']/g")
    labels = [t.findtext("text", "") for t in ticks]
    assert labels == ["13 Jan 2025", "20 Jan", "27 Jan", "3 Feb"], "weekly ticks on Mondays"
    days = tick_dates(labels)
    assert days == sorted(days)
    for day, tick in zip(days, ticks, strict=True):
        midnight = datetime.fromisoformat(f"{day.isoformat()}T00:00:00+00:00")  # zone: UTC
        assert abs(x_of(seconds(midnight)) - Decimal(tick.get("data-x", ""))) < Decimal("0.2")
    grid = svg.findall(".//g[@class='grid']/line")
    vertical = [g for g in grid if g.get("x1") == g.get("x2")]
    horizontal = [g for g in grid if g.get("y1") == g.get("y2")]
    assert [v.get("x1") for v in vertical] == 2 * [t.get("data-x") for t in ticks], "both panels"
    assert len(horizontal) == 6 + 6, "0–10 kg by 2s, 0–50 EUR by 10s"
    titles = [t.text for t in svg.findall(".//text[@class='axis-title']")]
    assert titles == ["On hand (kg)", "Value (EUR)"]


def test_the_steps_turn_where_the_movements_happen_and_each_has_a_point(named: Console) -> None:
    svg = the_chart(named.get("/items/AB-001/main").text)
    moves = history(named)
    points = svg.findall(".//g[@class='point']")
    xs = [p.get("data-x") for p in points]
    left_ticks = svg.findall(".//g[@class='axis y on-hand']/text[@class='tick']")
    y_of = linear([(Decimal(t.text or ""), Decimal(t.get("y", ""))) for t in left_ticks])
    path = svg.find(".//path[@class='series on-hand']")
    assert path is not None
    d = path.get("d", "")
    start = re.match(r"M([\d.]+) ([\d.]+)", d)
    assert start is not None and start.group(1) == xs[0]
    corners = re.findall(r"H([\d.]+)V([\d.]+)", d)
    # Flat until the next movement's time, then a jump to the balance after it.
    assert [x for x, _ in corners] == xs[1:]
    levels = [Decimal(start.group(2))] + [Decimal(y) for _, y in corners]
    for level, move in zip(levels, moves, strict=True):
        assert abs(level - y_of(Decimal(move["on_hand_after"]))) < Decimal("0.2")
    assert re.search(r"H[\d.]+$", d), "the last balance holds to the axis' end"
    assert [t.text for t in left_ticks] == ["0", "2", "4", "6", "8", "10"], "round steps"
    for point, move in zip(points, moves, strict=True):
        circle = point.find("circle[@class='on-hand']")
        assert circle is not None and circle.get("cx") == point.get("data-x")
        title = point.findtext("title", "")
        on_hand = Decimal(move["on_hand_after"]).normalize()
        assert f"on hand {on_hand:f} kg" in title and f"value {move['value_after']} EUR" in title
    assert "Receive · Receipt R-1" in (points[0].findtext("title") or "")


def test_the_history_says_what_a_sale_line_was_and_where_a_transfer_went(
    named: Console,
) -> None:
    headers = admin_headers(named)
    client = named.client
    for code, name, per in (("pizza", "Margherita", "0.25"), ("bread", "Focaccia", "0.5")):
        recipe = {"name": name, "lines": [{"sku": "AB-001", "quantity": per}]}
        assert client.put(f"/api/recipes/{code}", json=recipe, headers=headers).is_success
    client.put(
        "/api/locations/kitchen", json={"name": "Kitchen", "kind": "kitchen"}, headers=headers
    )
    sale = {
        "sale_id": "POS-K-001",
        "location": "main",
        "lines": [
            {"menu_item": "pizza", "quantity": "2", "unit_price": "9.50"},
            {"menu_item": "bread", "quantity": "3", "unit_price": "4"},
        ],
    }
    assert client.post("/api/sales", json=sale, headers=headers).status_code == 201
    transfer = {
        "transfer_id": "T-1",
        "from_location": "main",
        "to_location": "kitchen",
        "lines": [{"sku": "AB-001", "quantity": "1"}],
    }
    assert client.post("/api/transfers", json=transfer, headers=headers).status_code == 201
    void = {"void_id": "V-1", "lines": [1], "note": "sent back"}
    assert client.post("/api/sales/POS-K-001/void", json=void, headers=headers).status_code == 201
    named.settle()
    page = named.get("/items/AB-001/main").text
    rows = document_cells(page)
    assert "2 × Margherita · Sale POS-K-001" in rows
    assert "3 × Focaccia · Sale POS-K-001" in rows
    assert "to Kitchen · Transfer T-1" in rows
    assert "3 × Focaccia taken back · Void V-1" in rows
    assert "Receipt R-1" in rows and "Delivery D-1" in rows
    assert 'href="/sales/POS-K-001"' in page
    assert "line 0" not in re.sub(r'title="[^"]*"', "", page)
    assert "from main · Transfer T-1" in document_cells(named.get("/items/AB-001/kitchen").text)


def test_round_scales_and_calendar_ticks() -> None:
    assert [nice_step(Decimal(v)) for v in ("0.7", "1", "1.2", "2.2", "3", "7", "42")] == [
        Decimal("1"),
        Decimal("1"),
        Decimal("2"),
        Decimal("2.5"),
        Decimal("5"),
        Decimal("10"),
        Decimal("50"),
    ]

    def ticks(*values: str) -> list[str]:
        return [format(t, "f") for t in round_scale([Decimal(v) for v in values])]

    assert ticks("9", "0") == ["0", "2", "4", "6", "8", "10"]
    assert ticks("50", "13.55") == ["0", "10", "20", "30", "40", "50"]
    assert ticks("0") == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    assert ticks("-3", "11") == ["-5", "0", "5", "10", "15"]
    assert ticks("1234.5") == ["0", "250", "500", "750", "1000", "1250"]
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Berlin")
    months = time_ticks(
        datetime(2024, 11, 20, tzinfo=zone), datetime(2025, 4, 2, tzinfo=zone), zone
    )
    assert [(m.year, m.month, m.day, m.hour) for m in months] == [
        (2024, 12, 1, 0),
        (2025, 1, 1, 0),
        (2025, 2, 1, 0),
        (2025, 3, 1, 0),
        (2025, 4, 1, 0),
    ]
    hours = time_ticks(
        datetime(2025, 3, 30, 0, 30, tzinfo=zone), datetime(2025, 3, 30, 5, 0, tzinfo=zone), zone
    )
    assert [h.hour for h in hours] == [1, 3, 4, 5], "the clock skips 2:00 that night"


@pytest.mark.browser
def test_the_read_out_shows_the_figures_of_the_point_under_the_pointer(browser: Browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.sign_in("viewer")
    driver = browser.open("/items/AB-001/main")
    moves = browser.api("/api/stock/AB-001/main/movements")["items"]
    readout = "#chart-readout"
    for index in (0, 3, 5):
        circle = browser.all(f"#item-chart g.point:nth-of-type({index + 1}) circle.on-hand")[0]
        ActionChains(driver).move_to_element(circle).perform()
        move = moves[index]
        when = datetime.fromisoformat(move["recorded_at"]).strftime("%Y-%m-%d %H:%M")
        browser.wait(lambda w=when: w in browser.text(readout), f"the read-out of point {index}")
        shown = browser.text(readout)
        on_hand = Decimal(move["on_hand_after"]).normalize()
        assert f"On hand {on_hand:f}" in shown
        assert f"Value {move['value_after']} EUR" in shown
        assert move["document"]["id"] in shown
    assert "Ship · Delivery D-2" in browser.text(readout)
    cursor = browser.all("#item-chart line.cursor")[0]
    point = browser.all("#item-chart g.point")[5]
    assert cursor.get_attribute("x1") == point.get_attribute("data-x")
    # By keyboard: the chart takes focus, the arrows walk the movements.
    browser.all("#item-chart")[0].send_keys(Keys.ARROW_LEFT)
    browser.wait(lambda: "Waste · Waste W-1" in browser.text(readout), "the previous movement")
    ActionChains(driver).move_to_element(browser.all("h1")[0]).perform()
    browser.all("h1")[0].click()
    browser.wait(lambda: not browser.all(readout)[0].is_displayed(), "the read-out hides")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_item_page_fits_a_phone_and_its_chart_and_read_out_pass_axe(
    browser: Browser, scheme: str
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    from tests.console.test_forms_browser import axe_violations, no_sideways_scrolling

    driver = browser.driver
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        browser.sign_in("viewer")
        browser.open("/items/AB-001/main")
        scroll_width, inner_width = no_sideways_scrolling(browser)
        assert inner_width == 375 and scroll_width <= inner_width
        box = driver.execute_script(
            "const r = document.getElementById('item-chart').getBoundingClientRect();"
            "return [r.left, r.right, r.height];"
        )
        assert box[0] >= 0 and box[1] <= 375 and box[2] > 150, "the chart scales to the screen"
        point = browser.all("#item-chart g.point circle.on-hand")[1]
        ActionChains(driver).move_to_element(point).perform()
        browser.wait(lambda: browser.all("#chart-readout")[0].is_displayed(), "the read-out")
        assert axe_violations(browser) == []
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
