"""Count sheets, storage areas and the AvT report (SPEC §13; API.md "Count sheets and AvT"):
request models, response models, and the ``*_body`` functions from the aggregates and the
report's figures to plain data."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from api.numbers import Counted, IsoTime
from api.schemas.common import Code, Dec, NameText, Note, RequiredNote, Strict, Unit
from domain import avt
from domain.count_sheet import CountSheet
from domain.storage_areas import MAX_AREA_SKUS, MAX_AREAS, MAX_NAME, Area
from present.money import with_places
from present.reports import cell
from projections.avt import AvtFigures
from projections.count_sheets import SheetRow

AreaName = Annotated[str, Field(min_length=1, max_length=MAX_NAME, examples=["walk-in"]), NameText]


class AreaIn(Strict):
    area: AreaName
    skus: Annotated[list[Code], Field(max_length=MAX_AREA_SKUS)]


class AreasPut(Strict):
    areas: Annotated[list[AreaIn], Field(max_length=MAX_AREAS)]

    def value(self) -> list[Area]:
        return [Area(a.area, tuple(a.skus)) for a in self.areas]


class AreaPublic(BaseModel):
    area: str
    skus: list[str]


class AreasPublic(BaseModel):
    location: str
    areas: list[AreaPublic]
    position: int


def areas_body(location: str, areas: list[Area], position: int) -> dict[str, Any]:
    plain = [{"area": a.area, "skus": list(a.skus)} for a in areas]
    return {"location": location, "areas": plain, "position": position}


class SheetCreate(Strict):
    count_id: Code
    location: Code
    kind: Literal["full", "spot"]
    counted_at: IsoTime | None = None
    note: Note | None = None


class LinePut(Strict):
    quantity: Counted
    unit: Unit = None
    area: AreaName | None = None


class Approval(Strict):
    uncounted: Literal["zero"] | None = None


class Rejection(Strict):
    note: RequiredNote


class Entered(BaseModel):
    quantity: Dec
    unit: str
    factor: Dec


class SheetLine(BaseModel):
    sku: str
    area: str
    quantity: Dec | None
    unit: str | None
    entered: Entered | None
    position: int | None = None


class AreaProgress(BaseModel):
    area: str
    counted: int
    total: int


class DocumentRef(BaseModel):
    type: str
    id: str


class SheetSummary(BaseModel):
    count_id: str
    location: str
    kind: str
    state: str
    counted_at: str
    note: str | None
    counted: int
    total: int


class SheetPublic(SheetSummary):
    areas: list[AreaProgress]
    lines: list[SheetLine]
    document: DocumentRef | None = None
    rejections: list[str]
    position: int


class SheetList(BaseModel):
    items: list[SheetSummary]
    position: int


def line_body(sheet: CountSheet, area: str, sku: str) -> dict[str, Any]:
    entry = sheet.entries.get((area, sku))
    if entry is None:
        return {"sku": sku, "area": area, "quantity": None, "unit": None, "entered": None}
    return {
        "sku": sku,
        "area": area,
        "quantity": entry["quantity"],
        "unit": entry["unit"],
        "entered": entry["entered"],
    }


def sheet_body(sheet: CountSheet, position: int) -> dict[str, Any]:
    """API.md's Sheet: its lines in sheet order and progress per area."""
    progress = sheet.progress()
    counted = sum(done for done, _ in progress.values())
    total = sum(all_ for _, all_ in progress.values())
    approved = sheet.state == "approved"
    return {
        "count_id": sheet.count_id,
        "location": sheet.location,
        "kind": sheet.kind,
        "state": sheet.state,
        "counted_at": sheet.counted_at.isoformat(),
        "note": sheet.note,
        "counted": counted,
        "total": total,
        "areas": [{"area": a, "counted": d, "total": t} for a, (d, t) in progress.items()],
        "lines": [line_body(sheet, area, sku) for area, sku in sheet.order],
        "document": {"type": "count", "id": sheet.count_id} if approved else None,
        "rejections": list(sheet.rejections),
        "position": position,
    }


def summary_body(row: SheetRow) -> dict[str, Any]:
    return {
        "count_id": row.count_id,
        "location": row.location,
        "kind": row.kind,
        "state": row.state,
        "counted_at": row.counted_at.isoformat(),
        "note": row.note,
        "counted": row.counted,
        "total": row.total,
    }


# -- AvT ------------------------------------------------------------------------------------

AMOUNTS = tuple(f"{name}_{part}" for name in avt.COLUMNS for part in ("qty", "value"))
ROW_FIELDS = (
    *(f"{name}_qty" for name in avt.COLUMNS),
    *(f"{name}_value" for name in avt.COLUMNS),
    "variance_pct",
)
TOTAL_FIELDS = (
    *(f"{name}_value" for name in avt.COLUMNS),
    "variance_pct",
    "revenue",
    "theoretical_food_cost_pct",
    "actual_food_cost_pct",
    "unmapped_revenue",
)


# Nullable figures: a ratio over nothing is null.
PERCENTS = ("variance_pct", "theoretical_food_cost_pct", "actual_food_cost_pct")


def _figures(names: tuple[str, ...]) -> dict[str, Any]:
    """A required ``Dec`` field per name (nullable for the percentages), in order."""
    return {name: (Dec | None if name in PERCENTS else Dec, ...) for name in names}


class Unmapped(BaseModel):
    menu_item: str
    sold_qty: Dec
    revenue: Dec


# The AvT columns are declared once (``domain.avt.COLUMNS``); the row and the totals
# follow them.
AvtRow = create_model("AvtRow", sku=(str, ...), unit=(str | None, ...), **_figures(ROW_FIELDS))
AvtTotals = create_model("AvtTotals", **_figures(TOTAL_FIELDS), unmapped=(list[Unmapped], ...))
AvtReport = create_model(
    "AvtReport",
    location=(str, ...),
    from_count=(str, ...),
    to_count=(str, ...),
    rows=(list[AvtRow], ...),  # type: ignore[valid-type]  # derived from avt.COLUMNS
    totals=(AvtTotals, ...),
    position=(int, ...),
)


def _placed(values: dict[str, Any], places: int) -> dict[str, Any]:
    """Money (declared: ``avt.AvtAmounts``) at the currency's places."""
    placed: dict[str, Any] = with_places(values, places)
    return placed


def avt_body(
    location: str, from_count: str, to_count: str, found: AvtFigures, places: int
) -> dict[str, Any]:
    """The report: its rows (sku, unit, every column, variance %), the location's totals."""
    rows = [
        {"sku": r["sku"], "unit": r["unit"], **{k: r[k] for k in ROW_FIELDS}} for r in found.rows
    ]
    totals = avt.totals(found.rows, found.revenue, found.unmapped_revenue)
    unmapped = [_placed(u, places) for u in found.unmapped]
    return {
        "location": location,
        "from_count": from_count,
        "to_count": to_count,
        "rows": [_placed(r, places) for r in rows],
        "totals": {**_placed({k: totals[k] for k in TOTAL_FIELDS}, places), "unmapped": unmapped},
        "position": found.position,
    }


def avt_csv(body: dict[str, Any]) -> str:
    """The rows as CSV (API.md's AvtRow columns), then a totals line."""
    header = ["sku", "unit", *ROW_FIELDS]
    lines = [",".join(header)]
    for row in body["rows"]:
        lines.append(",".join(cell(row[name]) for name in header))
    totals = body["totals"]
    lines.append(
        ",".join(cell(totals.get(name, "TOTAL" if name == "sku" else "")) for name in header)
    )
    return "\r\n".join(lines) + "\r\n"
