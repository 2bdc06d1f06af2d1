"""A posted sale as it stands (SPEC §17, ``GET /api/sales/{sale_id}``), read from the
ledger: its lines and revenue, every movement it caused — at posting, the settlements of
what it owed (posted by later inbound movements), the voids — what it still owes, and its
voids."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.errors import NotFoundError
from application.ports import LedgerPort
from application.records import MovementRecord
from domain.documents import Document
from domain.money import Money
from domain.movements import DocType, Kind, Movement
from domain.sale import SaleRecord

ZERO = Decimal(0)


@dataclass(frozen=True)
class SaleState:
    sale_id: str
    location: str | None
    posted_at: str | None
    user: str
    lines: list[dict[str, Any]]
    revenue: Money
    voided_revenue: Money
    movements: list[MovementRecord]
    owed: list[dict[str, Any]]
    voids: list[dict[str, Any]]
    position: int


def _events(ledger: LedgerPort, refs: list[list[Any]]) -> list[tuple[Movement, int]]:
    pairs = [(UUID(str(oid)), int(version)) for oid, version in refs]
    positions = ledger.positions(pairs) if pairs else []
    out = []
    for (oid, version), position in zip(pairs, positions, strict=True):
        (event,) = ledger.events.get(oid, gt=version - 1, lte=version)
        assert isinstance(event, Movement)
        out.append((event, position))
    return out


def sale_state(ledger: LedgerPort, sale_id: str) -> SaleState:
    """The sale ``sale_id`` as the ledger has it now (NotFoundError: never posted)."""
    sale = ledger.get(Document, Document.create_id(DocType.SALE.value, sale_id))
    if sale is None:
        raise NotFoundError(f"sale {sale_id} not found")
    record = ledger.get(SaleRecord, SaleRecord.create_id(sale_id))
    settled = record.settled if record else []
    voided = record.voided if record else []
    moved = _events(ledger, sale.movements)
    moved += _events(ledger, [s[3:5] for s in settled])
    voids: list[dict[str, Any]] = []
    for void_id in dict.fromkeys(str(v) for _, v in voided):
        document = ledger.get(Document, Document.create_id(DocType.VOID.value, void_id))
        if document is None:
            continue
        void_moves = _events(ledger, document.movements)
        moved += [(e, p) for e, p in void_moves if e.document_type == DocType.VOID.value]
        moved += [(e, p) for e, p in void_moves if e.document_id == sale_id]
        voids.append(
            {
                "void_id": void_id,
                "lines": [ln["sale_line"] for ln in document.lines],
                "user": document.user,
                "revenue": sum((Decimal(ln["revenue"]) for ln in document.lines), ZERO),
                "cost": sum((Decimal(ln["cost"]) for ln in document.lines), ZERO),
            }
        )
    # A settlement that a void's returned stock made is in the sale's record and among the
    # void's movements: listed once.
    moved = sorted(dict((p, (e, p)) for e, p in moved).values(), key=lambda pair: pair[1])
    voided_lines = {int(line) for line, _ in voided}
    return SaleState(
        sale_id,
        sale.details.location,
        sale.details.posted_at,
        sale.user,
        [
            {**line, "line": i, "voided": i in voided_lines, "location": line.get("location")}
            for i, line in enumerate(sale.lines)
        ],
        sum((Decimal(ln["revenue"]) for ln in sale.lines), ZERO),
        sum((Decimal(v["revenue"]) for v in voids), ZERO),
        [MovementRecord.from_event(e, p) for e, p in moved],
        _owed(moved, sale_id),
        voids,
        max([p for _, p in moved] + ledger.positions([(sale.id, 1)])),
    )


def _owed(moved: list[tuple[Movement, int]], sale_id: str) -> list[dict[str, Any]]:
    """What each movement line still owes: owed − settled − cancelled."""
    left: dict[tuple[int, str, str], Decimal] = {}
    for event, _ in moved:
        if event.document_id != sale_id:
            continue
        key = (event.line, event.sku, event.location)
        if event.kind == Kind.OWED:
            left[key] = left.get(key, ZERO) + event.quantity
        elif event.kind == Kind.OWED_CANCELLED or event.owed_after is not None:
            left[key] = left.get(key, ZERO) - event.quantity
    return [
        {"line": line, "sku": sku, "location": location, "quantity": quantity}
        for (line, sku, location), quantity in sorted(left.items())
        if quantity > 0
    ]
