"""The query parameters console pages share, declared once as ``Annotated`` types (FastAPI
copies an annotation's ``Query`` for each parameter, so one may serve many): a code or a
period, required or blank for "any", the first period of a span (``from``), a page of
report rows, a cursor and a search text."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.params import PERIOD_PATTERN
from api.schemas import CODE_PATTERN

Code = Annotated[str, Query(pattern=CODE_PATTERN)]
Period = Annotated[str, Query(pattern=PERIOD_PATTERN)]
# Blank: any (every location, every period…).
AnyCode = Annotated[str, Query(pattern=f"({CODE_PATTERN})|^$")]
AnyPeriod = Annotated[str, Query(pattern=f"({PERIOD_PATTERN})|^$")]
FromPeriod = Annotated[str, Query(alias="from", pattern=f"({PERIOD_PATTERN})|^$")]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
Cursor = Annotated[str | None, Query(max_length=512)]
Search = Annotated[str, Query(max_length=64)]
