"""Quantities on the console's pages are written one way, the shortest plain decimal, as the
API writes them: a column never shows "2.500" under "10" (issue 32: numbers formatted three
ways)."""

from __future__ import annotations

import re

from tests.console.conftest import Console


def test_the_item_page_writes_every_quantity_in_its_shortest_form(console: Console) -> None:
    headers = {"Authorization": f"Bearer {console.tokens['admin']}"}
    body = {
        "consumption_id": "C-Q1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "0.500"}],
    }
    assert console.client.post("/api/consumptions", json=body, headers=headers).status_code == 201
    console.settle()
    console.sign_in("viewer")
    page = console.get("/items/AB-001/main").text
    history = page.split('id="history"')[1].split("</table>")[0]
    (row,) = [r for r in history.split("<tr")[1:] if "C-Q1" in r]
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    assert cells[0] == "-0.5" and "2.5" in cells, cells  # quantity, on hand after
    assert ">10<" in history and "0.500" not in history and "2.500" not in history
    balances = page.split('id="balances"')[1].split("</table>")[0]
    assert ">2.5<" in balances and "2.500" not in balances
