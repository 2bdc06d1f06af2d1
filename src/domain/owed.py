"""Owed consumption (SPEC §17): a served ticket is never refused for stock.

A sale consumes what the position has available (outbound rule); the rest is **owed** on the
position, in order, each entry naming its sale line (an ``OWED`` movement: no units, no
value). The next inbound movement at the position — receipt, transfer in, return, positive
adjustment (a count too), void, production in — settles what is owed first, in order: a
CONSUME of the sale line (``StockItem.Settled``) at the new average, in the same save. A void
of the sale line cancels what it still owes (``OWED_CANCELLED``). So the §3 invariants hold
at every instant, and a position owes only while nothing is available on it.

``Owing`` holds these commands for ``domain.stock_item.StockItem``; the entries are plain
dicts (they travel in snapshots): ``sale_id``, ``line``, ``quantity`` still owed, and what
the settling CONSUME records of the sale line (menu item, recipe version, unit, user).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain import valuation as v
from domain.errors import ValidationError
from domain.movements import DocType, Kind, Movement, Source
from domain.position import Position, owed_total

Entry = dict[str, Any]


def entry_of(event: Movement) -> Entry:
    """The owed entry an OWED movement adds."""
    return {
        "sale_id": event.document_id,
        "line": event.line,
        "quantity": event.quantity,
        "menu_item": event.menu_item,
        "recipe_version": event.recipe_version,
        "unit": event.unit,
        "user": event.user,
    }


def reduced(entries: Sequence[Entry], sale_id: str, line: int, quantity: Decimal) -> list[Entry]:
    """``entries`` less ``quantity`` of the entry of (sale_id, line); an entry owing nothing
    more leaves the list. A new list: entries are never changed in place."""
    out: list[Entry] = []
    for entry in entries:
        if entry["sale_id"] == sale_id and entry["line"] == line:
            left = Decimal(entry["quantity"]) - quantity
            if left > 0:
                out.append({**entry, "quantity": left})
            continue
        out.append(entry)
    return out


total = owed_total


def source_of(entry: Entry, anchor_key: bytes | None, note: str | None = None) -> Source:
    """The source of a movement about an owed entry: its sale line."""
    return Source(
        DocType.SALE.value,
        str(entry["sale_id"]),
        int(entry["line"]),
        str(entry["user"]),
        note,
        anchor_key=anchor_key,
        unit=entry.get("unit"),
        menu_item=entry.get("menu_item"),
        recipe_version=entry.get("recipe_version"),
    )


class Owing(Position):
    """The owed-consumption commands of a stock position (mixed into StockItem)."""

    Consumed: type[Movement]
    Owed: type[Movement]
    Settled: type[Movement]
    OwedCancelled: type[Movement]
    Voided: type[Movement]

    def sell(self, quantity: Decimal, src: Source, at: datetime, places: int) -> Decimal:
        """A sale's CONSUME (SPEC §17): never refused for stock. What is available is
        consumed by the outbound rule; the rest is owed (an OWED movement naming the sale
        line). Returns the quantity owed."""
        v.check_quantity(quantity)
        take = min(quantity, max(self.available, v.ZERO))
        if take:
            self._outbound(self.Consumed, Kind.CONSUME, take, src, at, places)
        rest = quantity - take
        if rest:
            cost = self._display_cost()
            zero = v.ZERO
            self._move(self.Owed, Kind.OWED, rest, zero, zero, cost, zero, src, at, owed_delta=rest)
        return rest

    def settle(self, anchor_key: bytes | None, at: datetime, places: int) -> None:
        """Settles what the position owes, in order, as far as what is available goes: a
        CONSUME of each sale line at the average now (called after every inbound movement)."""
        while self.owed and self.available > 0:
            entry = self.owed[0]
            take = min(Decimal(entry["quantity"]), self.available)
            src = source_of(entry, anchor_key)
            self._outbound(self.Settled, Kind.CONSUME, take, src, at, places, owed_delta=-take)

    def owes(self, sale_id: str, line: int) -> Decimal:
        """What the sale line still owes on this position."""
        return total([e for e in self.owed if e["sale_id"] == sale_id and e["line"] == line])

    def cancel_owed(self, sale_id: str, line: int, src: Source, at: datetime) -> Decimal:
        """Cancels what the sale line still owes here (its void): an OWED_CANCELLED
        movement naming the sale line. Returns the quantity cancelled (0: nothing owed)."""
        quantity = self.owes(sale_id, line)
        if quantity:
            entry = next(e for e in self.owed if e["sale_id"] == sale_id and e["line"] == line)
            on = replace(source_of(entry, src.anchor_key, src.note), user=src.user)
            zero, cost = v.ZERO, self._display_cost()
            self._move(
                self.OwedCancelled,
                Kind.OWED_CANCELLED,
                quantity,
                zero,
                zero,
                cost,
                zero,
                on,
                at,
                owed_delta=-quantity,
            )
        return quantity

    def void(
        self, quantity: Decimal, value: Decimal, src: Source, at: datetime, places: int
    ) -> None:
        """VOID: consumed units of a sale line come back, carrying exactly the value they
        left with (like a return); then what the position owes is settled."""
        self.carry_in(self.Voided, Kind.VOID, quantity, value, src, at, places)

    def carry_in(
        self,
        event_class: type[Movement],
        kind: Kind,
        quantity: Decimal,
        value: Decimal,
        src: Source,
        at: datetime,
        places: int,
    ) -> None:
        """An inbound movement carrying a value fixed elsewhere (a transfer in, a return, a
        void: never negative), then the settlement of what the position owes."""
        v.check_quantity(quantity)
        if value < 0:
            raise ValidationError(f"a {kind.value} cannot carry a negative value")
        cost = v.round_cost(value / quantity)
        self._move(event_class, kind, quantity, quantity, v.ZERO, cost, value, src, at)
        self.settle(src.anchor_key, at, places)
