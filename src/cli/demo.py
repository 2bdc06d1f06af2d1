"""A realistic history for a newcomer: SKUs at three locations over the past days, posted
through the real Ledger commands with a clock stepping through those days; items with pack
units and reorder points (cli.demo_catalogue), restocked in packs; and a restaurant group
selling its menu through the POS (cli.demo_restaurant).

This is the one place that back-dates: it injects a clock, so it refuses a store that
already holds movements (a demo history behind real ones would be nonsense).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

from application.commands import (
    CancelQuote,
    CloseQuote,
    Command,
    CountLine,
    CreateQuote,
    Line,
    PostConsumption,
    PostCount,
    PostDelivery,
    PostReceipt,
    PostReturn,
    PostTransfer,
    PostWaste,
    PricedLine,
    ReceiptLine,
)
from application.ledger import Ledger
from application.records import CommandResult
from cli import demo_catalogue
from cli.demo_restaurant import Restaurant
from domain.errors import DomainError
from domain.stock_item import Movement, StockItem

LOCATIONS = ("main", "kitchen", "bar")
FAMILIES = ("FLOUR", "SUGAR", "OIL", "WINE", "BEER", "COFFEE", "RICE", "PASTA", "CHEESE", "TEA")
CUSTOMERS = ("Bistro Nord", "Cafe Sud", "Hotel Ost", "Kantine West", "Bar Mitte")
USERS = ("alice", "bob", "carol")
ONE = Decimal(1)


def movement_topics() -> list[str]:
    return [
        str(getattr(cls, "TOPIC"))  # noqa: B009 (set on each event class, unknown to mypy)
        for cls in vars(StockItem).values()
        if isinstance(cls, type) and issubclass(cls, Movement)
    ]


def has_movements(ledger: Ledger) -> bool:
    found = ledger.recorder.select_notifications(1, 1, topics=movement_topics())
    return len(found) > 0


class DemoClock:
    """Steps through the past days; every read moves a few minutes on."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=random.randint(30, 300))
        return self.now


@dataclass
class Stock:
    """What the demo knows of each position, from the movements it was answered."""

    on_hand: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    reserved: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def take(self, result: CommandResult) -> CommandResult:
        for m in result.movements:
            self.on_hand[(m.sku, m.location)] = m.on_hand_after
            self.reserved[(m.sku, m.location)] = m.reserved_after
        return result

    def available(self, sku: str, location: str) -> Decimal:
        key = (sku, location)
        return self.on_hand.get(key, Decimal(0)) - self.reserved.get(key, Decimal(0))


