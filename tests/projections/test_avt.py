"""AvT (SPEC §13) ties to the ledger to the cent: over random histories of receipts, sales
(owing what the shelf lacks), voids, waste, transfers, adjustments, late costs and counts
between two approved full counts,
each row's actual usage is exactly minus the interval's usage movements as the ledger
recorded them, its book figures are the ledger's own, and unexplained is minus the
adjustments (counts included)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import event as note_event
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from application import commands
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    SubmitCountSheet,
)
from application.events import LedgerEvents
from application.ledger import Ledger
from domain.errors import DomainError
from domain.recipe import Ingredient, RecipeSpec
from domain.stock_item import Movement
from projections.avt import Interval
from projections.event_reader import read_events
from tests.projections.conftest import Clock, scratch_store, utc
from tests.projections.test_food_cost import caught_up

SKUS = ("BEEF", "BUN", "OIL")
USAGE = {"CONSUME", "WASTE", "ADJUSTMENT", "PRODUCTION_OUT", "VOID"}
ZERO = Decimal(0)
qty = st.decimals("0.5", "9", places=1)
money = st.decimals("0.10", "20", places=2)
sku = st.sampled_from(SKUS)
operations = st.one_of(
    st.tuples(st.just("receipt"), sku, qty, money),
    st.tuples(st.just("sale"), st.integers(1, 3), money),
    st.tuples(st.just("waste"), sku, qty),
    st.tuples(st.just("transfer"), sku, qty, st.booleans()),
    st.tuples(st.just("adjust"), sku, st.decimals("-2", "2", places=1)),
    st.tuples(st.just("cost"), st.decimals("-3", "5", places=2)),
    st.tuples(st.just("count"), st.lists(qty, min_size=3, max_size=3), st.booleans()),
    st.tuples(st.just("void")),
)


class History:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self.ledger, self.clock, self.n = ledger, clock, 0
        self.receipts: list[str] = []
        self.sales: list[str] = []
        self.kinds: set[str] = set()

    def run(self, command: Any) -> None:
        self.n += 1
        self.clock.now += timedelta(minutes=7)
        with contextlib.suppress(DomainError):  # refused for stock or a rule: records nothing
            result = self.ledger.execute(command, user="t")
            self.kinds.update(m.kind for m in result.movements)

    def count(self, count_id: str, counted: list[Decimal], full: bool = True) -> None:
        self.clock.now += timedelta(minutes=3)
        kind = "full" if full else "spot"
        ledger = self.ledger
        ledger.execute(OpenCountSheet(count_id, "kitchen", kind, stocked=SKUS), user="c")
        self.clock.now += timedelta(minutes=3)
        for name, quantity in zip(SKUS, counted, strict=True):
            ledger.execute(EnterCountLine(count_id, name, quantity), user="c")
        ledger.execute(SubmitCountSheet(count_id), user="c")
        ledger.execute(ApproveCountSheet(count_id, "zero"), user="f")

    def apply(self, op: tuple[Any, ...]) -> None:
        n = self.n + 1
        if op[0] == "receipt":
            self.run(
                commands.PostReceipt(
                    f"R{n}", "kitchen", [commands.ReceiptLine(op[1], op[2], op[3])]
                )
            )
            self.receipts.append(f"R{n}")
        elif op[0] == "sale":
            self.run(
                commands.PostSale(
                    f"S{n}", "kitchen", [commands.SaleLine("burger", Decimal(op[1]), op[2])]
                )
            )
            self.sales.append(f"S{n}")
        elif op[0] == "void" and self.sales:
            self.run(commands.VoidSale(f"V{n}", self.sales.pop(), "sent back"))
        elif op[0] == "waste":
            self.run(
                commands.PostWaste(f"W{n}", "kitchen", [commands.Line(op[1], op[2])], "dropped")
            )
        elif op[0] == "transfer":
            there, back = ("kitchen", "bar") if op[3] else ("bar", "kitchen")
            self.run(commands.PostTransfer(f"T{n}", there, back, [commands.Line(op[1], op[2])]))
        elif op[0] == "adjust" and op[2] != 0:
            self.run(commands.PostAdjustment(f"A{n}", op[1], "kitchen", op[2], "found", Decimal(3)))
        elif op[0] == "cost" and op[1] != 0 and self.receipts:
            self.run(commands.PostCost(f"C{n}", self.receipts[-1], op[1], "freight"))
        elif op[0] == "count":
            self.n += 1
            self.count(f"K{n}", op[1], op[2])


def ledger_figures(ledger: Ledger, after: int, upto: int) -> dict[str, dict[str, Decimal]]:
    """Straight from the ledger's events: per SKU at kitchen, the books at both boundaries
    and minus the interval's usage movements."""
    out: dict[str, dict[str, Decimal]] = {}
    position = 0
    while True:
        last, batch, count = read_events(LedgerEvents(ledger), position, 1000)
        for at, event in batch:
            assert isinstance(event, Movement)
            if event.location != "kitchen" or at > upto:
                continue
            figures = out.setdefault(event.sku, dict.fromkeys(FIGURES, ZERO))
            if at <= after:
                figures["opening_qty"], figures["opening_value"] = (
                    event.on_hand_after,
                    event.value_after,
                )
            else:
                if event.kind in USAGE:
                    figures["actual_qty"] -= event.on_hand_delta
                    figures["actual_value"] -= event.value
                if event.kind == "ADJUSTMENT":
                    figures["unexplained_value"] -= event.value
                if event.kind == "CONSUME" and event.document_type == "sale":
                    figures["theoretical_value"] -= event.value
                if event.kind == "VOID":
                    figures["theoretical_value"] -= event.value
            figures["closing_qty"], figures["closing_value"] = (
                event.on_hand_after,
                event.value_after,
            )
        if count == 0:
            return out
        position = last


