"""Liveness and readiness: both answer without a key."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.dependencies import get_ledger
from api.problems import responses
from api.schemas import Health
from application.errors import WriterBusyError
from application.ledger import Ledger
from store.writer import READY_TIMEOUT, writer_ready

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The service is up")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health/ready",
    response_model=Health,
    summary="The write path works: the writer lock can be taken and released",
    responses=responses(503),
)
def ready(ledger: Ledger = Depends(get_ledger)) -> dict[str, str]:
    if not writer_ready(ledger.recorder, ledger.settings):
        raise WriterBusyError(f"the writer lock could not be taken within {READY_TIMEOUT} s")
    return {"status": "ok"}
