"""Document records: each (type, id) is usable exactly once (SPEC §1.5, §2).

A Document remembers the fingerprint of the payload it was posted with and the movements it
recorded, so a repeat returns the original result and a different payload is refused. A
delivery's record also carries its shipped lines so returns can take back value
proportionally and never return more than was shipped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from domain import valuation as v
from domain.errors import DocumentConflictError, ValidationError
from domain.ids import NAMESPACE
from domain.recorded import Recorded


def canonical(value: Any) -> Any:
    """A JSON-ready form in which equal payloads are equal (10 == 10.0, key order free)."""
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f") if normal == normal.to_integral() else str(normal)
    if isinstance(value, dict):
        return {str(k): canonical(val) for k, val in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def fingerprint(payload: dict[str, Any]) -> str:
    """SHA-256 of the canonical payload: the identity of "the same document"."""
    text = json.dumps(canonical(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class DocumentDetails:
    """Where a document happened and what it refers to; only the fields its type uses are
    set. Stored as a plain object of the set fields (``DocumentDetailsAsDict``), so the
    details recorded as dicts before this type existed read back the same."""

    location: str | None = None
    quote_id: str | None = None
    delivery_id: str | None = None
    from_location: str | None = None
    to_location: str | None = None
    counted_at: str | None = None
    # A sale's posting time (ISO): its revenue belongs to this instant's period (SPEC §9).
    posted_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def of(cls, details: DocumentDetails | dict[str, Any]) -> DocumentDetails:
        return details if isinstance(details, DocumentDetails) else cls(**details)


class Document(Recorded):
    """The one-time use of a document id and what it recorded."""

    TOPIC = "stockledger:Document"

    class ReturnRecorded(Recorded.Event):
        """Units of this delivery's lines taken back: [[line, quantity, value], …]."""

        return_id: str
        allocations: list[list[Any]]
        user: str

        def apply(self, aggregate: Any) -> None:
            for index, quantity, value in self.allocations:
                line = aggregate.lines[index]
                line["returned_qty"] = Decimal(line["returned_qty"]) + Decimal(quantity)
                line["returned_value"] = Decimal(line["returned_value"]) + Decimal(value)

    @staticmethod
    def create_id(doc_type: str, doc_id: str) -> UUID:
        """Deterministic: never change this formula once data exists."""
        return uuid5(NAMESPACE, f"document:{doc_type}:{doc_id}")

    def __init__(
        self,
        doc_type: str,
        doc_id: str,
        fingerprint: str,
        user: str,
        movements: list[list[Any]],
        lines: list[dict[str, Any]],
        details: DocumentDetails | dict[str, Any],
    ) -> None:
        self.doc_type = doc_type
        self.doc_id = doc_id
        self.fingerprint = fingerprint
        self.user = user
        self.movements = [list(ref) for ref in movements]
        self.lines = [dict(line) for line in lines]
        self.details = DocumentDetails.of(details)

    def check_repeat(self, fingerprint: str) -> None:
        """Refuses a different payload under this document id."""
        if fingerprint != self.fingerprint:
            raise DocumentConflictError(
                f"{self.doc_type} {self.doc_id} was already posted with a different payload"
            )

    def allocate_return(
        self, sku: str, quantity: Decimal, places: int
    ) -> list[tuple[int, Decimal, Decimal]]:
        """Splits a returned quantity of ``sku`` over this delivery's lines in order.

        Each part takes back value proportionally (the part completing a line takes exactly
        what remains). Refuses a quantity ≤ 0 and returning more than was shipped and not
        yet returned.
        """
        v.check_quantity(quantity)
        parts: list[tuple[int, Decimal, Decimal]] = []
        left = quantity
        for index, line in enumerate(self.lines):
            if line["sku"] != sku or left == 0:
                continue
            shipped = Decimal(line["quantity"])
            returned = Decimal(line["returned_qty"])
            take = min(left, shipped - returned)
            if take <= 0:
                continue
            value = v.return_value(
                take,
                shipped,
                Decimal(line["value"]),
                returned,
                Decimal(line["returned_value"]),
                places,
            )
            parts.append((index, take, value))
            left -= take
        if left > 0:
            raise ValidationError(
                f"cannot return {quantity} of {sku}: more than delivery "
                f"{self.doc_id} shipped and has not had back",
                [{"sku": sku, "field": "quantity"}],
            )
        return parts

    def record_return(
        self, return_id: str, allocations: list[tuple[int, Decimal, Decimal]], user: str
    ) -> None:
        self.trigger_event(
            self.ReturnRecorded,
            return_id=return_id,
            allocations=[[i, q, val] for i, q, val in allocations],
            user=user,
        )
