"""Storage areas and count sheets (SPEC §13): every step a command on the posting path
(application.count_sheets), answered with the sheet as the ledger holds it (read-your-
writes for the clerks on the floor); the list of sheets from the ``count_sheets`` read
model."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import Admin, Clerk, Finance, Viewer
from api.dependencies import FreshReadModels, LedgerDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import CODE_PATTERN
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
from domain.count_sheet import CountSheet
from projections.service import ReadModels

router = APIRouter(prefix="/api", tags=["count sheets"], route_class=DecimalRoute)

CountId = Path(pattern=CODE_PATTERN, examples=["K-2026-03-31"])
Sku = Path(pattern=CODE_PATTERN, examples=["BEEF"])
LocationCode = Path(pattern=CODE_PATTERN, examples=["kitchen"])


def _sheet(ledger: Ledger, count_id: str) -> CountSheet:
    found = ledger.get(CountSheet, CountSheet.create_id(count_id))
    if found is None:
        raise NotFoundError(f"count sheet {count_id} not found")
    return found


def _answer(request: Request, ledger: Ledger, count_id: str, status: int = 200) -> Response:
    sheet = _sheet(ledger, count_id)
    (position,) = ledger.positions([(sheet.id, sheet.version)])
    return respond(request, sheet_body(sheet, position), status=status)


def _step(request: Request, ledger: Ledger, command: SheetCommand, user: str) -> Response:
    ledger.execute(command, user=user)
    return _answer(request, ledger, command.count_id)


def stocked(read_models: ReadModels, location: str) -> tuple[str, ...]:
    """The SKUs with stock at ``location`` now (a full count's lines outside every area)."""
    found: list[str] = []
    cursor: str | None = None
    while True:
        page = read_models.stock.page(location, None, 1000, cursor)
        found += [b.sku for b in page.items if b.on_hand > 0]
        if page.next_cursor is None:
            return tuple(found)
        cursor = page.next_cursor


@router.put(
    "/locations/{code}/areas",
    response_model=AreasPublic,
    responses=responses(401, 403, 422),
    summary="Set a location's storage areas: walking order, SKUs in shelf order (admin)",
)
def put_areas(
    body: AreasPut, request: Request, who: Admin, ledger: LedgerDep, code: str = LocationCode
) -> Response:
    register, position = set_areas(ledger, code, body.value(), who.user)
    return respond(request, areas_body(code, register.areas, position))


@router.get(
    "/locations/{code}/areas",
    response_model=AreasPublic,
    responses=responses(401, 403, 422),
    summary="A location's storage areas",
)
def get_areas(
    request: Request, who: Viewer, ledger: LedgerDep, code: str = LocationCode
) -> Response:
    areas, position = areas_of(ledger, code)
    return respond(request, areas_body(code, areas, position))


@router.post(
    "/count-sheets",
    status_code=201,
    response_model=SheetPublic,
    responses={
        200: {"description": "A repeat: the sheet as it stands"},
        **responses(401, 403, 409, 422, 503),  # 503: read models short of min_position
    },
    summary="Open a count sheet (full or spot) at its observation time",
)
def open_sheet(
    body: SheetCreate,
    request: Request,
    who: Clerk,
    ledger: LedgerDep,
    read_models: FreshReadModels,
) -> Response:
    skus: tuple[str, ...] = ()
    if body.kind == "full":
        read_models.wait_for(ledger.head(), read_models.settings.read_your_writes_wait)
        skus = stocked(read_models, body.location)
    command = OpenCountSheet(
        body.count_id, body.location, body.kind, body.counted_at, body.note, skus
    )
    result = ledger.execute(command, user=who.user)
    return _answer(request, ledger, body.count_id, 201 if result.created else 200)


@router.get(
    "/count-sheets",
    response_model=SheetList,
    responses=responses(401, 403, 422, 503),
    summary="Count sheets, newest first, by location and state",
)
def list_sheets(
    request: Request,
    who: Viewer,
    read_models: FreshReadModels,
    location: str | None = Query(None, pattern=CODE_PATTERN),
    state: str | None = Query(None, pattern="^(open|submitted|approved)$"),
) -> Response:
    rows, position = read_models.count_sheets.sheets(location, state)
    return respond(request, {"items": [summary_body(r) for r in rows], "position": position})


@router.get(
    "/count-sheets/{count_id}",
    response_model=SheetPublic,
    responses=responses(401, 403, 404, 422),
    summary="A count sheet with its lines and progress per area (from the ledger itself)",
)
def get_sheet(
    request: Request, who: Viewer, ledger: LedgerDep, count_id: str = CountId
) -> Response:
    return _answer(request, ledger, count_id)


@router.put(
    "/count-sheets/{count_id}/lines/{sku}",
    response_model=SheetLine,
    responses=responses(401, 403, 404, 409, 422),
    summary="Enter a line: saved at once; the last entry of an area's SKU wins",
)
def put_line(
    body: LinePut,
    request: Request,
    who: Clerk,
    ledger: LedgerDep,
    count_id: str = CountId,
    sku: str = Sku,
) -> Response:
    command = EnterCountLine(count_id, sku, body.quantity, body.unit, body.area)
    result = ledger.execute(command, user=who.user)
    sheet = _sheet(ledger, count_id)
    area = sheet.area_of(sku, body.area)
    return respond(request, {**line_body(sheet, area, sku), "position": result.position})


@router.post(
    "/count-sheets/{count_id}/submit",
    response_model=SheetPublic,
    responses=responses(401, 403, 404, 409),
    summary="Submit a sheet for approval",
)
def submit(request: Request, who: Clerk, ledger: LedgerDep, count_id: str = CountId) -> Response:
    return _step(request, ledger, SubmitCountSheet(count_id), who.user)


@router.post(
    "/count-sheets/{count_id}/approve",
    response_model=SheetPublic,
    responses=responses(401, 403, 404, 409, 422),
    summary="Approve a submitted sheet: posts its count document (finance)",
)
def approve(
    request: Request,
    who: Finance,
    ledger: LedgerDep,
    body: Approval | None = None,
    count_id: str = CountId,
) -> Response:
    uncounted = body.uncounted if body is not None else None
    return _step(request, ledger, ApproveCountSheet(count_id, uncounted), who.user)


@router.post(
    "/count-sheets/{count_id}/reject",
    response_model=SheetPublic,
    responses=responses(401, 403, 404, 409, 422),
    summary="Send a submitted sheet back to open, with a note (finance)",
)
def reject(
    body: Rejection, request: Request, who: Finance, ledger: LedgerDep, count_id: str = CountId
) -> Response:
    return _step(request, ledger, RejectCountSheet(count_id, body.note), who.user)
