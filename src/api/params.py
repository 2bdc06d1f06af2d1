"""The path and query parameters the routers share, declared once.

The query ones are ``Annotated`` types (``location: CodeFilter = None``): FastAPI keeps a
copy of an annotation's ``Query`` per parameter, where a ``Query`` given as the default is
the parameter's own (shared by two names it would answer to the last one's)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from api.schemas import CODE_PATTERN

PERIOD_PATTERN = r"^[0-9]{4}-[0-9]{2}$"


def code(example: str) -> Any:
    """A path segment naming something by its code (an SKU, a location, a document)."""
    return Path(pattern=CODE_PATTERN, examples=[example])


Sku = code("AB-001")
Location = code("main")
# An optional filter by code (``?location=main``), and a code the query must give.
CodeFilter = Annotated[str | None, Query(pattern=CODE_PATTERN)]
CodeQuery = Annotated[str, Query(pattern=CODE_PATTERN)]
# A page: at most ``limit`` rows, after ``cursor`` (the last page's ``next_cursor``).
Limit = Annotated[int, Query(ge=1, le=1000)]
Cursor = Annotated[str | None, Query(max_length=512)]
