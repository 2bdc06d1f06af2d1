"""Input rules every document shares: the form of codes, required notes, and the request
field a movement's figure came from (so a refusal can name it)."""

from __future__ import annotations

import re

from domain.errors import ValidationError
from domain.movements import Source
from domain.text import check_text

__all__ = ["CODE", "check_code", "field_of", "require_note"]

CODE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def check_code(code: str, field: str) -> None:
    """SKU and location codes: 1–64 chars of A-Z a-z 0-9 . _ -."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise ValidationError(f"{field} must be 1–64 characters of A-Z a-z 0-9 . _ -")


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
