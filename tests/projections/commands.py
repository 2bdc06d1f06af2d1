"""Random command sequences through the real Ledger (hypothesis strategies)."""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from application import commands
from application.errors import ApplicationError
from application.ledger import Ledger
from domain.errors import DomainError
from domain.item import ItemSpec, PackUnit, Reorder

SKUS = ("A", "B", "C")
LOCATIONS = ("main", "bar")

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(20), places=3)
costs = st.decimals(min_value=Decimal(0), max_value=Decimal(50), places=2)
skus = st.sampled_from(SKUS)
locations = st.sampled_from(LOCATIONS)

operations = st.one_of(
    st.tuples(
        st.just("receipt"),
        locations,
        st.lists(st.tuples(skus, quantities, costs), min_size=1, max_size=3),
    ),
    st.tuples(st.just("deliver"), locations, skus, quantities),
    st.tuples(st.just("consume"), locations, skus, quantities),
    st.tuples(st.just("waste"), locations, skus, quantities),
    st.tuples(st.just("transfer"), locations, locations, skus, quantities),
    st.tuples(st.just("adjust"), locations, skus, st.integers(-5, 5), costs),
    st.tuples(st.just("count"), locations, skus, st.integers(0, 30)),
    st.tuples(
        st.just("quote"),
        locations,
        skus,
        quantities,
        st.sampled_from(["close", "cancel", "deliver"]),
    ),
    st.tuples(st.just("return"), quantities),
    # The catalogue (SPEC §8): items with a pack unit "pk", declared locations, packs.
    st.tuples(
        st.just("item"),
        skus,
        st.sampled_from(["each", "kg"]),
        st.sampled_from([Decimal("0.75"), Decimal(24), Decimal("0.028350")]),
        st.integers(0, 10),
    ),
    st.tuples(st.just("place"), locations, st.sampled_from(["One", "Two"])),
    st.tuples(st.just("packs"), locations, skus, st.integers(1, 3), costs),
)


class Driver:
    """Applies operations to a ledger; refusals (409/422) are part of the game."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.ids = itertools.count()
        self.deliveries: list[tuple[str, str]] = []

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids)}"

    def apply(self, op: tuple[Any, ...]) -> None:
        with contextlib.suppress(DomainError, ApplicationError):
            self._apply(op)

    def _apply(self, op: tuple[Any, ...]) -> None:
        led, u = self.ledger, "tester"
        kind = op[0]
        if kind == "receipt":
            lines = [commands.ReceiptLine(s, q, c) for s, q, c in op[2]]
            led.execute(commands.PostReceipt(self.next_id("R"), op[1], lines), user=u)
        elif kind == "deliver":
            d = self.next_id("D")
            led.execute(commands.PostDelivery(d, op[1], [commands.Line(op[2], op[3])]), user=u)
            self.deliveries.append((d, op[2]))
        elif kind == "consume":
            led.execute(
                commands.PostConsumption(self.next_id("C"), op[1], [commands.Line(op[2], op[3])]),
                user=u,
            )
        elif kind == "waste":
            led.execute(
                commands.PostWaste(
                    self.next_id("W"), op[1], [commands.Line(op[2], op[3])], "spoilt"
                ),
                user=u,
            )
        elif kind == "transfer":
            if op[1] != op[2]:
                led.execute(
                    commands.PostTransfer(
                        self.next_id("T"), op[1], op[2], [commands.Line(op[3], op[4])]
                    ),
                    user=u,
                )
        elif kind == "adjust":
            if op[3]:
                led.execute(
                    commands.PostAdjustment(
                        self.next_id("A"), op[2], op[1], Decimal(op[3]), "fix", op[4]
                    ),
                    user=u,
                )
        elif kind == "count":
            led.execute(
                commands.PostCount(
                    self.next_id("N"),
                    op[1],
                    [commands.CountLine(op[2], Decimal(op[3]), Decimal(2))],
                    "stocktake",
                ),
                user=u,
            )
        elif kind == "quote":
            q = self.next_id("Q")
            led.execute(
                commands.CreateQuote(
                    q, "cust", op[1], [commands.PricedLine(op[2], op[3], Decimal(9))]
                ),
                user=u,
            )
            led.execute(commands.CloseQuote(q), user=u)
            if op[4] == "cancel":
                led.execute(commands.CancelQuote(q), user=u)
            elif op[4] == "deliver":
                d = self.next_id("D")
                led.execute(
                    commands.PostDelivery(d, op[1], [commands.Line(op[2], op[3])], quote_id=q),
                    user=u,
                )
                self.deliveries.append((d, op[2]))
        elif kind == "item":
            reorder = (Reorder("main", Decimal(op[4]), Decimal(5)),)
            spec = ItemSpec(f"item {op[1]}", op[2], units=(PackUnit("pk", op[3]),), reorder=reorder)
            led.put_item(op[1], spec, user="admin")
        elif kind == "place":
            led.put_location(op[1], op[2], "store", user="admin")
        elif kind == "packs":
            line = commands.ReceiptLine(op[2], Decimal(op[3]), op[4], "pk")
            led.execute(commands.PostReceipt(self.next_id("P"), op[1], [line]), user=u)
        elif kind == "return" and self.deliveries:
            delivery, sku = self.deliveries[-1]
            led.execute(
                commands.PostReturn(self.next_id("X"), delivery, [commands.Line(sku, op[1])]),
                user=u,
            )
