"""Numbers and times as a request may write them (SPEC §7 Bounds).

A decimal is a JSON string or number written plainly: ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?``.
Padding (" 5"), ``1_000``, exponents (``1e3``, ``1e400``), NaN and Infinity are refused,
and so is anything beyond the bounds of ``domain.bounds`` (the same checks the domain runs).
A time is an ISO 8601 string with a UTC offset; an epoch number is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from domain import bounds
from domain.errors import ValidationError
from domain.item import check_factor


class RawNumber(str):
    """A JSON number that is not written plainly (``1e400``), kept as its text to refuse."""


def json_number(text: str) -> Decimal | str:
    """``parse_float``/``parse_int`` of the JSON decoder: exact Decimal, or the raw text."""
    if len(text) <= bounds.MAX_DECIMAL_CHARS and bounds.CANONICAL.fullmatch(text):
        return Decimal(text)
    return RawNumber(text)


def _parse(value: Any) -> Decimal:
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        if len(value) <= bounds.MAX_DECIMAL_CHARS and bounds.CANONICAL.fullmatch(value):
            return Decimal(value)
        raise PydanticCustomError(
            "decimal_format",
            "must be a plain decimal such as 12.5 (no spaces, exponent, '_', leading zeros, "
            "NaN or Infinity; at most {most} characters)",
            {"most": bounds.MAX_DECIMAL_CHARS},
        )
    raise PydanticCustomError("decimal_type", "must be a decimal, as a string or a JSON number")


def _checked(check: Callable[[Decimal], None]) -> Callable[[Any], Decimal]:
    def validate(value: Any) -> Decimal:
        amount = _parse(value)
        try:
            check(amount)
        except ValidationError as exc:
            message = exc.errors[0]["message"] if exc.errors else exc.detail
            raise PydanticCustomError("decimal_bounds", str(message)) from None
        return amount

    return validate


def _schema(description: str, example: str) -> dict[str, Any]:
    return {
        "anyOf": [
            {
                "type": "string",
                "pattern": bounds.CANONICAL_PATTERN,
                "maxLength": bounds.MAX_DECIMAL_CHARS,
            },
            {"type": "number"},
        ],
        "description": description,
        "examples": [example],
    }


Quantity = Annotated[
    Decimal,
    PlainValidator(_checked(bounds.check_quantity)),
    WithJsonSchema(_schema("Decimal > 0, at most 3 places, at most 10^12", "12.5")),
]
SignedQuantity = Annotated[
    Decimal,
    PlainValidator(_checked(lambda q: bounds.check_quantity(q, signed=True))),
    WithJsonSchema(_schema("Signed decimal ≠ 0, at most 3 places, |q| ≤ 10^12", "-2")),
]
Counted = Annotated[
    Decimal,
    PlainValidator(_checked(lambda q: bounds.check_quantity(q, allow_zero=True))),
    WithJsonSchema(_schema("Units counted: decimal ≥ 0, at most 3 places, ≤ 10^12", "7")),
]
SignedMoney = Annotated[
    Decimal,
    PlainValidator(_checked(lambda m: bounds.check_money(m, bounds.COST_PLACES, "amount"))),
    WithJsonSchema(_schema("Signed money ≠ 0 at the currency's places, |m| ≤ 10^15", "-12.50")),
]
UnitCost = Annotated[
    Decimal,
    PlainValidator(_checked(bounds.check_unit_cost)),
    WithJsonSchema(_schema("Decimal ≥ 0, at most 6 places, at most 10^9", "4.25")),
]

# ISO 8601 with an offset: a date and a time, not an epoch number.
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


# An offset whose '+' a query string turned into a space: "…T10:00:00 01:00".
SPACED_OFFSET = re.compile(r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}(:?\d{2})?$")


def _iso_only(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and SPACED_OFFSET.search(value):
        raise PydanticCustomError(
            "time_offset_unencoded",
            "the offset's '+' arrived as a space (a query string reads an unencoded '+' as "
            "a space): write it as %2B, e.g. 2026-03-14T10:00:00%2B01:00, or give the "
            "time in UTC with Z, e.g. 2026-03-14T09:00:00Z",
        )
    if not isinstance(value, str) or not ISO_TIME.match(value):
        raise PydanticCustomError(
            "time_format",
            "must be an ISO 8601 time with a UTC offset, such as 2026-03-14T10:00:00Z or "
            "2026-03-14T11:00:00+01:00 (in a query string, write the '+' as %2B)",
        )
    return value


IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
Factor = Annotated[
    Decimal,
    PlainValidator(_checked(check_factor)),
    WithJsonSchema(_schema("Base units per pack: decimal > 0, at most 6 places", "0.75")),
]