FIGURES = (
    "opening_qty",
    "opening_value",
    "closing_qty",
    "closing_value",
    "actual_qty",
    "actual_value",
    "theoretical_value",
    "unexplained_value",
)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(operations, max_size=6),
    between=st.lists(operations, min_size=2, max_size=16),
    after=st.lists(operations, max_size=4),
    first=st.lists(qty, min_size=3, max_size=3),
    last=st.lists(qty, min_size=3, max_size=3),
)
def test_avt_ties_to_the_ledger_to_the_cent_over_random_histories(
    before: list[Any], between: list[Any], after: list[Any], first: Any, last: Any
) -> None:
    clock = Clock(utc(2025, 1, 10, 9, 0))
    with scratch_store(clock) as (ledger, models):
        history = History(ledger, clock)
        for name in SKUS:
            history.apply(("receipt", name, Decimal(5), Decimal("8.00")))
            history.run(
                commands.PostReceipt(
                    f"RB-{name}", "bar", [commands.ReceiptLine(name, Decimal(50), Decimal(2))]
                )
            )
        spec = RecipeSpec(
            "burger", (Ingredient("BEEF", Decimal("0.150")), Ingredient("BUN", Decimal(1)))
        )
        ledger.put_recipe("burger", spec, user="chef")
        for op in before:
            history.apply(op)
        history.count("OPEN", first)
        for op in between:
            history.apply(op)
        history.count("CLOSE", last)
        for op in after:
            history.apply(op)
        caught_up(models)
        for kind in sorted(history.kinds & {"VOID", "OWED", "REVALUE", "TRANSFER_IN"}):
            note_event(f"history with {kind}")
        sheets, _ = models.count_sheets.approved_full("kitchen")
        bounds = {s.count_id: s.approved_position for s in sheets}
        start, end = bounds["OPEN"], bounds["CLOSE"]
        assert start is not None and end is not None
        report = models.avt.figures(Interval("kitchen", start, end))
        want = ledger_figures(ledger, start, end)
        got = {row["sku"]: row for row in report.rows}
        assert set(got) == {s for s, f in want.items() if any(f.values()) or s in got}
        for name, row in got.items():
            expected = want.get(name, dict.fromkeys(FIGURES, ZERO))
            assert {f: row[f] for f in FIGURES} == expected, name
            for unit in ("_qty", "_value"):
                assert row["actual" + unit] == (
                    row["opening" + unit]
                    + row["received" + unit]
                    + row["transfers_in" + unit]
                    + row["production_in" + unit]
                    - row["transfers_out" + unit]
                    - row["shipped" + unit]
                    - row["closing" + unit]
                )
                assert row["unexplained" + unit] == (
                    row["actual" + unit]
                    - row["theoretical" + unit]
                    - row["production" + unit]
                    - row["waste" + unit]
                    - row["other_consumed" + unit]
                )
