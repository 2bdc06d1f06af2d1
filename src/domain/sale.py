"""What happens to a sale after it is posted (SPEC §17): settlements and voids.

A ``SaleRecord`` per sale id comes into being with the first thing that happens to the sale
after its posting: a settlement of what a line owed (an inbound movement's save records the
settling CONSUME here, with its value) or a void. A void takes back exactly what its lines'
ingredients consumed — at posting (the sale's CONSUME movements) and by every settlement since
(recorded here) — so the record is what two voids of one line race on: the second finds the
line voided and is refused (409), and the line is taken back once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.errors import InvalidStateError
from domain.recorded import Named, Recorded


class SaleRecord(Named, id_prefix="sale-record"):
    """The settlements and voids of one sale: ``settled`` [[movement line, quantity,
    value, position id, version]…] (value positive: what left), ``voided`` {sale line:
    void id}."""

    TOPIC = "stockledger:SaleRecord"

    class Settled(Recorded.Event):
        """A movement line's owed quantity settled by a CONSUME of ``value`` (positive)."""

        line: int
        quantity: Decimal
        value: Decimal
        movement: list[Any]

        def apply(self, aggregate: Any) -> None:
            settled = [self.line, self.quantity, self.value, *self.movement]
            aggregate.settled = [*aggregate.settled, settled]

    class Voided(Recorded.Event):
        """Sale lines voided by ``void_id``."""

        void_id: str
        lines: list[int]
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.voided = [*aggregate.voided, *([line, self.void_id] for line in self.lines)]

    def __init__(self, sale_id: str) -> None:
        self.sale_id = sale_id
        self.settled: list[list[Any]] = []
        self.voided: list[list[Any]] = []

    def settle(self, line: int, quantity: Decimal, value: Decimal, movement: list[Any]) -> None:
        self.trigger_event(
            self.Settled, line=line, quantity=quantity, value=value, movement=movement
        )

    def settled_on(self, line: int) -> tuple[Decimal, Decimal]:
        """(quantity, value) settled so far on a movement line."""
        parts = [(Decimal(s[1]), Decimal(s[2])) for s in self.settled if s[0] == line]
        return sum((q for q, _ in parts), Decimal(0)), sum((val for _, val in parts), Decimal(0))

    def void_of(self, line: int) -> str | None:
        """The void that took back sale line ``line``, if any."""
        return next((str(void) for number, void in self.voided if number == line), None)

    def void(self, void_id: str, lines: list[int], user: str) -> None:
        """Voids sale ``lines``; refuses (InvalidStateError, 409) a line voided before,
        naming it and the void that took it back."""
        taken = [(line, self.void_of(line)) for line in lines if self.void_of(line) is not None]
        if taken:
            names = ", ".join(f"line {line} (void {void})" for line, void in taken)
            raise InvalidStateError(
                f"sale {self.sale_id} already voided: {names}",
                [{"field": f"lines[{lines.index(line)}]", "line": line} for line, _ in taken],
            )
        self.trigger_event(self.Voided, void_id=void_id, lines=list(lines), user=user)
