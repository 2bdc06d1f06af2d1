"""Storage areas and count sheets (SPEC §13): every step a command on the posting path
(application.count_sheets), answered with the sheet as the ledger holds it (read-your-
writes for the clerks on the floor); the list of sheets from the ``count_sheets`` read
model."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from api.auth import Principal
from api.dependencies import FreshReadModels, LedgerDep
from api.params import CodeFilter, code
from api.route_table import Answer, Routes, created
from api.schemas.count_sheets import (
    Approval,
    AreasPublic,
    AreasPut,
    LinePut,
    Rejection,
    SheetCreate,
    SheetLine,
    SheetList,
    SheetPublic,
    areas_body,
    line_body,
    sheet_body,
    summary_body,
)
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    RejectCountSheet,
    SheetCommand,
    SubmitCountSheet,
    areas_of,
    set_areas,
)
from application.errors import NotFoundError
from application.ledger import Ledger
from domain.access import Role
from domain.count_sheet import CountSheet

router = Routes("/api", "count sheets")

CountId = code("K-2026-03-31")
Sku = code("BEEF")
LocationCode = code("kitchen")
SHEET = "/count-sheets/{count_id}"
OPEN: dict[str, Any] = {"repeat": "A repeat: the sheet as it stands", "status_code": 201}


def _sheet(ledger: Ledger, count_id: str) -> CountSheet:
    found = ledger.get(CountSheet, CountSheet.create_id(count_id))
    if found is None:
        raise NotFoundError(f"count sheet {count_id} not found")
    return found


def _answer(ledger: Ledger, count_id: str) -> dict[str, Any]:
    """The sheet as the ledger holds it, with the position it was read at."""
    sheet = _sheet(ledger, count_id)
    (position,) = ledger.positions([(sheet.id, sheet.version)])
    return sheet_body(sheet, position)


def _step(ledger: Ledger, command: SheetCommand, who: Principal) -> dict[str, Any]:
    ledger.execute(command, user=who.user)
    return _answer(ledger, command.count_id)


@router.write("PUT", "/locations/{code}/areas", AreasPublic, role=Role.ADMIN)
def put_areas(body: AreasPut, who: Principal, ledger: LedgerDep, code: str = LocationCode) -> Any:
    """Set a location's storage areas: walking order, SKUs in shelf order (admin)"""
    register, position = set_areas(ledger, code, body.value(), who.user)
    return areas_body(code, register.areas, position)


@router.read("/locations/{code}/areas", AreasPublic)
def get_areas(ledger: LedgerDep, code: str = LocationCode) -> Any:
    """A location's storage areas"""
    return areas_body(code, *areas_of(ledger, code))


# 503: the read models short of min_position (a full sheet lists what is stocked).
@router.write("POST", "/count-sheets", SheetPublic, 409, 503, role=Role.CLERK, **OPEN)
def open_sheet(
    body: SheetCreate, who: Principal, ledger: LedgerDep, read_models: FreshReadModels
) -> Answer:
    """Open a count sheet (full or spot) at its observation time"""
    skus: tuple[str, ...] = ()
    if body.kind == "full":
        read_models.settle()
        skus = read_models.stock.stocked(body.location)
    command = OpenCountSheet(
        body.count_id, body.location, body.kind, body.counted_at, body.note, skus
    )
    result = ledger.execute(command, user=who.user)
    return created(_answer(ledger, body.count_id), result.created)


@router.read("/count-sheets", SheetList, 503)
def list_sheets(
    read_models: FreshReadModels,
    location: CodeFilter = None,
    state: str | None = Query(None, pattern="^(open|submitted|approved)$"),
) -> Any:
    """Count sheets, newest first, by location and state"""
    rows, position = read_models.count_sheets.sheets(location, state)
    return {"items": [summary_body(r) for r in rows], "position": position}


@router.read(SHEET, SheetPublic, 404)
def get_sheet(ledger: LedgerDep, count_id: str = CountId) -> Any:
    """A count sheet with its lines and progress per area (from the ledger itself)"""
    return _answer(ledger, count_id)


@router.write("PUT", SHEET + "/lines/{sku}", SheetLine, 404, 409, role=Role.CLERK)
def put_line(
    body: LinePut, who: Principal, ledger: LedgerDep, count_id: str = CountId, sku: str = Sku
) -> Any:
    """Enter a line: saved at once; the last entry of an area's SKU wins"""
    command = EnterCountLine(count_id, sku, body.quantity, body.unit, body.area)
    result = ledger.execute(command, user=who.user)
    sheet = _sheet(ledger, count_id)
    area = sheet.area_of(sku, body.area)
    return {**line_body(sheet, area, sku), "position": result.position}


@router.write("POST", SHEET + "/submit", SheetPublic, 404, 409, role=Role.CLERK)
def submit(who: Principal, ledger: LedgerDep, count_id: str = CountId) -> Any:
    """Submit a sheet for approval"""
    return _step(ledger, SubmitCountSheet(count_id), who)


@router.write("POST", SHEET + "/approve", SheetPublic, 404, 409, role=Role.FINANCE)
def approve(
    who: Principal, ledger: LedgerDep, body: Approval | None = None, count_id: str = CountId
) -> Any:
    """Approve a submitted sheet: posts its count document (finance)"""
    uncounted = body.uncounted if body is not None else None
    return _step(ledger, ApproveCountSheet(count_id, uncounted), who)


@router.write("POST", SHEET + "/reject", SheetPublic, 404, 409, role=Role.FINANCE)
def reject(body: Rejection, who: Principal, ledger: LedgerDep, count_id: str = CountId) -> Any:
    """Send a submitted sheet back to open, with a note (finance)"""
    return _step(ledger, RejectCountSheet(count_id, body.note), who)
