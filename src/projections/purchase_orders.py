"""``purchase_orders``: one row per purchase order (SPEC §14) for the lists of orders and
what is still on order; ``PurchaseOrderView``, its queries.

A row holds the order's supplier, location and status, and its lines as JSON
(``[[sku, ordered, received], …]`` in base units, exact decimal strings), folded from the
order's ``Created``, ``Received`` and ``Cancelled`` events with the aggregate's own rules
(``domain.purchase_order.order_status`` and ``open_quantity``). What is on order is read
from the orders still open or partially received only, so suggested orders cost the same
after a year of purchasing as on the first day. ``position`` is the Created event's (the
order of the list).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from domain.errors import ValidationError
from domain.purchase_order import PurchaseOrder, open_quantity, order_status
from projections.base import Column, Key, Projection, Rows
from projections.live_read import View, equal_to, select_live

ORDER_TOPICS = frozenset(
    cls.TOPIC for cls in (PurchaseOrder.Created, PurchaseOrder.Received, PurchaseOrder.Cancelled)
)
STATUSES = ("open", "partially_received", "received", "cancelled")
OPEN = ("open", "partially_received")
ZERO = Decimal(0)


class PurchaseOrders(Projection):
    NAME = "purchase_orders"
    VERSION = 1
    TOPICS = ORDER_TOPICS
    COLUMNS = (
        Column("order_id", "text"),
        Column("po_id", "text"),
        Column("supplier", "text"),
        Column("location", "text"),
        Column("status", "text"),
        Column("lines", "text"),
        Column("position", "int"),
    )
    KEY = ("order_id",)
    INDEXES = (("status", "location"), ("supplier", "position"), ("position",))

    def key_of(self, event: Any, position: int) -> Key:
        return (str(event.originator_id),)

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        key = (str(event.originator_id),)
        if isinstance(event, PurchaseOrder.Created):
            created: Any = event  # its fields are the aggregate's __init__ arguments
            lines = [
                [ln["sku"], str(ln["ordered"]), str(ln.get("received", 0))] for ln in created.lines
            ]
            rows[key] = {
                "order_id": key[0],
                "po_id": created.po_id,
                "supplier": created.supplier,
                "location": created.location,
                "status": _status(False, lines),
                "lines": json.dumps(lines),
                "position": position,
            }
            return
        row = dict(rows[key])
        lines = json.loads(row["lines"])
        cancelled = row["status"] == "cancelled"
        if isinstance(event, PurchaseOrder.Received):
            for index, quantity in event.lines:
                line = lines[int(index)]
                line[2] = str(Decimal(line[2]) + Decimal(quantity))
        elif isinstance(event, PurchaseOrder.Cancelled):
            cancelled = True
        row["lines"], row["status"] = json.dumps(lines), _status(cancelled, lines)
        rows[key] = row


def _status(cancelled: bool, lines: list[list[str]]) -> str:
    return order_status(cancelled, [(Decimal(o), Decimal(r)) for _, o, r in lines])


class PurchaseOrderView(View[PurchaseOrders]):
    def po_ids(self, status: str | None, supplier: str | None) -> tuple[list[str], int]:
        """The ids of the orders of a status and/or supplier, in posting order."""
        if status is not None and status not in STATUSES:
            raise ValidationError(f"status is one of {', '.join(STATUSES)}", [{"field": "status"}])
        filters, params = equal_to(status=status, supplier=supplier)
        where = " AND ".join(["1 = 1", *filters])
        rows, position = select_live(self.db, self.projection, where, params, "position")
        return [row["po_id"] for row in rows], position

    def on_order(self, location: str | None = None) -> tuple[dict[tuple[str, str], Decimal], int]:
        """Base units still on order per (SKU, location), over the open orders."""
        filters, params = equal_to(location=location)
        where = " AND ".join(["status IN (?, ?)", *filters])
        rows, position = select_live(self.db, self.projection, where, [*OPEN, *params])
        found: dict[tuple[str, str], Decimal] = {}
        for row in rows:
            for sku, ordered, received in json.loads(row["lines"]):
                key = (sku, row["location"])
                still = open_quantity(False, Decimal(ordered), Decimal(received))
                found[key] = found.get(key, ZERO) + still
        return found, position
