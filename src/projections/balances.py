"""``balances``: one row per (sku, location) with on_hand, reserved and value after its last
movement. Available and unit cost are derived when read (available = on_hand − reserved,
unit cost = value / on_hand, or None when nothing is on hand)."""

from __future__ import annotations

from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows


class Balances(Projection):
    NAME = "balances"
    VERSION = 1
    COLUMNS = (
        Column("sku", "text"),
        Column("location", "text"),
        Column("on_hand", "num"),
        Column("reserved", "num"),
        Column("value", "num"),
        Column("last_position", "int"),
        Column("updated_at", "time"),
    )
    KEY = ("sku", "location")
    INDEXES = (("location", "sku"),)

    def key_of(self, event: Movement, position: int) -> Key:
        return (event.sku, event.location)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        # The movement records the balances after it, so the row is simply its latest state.
        rows[(event.sku, event.location)] = {
            "sku": event.sku,
            "location": event.location,
            "on_hand": event.on_hand_after,
            "reserved": event.reserved_after,
            "value": event.value_after,
            "last_position": position,
            "updated_at": event.timestamp,
        }
