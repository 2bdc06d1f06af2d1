"""GET /api/projections and POST /api/projections/{name}/rebuild."""

from __future__ import annotations

import time

from domain.operations import Operations
from projections.registry import entry
from tests.api.conftest import Api, receipt


def generation(api: Api, name: str) -> int:
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    with models.db.session() as session:
        found = entry(session, name)
    assert found is not None
    return found.generation


def test_status_lists_every_projection_with_position_head_and_lag(api: Api) -> None:
    position = api.post("/api/receipts", receipt("R-1"), role="clerk").json()["position"]
    api.get(f"/api/stock/AB-001/main?min_position={position}", role="viewer")
    rows = api.get("/api/projections", role="viewer").json()
    models = api.client.app.state.read_models  # type: ignore[attr-defined]
    assert {row["name"] for row in rows} == set(models.projections)
    for row in rows:
        assert row["head"] >= position
        assert row["position"] >= position
        assert row["lag"] == row["head"] - row["position"]
        assert row["state"] in ("live", "rebuilding", "catching_up")


def test_a_rebuild_is_accepted_and_the_rebuilt_model_answers_the_same(api: Api) -> None:
    position = api.post("/api/receipts", receipt("R-1"), role="clerk").json()["position"]
    before = api.get(f"/api/stock/AB-001/main?min_position={position}", role="viewer").json()
    versions = {r["name"]: r for r in api.get("/api/projections", role="viewer").json()}
    assert generation(api, "balances") == 1
    response = api.post("/api/projections/balances/rebuild", role="admin")
    assert response.status_code == 202
    assert response.json() == {"name": "balances", "state": "rebuilding"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # The generation first, then the status read after it (read the other way round, a
        # status from before the switch-over could pass for one after it).
        switched = generation(api, "balances") == 2
        rows = {r["name"]: r for r in api.get("/api/projections", role="viewer").json()}
        if switched and rows["balances"]["state"] != "rebuilding":
            break
        time.sleep(0.02)
    assert generation(api, "balances") == 2, "the runner acted on the recorded request"
    assert rows["balances"]["state"] == "live"
    assert generation(api, "movements") == 1, "only the named projection was rebuilt"
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    (request,) = [e for e in ledger.events.get(Operations.create_id()) if hasattr(e, "projection")]
    assert (request.projection, request.user) == ("balances", "admin")
    assert versions["balances"]["version"] == rows["balances"]["version"]
    after = api.get("/api/stock/AB-001/main", role="viewer").json()
    assert {k: after[k] for k in ("on_hand", "value")} == {
        k: before[k] for k in ("on_hand", "value")
    }


def test_rebuilding_an_unknown_projection_is_404(api: Api) -> None:
    response = api.post("/api/projections/nope/rebuild", role="admin")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
