"""Liveness: answers without a key."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The service is up")
def health() -> dict[str, str]:
    return {"status": "ok"}
