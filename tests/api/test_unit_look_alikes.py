"""PUT /api/items refuses pack units differing only in case, naming the field (both backends)."""

from __future__ import annotations

from tests.api.conftest import Api

PILS = {"name": "Pils 0.33 l", "base_unit": "each", "units": [{"unit": "case", "factor": "24"}]}


def test_look_alike_unit_names_are_a_422_naming_the_unit_and_record_nothing(any_api: Api) -> None:
    head = any_api.head
    for units, field in (
        ([{"unit": "case", "factor": "24"}, {"unit": "CASE", "factor": "6"}], "units[1].unit"),
        ([{"unit": "EACH", "factor": "2"}], "units[0].unit"),
    ):
        refused = any_api.put("/api/items/PILS", {**PILS, "units": units})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    assert any_api.head == head
    assert any_api.get("/api/items/PILS").status_code == 404
    assert any_api.put("/api/items/PILS", PILS).status_code == 201
