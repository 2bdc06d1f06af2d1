"""Every COGS figure's drill-down lists rows that add up to it, to the cent (issue 32.4):
a late cost's VARIANCE carries its amount to COGS on the movement record the drill-down
reads (the movements read model's ``variance``), so the net COGS of a period with a late
cost is the sum of its rows, not the sum less the variance."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

from tests.console.conftest import Console

COLUMNS = ("net_cogs", "variance_value", "shipped_value", "consumed_value", "returned_value")


def figure_and_sum(console: Console, period: str, column: str) -> tuple[Decimal, Decimal]:
    query = f"period={period}&location=main&sku=AB-001&column={column}"
    page = console.get(f"/cogs/movements?{query}")
    assert page.status_code == 200, page.text
    figure = re.search(r'id="figure">([^<]*)<', page.text)
    total = re.search(r'id="rows-sum">([^<]*)<', page.text)
    shares = [Decimal(unescape(v)) for v in re.findall(r'class="num share">([^<]*)<', page.text)]
    assert figure and total, page.text[-2000:]
    assert sum(shares, Decimal(0)) == Decimal(total.group(1))
    return Decimal(figure.group(1)), Decimal(total.group(1))


def test_a_late_cost_variance_adds_its_amount_to_cogs_in_the_drill_down(console: Console) -> None:
    admin = {"Authorization": f"Bearer {console.tokens['finance']}"}
    cost = {"cost_id": "LC-1", "amount": "11.40", "note": "freight billed late"}
    answer = console.client.post("/api/receipts/R-1/costs", json=cost, headers=admin)
    assert answer.status_code == 201, answer.text
    to_cogs = sum(Decimal(a["to_cogs"]) for a in answer.json()["allocation"])
    assert to_cogs > 0  # most of the receipt had left the shelf
    position = answer.json()["position"]
    state = console.client.app.state  # type: ignore[attr-defined]
    assert state.read_models.wait_for(position, 60)
    console.sign_in("finance")
    period = datetime.now(UTC).astimezone(state.read_models.cogs.projection.zone).strftime("%Y-%m")
    figure, total = figure_and_sum(console, period, "variance_value")
    assert figure == total == to_cogs.quantize(Decimal("0.01"))
    figure, total = figure_and_sum(console, period, "net_cogs")
    assert figure == total == to_cogs.quantize(Decimal("0.01"))
    for column in COLUMNS:  # the history's own figures add up too
        figure, total = figure_and_sum(console, "2025-01", column)
        assert figure == total, column
