"""The demo restaurant group's counts (SPEC §13): storage areas per outlet, one full count a
week per outlet and a spot count of the bar's spirits every night, each entered line by line
on a sheet, submitted by the counter and approved by finance (which posts the count).

The shelves hold a little less than the book says — an over-poured gin, beef trimmed too
generously, cheddar nibbled — so the AvT report has unexplained usage to show.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from application.commands import Command
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    SubmitCountSheet,
    set_areas,
)
from application.ledger import Ledger
from application.records import CommandResult
from domain.storage_areas import Area

AREAS = {
    "kitchen": [
        Area("walk-in", ("R-BEEF", "R-CHEDDAR", "R-LETTUCE")),
        Area("dry store", ("R-BUN", "R-POTATO")),
    ],
    "bar": [Area("back bar", ("R-GIN",)), Area("bar fridge", ("R-TONIC", "R-LIME"))],
}
SPIRITS = ("R-GIN",)
# The share of the book that is missing from the shelf at a count, per SKU (the story).
SHRINK = {"R-GIN": (0.02, 0.06), "R-BEEF": (0.01, 0.04), "R-CHEDDAR": (0.0, 0.05)}
Run = Callable[[Command, str], CommandResult | None]


class Counts:
    """One demo history's counts; ``on_hand`` is the restaurant's running book."""

    def __init__(
        self,
        ledger: Ledger,
        rng: random.Random,
        run: Run,
        new_id: Callable[[str], str],
        on_hand: dict[tuple[str, str], Decimal],
    ) -> None:
        self.ledger, self.rng, self.run, self.new_id = ledger, rng, run, new_id
        self.on_hand = on_hand

    def opening(self) -> None:
        for outlet, areas in AREAS.items():
            set_areas(self.ledger, outlet, areas, "admin")

    def day(self, day: int) -> None:
        """Every night the bar's spirits; every seventh night a full count of each outlet."""
        if day % 7 == 6:
            for outlet in AREAS:
                self.count(outlet, "full", [s for a in AREAS[outlet] for s in a.skus])
        else:
            self.count("bar", "spot", list(SPIRITS))

    def count(self, outlet: str, kind: str, skus: list[str]) -> None:
        count_id = self.new_id("RK")
        stocked = tuple(s for (s, place), q in self.on_hand.items() if place == outlet and q > 0)
        self.run(OpenCountSheet(count_id, outlet, kind, stocked=stocked), "dave")
        for sku in dict.fromkeys(skus):
            book = self.on_hand.get((sku, outlet), Decimal(0))
            low, high = SHRINK.get(sku, (0.0, 0.0))
            missing = Decimal(str(round(self.rng.uniform(low, high), 4)))
            counted = max(Decimal(0), (book * (1 - missing)).quantize(Decimal("0.001")))
            self.run(EnterCountLine(count_id, sku, counted), "dave")
        self.run(SubmitCountSheet(count_id), "dave")
        self.run(ApproveCountSheet(count_id, "zero"), "erin")
