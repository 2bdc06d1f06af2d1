"""The demo's restaurant group (SPEC §9, §17): a menu with recipes, the main store feeding
the kitchen and the bar by transfers, two POS services a day, waste — so the food-cost report
has real figures — a ticket a day across the kitchen and the bar, a few voids, and truffle fries
sold on the 3rd day before their oil is delivered (owed, then settled by the late receipt).
Pizzas use a dough sub-recipe (expanded at the sale) and a tomato sauce the kitchen makes in
batches every other morning (a prep recipe: productions, SPEC §16), whose onion has a yield.

Ingredients are bought at the main store at prices that drift week by week; each morning
the kitchen and the bar are topped up from the store; the burger's recipe gets a bigger
patty on the 15th of the month (a new recipe version mid-month); lettuce spoils.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import partial

from application.commands import (
    Command,
    Line,
    PostProduction,
    PostReceipt,
    PostSale,
    PostTransfer,
    PostWaste,
    ReceiptLine,
    SaleLine,
    VoidSale,
)
from application.ledger import Ledger
from application.records import CommandResult
from cli.demo_counts import Counts
from cli.demo_purchasing import Orders
from domain.item import ItemSpec, PackUnit
from domain.recipe import Ingredient, Produces, RecipeSpec

Attempt = Callable[[Callable[[], CommandResult]], CommandResult | None]

# sku -> (name, base unit, pack unit, factor, opening price per base unit, outlet, par level)
INGREDIENTS = {
    "R-BUN": ("Brioche bun", "each", "bag", Decimal(24), Decimal("0.45"), "kitchen", Decimal(80)),
    "R-BEEF": ("Beef mince", "kg", "case", Decimal(5), Decimal("11.80"), "kitchen", Decimal(15)),
    "R-CHEDDAR": ("Cheddar", "kg", "block", Decimal(2), Decimal("9.60"), "kitchen", Decimal(3)),
    "R-LETTUCE": ("Lettuce", "each", "crate", Decimal(12), Decimal("0.90"), "kitchen", Decimal(20)),
    "R-POTATO": ("Potatoes", "kg", "sack", Decimal(25), Decimal("0.85"), "kitchen", Decimal(30)),
    "R-GIN": ("London dry gin", "l", "bottle", Decimal("0.7"), Decimal("21.50"), "bar", Decimal(4)),
    "R-TONIC": ("Tonic water", "each", "case", Decimal(24), Decimal("0.55"), "bar", Decimal(60)),
    "R-LIME": ("Limes", "each", "net", Decimal(30), Decimal("0.20"), "bar", Decimal(40)),
    "R-FLOUR": ("Flour", "kg", "sack", Decimal(25), Decimal("0.95"), "kitchen", Decimal(10)),
    "R-MOZZA": ("Mozzarella", "kg", "block", Decimal("2.5"), Decimal("8.9"), "kitchen", Decimal(5)),
    "R-TOMATO": ("Tomatoes", "kg", "case", Decimal(6), Decimal("2.40"), "kitchen", Decimal(14)),
    "R-ONION": ("Onions", "kg", "sack", Decimal(10), Decimal("1.10"), "kitchen", Decimal(4)),
    "R-OIL": ("Olive oil", "l", "can", Decimal(5), Decimal("6.80"), "kitchen", Decimal(2)),
}
# menu item -> (name, outlet, price, [(sku, quantity per portion, unit)])
Portion = tuple[str, str, str | None]
MENU: dict[str, tuple[str, str, Decimal, list[Portion]]] = {
    "burger": (
        "Burger",
        "kitchen",
        Decimal("12.50"),
        [("R-BUN", "1", None), ("R-BEEF", "0.15", None), ("R-LETTUCE", "0.25", None)],
    ),
    "cheeseburger": (
        "Cheeseburger",
        "kitchen",
        Decimal("13.90"),
        [("R-BUN", "1", None), ("R-BEEF", "0.15", None), ("R-CHEDDAR", "0.03", None)],
    ),
    "fries": ("Fries", "kitchen", Decimal("4.50"), [("R-POTATO", "0.25", None)]),
    "pizza": (
        "Pizza margherita",
        "kitchen",
        Decimal("11.00"),
        [("r-dough", "1", None), ("R-SAUCE", "0.08", None), ("R-MOZZA", "0.12", None)],
    ),
    "gin-tonic": (
        "Gin & tonic",
        "bar",
        Decimal("9.00"),
        [("R-GIN", "0.05", "bottle"), ("R-TONIC", "1", None), ("R-LIME", "0.25", None)],
    ),
}
BIGGER_PATTY: Portion = ("R-BEEF", "0.18", None)
# A dish whose oil is delivered late (SPEC §17): its first tickets owe until the receipt.
LATE_SKU = "R-TRUFFLE"
LATE_DISH: Portion = ("truffle-fries", "6.50", None)
LATE_RECIPE = RecipeSpec(
    "Truffle fries",
    (Ingredient("R-POTATO", Decimal("0.25")), Ingredient(LATE_SKU, Decimal("0.01"))),
)
ONE = Decimal(1)
# A sub-recipe (no produces: expanded into every pizza) and a prep recipe made in batches of
# 4 l, its onions at an 85 % yield (peeled and trimmed), its tomatoes at 90 % (SPEC §16, §17).
DOUGH = RecipeSpec(
    "Pizza dough", (Ingredient("R-FLOUR", Decimal("0.18")), Ingredient("R-OIL", Decimal("0.01")))
)
SAUCE_SKU = "R-SAUCE"
SAUCE = RecipeSpec(
    "Tomato sauce",
    (
        Ingredient("R-TOMATO", Decimal("4.5"), None, Decimal(90)),
        Ingredient("R-ONION", Decimal("0.6"), None, Decimal(85)),
        Ingredient("R-OIL", Decimal("0.15")),
    ),
    Produces(Decimal(4)),
)


def recipe(menu_item: str, beef: Portion | None = None) -> RecipeSpec:
    name, _, _, lines = MENU[menu_item]
    chosen = [beef if beef and line[0] == "R-BEEF" else line for line in lines]
    return RecipeSpec(name, tuple(Ingredient(sku, Decimal(q), u) for sku, q, u in chosen))


class Restaurant:
    """The restaurant part of one demo history (``cli.demo.Demo`` runs it day by day)."""

    def __init__(
        self, ledger: Ledger, rng: random.Random, attempt: Attempt, new_id: Callable[[str], str]
    ) -> None:
        self.ledger = ledger
        self.rng = rng
        self.attempt = attempt
        self.new_id = new_id
        self.price = {sku: spec[4] for sku, spec in INGREDIENTS.items()}
        self.on_hand = {(sku, place): Decimal(0) for sku in INGREDIENTS for place in PLACES}
        self.revised = False
        self.tickets: list[str] = []  # the tickets across outlets, the last one voidable
        self.counts = Counts(ledger, rng, self._run, new_id, self.on_hand)
        self.orders = Orders(ledger, self._run, new_id)  # suppliers, POs, invoices (SPEC §14)

    def _run(self, command: Command, user: str) -> CommandResult | None:
        result = self.attempt(partial(self.ledger.execute, command, user=user))
        for m in result.movements if result else ():
            self.on_hand[(m.sku, m.location)] = m.on_hand_after
        return result

    def opening(self) -> None:
        for sku, (name, base, pack, factor, *_) in INGREDIENTS.items():
            spec = ItemSpec(name, base, "restaurant", units=(PackUnit(pack, factor),))
            self.ledger.put_item(sku, spec, user="admin")
        self.ledger.put_item(SAUCE_SKU, ItemSpec("Tomato sauce", "l", "prep"), user="admin")
        self.ledger.put_recipe("r-dough", DOUGH, user="chef")
        self.ledger.put_recipe(SAUCE_SKU, SAUCE, user="chef")
        for menu_item in MENU:
            self.ledger.put_recipe(menu_item, recipe(menu_item), user="chef")
        self.ledger.put_item(LATE_SKU, ItemSpec("Truffle oil", "l", "restaurant"), user="admin")
        self.ledger.put_recipe(LATE_DISH[0], LATE_RECIPE, user="chef")
        packs = {
            sku: (spec[2], (spec[4] * spec[3]).quantize(Decimal("0.01")))
            for sku, spec in INGREDIENTS.items()
        }
        self.orders.suppliers(packs)
        self.buy(weeks=2)
        self.counts.opening()

    def day(self, day: int, now: datetime) -> None:
        if day % 7 == 0:
            self.buy(weeks=1)
        if now.day >= 15 and not self.revised:
            self.revised = True
            beefy = recipe("burger", BIGGER_PATTY)
            self.ledger.put_recipe("burger", beefy, user="chef")
        self.top_up()
        if day % 2 == 0:
            self.prep()
        for outlet, sales in (("kitchen", 9), ("bar", 5)):
            for _ in range(sales):
                self.sell(outlet)
        if day % 3 == 1:
            self.spoil()
        self.across()
        if day % 5 == 4:
            self.void_last()
        if day == 2:  # truffle fries on the menu before the oil is in: the ticket owes
            line = SaleLine(LATE_DISH[0], Decimal(3), Decimal(LATE_DISH[1]))
            self._run(PostSale(self.new_id("POS"), "kitchen", [line]), "pos")
        if day == 3:  # the late delivery, straight to the kitchen: it settles what is owed
            late = ReceiptLine(LATE_SKU, Decimal("0.5"), Decimal("38.00"))
            self._run(PostReceipt(self.new_id("RR"), "kitchen", [late], "late oil"), "alice")
        self.counts.day(day)

    def buy(self, weeks: int) -> None:
        """A receipt at the main store in packs, at this week's prices (which drift)."""
        lines = []
        for sku, (_, _, pack, factor, _, _, par) in INGREDIENTS.items():
            self.price[sku] = (self.price[sku] * Decimal(self.rng.uniform(0.96, 1.07))).quantize(
                Decimal("0.0001")
            )
            packs = (par * 7 * weeks / factor / 3).to_integral_value() + 1
            lines.append(
                ReceiptLine(sku, packs, (self.price[sku] * factor).quantize(Decimal("0.01")), pack)
            )
        self.orders.deliver(lines, "supplier delivery")  # ordered, received, invoiced

    def top_up(self) -> None:
        """Each morning the kitchen and the bar are filled up to their par from the store."""
        for outlet in ("kitchen", "bar"):
            lines = []
            for sku, spec in INGREDIENTS.items():
                if spec[5] != outlet:
                    continue
                wanted = spec[6] - self.on_hand[(sku, outlet)]
                moved = min(wanted, self.on_hand[(sku, "main")])
                if moved > 0:
                    lines.append(Line(sku, moved))
            if lines:
                command = PostTransfer(self.new_id("RT"), "main", outlet, lines, "morning top-up")
                self._run(command, "bob")

    def prep(self) -> None:
        """The morning's tomato sauce: two batches, a little less than the recipe says."""
        actual = Decimal(8) - Decimal(self.rng.randint(0, 40)) / 100
        made = PostProduction(self.new_id("PR"), "kitchen", SAUCE_SKU, Decimal(2), None, actual)
        self._run(made, "carol")

    def sell(self, outlet: str) -> None:
        items = [m for m, spec in MENU.items() if spec[1] == outlet]
        picked = self.rng.sample(items, self.rng.randint(1, len(items)))
        lines = [
            SaleLine(m, Decimal(self.rng.choice((1, 1, 2, 3))), MENU[m][2]) for m in sorted(picked)
        ]
        self._run(PostSale(self.new_id("POS"), outlet, lines), "pos")

    def across(self) -> None:
        """One ticket across outlets: a burger from the kitchen and a gin & tonic from the bar
        (the line names its own location)."""
        lines = [
            SaleLine("burger", ONE, MENU["burger"][2]),
            SaleLine("gin-tonic", ONE, MENU["gin-tonic"][2], "bar"),
        ]
        ticket = self.new_id("POS")
        if self._run(PostSale(ticket, "kitchen", lines), "pos"):
            self.tickets.append(ticket)

    def void_last(self) -> None:
        """A drink sent back: the gin & tonic line of the last ticket across outlets."""
        if self.tickets:
            void = VoidSale(self.new_id("RV"), self.tickets.pop(), "sent back", [1])
            self._run(void, "bob")

    def spoil(self) -> None:
        spoiled = min(Decimal(2), self.on_hand[("R-LETTUCE", "kitchen")])
        if spoiled > 0:
            waste = PostWaste(
                self.new_id("RW"), "kitchen", [Line("R-LETTUCE", spoiled)], "wilted lettuce"
            )
            self._run(waste, "carol")


PLACES = ("main", "kitchen", "bar")
