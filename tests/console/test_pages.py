"""Every console page through the real ASGI app: what it shows equals the API's answer,
roles are the API's, and every POST needs the session's CSRF token."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from application.settings import Settings
from domain.rollforward import period_of
from tests.api.conftest import post_history
from tests.console.conftest import (
    Console,
    document_cells,
    issue_keys,
    settled_console,
    views_held,
)
from tests.e2e.conftest import wait_until

PAGES = {
    "/stock": "viewer",
    "/items/AB-001/main": "viewer",
    "/items": "viewer",
    "/catalogue": "viewer",
    "/journal": "viewer",
    "/projections": "viewer",
    "/cogs": "finance",
    "/cogs?by_sku=true": "finance",
    "/cogs.csv": "finance",
    "/cogs/movements?period=2025-01&location=main&sku=AB-001&column=net_cogs": "finance",
    "/valuation?period=2025-01": "finance",
    "/food-cost": "finance",
    "/food-cost?group_by=location": "finance",
    "/food-cost.csv": "finance",
    "/food-cost/movements?period=2025-01&location=main&menu_item=burger": "finance",
    "/periods": "finance",
    "/late-costs": "finance",
    "/keys": "admin",
    "/feed": "admin",
}
RANK = {"viewer": {"viewer"}, "clerk": {"viewer"}, "finance": {"viewer", "finance"}}


def cells(html: str, css_class: str) -> list[str]:
    return [unescape(c) for c in re.findall(rf'class="num {css_class}">([^<]*)<', html)]


def drill_down(console: Console, page: str, link: str) -> tuple[str, Decimal]:
    """Follows the page's link matching ``link``: the movements listed there add up (as
    outflows, negative) to the figure it shows. The movements page and that figure."""
    found = re.search(rf'href="({link})"', page)
    assert found is not None
    drill = console.get(unescape(found.group(1))).text
    figure = re.search(r'id="figure">([^<]*)<', drill)
    values = [Decimal(v) for v in cells(drill, "value")]
    assert figure is not None and values and -sum(values) == Decimal(figure.group(1))
    return drill, Decimal(figure.group(1))


@pytest.mark.parametrize("role", ["viewer", "clerk", "finance", "admin"])
def test_each_page_answers_its_roles_and_refuses_the_others(console: Console, role: str) -> None:
    console.sign_in(role)
    for path, needs in PAGES.items():
        answer = console.get(path)
        allowed = role == "admin" or needs in RANK[role]
        assert answer.status_code == (200 if allowed else 403), (path, answer.text[-300:])
        if not allowed:
            assert "may not do this" in answer.text
            assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("viewer", ["/stock", "/journal", "/projections"], ["/cogs", "/periods", "/keys"]),
        ("finance", ["/cogs", "/valuation", "/periods", "/late-costs"], ["/keys", "/feed"]),
        ("admin", ["/cogs", "/keys", "/feed", "/projections"], []),
    ],
)
def test_the_navigation_shows_what_the_role_may_open(
    console: Console, role: str, shown: list[str], hidden: list[str]
) -> None:
    page = console.sign_in(role).get("/stock").text
    nav = page[page.index("<nav") : page.index("</nav>")]
    for path in shown:
        assert f'href="{path}"' in nav
    for path in hidden:
        assert f'href="{path}"' not in nav


def test_a_viewer_sees_no_rebuild_button_and_an_admin_does(console: Console) -> None:
    assert 'class="rebuild"' not in console.sign_in("viewer").get("/projections").text
    assert 'aria-label="Rebuild balances"' in console.sign_in("admin").get("/projections").text


def test_every_page_sends_a_strict_content_security_policy(console: Console) -> None:
    answer = console.sign_in("admin").get("/stock")
    assert "script-src" not in answer.headers["content-security-policy"]  # default-src 'self'
    assert answer.headers["x-frame-options"] == "DENY"
    assert "<script>" not in answer.text and " style=" not in answer.text


def test_the_stock_page_shows_the_api_balances_and_marks_low_stock(console: Console) -> None:
    console.sign_in("admin")
    put = console.client.put(
        "/api/items/AB-001",
        json={
            "name": "Flour",
            "base_unit": "kg",
            "reorder": [{"location": "main", "reorder_point": "10", "reorder_qty": "20"}],
        },
        headers={"Authorization": f"Bearer {console.tokens['admin']}"},
    )
    assert put.status_code == 201
    wait_until(lambda: "badge warn" in console.get("/stock").text, 5, "the low-stock mark")
    page = console.get("/stock").text
    api = console.api("/api/stock").json()["items"]
    assert [Decimal(v) for v in cells(page, "on-hand")] == [Decimal(b["on_hand"]) for b in api]
    assert [Decimal(v) for v in cells(page, "value")] == [Decimal(b["value"]) for b in api]
    assert 'class="low" data-sku="AB-001" data-location="main"' in page
    assert "Flour" in console.get("/catalogue?search=flo").text


def test_the_item_page_shows_history_and_the_stock_at_a_moment_as_the_api(
    console: Console,
) -> None:
    console.sign_in("viewer")
    page = console.get("/items/AB-001/main?at=2025-01-11T13:00:00").text
    at = console.api("/api/stock/AB-001/main/at?time=2025-01-11T13:00:00%2B00:00").json()
    shown = re.search(r'id="stock-at">.*?class="on-hand">([^<]*)<', page, re.S)
    assert shown is not None and Decimal(shown.group(1)) == Decimal(at["on_hand"])
    history = console.api("/api/stock/AB-001/main/movements").json()["items"]
    assert [Decimal(v) for v in cells(page, "on-hand-after")] == [
        Decimal(m["on_hand_after"]) for m in history
    ]
    assert 'class="series on-hand"' in page and "Delivery D-1" in page
    assert console.get("/items/AB-001/main?at=yesterday").status_code == 422


def test_the_cogs_page_and_its_csv_equal_the_api_report(console: Console) -> None:
    console.sign_in("finance")
    page = console.get("/cogs").text
    api = console.api("/api/reports/cogs?group_by=period,location", "finance").json()
    for row in api["rows"]:
        assert f'data-period="{row["period"]}" data-location="{row["location"]}"' in page
        link = re.search(
            rf'data-period="{row["period"]}".*?data-column="net_cogs">\s*<a [^>]*>([^<]*)<',
            page,
            re.S,
        )
        assert link is not None and Decimal(link.group(1)) == Decimal(row["net_cogs"])
    shown = list(csv.DictReader(io.StringIO(console.get("/cogs.csv").text)))
    assert [(r["period"], Decimal(r["net_cogs"])) for r in shown[:-1]] == [
        (r["period"], Decimal(r["net_cogs"])) for r in api["rows"]
    ]
    assert shown[-1]["period"] == "total"


def test_a_cogs_figure_drills_down_to_the_movements_that_make_it(console: Console) -> None:
    console.sign_in("finance")
    by_sku = console.get("/cogs?from=2025-01&to=2025-01&location=main&by_sku=true").text
    drill, _ = drill_down(console, by_sku, r'/cogs/movements\?[^"]*column=shipped_value')
    assert 'data-kind="SHIP"' in drill and 'data-kind="RETURN"' not in drill
    api = console.api("/api/stock/AB-001/main/movements?kind=SHIP", "finance").json()["items"]
    in_january = [m for m in api if m["recorded_at"].startswith("2025-01")]
    assert sorted(re.findall(r'data-position="(\d+)"', drill)) == sorted(
        str(m["position"]) for m in in_january
    )


def post_sales(console: Console) -> str:
    """Two menu items sold at main (AB-001 in both recipes, named "Burger" and "Fries");
    the period they fall in."""
    admin = {"Authorization": f"Bearer {console.tokens['admin']}"}
    for menu_item, portion in (("burger", "1"), ("fries", "0.25")):
        recipe = {"name": menu_item.title(), "lines": [{"sku": "AB-001", "quantity": portion}]}
        assert console.client.put(
            f"/api/recipes/{menu_item}", json=recipe, headers=admin
        ).is_success
    sale = {
        "sale_id": "S-1",
        "location": "main",
        "lines": [
            {"menu_item": "burger", "quantity": "2", "unit_price": "9"},
            {"menu_item": "fries", "quantity": "3", "unit_price": "2.5"},
        ],
    }
    posted = console.client.post("/api/sales", json=sale, headers=admin)
    assert posted.status_code == 201, posted.text
    position = posted.json()["position"]
    api = console.api(f"/api/reports/food-cost?min_position={position}", "finance").json()
    return str(api["rows"][0]["period"])


def test_the_food_cost_page_and_its_csv_equal_the_api_report(console: Console) -> None:
    period = post_sales(console)
    console.sign_in("finance")
    for group_by in ("period,location,menu_item", "menu_item", "period,location"):
        page = console.get(f"/food-cost?group_by={group_by}").text
        api = console.api(f"/api/reports/food-cost?group_by={group_by}", "finance").json()
        keys = group_by.split(",")
        assert len(api["rows"]) == page.count("<tr data-")
        for row in api["rows"]:
            marks = "".join(f' data-{k.replace("_", "-")}="{row[k]}"' for k in keys)
            shown = re.search(rf"<tr{marks}>(.*?)</tr>", page, re.S)
            assert shown is not None, (group_by, row)
            for amount in ("sold_qty", "revenue", "cost", "food_cost_pct"):
                cell = re.search(rf'data-column="{amount}">\s*(?:<a [^>]*>)?([^<]*)<', shown[1])
                assert cell is not None and cell[1].strip() == str(row[amount] or ""), amount
        totals = page.split("<tfoot>")[1]
        for amount, value in api["totals"].items():
            assert f'data-column="{amount}">{value or ""}<' in totals, amount
        shown_csv = console.get(f"/food-cost.csv?group_by={group_by}").text
        api_csv = console.client.get(
            f"/api/reports/food-cost?group_by={group_by}",
            headers={"Authorization": f"Bearer {console.tokens['finance']}", "Accept": "text/csv"},
        ).text
        assert shown_csv == api_csv
    by_item = console.get(f"/food-cost?from={period}&to={period}&location=main&menu_item=fries")
    assert (
        'data-menu-item="fries"' in by_item.text and 'data-menu-item="burger"' not in by_item.text
    )


def test_a_menu_items_cost_drills_down_to_its_sale_movements(console: Console) -> None:
    period = post_sales(console)
    console.sign_in("finance")
    page = console.get("/food-cost").text
    drill, figure = drill_down(console, page, r'/food-cost/movements\?[^"]*menu_item=burger')
    api = console.api(
        f"/api/reports/food-cost?from={period}&to={period}&menu_item=burger", "finance"
    ).json()
    assert figure == Decimal(api["totals"]["cost"])
    assert re.findall(r'data-kind="(\w+)" data-recipe-version="(\d+)"', drill) == [("CONSUME", "1")]
    assert document_cells(drill) == ["2 × Burger · Sale S-1"]
    assert '<a href="/sales/S-1" title="sale S-1, line 0">Sale S-1</a>' in drill


def test_the_valuation_page_equals_the_api(console: Console) -> None:
    console.sign_in("finance")
    page = console.get("/valuation?period=2025-02").text
    api = console.api("/api/reports/valuation?period=2025-02", "finance").json()
    for name in ("opening_value", "shipped_value", "closing_value"):
        shown = re.search(rf'<td class="num" data-column="{name}">([^<]*)<', page)
        assert shown is not None and Decimal(shown.group(1)) == Decimal(api["rows"][0][name])


def test_closing_a_period_needs_finance_and_the_csrf_token(console: Console) -> None:
    console.sign_in("clerk")
    assert console.post("/periods/close", {"period": "2025-01"}).status_code == 403
    console.sign_in("finance")
    forged = console.post("/periods/close", {"period": "2025-01", "csrf": "forged"})
    assert forged.status_code == 403
    assert console.post("/periods/close", {"period": "2025-01"}, csrf=False).status_code == 403
    assert console.api("/api/periods", "finance").json() == []
    done = console.post("/periods/close", {"period": "2025-01"})
    assert done.status_code == 303 and done.headers["location"] == "/periods/2025-01"
    detail = console.get("/periods/2025-01").text
    api = console.api("/api/periods/2025-01", "finance").json()
    assert "badge ok" in detail and api["verified"] is True
    assert f'id="digest">{api["digest"]}<' in detail
    refused = console.post("/periods/close", {"period": "2999-01"})
    assert refused.status_code == 409 and "Period has not ended" in refused.text


def test_keys_are_created_with_the_secret_shown_once_and_revoked(console: Console) -> None:
    console.sign_in("admin")
    created = console.post("/keys", {"user": "zoe", "role": "finance"})
    token = re.search(r'id="secret">([^<]*)<', created.text)
    assert created.status_code == 200 and token is not None
    key_id = token.group(1).split("_")[1]
    listing = console.get("/keys").text
    assert f'data-key="{key_id}"' in listing and token.group(1) not in listing
    assert console.api("/api/periods", "admin").status_code == 200
    assert console.post(f"/keys/{key_id}/revoke").status_code == 303
    revoked = console.client.get(
        "/api/periods", headers={"Authorization": f"Bearer {token.group(1)}"}
    )
    assert revoked.status_code == 401
    bad = console.post("/keys", {"user": "zoe", "role": "boss"})
    assert bad.status_code == 422
    console.sign_in("finance")
    assert console.post("/keys", {"user": "eve", "role": "admin"}).status_code == 403


def test_the_journal_filters_by_type_day_and_user(console: Console) -> None:
    console.sign_in("viewer")
    deliveries = document_cells(console.get("/journal?type=delivery").text)
    assert "Delivery D-1" in deliveries and "Delivery D-2" in deliveries
    assert "Receipt R-1" not in deliveries
    one_day = document_cells(console.get("/journal?day=2025-01-11").text)
    assert "Delivery D-1" in one_day and "Delivery D-2" not in one_day
    assert "No movements." in console.get("/journal?user=nobody").text
    assert console.get("/journal?day=2025-13-01").status_code == 422


def test_the_journal_and_the_cogs_drill_down_say_what_each_sale_line_was(
    console: Console,
) -> None:
    period = post_sales(console)
    console.sign_in("finance")
    sales = console.get("/journal?type=sale").text
    assert sorted(document_cells(sales)) == ["2 × Burger · Sale S-1", "3 × Fries · Sale S-1"]
    assert 'title="sale S-1, line 1"' in sales  # the raw reference, in the tooltip
    drill = console.get(
        f"/cogs/movements?period={period}&location=main&sku=AB-001&column=consumed_value"
    ).text
    assert sorted(document_cells(drill)) == ["2 × Burger · Sale S-1", "3 × Fries · Sale S-1"]
    assert " / 0<" not in drill and "S-1 / " not in drill


def test_a_late_cost_shows_the_allocation_the_api_answered(console: Console) -> None:
    console.sign_in("finance")
    posted = console.client.post(
        "/api/receipts/R-1/costs",
        json={"cost_id": "F-1", "amount": "12.00", "note": "freight"},
        headers={"Authorization": f"Bearer {console.tokens['finance']}"},
    )
    assert posted.status_code == 201
    wait_until(lambda: "Cost F-1" in console.get("/late-costs").text, 5, "the cost page")
    page = console.get("/late-costs").text
    (line,) = posted.json()["allocation"]
    assert f'<td class="num">{Decimal(line["to_stock"]):.2f}</td>' in page
    assert f'<td class="num">{Decimal(line["to_cogs"]):.2f}</td>' in page


def test_webhooks_are_registered_with_the_api_rules(console: Console) -> None:
    console.sign_in("admin")
    refused = console.post("/feed/webhooks", {"url": "ftp://example.com/x"})
    assert refused.status_code == 422 and "url" in refused.text
    inside = console.post("/feed/webhooks", {"url": "http://127.0.0.1:9/h"})
    assert inside.status_code == 422 and "destination refused" in inside.text
    # A public address spelled as one (no name looked up); nothing is delivered to it here.
    url = "https://93.184.215.14/h"
    created = console.post("/feed/webhooks", {"url": url, "types": "movement"})
    assert created.status_code == 200 and "whsec_" in created.text
    hooks = console.client.get(
        "/api/webhooks", headers={"Authorization": f"Bearer {console.tokens['admin']}"}
    ).json()
    assert [h["url"] for h in hooks] == [url]
    assert f'data-webhook="{hooks[0]["id"]}"' in console.get("/feed").text
    assert "whsec_" not in console.get("/feed").text


def test_a_rebuild_started_from_the_console_replaces_the_generation(console: Console) -> None:
    console.sign_in("admin")

    def generation() -> int:
        live = console.get("/projections/live").text
        found = re.search(r'data-name="balances" data-state="live" data-generation="(\d+)"', live)
        return int(found.group(1)) if found else -1

    before = generation()
    assert before >= 1
    assert console.post("/projections/balances/rebuild").status_code == 303
    wait_until(lambda: generation() > before, 30, "the rebuilt generation to go live")
    console.sign_in("clerk")
    assert console.post("/projections/balances/rebuild").status_code == 403


@pytest.fixture
def any_console(settings: Settings, tmp_path: Path) -> Iterator[Console]:
    """The console on each backend in turn, on post_history()."""
    post_history(settings)
    yield from settled_console(settings, issue_keys(settings))


def test_journal_and_drill_down_read_the_same_on_both_backends(any_console: Console) -> None:
    any_console.sign_in("finance")
    journal = any_console.get("/journal?type=delivery&day=2025-01-11").text
    assert re.findall(r'data-kind="(\w+)"', journal) == ["SHIP"]
    drill = any_console.get(
        "/cogs/movements?period=2025-02&location=main&sku=AB-001&column=net_cogs"
    ).text
    assert sorted(re.findall(r'data-kind="(\w+)"', drill)) == ["CONSUME", "SHIP"]
    figure = re.search(r'id="figure">([^<]*)<', drill)
    values = [Decimal(v) for v in cells(drill, "value")]
    assert figure is not None and -sum(values) == Decimal(figure.group(1))


def test_the_food_cost_drill_down_reads_the_same_on_both_backends(any_console: Console) -> None:
    period = post_sales(any_console)
    any_console.sign_in("finance")
    drill = any_console.get(
        f"/food-cost/movements?period={period}&location=main&menu_item=fries"
    ).text
    assert re.findall(r'data-kind="(\w+)" data-recipe-version="(\d+)"', drill) == [("CONSUME", "1")]
    figure = re.search(r'id="figure">([^<]*)<', drill)
    values = [Decimal(v) for v in cells(drill, "value")]
    assert figure is not None and -sum(values) == Decimal(figure.group(1)) == Decimal("3.75")


def test_the_food_cost_drill_down_waits_for_its_read_models_to_read_the_ledger(
    console: Console, store: Settings
) -> None:
    """A sale posted while the read models cannot write: the drill-down asked at once waits
    for them, so its cost (food_cost) and its rows (the journal) tie at the ledger's head."""
    admin = {"Authorization": f"Bearer {console.tokens['admin']}"}
    recipe = {"name": "Fries", "lines": [{"sku": "AB-001", "quantity": "0.25"}]}
    assert console.client.put("/api/recipes/fries", json=recipe, headers=admin).is_success
    console.settle()
    console.sign_in("finance")
    sale = {"sale_id": "S-9", "location": "main",
            "lines": [{"menu_item": "fries", "quantity": "3", "unit_price": "2.5"}]}  # fmt: skip
    with views_held(store):
        posted = console.client.post("/api/sales", json=sale, headers=admin)
        assert posted.status_code == 201, posted.text
        period = period_of(datetime.now(UTC), store.zone)  # the month the sale fell in
        drill = console.get(f"/food-cost/movements?period={period}&location=main&menu_item=fries")
    assert drill.status_code == 200, drill.text[-500:]
    figure = re.search(r'id="figure">([^<]*)<', drill.text)
    values = [Decimal(v) for v in cells(drill.text, "value")]
    assert figure is not None and -sum(values) == Decimal(figure.group(1)) == Decimal("3.75")


def test_the_items_form_opens_a_position(console: Console) -> None:
    console.sign_in("viewer")
    opened = console.get("/items?sku=AB-001&location=main")
    assert opened.status_code == 303 and opened.headers["location"] == "/items/AB-001/main"
    assert '<option value="main">' in console.get("/items").text


def test_every_page_answers_on_both_backends(any_console: Console) -> None:
    any_console.sign_in("admin")
    for path in PAGES:
        answer = any_console.get(path)
        assert answer.status_code == 200, (path, answer.text[-300:])


def test_report_rows_are_shown_a_screen_at_a_time_with_totals_of_all() -> None:
    from console.web import screen

    rows = list(range(250))
    second = screen(rows, 2, 100)
    assert (second.items[0], len(second.items), second.pages, second.first) == (100, 100, 3, 101)
    assert screen(rows, 9, 100).items == list(range(200, 250))
    assert screen([], 1, 100).pages == 1


def test_a_report_page_past_the_end_shows_the_last_rows(console: Console) -> None:
    console.sign_in("finance")
    page = console.get("/valuation?period=2025-02&page=5")
    assert page.status_code == 200 and 'data-sku="AB-001"' in page.text
    assert console.get("/cogs?page=0").status_code == 422
