"""``movements``: one row per movement event with the balances after it. Serves the
history of a position (oldest first, cursor = last position seen) and stock-at-time: the
state just after the last movement recorded at or before a given instant."""

from __future__ import annotations

from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows


class Movements(Projection):
    NAME = "movements"
    VERSION = 1
    COLUMNS = (
        Column("position", "int"),
        Column("recorded_at", "time"),
        Column("sku", "text"),
        Column("location", "text"),
        Column("kind", "text"),
        Column("quantity", "num"),
        Column("on_hand_delta", "num"),
        Column("reserved_delta", "num"),
        Column("unit_cost", "num"),
        Column("value", "num"),
        Column("document_type", "text"),
        Column("document_id", "text"),
        Column("line", "int"),
        Column("actor", "text"),
        Column("note", "text", nullable=True),
        Column("on_hand_after", "num"),
        Column("reserved_after", "num"),
        Column("value_after", "num"),
    )
    KEY = ("position",)
    INDEXES = (("sku", "location", "position"), ("sku", "location", "recorded_at"))
    APPEND_ONLY = True

    def key_of(self, event: Movement, position: int) -> Key:
        return (position,)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        rows[(position,)] = {
            "position": position,
            "recorded_at": event.timestamp,
            "sku": event.sku,
            "location": event.location,
            "kind": event.kind,
            "quantity": event.quantity,
            "on_hand_delta": event.on_hand_delta,
            "reserved_delta": event.reserved_delta,
            "unit_cost": event.unit_cost,
            "value": event.value,
            "document_type": event.document_type,
            "document_id": event.document_id,
            "line": event.line,
            "actor": event.user,
            "note": event.note,
            "on_hand_after": event.on_hand_after,
            "reserved_after": event.reserved_after,
            "value_after": event.value_after,
        }
