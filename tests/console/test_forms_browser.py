"""The console's forms in a real headless Chromium against a real `stockledger serve`
(issue 32): receive on a phone (375 × 812) with lines added and removed and no sideways
scrolling, a refusal beside its field, and axe-core's labelling and contrast rules on every
form page, light and dark."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from console.form_specs import SPECS
from tests.console.conftest import Browser

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RULES = [
    "label",
    "select-name",
    "button-name",
    "link-name",
    "aria-input-field-name",
    "form-field-multiple-labels",
    "color-contrast",
]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Browser]:
    """The browser as a 375 × 812 phone (a touch screen), set back to a desktop after."""
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True},
    )
    yield browser
    browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def fill(browser: Browser, control: str, value: str) -> None:
    field = browser.driver.find_element("id", control)
    field.clear()
    field.send_keys(value)


def no_sideways_scrolling(browser: Browser) -> tuple[int, int]:
    widths: tuple[int, int] = tuple(  # type: ignore[assignment]
        browser.driver.execute_script(
            "return [document.scrollingElement.scrollWidth, window.innerWidth]"
        )
    )
    return widths


def small_targets(browser: Browser) -> list[Any]:
    """Controls of the page's main part less than 44 px tall (or wide)."""
    found: list[Any] = browser.driver.execute_script(
        "return [...document.querySelectorAll('main input:not([type=hidden]), main select,"
        " main textarea, main button')].filter((e) => { const r = e.getBoundingClientRect();"
        " return r.height < 44 || r.width < 44; }).map((e) => e.outerHTML.slice(0, 80));"
    )
    return found


def test_a_clerk_receives_two_lines_on_a_phone_without_scrolling_sideways(phone: Browser) -> None:
    phone.sign_in("clerk")
    phone.open("/record/receipt")
    scroll_width, inner_width = no_sideways_scrolling(phone)
    assert inner_width == 375 and scroll_width <= inner_width
    assert small_targets(phone) == []
    quantity = phone.driver.find_element("id", "lines-0-quantity")
    assert quantity.get_attribute("inputmode") == "decimal"
    assert phone.driver.find_element("id", "lines-0-sku").get_attribute("list") == "skus"
    document = phone.driver.find_element("id", "receipt_id").get_attribute("value")
    fill(phone, "location", "main")
    fill(phone, "lines-0-sku", "AB-001")
    fill(phone, "lines-0-quantity", "4")
    fill(phone, "lines-0-unit_cost", "5.25")
    for _ in range(2):
        phone.driver.find_element("css selector", "fieldset.group button.add").click()
    assert len(phone.all("li.row")) == 3
    phone.all("li.row")[1].find_element("css selector", "button.remove").click()
    rows = phone.all("li.row")
    assert [r.find_element("css selector", "legend").text for r in rows] == ["Line 1", "Line 2"]
    assert rows[1].find_element("css selector", "input").get_attribute("name") == "lines[1].sku"
    fill(phone, "lines-1-sku", "AB-002")
    fill(phone, "lines-1-quantity", "1.5")
    fill(phone, "lines-1-unit_cost", "2")
    scroll_width, inner_width = no_sideways_scrolling(phone)
    assert scroll_width <= inner_width
    phone.driver.find_element("css selector", "button.primary").click()
    phone.wait(lambda: phone.all("#recorded"), "the movements recorded")
    assert no_sideways_scrolling(phone)[0] <= 375
    links = [a.get_attribute("href") for a in phone.all("#recorded a")]
    assert links == [
        phone.server.url + "/items/AB-001/main",
        phone.server.url + "/items/AB-002/main",
    ]
    head = phone.api("/api/projections")[0]["head"]
    found = phone.api(f"/api/stock/AB-002/main/movements?min_position={head}")["items"]
    assert [(m["document"]["id"], Decimal(m["quantity"])) for m in found] == [
        (document, Decimal("1.5"))
    ]


@pytest.mark.parametrize("form", ["transfer", "waste", "receipt"])
def test_the_forms_used_standing_up_fit_a_phone(phone: Browser, form: str) -> None:
    phone.sign_in("clerk")
    phone.open(f"/record/{form}")
    phone.driver.find_element("css selector", "fieldset.group button.add").click()
    scroll_width, inner_width = no_sideways_scrolling(phone)
    assert inner_width == 375 and scroll_width <= inner_width
    assert small_targets(phone) == []
    numeric = phone.all("input[name$='.quantity']")
    assert len(numeric) == 2 and {q.get_attribute("inputmode") for q in numeric} == {"decimal"}


def test_a_refusal_shows_beside_the_field_it_names(browser: Browser) -> None:
    browser.sign_in("clerk")
    browser.open("/record/transfer")
    fill(browser, "from_location", "main")
    fill(browser, "to_location", "main")
    fill(browser, "lines-0-sku", "AB-001")
    fill(browser, "lines-0-quantity", "0")
    browser.driver.find_element("css selector", "button.primary").click()
    browser.wait(lambda: browser.all("#problems"), "the refusal")
    beside = browser.driver.find_element("css selector", "[data-field=quantity] .field-error")
    assert beside.get_attribute("id") == "lines-0-quantity-error"
    control = browser.driver.find_element("id", "lines-0-quantity")
    assert control.get_attribute("aria-describedby") == "lines-0-quantity-error"
    assert control.get_attribute("value") == "0"


def axe_violations(browser: Browser) -> list[Any]:
    if not browser.driver.execute_script("return typeof window.axe !== 'undefined'"):
        browser.driver.execute_script(AXE.read_text())
    result: dict[str, Any] = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'rule', values: arguments[0]}})"
        ".then((r) => done({violations: r.violations.map((v) => ({id: v.id,"
        " nodes: v.nodes.map((n) => n.html + ' ' + n.failureSummary)}))}))"
        ".catch((e) => done({violations: [{id: 'axe failed', nodes: [String(e)]}]}));",
        RULES,
    )
    return list(result["violations"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_form_page_labels_its_inputs_and_has_enough_contrast(
    browser: Browser, scheme: str
) -> None:
    browser.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    try:
        browser.sign_in("admin")
        pages = ["/dashboard", "/record", *(f"/record/{spec.slug}" for spec in SPECS)]
        for path in pages:
            browser.open(path)
            assert axe_violations(browser) == [], path
        browser.open("/record/waste")  # a refusal: the error texts and marked fields
        browser.driver.find_element("css selector", "button.primary").click()
        browser.wait(lambda: browser.all("#problems"), "the refusal")
        assert axe_violations(browser) == [], "a refused waste form"
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