class Demo:
    """One generated history; ``run`` calls ``tick`` after each day."""

    def __init__(self, ledger: Ledger, clock: DemoClock, skus: int, seed: int = 7) -> None:
        self.ledger = ledger
        self.clock = clock
        self.rng = random.Random(seed)
        self.skus = [f"{FAMILIES[i % len(FAMILIES)]}-{i:04d}" for i in range(skus)]
        self.cost = {sku: Decimal(self.rng.randint(80, 4000)) / 100 for sku in self.skus}
        self.stock = Stock()
        self.open_quotes: list[tuple[str, list[tuple[str, Decimal]]]] = []
        self.deliveries: list[tuple[str, str, Decimal]] = []
        self.serial = 0
        self.refused = 0
        self.restaurant = Restaurant(ledger, self.rng, self._try, self._id)

    def _id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial:06d}"

    def _user(self) -> str:
        return self.rng.choice(USERS)

    def _qty(self, top: Decimal) -> Decimal:
        quantity = Decimal(self.rng.randint(1, max(1, int(top)))).quantize(ONE)
        return min(quantity, top)

    def _try(self, command: Callable[[], CommandResult]) -> CommandResult | None:
        try:
            return self.stock.take(command())
        except DomainError:
            self.refused += 1
            return None

    def _post(self, command: Command, user: str | None = None) -> CommandResult | None:
        """``command`` on the ledger as ``user`` (by default one of ``USERS``, at random);
        None when refused."""
        return self._try(partial(self.ledger.execute, command, user=user or self._user()))

    def run(self, days: int, tick: Callable[[int], None]) -> None:
        self.opening()
        for day in range(days):
            self.clock.now = self.clock.now.replace(hour=8, minute=0) + timedelta(
                days=1 if day else 0
            )
            self.day(day)
            self.restaurant.day(day, self.clock.now)
            tick(day)

    def opening(self) -> None:
        demo_catalogue.seed(self.ledger, self.skus, self.rng)
        self.restaurant.opening()
        for location, share in zip(LOCATIONS, (100, 30, 20), strict=True):
            for start in range(0, len(self.skus), 50):
                lines = [
                    ReceiptLine(sku, Decimal(self.rng.randint(share // 2, share)), self.cost[sku])
                    for sku in self.skus[start : start + 50]
                ]
                receipt_id = self._id("R")
                self._post(PostReceipt(receipt_id, location, lines, "opening stock"), "alice")

    def day(self, day: int) -> None:
        self.restock()
        for _ in range(3):
            self.quote()
        self.deliver_quotes()
        for _ in range(4):
            self.direct_delivery()
        if day % 2 == 0:
            self.return_goods()
        self.transfer()
        self.consume()
        if day % 3 == 0:
            self.waste()
        if day % 7 == 6:
            self.count()

    def restock(self) -> None:
        picked = self.rng.sample(self.skus, min(10, len(self.skus)))
        lines = []
        for sku in picked:
            self.cost[sku] = (self.cost[sku] * Decimal(self.rng.uniform(0.95, 1.06))).quantize(
                Decimal("0.01")
            )
            unit, factor = demo_catalogue.pack_of(sku)
            packs = Decimal(self.rng.randint(1, 4)) if factor >= 10 else Decimal(8)
            pack_cost = (self.cost[sku] * factor).quantize(Decimal("0.01"))
            lines.append(ReceiptLine(sku, packs, pack_cost, unit))
        receipt_id = self._id("R")
        self._post(PostReceipt(receipt_id, "main", lines))

    def quote(self) -> None:
        picked = self.rng.sample(self.skus, min(3, len(self.skus)))
        lines = [
            PricedLine(sku, self._qty(Decimal(8)), (self.cost[sku] * Decimal("1.6")).quantize(ONE))
            for sku in picked
        ]
        quote_id = self._id("Q")
        user = self._user()
        self._post(CreateQuote(quote_id, self.rng.choice(CUSTOMERS), "main", lines), user)
        if self.rng.random() < 0.7 and self._post(CloseQuote(quote_id), user):
            self.open_quotes.append((quote_id, [(line.sku, line.quantity) for line in lines]))
        elif self.rng.random() < 0.3:
            self._post(CancelQuote(quote_id), user)

    def deliver_quotes(self) -> None:
        """Each open quote ships about half its lines' quantities now, the rest later."""
        still_open = []
        for quote_id, lines in self.open_quotes:
            part = [(sku, max(ONE, (q / 2).quantize(ONE)) if q > 1 else q) for sku, q in lines]
            rest = [(sku, q - p) for (sku, q), (_, p) in zip(lines, part, strict=True) if q - p > 0]
            delivery_id = self._id("D")
            result = self._post(
                PostDelivery(delivery_id, "main", [Line(sku, q) for sku, q in part], quote_id)
            )
            if result is not None:
                self.deliveries.extend((delivery_id, sku, q) for sku, q in part)
            if rest:
                still_open.append((quote_id, rest))
        self.open_quotes = still_open

    def direct_delivery(self) -> None:
        location = self.rng.choice(LOCATIONS)
        sku = self.rng.choice(self.skus)
        available = self.stock.available(sku, location)
        if available < 1:
            return
        quantity = self._qty(min(available, Decimal(6)))
        delivery_id = self._id("D")
        result = self._post(PostDelivery(delivery_id, location, [Line(sku, quantity)]))
        if result is not None:
            self.deliveries.append((delivery_id, sku, quantity))

    def return_goods(self) -> None:
        if not self.deliveries:
            return
        delivery_id, sku, quantity = self.deliveries.pop(self.rng.randrange(len(self.deliveries)))
        back = self._qty(quantity)
        return_id = self._id("RT")
        self._post(PostReturn(return_id, delivery_id, [Line(sku, back)], "customer return"))

    def transfer(self) -> None:
        to = self.rng.choice(LOCATIONS[1:])
        lines = []
        for sku in self.rng.sample(self.skus, min(4, len(self.skus))):
            available = self.stock.available(sku, "main")
            if available >= 2:
                lines.append(Line(sku, self._qty(min(available / 2, Decimal(10)).quantize(ONE))))
        if lines:
            transfer_id = self._id("T")
            self._post(PostTransfer(transfer_id, "main", to, lines))

    def consume(self) -> None:
        for location in LOCATIONS[1:]:
            sku = self.rng.choice(self.skus)
            available = self.stock.available(sku, location)
            if available > Decimal("0.5"):
                quantity = (available * Decimal(self.rng.uniform(0.05, 0.3))).quantize(
                    Decimal("0.001")
                )
                if quantity > 0:
                    consumption_id = self._id("C")
                    self._post(PostConsumption(consumption_id, location, [Line(sku, quantity)]))

    def waste(self) -> None:
        location = self.rng.choice(LOCATIONS)
        sku = self.rng.choice(self.skus)
        if self.stock.available(sku, location) >= 1:
            waste_id = self._id("W")
            self._post(PostWaste(waste_id, location, [Line(sku, ONE)], "spoiled"))

    def count(self) -> None:
        location = self.rng.choice(LOCATIONS)
        lines = []
        for sku in self.rng.sample(self.skus, min(10, len(self.skus))):
            on_hand = self.stock.on_hand.get((sku, location), Decimal(0))
            reserved = self.stock.reserved.get((sku, location), Decimal(0))
            counted = max(reserved, on_hand + self.rng.choice((-1, 0, 0, 0, 1)))
            lines.append(CountLine(sku, counted, self.cost[sku]))
        count_id = self._id("K")
        self._post(PostCount(count_id, location, lines, "weekly count"), "admin")


def start_of(days: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days) + timedelta(hours=8)
