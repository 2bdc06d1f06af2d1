"""Quote: a customer quote at one location and its lifecycle (SPEC §4).

draft → closed → delivered, or → cancelled. The quote tracks, per line, the reservation still
outstanding and the quantities delivered and returned; the stock effects (RESERVE, SHIP,
RELEASE) are StockItem movements the application records in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain import valuation as v
from domain.codes import check_code
from domain.errors import InvalidStateError, ValidationError
from domain.movements import Entered
from domain.recorded import Named, Recorded
from domain.text import check_text


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    CLOSED = "closed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass
class QuoteLine:
    """One line's state: what was quoted and where its quantity stands."""

    sku: str
    quantity: Decimal
    unit_price: Decimal
    # The line as given in a pack unit (SPEC §8); its quantity is then in base units and
    # its unit price per pack.
    entered: Entered | None = None
    reserved: Decimal = v.ZERO
    delivered: Decimal = v.ZERO
    returned: Decimal = v.ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.delivered


class Quote(Named, id_prefix="quote"):
    """A quote's lines and status; refuses transitions SPEC §4 does not allow."""

    TOPIC = "stockledger:Quote"

    class Closed(Recorded.Event):
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = QuoteStatus.CLOSED
            for line in aggregate.lines:
                line.reserved = line.quantity

    class DeliveryRecorded(Recorded.Event):
        delivery_id: str
        quantities: list[Decimal]
        user: str

        def apply(self, aggregate: Any) -> None:
            for line, quantity in zip(aggregate.lines, self.quantities, strict=True):
                line.delivered += quantity
                line.reserved -= quantity
            if all(line.outstanding == 0 for line in aggregate.lines):
                aggregate.status = QuoteStatus.DELIVERED

    class ReturnRecorded(Recorded.Event):
        return_id: str
        quantities: list[Decimal]
        user: str

        def apply(self, aggregate: Any) -> None:
            for line, quantity in zip(aggregate.lines, self.quantities, strict=True):
                line.returned += quantity

    class Cancelled(Recorded.Event):
        released: list[Decimal]
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = QuoteStatus.CANCELLED
            for line in aggregate.lines:
                line.reserved = v.ZERO

    def __init__(
        self,
        quote_id: str,
        customer: str,
        location: str,
        lines: list[dict[str, Any]],
        user: str,
        fingerprint: str,
    ) -> None:
        self.quote_id = quote_id
        self.customer = customer
        self.location = location
        self.user = user
        self.fingerprint = fingerprint
        self.status = QuoteStatus.DRAFT
        self.lines = [
            QuoteLine(
                line["sku"],
                Decimal(line["quantity"]),
                Decimal(line["unit_price"]),
                Entered(**line["entered"]) if line.get("entered") else None,
            )
            for line in lines
        ]

    @classmethod
    def draft(
        cls,
        quote_id: str,
        customer: str,
        location: str,
        lines: list[dict[str, Any]],
        user: str,
        fingerprint: str,
    ) -> Quote:
        """Creates a draft quote. Refuses bad codes, no lines, duplicate SKUs, q ≤ 0, price < 0."""
        check_code(quote_id, "quote_id")
        check_code(location, "location")
        if not customer or not customer.strip():
            raise ValidationError("customer is required", [{"field": "customer"}])
        check_text(customer, "customer", multiline=False)
        if not lines:
            raise ValidationError("a quote needs at least one line", [{"field": "lines"}])
        seen: set[str] = set()
        for index, line in enumerate(lines):
            check_code(line["sku"], f"lines[{index}].sku")
            v.check_quantity(line["quantity"], f"lines[{index}].quantity")
            v.check_unit_cost(line["unit_price"], f"lines[{index}].unit_price")
            if line["sku"] in seen:
                raise ValidationError(
                    f"sku {line['sku']} appears on more than one line of the quote",
                    [{"line": index, "field": "sku"}],
                )
            seen.add(line["sku"])
        return cls(quote_id, customer, location, lines, user, fingerprint)

    def close(self, user: str) -> None:
        """draft → closed (the application records one RESERVE per line with it)."""
        if self.status != QuoteStatus.DRAFT:
            raise InvalidStateError(f"quote {self.quote_id} is {self.status}, not draft")
        self.trigger_event(self.Closed, user=user)

    def deliver(
        self, delivery_id: str, location: str, lines: Iterable[tuple[str, Decimal]], user: str
    ) -> None:
        """Records a delivery of ``(sku, quantity)`` lines against this quote. Refuses another
        location and a sku not on the quote; then as ``record_delivery``."""
        if location != self.location:
            raise ValidationError(
                f"quote {self.quote_id} is at {self.location}, not {location}",
                [{"field": "location"}],
            )
        quantities = [Decimal(0)] * len(self.lines)
        for index, (sku, quantity) in enumerate(lines):
            at = self.line_index(sku)
            if at is None:
                raise ValidationError(
                    f"sku {sku} is not on quote {self.quote_id}",
                    [{"line": index, "field": "sku"}],
                )
            quantities[at] += quantity
        self.record_delivery(delivery_id, quantities, user)

    def record_delivery(self, delivery_id: str, quantities: list[Decimal], user: str) -> None:
        """Delivers against a closed quote: each line ships ≤ its outstanding quantity."""
        if self.status != QuoteStatus.CLOSED:
            raise InvalidStateError(
                f"quote {self.quote_id} is {self.status}: deliveries need a closed quote"
            )
        for index, (line, quantity) in enumerate(zip(self.lines, quantities, strict=True)):
            if quantity > line.outstanding:
                raise InvalidStateError(
                    f"line {index} ({line.sku}) of quote {self.quote_id} has "
                    f"{line.outstanding} outstanding, cannot deliver {quantity}",
                    [{"line": index, "sku": line.sku, "outstanding": str(line.outstanding)}],
                )
        self.trigger_event(
            self.DeliveryRecorded, delivery_id=delivery_id, quantities=quantities, user=user
        )

    def take_back(self, return_id: str, lines: Iterable[tuple[str, Decimal]], user: str) -> bool:
        """Counts a return's ``(sku, quantity)`` lines against the quote's lines (skus not on
        the quote are ignored); False when none of them is on the quote."""
        quantities = [Decimal(0)] * len(self.lines)
        for sku, quantity in lines:
            at = self.line_index(sku)
            if at is not None:
                quantities[at] += quantity
        if not any(quantities):
            return False
        self.record_return(return_id, quantities, user)
        return True

    def record_return(self, return_id: str, quantities: list[Decimal], user: str) -> None:
        """Counts units returned against the quote's lines (never more than delivered)."""
        for index, (line, quantity) in enumerate(zip(self.lines, quantities, strict=True)):
            if line.returned + quantity > line.delivered:
                raise ValidationError(f"line {index} would return more than was delivered")
        self.trigger_event(
            self.ReturnRecorded, return_id=return_id, quantities=quantities, user=user
        )

    def cancel(self, user: str) -> list[Decimal]:
        """draft or closed → cancelled; returns the reservation to release per line.

        Refuses a delivered quote."""
        if self.status not in (QuoteStatus.DRAFT, QuoteStatus.CLOSED):
            raise InvalidStateError(f"quote {self.quote_id} is {self.status}: cannot cancel")
        released = [line.reserved for line in self.lines]
        self.trigger_event(self.Cancelled, released=released, user=user)
        return released

    def line_index(self, sku: str) -> int | None:
        for index, line in enumerate(self.lines):
            if line.sku == sku:
                return index
        return None
