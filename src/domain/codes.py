"""Input rules every document shares: the form of codes, required notes, and the request
field a movement's figure came from (so a refusal can name it)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Protocol, TypeVar

from domain.errors import InsufficientStockError, ValidationError
from domain.movements import Source
from domain.text import check_text

__all__ = [
    "CODE",
    "SimilarCodeError",
    "UnknownPositionError",
    "check_code",
    "each_sku_once",
    "field_of",
    "folded",
    "require_note",
    "similar_code",
]

CODE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def check_code(code: str, field: str) -> None:
    """SKU and location codes: 1–64 chars of A-Z a-z 0-9 . _ -."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise ValidationError(f"{field} must be 1–64 characters of A-Z a-z 0-9 . _ -")


class Listed(Protocol):
    """An entry of a list that names each SKU once (a recipe's line, a supplier's item)."""

    @property
    def sku(self) -> str: ...


L = TypeVar("L", bound=Listed)


def each_sku_once(entries: Sequence[L], name: str) -> Iterator[tuple[str, L]]:
    """Each of the entries listed as ``name``, with its field (``lines[2]``), refusing one
    whose SKU is not a code or was given on an entry before it."""
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        field = f"{name}[{index}]"
        check_code(entry.sku, f"{field}.sku")
        if entry.sku in seen:
            raise ValidationError(f"{entry.sku} given twice", [{"field": f"{field}.sku"}])
        seen.add(entry.sku)
        yield field, entry


class SimilarCodeError(ValidationError):
    """A new SKU or location differs from a known one only in case (422 similar_code)."""


class UnknownPositionError(InsufficientStockError):
    """An outbound line on a position that never had a movement (409 unknown_position):
    the SKU is unknown at that location, not merely short."""

    @classmethod
    def of(cls, sku: str, location: str, quantity: Decimal) -> UnknownPositionError:
        return cls(
            f"{sku} has never been stocked at {location}: there is nothing to take "
            f"{quantity} from (check the SKU and location codes, or receive it first)",
            [{"sku": sku, "location": location, "requested": str(quantity), "available": "0"}],
        )


def folded(code: str) -> str:
    """The form two codes are compared in: without surrounding spaces, case folded."""
    return code.strip().casefold()


def similar_code(code: str, known: Mapping[str, str], field: str) -> None:
    """Refuses ``code`` when a known code (``known``: folded form → code as first
    written) differs from it only in case or surrounding spaces: ``Main`` beside ``main``
    would split one position into two."""
    existing = known.get(folded(code))
    if existing is not None and existing != code:
        raise SimilarCodeError(
            f"{field} {code!r} differs only in case from the existing {existing!r}: "
            f"use {existing!r} (STOCKLEDGER_ALLOW_SIMILAR_CODES=true allows both)",
            [{"field": field, "value": code, "existing": existing}],
        )


def field_of(src: Source, name: str) -> str:
    """The request field a movement's figure came from: ``lines[i].name``, or ``name``
    for an adjustment (which has no lines); a count's quantities come from ``counted``."""
    if src.document_type == "adjustment":
        return name
    if src.document_type == "count" and name == "quantity":
        name = "counted"
    return f"lines[{src.line}].{name}"


def require_note(note: str | None) -> str:
    """Waste, adjustments and counts must say why."""
    if note is None or not note.strip():
        raise ValidationError("a non-blank note is required", [{"field": "note"}])
    check_text(note, "note")
    return note
