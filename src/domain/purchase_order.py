"""Purchase orders (SPEC §14): a commitment to buy, not stock — nothing moves in the ledger.

A ``PurchaseOrder`` (one per ``po_id``) holds its supplier, location and lines (SKU, the
quantity as entered and in base units, the unit price per entered unit). Receipts against it
add to each line's ``received`` in the same save as their movements, so two receipts racing
for a line's last open units cannot both pass: the second is run again on fresh state and
refused (``OverReceiptError``). Status: ``open`` → ``partially_received`` → ``received``, or
``cancelled`` (what is still open is no longer on order; received lines stay received).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from domain.errors import DomainError, InvalidStateError, ValidationError
from domain.recorded import Named, Recorded

ZERO = Decimal(0)


class OverReceiptError(DomainError):
    """A receipt line takes more than is still on order on its PO line (409)."""


class NotOnOrderError(ValidationError):
    """A receipt line names a SKU its purchase order does not order (422)."""


@dataclass(frozen=True)
class OrderLine:
    """One PO line: ``quantity`` ``unit``s entered (``factor`` base units each) make
    ``ordered`` base units at ``unit_price`` per entered unit; ``received`` base units."""

    sku: str
    quantity: Decimal
    unit: str | None
    factor: Decimal
    ordered: Decimal
    unit_price: Decimal
    received: Decimal = ZERO

    @property
    def base_price(self) -> Decimal:
        """The price per base unit (exact division; display and defaults only)."""
        return self.unit_price / self.factor

    @classmethod
    def read(cls, data: dict[str, Any]) -> OrderLine:
        return cls(
            data["sku"],
            Decimal(data["quantity"]),
            data["unit"],
            Decimal(data["factor"]),
            Decimal(data["ordered"]),
            Decimal(data["unit_price"]),
            Decimal(data.get("received", ZERO)),
        )


def order_status(cancelled: bool, lines: Sequence[tuple[Decimal, Decimal]]) -> str:
    """A PO's status from its (ordered, received) base quantities per line (the aggregate's
    and the ``purchase_orders`` read model's)."""
    if cancelled:
        return "cancelled"
    if all(received >= ordered for ordered, received in lines):
        return "received"
    return "partially_received" if any(received for _, received in lines) else "open"


def open_quantity(cancelled: bool, ordered: Decimal, received: Decimal) -> Decimal:
    """What is still on order on a line: ordered − received (0 once cancelled)."""
    return ZERO if cancelled else max(ordered - received, ZERO)


class PurchaseOrder(Named, id_prefix="purchase_order"):
    """A purchase order and what has been received against it."""

    TOPIC = "stockledger:PurchaseOrder"

    class Received(Recorded.Event):
        """``receipt_id`` received ``lines``: [[PO line index, base quantity], …]."""

        receipt_id: str
        lines: list[list[Any]]
        user: str

        def apply(self, aggregate: Any) -> None:
            for index, quantity in self.lines:
                line = aggregate.lines[index]
                aggregate.lines[index] = replace(line, received=line.received + Decimal(quantity))
            aggregate.receipts.append(self.receipt_id)

    class Cancelled(Recorded.Event):
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.cancelled = True

    def __init__(
        self,
        po_id: str,
        supplier: str,
        location: str,
        expected_at: str | None,
        lines: list[dict[str, Any]],
        user: str,
    ) -> None:
        self.po_id = po_id
        self.supplier = supplier
        self.location = location
        self.expected_at = expected_at
        self.lines = [OrderLine.read(line) for line in lines]
        self.receipts: list[str] = []
        self.cancelled = False

    @classmethod
    def post(
        cls,
        po_id: str,
        supplier: str,
        location: str,
        expected_at: str | None,
        lines: Sequence[OrderLine],
        user: str,
    ) -> PurchaseOrder:
        recorded = [asdict(line) for line in lines]
        return cls(po_id, supplier, location, expected_at, recorded, user)

    def open_qty(self, index: int) -> Decimal:
        """Still on order on line ``index``: ordered − received (0 once cancelled)."""
        line = self.lines[index]
        return open_quantity(self.cancelled, line.ordered, line.received)

    @property
    def status(self) -> str:
        return order_status(self.cancelled, [(ln.ordered, ln.received) for ln in self.lines])

    def line_of(self, sku: str, field: str) -> int:
        """The first line ordering ``sku`` (refuses a SKU not on the order)."""
        for index, line in enumerate(self.lines):
            if line.sku == sku:
                return index
        raise NotOnOrderError(f"{sku} is not on purchase order {self.po_id}", [{"field": field}])

    def receive(
        self, receipt_id: str, location: str, received: Sequence[tuple[str, Decimal]], user: str
    ) -> list[int]:
        """Records ``received`` (SKU, base quantity per receipt line) against the order and
        answers the PO line of each; refuses another location, a SKU not on the order and
        more than is still open on its line (OverReceiptError naming the receipt line)."""
        if location != self.location:
            raise ValidationError(
                f"purchase order {self.po_id} is for {self.location}", [{"field": "location"}]
            )
        taken: dict[int, Decimal] = {}
        indexes = []
        for number, (sku, quantity) in enumerate(received):
            field = f"lines[{number}].quantity"
            index = self.line_of(sku, f"lines[{number}].sku")
            still = self.open_qty(index) - taken.get(index, ZERO)
            if quantity > still:
                raise OverReceiptError(
                    f"{sku}: receiving {quantity}, only {still} still on order "
                    f"on purchase order {self.po_id}",
                    [{"field": field, "sku": sku, "open": str(still)}],
                )
            taken[index] = taken.get(index, ZERO) + quantity
            indexes.append(index)
        moved = [[index, str(quantity)] for index, quantity in taken.items()]
        self.trigger_event(self.Received, receipt_id=receipt_id, lines=moved, user=user)
        return indexes

    def summary(self) -> dict[str, Any]:
        """The order as plain values: its lines with ordered, received and open (base
        units) and the price per entered unit (the API's and the feed's PO)."""
        lines = [
            {
                "sku": line.sku,
                "unit": line.unit,
                "ordered": line.ordered,
                "received": line.received,
                "open": self.open_qty(index),
                "unit_price": str(line.unit_price),
                "entered": {"quantity": line.quantity, "unit": line.unit, "factor": line.factor},
            }
            for index, line in enumerate(self.lines)
        ]
        return {
            "po_id": self.po_id,
            "supplier": self.supplier,
            "location": self.location,
            "status": self.status,
            "expected_at": self.expected_at,
            "lines": lines,
            "receipts": list(self.receipts),
        }

    def cancel(self, user: str) -> bool:
        """Cancels what is still open (True); False when already cancelled. A fully received
        order cannot be cancelled (InvalidStateError)."""
        if self.cancelled:
            return False
        if self.status == "received":
            raise InvalidStateError(f"purchase order {self.po_id} is received in full")
        self.trigger_event(self.Cancelled, user=user)
        return True


PO_TOPICS = frozenset(
    {
        PurchaseOrder.Created.TOPIC,
        PurchaseOrder.Received.TOPIC,
        PurchaseOrder.Cancelled.TOPIC,
    }
)
