"""Shapes shared by every resource: codes, decimals, notes, and the Movement of API.md.

Decimals travel as JSON strings in responses; requests accept strings or numbers, parsed
exactly and within the bounds of SPEC §7 (see api.numbers and api.routing). The Movement
schema and its body are derived from ``domain.movements.MOVEMENT_SHAPE``, the one
declaration of what a movement records.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    create_model,
)
from pydantic_core import PydanticCustomError

from application.records import MovementRecord
from domain.bounds import MAX_LINES
from domain.movements import MOVEMENT_SHAPE
from domain.text import MAX_TEXT, text_problem
from present.money import plain

CODE_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"

Code = Annotated[
    str,
    StringConstraints(pattern=CODE_PATTERN),
    Field(description="1–64 characters of A-Z a-z 0-9 . _ -", examples=["AB-001"]),
]


# A decimal in a response: always a JSON string such as "12.5".
Dec = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]

# A document line's pack unit (SPEC §8): a unit of the SKU's item; absent means base units.
Unit = Annotated[
    str | None,
    Field(pattern=CODE_PATTERN, description="a pack unit of the SKU's item", examples=["case"]),
]


def _text(*, multiline: bool) -> AfterValidator:
    """Refuses what ``domain.text`` says the ledger may not hold (error ``text_refused``)."""

    def check(value: str) -> str:
        problem = text_problem(value, multiline=multiline)
        if problem is not None:
            raise PydanticCustomError("text_refused", problem)
        return value

    return AfterValidator(check)


# Free text the ledger keeps (domain.text): every text field of every request carries one
# of these two checks, so a character the ledger may not hold is a 422 naming the field.
# A note may span lines (TAB, LF and CR allowed) and holds no other control character.
NoteText = _text(multiline=True)
# A name is one line and holds no control character at all.
NameText = _text(multiline=False)

Note = Annotated[str, Field(max_length=2000, examples=["pallet dropped"]), NoteText]
RequiredNote = Annotated[
    str, Field(min_length=1, max_length=2000, examples=["monthly count"]), NoteText
]
# The name of an item, a category, a barcode, a location, a quote's customer or a recipe.
Name = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), NameText]
# A document's lines: one at least, MAX_LINES at most (``Annotated[list[XLineIn], LINES]``).
LINES = Field(min_length=1, max_length=MAX_LINES)
# What a query parameter matches against names (a search, a category, a SKU prefix).
SearchText = Annotated[str, NameText]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def example(body: dict[str, Any]) -> ConfigDict:
    """A model's configuration showing ``body`` as its example in the OpenAPI document (a
    subclass's configuration adds to its bases': a ``Strict`` body stays strict)."""
    return ConfigDict(json_schema_extra={"examples": [body]})


class DocumentLine(BaseModel):
    type: str
    id: str
    line: int


class DocumentPublic(BaseModel):
    type: str
    id: str


class EnteredPublic(BaseModel):
    """What a line entered in a pack unit: ``quantity`` ``unit``s of ``factor`` base units."""

    quantity: Dec
    unit: str
    factor: Dec


# The movement's document fields travel as one object: {"type", "id", "line"}; what was
# entered in a pack unit as another, {"quantity", "unit", "factor"}, or null.
DOCUMENT_FIELDS = {"document_type": "type", "document_id": "id", "line": "line"}
ENTERED_FIELDS = {
    "entered_quantity": "quantity",
    "entered_unit": "unit",
    "entered_factor": "factor",
}
_TYPE_OF_KIND: dict[str, Any] = {
    "text": str,
    "num": Dec,
    "int": int,
    "text?": str | None,
    "num?": Dec | None,
    "int?": int | None,
}


def _movement_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {"position": (int, ...), "recorded_at": (datetime, ...)}
    for figure in MOVEMENT_SHAPE:
        if figure.name in DOCUMENT_FIELDS:
            fields.setdefault("document", (DocumentLine, ...))
        elif figure.name in ENTERED_FIELDS:
            fields.setdefault("entered", (EnteredPublic | None, ...))
        else:
            fields[figure.name] = (_TYPE_OF_KIND[figure.kind], ...)
    return fields


# API.md's Movement, derived from the movement shape.
MovementPublic: type[BaseModel] = create_model("MovementPublic", **_movement_fields())


def movement_body(record: MovementRecord) -> dict[str, Any]:
    """The Movement body of a recorded movement (field order as in API.md)."""
    body: dict[str, Any] = {"position": record.position, "recorded_at": record.recorded_at}
    for figure in MOVEMENT_SHAPE:
        value = getattr(record, figure.name)
        if figure.name in DOCUMENT_FIELDS:
            body.setdefault("document", {})[DOCUMENT_FIELDS[figure.name]] = value
        elif figure.name in ENTERED_FIELDS:
            body.setdefault("entered", {})[ENTERED_FIELDS[figure.name]] = value
        else:
            body[figure.name] = value
    if body["entered"]["unit"] is None:
        body["entered"] = None
    return body
