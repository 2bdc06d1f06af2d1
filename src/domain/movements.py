"""Movement events: their kinds, what each carries, and the hash chain (SPEC §3, §7)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Protocol, get_args, get_type_hints
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import valuation as v
from domain.money import Money

GENESIS_HASH = "0" * 64


class Kind(StrEnum):
    RECEIVE = "RECEIVE"
    RESERVE = "RESERVE"
    RELEASE = "RELEASE"
    SHIP = "SHIP"
    RETURN = "RETURN"
    CONSUME = "CONSUME"
    WASTE = "WASTE"
    TRANSFER_OUT = "TRANSFER_OUT"
    TRANSFER_IN = "TRANSFER_IN"
    ADJUSTMENT = "ADJUSTMENT"
    REVALUE = "REVALUE"
    VARIANCE = "VARIANCE"
    # A sale's consumption the shelf could not give (SPEC §17): recorded, owed, valued at
    # nothing until an inbound movement settles it (a CONSUME) or a void cancels it.
    OWED = "OWED"
    OWED_CANCELLED = "OWED_CANCELLED"
    # A sale line's consumption taken back by a void (SPEC §17).
    VOID = "VOID"
    # A production (SPEC §16): its ingredients out, its output in at their value.
    PRODUCTION_OUT = "PRODUCTION_OUT"
    PRODUCTION_IN = "PRODUCTION_IN"


class DocType(StrEnum):
    RECEIPT = "receipt"
    QUOTE = "quote"
    DELIVERY = "delivery"
    RETURN = "return"
    TRANSFER = "transfer"
    CONSUMPTION = "consumption"
    WASTE = "waste"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    COST = "cost"
    SALE = "sale"
    VOID = "void"
    PRODUCTION = "production"
    PURCHASE_ORDER = "purchase_order"
    SUPPLIER_INVOICE = "supplier_invoice"


@dataclass(frozen=True)
class Entered:
    """What a line gave when it used a pack unit: ``quantity`` ``unit``s of ``factor`` base
    units each (SPEC §8)."""

    quantity: Decimal
    unit: str
    factor: Decimal


@dataclass(frozen=True)
class Source:
    """Who and what caused a movement: its document line, the acting user, a note — and the
    ledger key the movement is anchored with (see ``movement_mac``), never printed."""

    document_type: str
    document_id: str
    line: int
    user: str
    note: str | None = None
    anchor_key: bytes | None = field(default=None, repr=False, compare=False)
    # The SKU's base unit (None without an item) and what the line entered in a pack unit.
    unit: str | None = None
    entered: Entered | None = None
    # A sale's movement (SPEC §9): the menu item and the recipe version it came from.
    menu_item: str | None = None
    recipe_version: int | None = None


@dataclass(frozen=True)
class Figure:
    """One recorded field of a movement: its name and kind (``text``, ``num`` for a
    Decimal, ``int``, ``text?`` for optional text)."""

    name: str
    kind: str


@dataclass(frozen=True)
class MovementFigures:
    """The movement shape, declared once: what every movement event records (besides the
    chain links and the library's id, version and time). The command record
    (``application.records.MovementRecord``), the API's Movement and the movements view's
    columns are derived from it; ``Movement`` (the event) declares the same fields, and
    ``tests/present/test_shapes.py`` holds the two together."""

    sku: str
    location: str
    kind: str
    quantity: Decimal
    on_hand_delta: Decimal
    reserved_delta: Decimal
    unit_cost: Decimal
    value: Money
    document_type: str
    document_id: str
    line: int
    user: str
    note: str | None
    on_hand_after: Decimal
    reserved_after: Decimal
    value_after: Money
    unit: str | None
    entered_quantity: Decimal | None
    entered_unit: str | None
    entered_factor: Decimal | None
    menu_item: str | None
    recipe_version: int | None


def _kind_of(hint: Any) -> str:
    """A declared type as a ``Figure`` kind: ``text``, ``num``, ``int``, ``?`` if optional."""
    args = [arg for arg in get_args(hint) if arg is not type(None)]
    optional = type(None) in get_args(hint)
    base = args[0] if optional else hint
    base = get_args(base)[0] if get_args(base) else base  # Money is an annotated Decimal
    kind = {str: "text", Decimal: "num", int: "int"}[base]
    return f"{kind}?" if optional else kind


MOVEMENT_SHAPE = tuple(
    Figure(f.name, _kind_of(hint))
    for f, hint in zip(
        fields(MovementFigures), get_type_hints(MovementFigures).values(), strict=True
    )
)

# The optional figures — units (SPEC §8), a sale's menu item and recipe version (§9) — a
# movement's hash covers only when set, so every movement recorded before them, and every
# one without them, keeps its hash.
UNIT_FIELDS = (
    "unit",
    "entered_quantity",
    "entered_unit",
    "entered_factor",
    "menu_item",
    "recipe_version",
)
# Figures outside the shape, hashed when set: a VARIANCE's amount (SPEC §10) and the
# quantity a position owes (§17).
EXTRA_FIELDS = ("variance", "owed_after")
# The fields a movement's hash always covers (hashed as a key-sorted JSON object).
MOVEMENT_FIELDS = (*(f.name for f in MOVEMENT_SHAPE if f.name not in UNIT_FIELDS), "prev_hash")


class Movement(Aggregate.Event):
    """Base of every movement event; its state is the recorded truth after the movement."""

    kind_name: ClassVar[Kind]
    sku: str
    location: str
    kind: str
    quantity: Decimal
    on_hand_delta: Decimal
    reserved_delta: Decimal
    unit_cost: Decimal
    value: Money
    on_hand_after: Decimal
    reserved_after: Decimal
    value_after: Money
    document_type: str
    document_id: str
    line: int
    user: str
    note: str | None
    prev_hash: str
    hash: str
    # HMAC of ``hash`` with the ledger key (domain.movements.movement_mac); None when the
    # movement was recorded without a key (and on movements recorded before the field).
    mac: str | None = None
    # A VARIANCE movement's cost variance (SPEC §10): money expensed to the period's COGS
    # without touching the position; hashed when present. None on every other movement.
    variance: Money | None = None
    unit: str | None = None
    entered_quantity: Decimal | None = None
    entered_unit: str | None = None
    entered_factor: Decimal | None = None
    menu_item: str | None = None
    recipe_version: int | None = None
    # The quantity the position owes after this movement (SPEC §17), recorded (and hashed)
    # on every movement of a position that owes before or after it; None means 0.
    owed_after: Decimal | None = None

    def apply(self, aggregate: Any) -> None:
        aggregate.on_hand = self.on_hand_after
        aggregate.reserved = self.reserved_after
        aggregate.value = self.value_after
        aggregate.chain = self.hash
        if self.on_hand_after > 0:
            aggregate.last_average = v.average_cost(self.value_after, self.on_hand_after)


class MovementLike(Protocol):
    """A recorded movement, as read back from the store (for verifying the chain)."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    hash: str


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def movement_hash(
    originator_id: UUID, version: int, timestamp: datetime, fields: dict[str, Any]
) -> str:
    """SHA-256 over the previous link and every recorded field of this movement."""
    body = {name: _text(fields[name]) for name in MOVEMENT_FIELDS}
    for extra in EXTRA_FIELDS:
        if fields.get(extra) is not None:
            body[extra] = _text(fields[extra])
    body.update({n: _text(fields[n]) for n in UNIT_FIELDS if fields.get(n) is not None})
    body["originator_id"] = str(originator_id)
    body["originator_version"] = version
    body["timestamp"] = timestamp.isoformat()
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def recompute_hash(event: MovementLike) -> str:
    """The hash a stored movement should carry, recomputed from its own fields."""
    fields = {name: getattr(event, name, None) for name in (*MOVEMENT_FIELDS, *UNIT_FIELDS)}
    for extra in EXTRA_FIELDS:
        fields[extra] = getattr(event, extra, None)
    return movement_hash(event.originator_id, event.originator_version, event.timestamp, fields)


# -- the anchor: an HMAC over each movement's hash with a key held outside the database ------


def key_id(key: bytes) -> str:
    """A short public name of a ledger key (which key a MAC was made with)."""
    return hashlib.sha256(b"stockledger-ledger-key:" + key).hexdigest()[:8]


def movement_mac(key: bytes, movement_hash: str) -> str:
    """``<key id>:<HMAC-SHA256(key, hash)>``. The hash covers every field and the previous
    link, so the MAC anchors the movement and every earlier one of its position."""
    digest = hmac.new(key, movement_hash.encode(), hashlib.sha256).hexdigest()
    return f"{key_id(key)}:{digest}"


def check_mac(keys: Sequence[bytes], movement_hash: str, mac: str) -> bool | None:
    """True when ``mac`` is right for ``movement_hash`` under the key it names, False when it
    is wrong, None when none of ``keys`` is the one it names."""
    name = mac.partition(":")[0]
    for key in keys:
        if key_id(key) == name:
            return hmac.compare_digest(movement_mac(key, movement_hash), mac)
    return None


def movement_figures(
    sku: str,
    location: str,
    kind: Kind,
    quantity: Decimal,
    deltas: tuple[Decimal, Decimal, Decimal],
    unit_cost: Decimal,
    after: tuple[Decimal, Decimal, Decimal],
    src: Source,
    variance: Decimal | None = None,
) -> dict[str, Any]:
    """What a new movement records (MOVEMENT_SHAPE, its unit figures, and a VARIANCE's
    amount), given its (on_hand, reserved, value) deltas and the figures after it."""
    on_hand_delta, reserved_delta, value = deltas
    entered = src.entered
    shaped = MovementFigures(
        sku,
        location,
        kind.value,
        quantity,
        on_hand_delta,
        reserved_delta,
        unit_cost,
        value,
        src.document_type,
        src.document_id,
        src.line,
        src.user,
        src.note,
        *after,
        src.unit,
        entered.quantity if entered else None,
        entered.unit if entered else None,
        entered.factor if entered else None,
        src.menu_item,
        src.recipe_version,
    )
    figures = dict(vars(shaped))
    if variance is not None:
        figures["variance"] = variance
    return figures


def chained(
    figures: dict[str, Any],
    prev_hash: str,
    originator_id: UUID,
    version: int,
    at: datetime,
    anchor_key: bytes | None,
) -> dict[str, Any]:
    """A new movement's recorded fields: its figures, the link to the previous movement of
    its position, its hash, and (with a ledger key) the HMAC anchoring that hash."""
    fields = {**figures, "prev_hash": prev_hash}
    fields["hash"] = movement_hash(originator_id, version, at, fields)
    if anchor_key:
        fields["mac"] = movement_mac(anchor_key, fields["hash"])
    return fields
