"""``respond`` (api.respond) writes a body exactly as FastAPI's handler writes the same body
for the same route declaration: byte for byte, through the response model with the route's
exclusions. (Money at the currency's places: tests/api/test_contract.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from api.respond import respond
from api.schemas import BalancePublic, MovementPage, StockPage
from api.schemas.catalogue import ItemPublic
from application.settings import Settings
from tests.api.conftest import Api, receipt

# (a read of the real app, the model of its answer, the route's exclusions, keys left out
# of the body so that their defaults are unset)
READS: list[tuple[str, Any, dict[str, bool], tuple[str, ...]]] = [
    ("/api/stock/AB-001/main", BalancePublic, {}, ()),
    ("/api/stock", StockPage, {}, ()),
    ("/api/stock/AB-001/main/movements", MovementPage, {}, ()),
    ("/api/items/AB-001", ItemPublic, {}, ()),
    ("/api/items/AB-001", ItemPublic, {"response_model_exclude_none": True}, ()),
    ("/api/stock/AB-001/main", BalancePublic, {}, ("unit", "owed")),
    (
        "/api/stock/AB-001/main",
        BalancePublic,
        {"response_model_exclude_unset": True},
        ("unit", "owed"),
    ),
]


def _pair(model: Any, settings: Settings, exclusions: dict[str, bool]) -> TestClient:
    """An app with the same declaration twice: answered by FastAPI, and by ``respond``."""
    app = FastAPI()
    app.state.settings = settings

    @app.post("/fastapi", response_model=model, **exclusions)  # type: ignore[arg-type]
    def by_fastapi(body: dict[str, Any]) -> Any:
        return body

    @app.post("/respond", response_model=model, **exclusions)  # type: ignore[arg-type]
    def by_respond(body: dict[str, Any], request: Request) -> Response:
        return respond(request, body)

    return TestClient(app)


@pytest.mark.parametrize(
    "read", READS, ids=[f"{path} {sorted(options)} {left}" for path, _, options, left in READS]
)
def test_an_answer_is_written_as_fastapi_writes_it(
    api: Api, sqlite_settings: Settings, read: tuple[str, Any, dict[str, bool], tuple[str, ...]]
) -> None:
    path, model, exclusions, left_out = read
    posted = api.post("/api/receipts", receipt("R-1", qty="3", cost="1.5"), role="clerk")
    assert api.put("/api/items/AB-001", {"name": "Flour", "base_unit": "kg"}).status_code in (
        200,
        201,
    )
    body = api.get(f"{path}?min_position={api.head}").json()
    assert all(key in body for key in left_out)
    body = {key: value for key, value in body.items() if key not in left_out}
    with _pair(model, sqlite_settings, exclusions) as pair:
        fastapi = pair.post("/fastapi", json=body)
        responded = pair.post("/respond", json=body)
    assert (fastapi.status_code, responded.status_code) == (200, 200)
    assert responded.headers["content-type"] == fastapi.headers["content-type"]
    assert responded.content == fastapi.content
    assert posted.status_code == 201
