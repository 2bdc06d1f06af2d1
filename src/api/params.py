"""The path and query parameters the routers share, declared once (each a FastAPI
``Path``/``Query``, used as a parameter's default)."""

from __future__ import annotations

from typing import Any

from fastapi import Path, Query

from api.schemas import CODE_PATTERN

PERIOD_PATTERN = r"^[0-9]{4}-[0-9]{2}$"


def code(example: str) -> Any:
    """A path segment naming something by its code (an SKU, a location, a document)."""
    return Path(pattern=CODE_PATTERN, examples=[example])


Sku = code("AB-001")
Location = code("main")
Limit = Query(100, ge=1, le=1000)
Cursor = Query(None, max_length=512)
# An optional filter by code (``?location=main``).
Filter = Query(None, pattern=CODE_PATTERN)
# A required code in the query (``?location=main``).
Required = Query(pattern=CODE_PATTERN)
From = Query(None, alias="from", pattern=PERIOD_PATTERN, examples=["2026-01"])
To = Query(None, pattern=PERIOD_PATTERN, examples=["2026-03"])
