"""A location's storage areas (SPEC §13): its own small register (one per location code,
apart from the catalogue's ``Location`` so setting the walk never versions the location a
posting reads), its areas in walking order, each with its SKUs in shelf order; a SKU may sit
in several. ``sheet_lines`` lays a new count sheet out from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.codes import check_code
from domain.errors import ValidationError
from domain.recorded import Named, Recorded
from domain.text import check_text

NOT_IN_AREA = "not in an area"
MAX_AREAS = 100
MAX_AREA_SKUS = 2000
MAX_NAME = 100


@dataclass(frozen=True)
class Area:
    """A storage area: its name and its SKUs in shelf order."""

    area: str
    skus: tuple[str, ...]


def check_areas(areas: list[Area]) -> None:
    """Area names 1–100 characters, each once; SKU codes, each once per area."""
    if len(areas) > MAX_AREAS:
        raise ValidationError(f"at most {MAX_AREAS} areas", [{"field": "areas"}])
    names: set[str] = set()
    for index, area in enumerate(areas):
        field = f"areas[{index}]"
        name = area.area
        if not name.strip() or len(name) > MAX_NAME or name == NOT_IN_AREA:
            raise ValidationError("an area name is 1–100 characters", [{"field": f"{field}.area"}])
        check_text(name, f"{field}.area", multiline=False)
        if name in names:
            raise ValidationError(f"area {name} listed twice", [{"field": f"{field}.area"}])
        names.add(name)
        if len(area.skus) > MAX_AREA_SKUS or len(set(area.skus)) != len(area.skus):
            raise ValidationError("an area lists each sku once", [{"field": f"{field}.skus"}])
        for number, sku in enumerate(area.skus):
            check_code(sku, f"{field}.skus[{number}]")


class StorageAreas(Named, id_prefix="areas"):
    """A location's storage areas in walking order."""

    TOPIC = "stockledger:StorageAreas"

    class Set(Recorded.Event):
        areas: list[dict[str, Any]]
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.areas = [Area(a["area"], tuple(a["skus"])) for a in self.areas]

    def __init__(self, location: str) -> None:
        self.location = location
        self.areas: list[Area] = []

    def set(self, areas: list[Area], user: str) -> bool:
        """Records the areas (True); False when they are unchanged."""
        check_areas(areas)
        if areas == self.areas:
            return False
        plain = [{"area": a.area, "skus": list(a.skus)} for a in areas]
        self.trigger_event(self.Set, areas=plain, user=user)
        return True


def sheet_lines(areas: list[Area], stocked: list[str], kind: str) -> list[dict[str, Any]]:
    """A new sheet's lines: each area's SKUs in walking and shelf order; a full count adds
    every stocked SKU found in no area, under NOT_IN_AREA, in code order."""
    lines = [{"area": a.area, "sku": sku} for a in areas for sku in a.skus]
    if kind == "full":
        placed = {line["sku"] for line in lines}
        lines += [{"area": NOT_IN_AREA, "sku": s} for s in sorted(set(stocked) - placed)]
    return lines
