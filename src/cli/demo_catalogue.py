"""The demo's catalogue (SPEC §8): named locations, an item per SKU with its base unit and a
pack unit (cases, bags, bottles), and reorder points, so the low-stock report has content."""

from __future__ import annotations

import random
from decimal import Decimal

from application.ledger import Ledger
from domain.item import ItemSpec, PackUnit, Reorder

# family -> (name, base unit, pack unit, factor, category)
FAMILY_UNITS = {
    "FLOUR": ("Flour type 550", "kg", "bag", Decimal(25), "dry goods"),
    "SUGAR": ("Sugar", "kg", "bag", Decimal(25), "dry goods"),
    "OIL": ("Olive oil", "l", "bottle", Decimal("0.75"), "oils"),
    "WINE": ("House red", "l", "bottle", Decimal("0.75"), "wine"),
    "BEER": ("Pils 0.33 l", "each", "case", Decimal(24), "beer"),
    "COFFEE": ("Espresso beans", "kg", "bag", Decimal(1), "coffee"),
    "RICE": ("Arborio rice", "kg", "bag", Decimal(10), "dry goods"),
    "PASTA": ("Spaghetti", "kg", "case", Decimal(12), "dry goods"),
    "CHEESE": ("Parmesan", "kg", "wheel", Decimal(12), "dairy"),
    "TEA": ("Green tea", "each", "box", Decimal(20), "tea"),
}
PLACES = {
    "main": ("Main warehouse", "warehouse"),
    "kitchen": ("Kitchen", "kitchen"),
    "bar": ("Bar", "bar"),
}
# Reorder points per location: (point, quantity) in base units.
REORDER = {
    "main": (Decimal(40), Decimal(100)),
    "kitchen": (Decimal(20), Decimal(30)),
    "bar": (Decimal(15), Decimal(20)),
}


def family(sku: str) -> str:
    return sku.rsplit("-", 1)[0]


def pack_of(sku: str) -> tuple[str, Decimal]:
    """The SKU's pack unit and its factor."""
    _, _, unit, factor, _ = FAMILY_UNITS[family(sku)]
    return unit, factor


def seed(ledger: Ledger, skus: list[str], rng: random.Random) -> None:
    """Declares the demo's locations and puts an item for every SKU."""
    for code, (name, kind) in PLACES.items():
        ledger.put_location(code, name, kind, user="admin")
    for sku in skus:
        name, base, unit, factor, category = FAMILY_UNITS[family(sku)]
        points = [loc for loc in PLACES if rng.random() < 0.6]
        spec = ItemSpec(
            name=f"{name} {sku[-4:]}",
            base_unit=base,
            category=category,
            barcode=f"40{rng.randrange(10**10, 10**11)}",
            units=(PackUnit(unit, factor),),
            reorder=tuple(Reorder(loc, *REORDER[loc]) for loc in points),
        )
        ledger.put_item(sku, spec, user="admin")
