"""Domain errors: every refusal of a rule in SPEC §2–4.

DomainError
├── ValidationError            bad input (422)
│   ├── NoCostBasisError       positive adjustment with no cost to value it
│   ├── UnknownUnitError       a line's unit is not one of its item's units
│   ├── UnknownItemError       a SKU without an item, when items are required
│   ├── UnknownLocationError   an undeclared location, when items are required
│   └── UnknownRecipeError     a sale of a menu item that has no recipe
├── InsufficientStockError     would go below zero or over-reserve (409)
├── InvalidStateError          command not allowed in the aggregate's state (409)
└── DocumentConflictError      same document id, different payload (409)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


class DomainError(Exception):
    """Base of every rule refusal; ``errors`` lists per-field or per-line details."""

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class ValidationError(DomainError):
    """Input breaks a rule of the model (sign, places, required note)."""


class NoCostBasisError(ValidationError):
    """A positive adjustment without unit cost on a position that never held stock."""


class UnknownUnitError(ValidationError):
    """A line gives its quantity in a unit its item does not have."""


class UnknownItemError(ValidationError):
    """A movement of a SKU that has no item, with STOCKLEDGER_REQUIRE_ITEMS on."""


class UnknownLocationError(ValidationError):
    """A movement at a location never declared, with STOCKLEDGER_REQUIRE_ITEMS on."""


class UnknownRecipeError(ValidationError):
    """A sale line names a menu item that has no recipe (SPEC §9)."""


class InsufficientStockError(DomainError):
    """An outbound movement or reservation exceeds what the position can give."""

    @classmethod
    def at(
        cls,
        sku: str,
        location: str,
        quantity: Decimal,
        available: Decimal,
        on_hand: Decimal,
        reserved: Decimal,
    ) -> InsufficientStockError:
        """The refusal naming the position and what it could give."""
        return cls(
            f"insufficient stock of {sku} at {location}: asked {quantity}, available {available}",
            [
                {
                    "sku": sku,
                    "location": location,
                    "requested": str(quantity),
                    "available": str(available),
                    "on_hand": str(on_hand),
                    "reserved": str(reserved),
                }
            ],
        )


class InvalidStateError(DomainError):
    """The command does not apply to the aggregate in its current state."""


class DocumentConflictError(DomainError):
    """A document id was posted again with a different payload."""
