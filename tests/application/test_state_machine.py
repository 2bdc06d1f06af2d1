"""Random command sequences through the real Ledger against a pure reference model (SPEC §3–4).

The model below is written from the spec alone: per position it keeps on_hand, reserved,
value and the last average, and per quote and delivery what is still outstanding. After
every step the SPEC §3 invariants must hold on the stored events, the aggregates must agree
with the model to the cent, and a refused command must have recorded nothing. One step plays
an attacker with the database password tampering with snapshots: refused or detected, and
never decided from.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from application import commands
from application.ledger import Ledger
from application.records import CommandResult
from application.settings import Settings
from domain.bounds import places
from domain.errors import (
    DomainError,
    InsufficientStockError,
    InvalidStateError,
    NoCostBasisError,
    ValidationError,
)
from domain.item import ItemSpec, PackUnit
from domain.movements import GENESIS_HASH, recompute_hash
from domain.rollforward import FLOWS, roll
from domain.stock_item import Movement, StockItem
from projections.integrity import check_snapshots
from tests.tamper import plant_snapshot, update_snapshots

USER = "model"
ZERO = Decimal(0)
SKUS = ("A", "B")
LOCATIONS = ("main", "bar")

# SKU "A" has an item (SPEC §8): litres, in bottles of 0.75 l or ounces of 0.028350 l.
FACTORS = {"bottle": Decimal("0.75"), "oz": Decimal("0.028350")}
packs = st.sampled_from(["1", "2", "4", "0.5", "1.333", "10", "40"]).map(Decimal)
pack_units = st.sampled_from(sorted(FACTORS))
quantities = st.sampled_from(["1", "2", "3", "5", "0.5", "1.333", "0.001", "2.25"]).map(Decimal)
costs = st.sampled_from(["0", "0.01", "1", "2.5", "3.333333", "0.333333", "7.77"]).map(Decimal)
maybe_costs = st.none() | costs
skus = st.sampled_from(SKUS)
locations = st.sampled_from(LOCATIONS)


def money(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cost6(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def half(quantity: Decimal) -> Decimal:
    part = (quantity / 2).quantize(Decimal("0.001"), rounding=ROUND_DOWN)
    return part if part > 0 else quantity


@dataclass
class Position:
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    value: Decimal = ZERO
    last_average: Decimal | None = None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    def move(self, on_hand: Decimal, reserved: Decimal, value: Decimal) -> Decimal:
        self.on_hand += on_hand
        self.reserved += reserved
        self.value += value
        if self.on_hand > 0:
            self.last_average = cost6(self.value / self.on_hand)
        return value

    def outbound(self, quantity: Decimal, reserved: Decimal = ZERO) -> Decimal:
        """SPEC §3: all of it takes exactly the value, else round(q × value / on_hand)."""
        if quantity == self.on_hand:
            taken = -self.value
        else:
            taken = -money(quantity * self.value / self.on_hand)
        return self.move(-quantity, -reserved, taken)

    def basis(self, unit_cost: Decimal | None) -> Decimal | None:
        """Cost of a positive adjustment: given, else current average, else last average."""
        if unit_cost is not None:
            return unit_cost
        if self.on_hand > 0:
            return cost6(self.value / self.on_hand)
        return self.last_average


@dataclass
class QuoteModel:
    location: str
    lines: list[tuple[str, Decimal]]
    status: str = "draft"
    delivered: list[Decimal] = field(default_factory=list)

    def outstanding(self, index: int) -> Decimal:
        return self.lines[index][1] - self.delivered[index]


@dataclass
class DeliveryModel:
    location: str
    sku: str
    quantity: Decimal
    value: Decimal  # positive: what the SHIP took
    returned_qty: Decimal = ZERO
    returned_value: Decimal = ZERO


class LedgerMachine(RuleBasedStateMachine):
    ledger: Ledger  # set per test; each example works in its own namespace of codes

    def __init__(self) -> None:
        super().__init__()
        self.prefix = uuid.uuid4().hex[:10]
        self.positions = {(sku, loc): Position() for sku in SKUS for loc in LOCATIONS}
        self.quotes: dict[str, QuoteModel] = {}
        self.deliveries: dict[str, DeliveryModel] = {}
        # Receipts as posted: (sku, location, quantity, value) per line; cost variances.
        self.receipts: dict[str, list[tuple[str, str, Decimal, Decimal]]] = {}
        self.variance = {key: ZERO for key in self.positions}
        self.posted: list[tuple[Callable[[], CommandResult], CommandResult]] = []
        self.serial = 0
        units = tuple(PackUnit(unit, factor) for unit, factor in FACTORS.items())
        self.ledger.put_item(self.sku("A"), ItemSpec("A", "l", units=units), user="admin")

    # -- plumbing -------------------------------------------------------------------------------

    def sku(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def new_id(self) -> str:
        self.serial += 1
        return f"{self.prefix}-{self.serial}"

    def drawn_quote(self, data: st.DataObject, status: str | None = None) -> tuple[str, QuoteModel]:
        """A quote drawn from the model's (of ``status``, when given): its id and model."""
        ids = sorted(k for k, q in self.quotes.items() if status in (None, q.status))
        quote_id = data.draw(st.sampled_from(ids))
        return quote_id, self.quotes[quote_id]

    def run(
        self,
        call: Callable[[], CommandResult],
        refused: type[DomainError] | None = None,
        *,
        document: bool = True,
    ) -> CommandResult | None:
        """Runs a command; a refused one must raise ``refused`` and record nothing."""
        head = self.ledger.head()
        if refused is not None:
            with pytest.raises(refused):
                call()
            assert self.ledger.head() == head, "a refused command recorded events"
            return None
        result = call()
        assert result.created
        assert result.position > head
        if document:  # quote close/cancel repeats are no-ops, not replays
            self.posted.append((call, result))
        return result

    def values(self, result: CommandResult | None) -> list[Decimal]:
        assert result is not None
        return [m.value for m in result.movements]

    # -- documents ------------------------------------------------------------------------------

    @rule(sku=skus, loc=locations, qty=quantities, cost=costs)
    def receive(self, sku: str, loc: str, qty: Decimal, cost: Decimal) -> None:
        expected = self.positions[sku, loc].move(qty, ZERO, money(qty * cost))
        lines = [commands.ReceiptLine(self.sku(sku), qty, cost)]
        doc = self.new_id()
        result = self.run(
            lambda: self.ledger.execute(commands.PostReceipt(doc, loc, lines), user=USER)
        )
        assert self.values(result) == [expected]
        self.receipts[doc] = [(sku, loc, qty, expected)]

    @precondition(lambda self: bool(self.receipts))
    @rule(
        data=st.data(),
        amount=st.sampled_from(["10", "-3.33", "0.01", "-1000", "7.77"]).map(Decimal),
        by=st.sampled_from(["value", "quantity"]),
    )
    def late_cost(self, data: st.DataObject, amount: Decimal, by: str) -> None:
        """SPEC §10: shares by value or quantity, residue last; per line to stock the share
        still on hand (never below value 0), the rest a variance of the period."""
        receipt_id = data.draw(st.sampled_from(sorted(self.receipts)))
        lines = self.receipts[receipt_id]
        doc = self.new_id()
        call = lambda: self.ledger.execute(  # noqa: E731
            commands.PostCost(doc, receipt_id, amount, "invoice", by), user="fiona"
        )
        weights = [value if by == "value" else qty for _, _, qty, value in lines]
        if sum(weights) == 0:
            self.run(call, ValidationError)
            return
        shares = [money(amount * w / sum(weights)) for w in weights[:-1]]
        shares.append(amount - sum(shares, ZERO))
        expected = []
        for (sku, loc, qty, _), share in zip(lines, shares, strict=True):
            position = self.positions[sku, loc]
            held = min(position.on_hand, qty)
            to_stock = max(money(share * held / qty), -position.value) if held > 0 else ZERO
            position.move(ZERO, ZERO, to_stock)
            self.variance[sku, loc] += share - to_stock
            expected.append((share, to_stock, share - to_stock))
        result = self.run(call)
        assert result is not None
        got = [(a["share"], a["to_stock"], a["to_cogs"]) for a in result.extra["allocation"]]
        assert got == expected

    @rule(loc=locations, n=packs, unit=pack_units, cost=costs)
    def receive_packs(self, loc: str, n: Decimal, unit: str, cost: Decimal) -> None:
        """SPEC §8: n packs are n × factor litres, valued round(n × cost per pack)."""
        base = n * FACTORS[unit]
        lines = [commands.ReceiptLine(self.sku("A"), n, cost, unit)]
        doc = self.new_id()
        call = lambda: self.ledger.execute(commands.PostReceipt(doc, loc, lines), user=USER)  # noqa: E731
        if places(base) > 3:
            self.run(call, ValidationError)
            return
        expected = self.positions["A", loc].move(base, ZERO, money(n * cost))
        result = self.run(call)
        assert self.values(result) == [expected]
        assert result is not None and result.movements[0].quantity == base

    @rule(loc=locations, n=packs, unit=pack_units)
    def deliver_packs(self, loc: str, n: Decimal, unit: str) -> None:
        base = n * FACTORS[unit]
        position = self.positions["A", loc]
        doc = self.new_id()
        lines = [commands.Line(self.sku("A"), n, unit)]
        call = lambda: self.ledger.execute(commands.PostDelivery(doc, loc, lines), user=USER)  # noqa: E731
        if places(base) > 3:
            self.run(call, ValidationError)
            return
        if base > position.available:
            self.run(call, InsufficientStockError)
            return
        expected = position.outbound(base)
        assert self.values(self.run(call)) == [expected]
        self.deliveries[doc] = DeliveryModel(loc, "A", base, -expected)

    @rule(sku=skus, loc=locations, qty=quantities)
    def deliver_without_quote(self, sku: str, loc: str, qty: Decimal) -> None:
        position = self.positions[sku, loc]
        doc = self.new_id()
        lines = [commands.Line(self.sku(sku), qty)]
        call = lambda: self.ledger.execute(commands.PostDelivery(doc, loc, lines), user=USER)  # noqa: E731
        if qty > position.available:
            self.run(call, InsufficientStockError)
            return
        expected = position.outbound(qty)
        assert self.values(self.run(call)) == [expected]
        self.deliveries[doc] = DeliveryModel(loc, sku, qty, -expected)

    @rule(
        sku=skus,
        loc=locations,
        qty=quantities,
        kind=st.sampled_from(["consumption", "waste"]),
    )
    def consume_or_waste(self, sku: str, loc: str, qty: Decimal, kind: str) -> None:
        position = self.positions[sku, loc]
        doc = self.new_id()
        lines = [commands.Line(self.sku(sku), qty)]
        if kind == "consumption":
            command: commands.Command = commands.PostConsumption(doc, loc, lines)
        else:
            command = commands.PostWaste(doc, loc, lines, "spilt")
        call = lambda: self.ledger.execute(command, user=USER)  # noqa: E731
        if qty > position.available:
            self.run(call, InsufficientStockError)
            return
        expected = position.outbound(qty)
        assert self.values(self.run(call)) == [expected]

    @rule(sku=skus, qty=quantities, direction=st.booleans())
    def transfer(self, sku: str, qty: Decimal, direction: bool) -> None:
        source, target = LOCATIONS if direction else LOCATIONS[::-1]
        doc = self.new_id()
        lines = [commands.Line(self.sku(sku), qty)]
        call = lambda: self.ledger.execute(  # noqa: E731
            commands.PostTransfer(doc, source, target, lines), user=USER
        )
        if qty > self.positions[sku, source].available:
            self.run(call, InsufficientStockError)
            return
        taken = self.positions[sku, source].outbound(qty)
        given = self.positions[sku, target].move(qty, ZERO, -taken)
        assert self.values(self.run(call)) == [taken, given]

    @rule(
        sku=skus,
        loc=locations,
        qty=quantities,
        negative=st.booleans(),
        cost=maybe_costs,
    )
    def adjust(
        self, sku: str, loc: str, qty: Decimal, negative: bool, cost: Decimal | None
    ) -> None:
        delta = -qty if negative else qty
        doc = self.new_id()
        call = lambda: self.ledger.execute(  # noqa: E731
            commands.PostAdjustment(doc, self.sku(sku), loc, delta, "audit", cost), user=USER
        )
        self.adjust_like(sku, loc, delta, cost, call)

    @rule(
        sku=skus,
        loc=locations,
        counted=st.sampled_from(["same", "0", "1", "2.5", "4"]),
        cost=maybe_costs,
    )
    def count(self, sku: str, loc: str, counted: str, cost: Decimal | None) -> None:
        position = self.positions[sku, loc]
        quantity = position.on_hand if counted == "same" else Decimal(counted)
        doc = self.new_id()
        lines = [commands.CountLine(self.sku(sku), quantity, cost)]
        call = lambda: self.ledger.execute(  # noqa: E731
            commands.PostCount(doc, loc, lines, "stocktake"), user=USER
        )
        difference = quantity - position.on_hand
        if difference == 0:
            result = self.run(call)
            assert result is not None and result.movements == []
            return
        self.adjust_like(sku, loc, difference, cost, call)

    def adjust_like(
        self,
        sku: str,
        loc: str,
        delta: Decimal,
        cost: Decimal | None,
        call: Callable[[], CommandResult],
    ) -> None:
        position = self.positions[sku, loc]
        if delta < 0:
            if -delta > position.available:
                self.run(call, InsufficientStockError)
                return
            expected = position.outbound(-delta)
        else:
            basis = position.basis(cost)
            if basis is None:
                self.run(call, NoCostBasisError)
                return
            expected = position.move(delta, ZERO, money(delta * basis))
        assert self.values(self.run(call)) == [expected]

    # -- quotes ---------------------------------------------------------------------------------

    @rule(
        loc=locations,
        picks=st.lists(
            st.tuples(skus, quantities), min_size=1, max_size=2, unique_by=lambda t: t[0]
        ),
    )
    def create_quote(self, loc: str, picks: list[tuple[str, Decimal]]) -> None:
        quote_id = self.new_id()
        lines = [commands.PricedLine(self.sku(sku), qty, Decimal("9.90")) for sku, qty in picks]
        result = self.run(
            lambda: self.ledger.execute(
                commands.CreateQuote(quote_id, "ACME", loc, lines), user=USER
            )
        )
        assert result is not None and result.movements == []
        self.quotes[quote_id] = QuoteModel(loc, list(picks), delivered=[ZERO] * len(picks))

    @precondition(lambda self: bool(self.quotes))
    @rule(data=st.data())
    def close_quote(self, data: st.DataObject) -> None:
        quote_id, quote = self.drawn_quote(data)
        call = lambda: self.ledger.execute(commands.CloseQuote(quote_id), user=USER)  # noqa: E731
        if quote.status in ("closed", "delivered"):
            self.no_op(call)
        elif quote.status == "cancelled":
            self.run(call, InvalidStateError)
        elif any(qty > self.positions[sku, quote.location].available for sku, qty in quote.lines):
            self.run(call, InsufficientStockError)
        else:
            for sku, qty in quote.lines:
                self.positions[sku, quote.location].move(ZERO, qty, ZERO)
            quote.status = "closed"
            result = self.run(call, document=False)
            assert result is not None
            assert [m.reserved_delta for m in result.movements] == [q for _, q in quote.lines]

    @precondition(lambda self: bool(self.quotes))
    @rule(data=st.data())
    def cancel_quote(self, data: st.DataObject) -> None:
        quote_id, quote = self.drawn_quote(data)
        call = lambda: self.ledger.execute(commands.CancelQuote(quote_id), user=USER)  # noqa: E731
        if quote.status == "cancelled":
            self.no_op(call)
        elif quote.status == "delivered":
            self.run(call, InvalidStateError)
        else:
            released = []
            if quote.status == "closed":
                for index, (sku, _) in enumerate(quote.lines):
                    outstanding = quote.outstanding(index)
                    if outstanding > 0:
                        self.positions[sku, quote.location].move(ZERO, -outstanding, ZERO)
                        released.append(-outstanding)
            quote.status = "cancelled"
            result = self.run(call, document=False)
            assert result is not None
            assert [m.reserved_delta for m in result.movements] == released

    @precondition(lambda self: any(q.status == "closed" for q in self.quotes.values()))
    @rule(data=st.data(), how_much=st.sampled_from(["all", "half", "too much"]))
    def deliver_against_quote(self, data: st.DataObject, how_much: str) -> None:
        quote_id, quote = self.drawn_quote(data, "closed")
        open_lines = [i for i in range(len(quote.lines)) if quote.outstanding(i) > 0]
        index = data.draw(st.sampled_from(open_lines))
        sku, outstanding = quote.lines[index][0], quote.outstanding(index)
        qty = {"all": outstanding, "half": half(outstanding), "too much": outstanding + 1}[how_much]
        doc = self.new_id()
        lines = [commands.Line(self.sku(sku), qty)]
        call = lambda: self.ledger.execute(  # noqa: E731
            commands.PostDelivery(doc, quote.location, lines, quote_id=quote_id), user=USER
        )
        if qty > outstanding:
            self.run(call, InvalidStateError)
            return
        expected = self.positions[sku, quote.location].outbound(qty, reserved=qty)
        quote.delivered[index] += qty
        if all(quote.outstanding(i) == 0 for i in range(len(quote.lines))):
            quote.status = "delivered"
        assert self.values(self.run(call)) == [expected]
        self.deliveries[doc] = DeliveryModel(quote.location, sku, qty, -expected)

    # -- returns and repeats --------------------------------------------------------------------

    @precondition(lambda self: bool(self.deliveries))
    @rule(data=st.data(), how_much=st.sampled_from(["rest", "half", "tiny", "too much"]))
    def return_goods(self, data: st.DataObject, how_much: str) -> None:
        delivery_id = data.draw(st.sampled_from(sorted(self.deliveries)))
        delivery = self.deliveries[delivery_id]
        rest = delivery.quantity - delivery.returned_qty
        qty = {
            "rest": rest,
            "half": half(rest),
            "tiny": Decimal("0.001"),
            "too much": rest + Decimal("0.001"),
        }[how_much]
        doc = self.new_id()
        lines = [commands.Line(self.sku(delivery.sku), qty)]
        call = lambda: self.ledger.execute(commands.PostReturn(doc, delivery_id, lines), user=USER)  # noqa: E731
        if qty <= 0 or qty > rest:
            self.run(call, ValidationError)
            return
        if qty == rest:
            value = delivery.value - delivery.returned_value
        else:
            value = money(qty * delivery.value / delivery.quantity)
        delivery.returned_qty += qty
        delivery.returned_value += value
        self.positions[delivery.sku, delivery.location].move(qty, ZERO, value)
        assert self.values(self.run(call)) == [value]

    @precondition(lambda self: bool(self.posted))
    @rule(data=st.data())
    def repeat_a_document(self, data: st.DataObject) -> None:
        call, original = data.draw(st.sampled_from(self.posted))
        head = self.ledger.head()
        again = call()
        assert not again.created
        assert (again.movements, again.position) == (original.movements, original.position)
        assert self.ledger.head() == head

    def no_op(self, call: Callable[[], CommandResult]) -> None:
        head = self.ledger.head()
        result = call()
        assert not result.created
        assert self.ledger.head() == head

    # -- an attacker with the database password -------------------------------------------------

    @rule(sku=skus, loc=locations, extra=st.sampled_from(["1000", "0.5"]))
    def tamper_with_a_snapshot(self, sku: str, loc: str, extra: str) -> None:
        """Alters the position's snapshots in place (refused by the database) and plants one
        at its current version with more on hand (reported by verify's snapshot check). The
        next load, from an empty cache, must still decide from the true figures."""
        item_id = StockItem.create_id(self.sku(sku), loc)
        item = self.ledger.get(StockItem, item_id)
        if item is None:
            return
        assert self.ledger.snapshots is not None
        rows = list(self.ledger.snapshots.recorder.select_events(item_id))
        if rows:
            with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
                update_snapshots(self.ledger, item_id)
        if all(row.originator_version != item.version for row in rows):
            more = Decimal(extra)
            plant_snapshot(
                self.ledger, item_id, on_hand=item.on_hand + more, value=item.value + more
            )
        problems = check_snapshots(self.ledger)
        assert any(f"{self.sku(sku)}@{loc} at version {item.version}" in p for p in problems)
        cache = self.ledger.repository.cache
        assert cache is not None
        cache.clear()
        position = self.positions[sku, loc]
        doc = self.new_id()
        too_many = position.available + Decimal("0.5")
        lines = [commands.Line(self.sku(sku), too_many)]
        self.run(
            lambda: self.ledger.execute(commands.PostDelivery(doc, loc, lines), user=USER),
            InsufficientStockError,
        )

    # -- invariants -----------------------------------------------------------------------------

    @invariant()
    def positions_agree_with_the_model_and_their_events(self) -> None:
        for (sku, loc), model in self.positions.items():
            item_id = StockItem.create_id(self.sku(sku), loc)
            item = self.ledger.get(StockItem, item_id)
            if item is None:
                assert (model.on_hand, model.reserved, model.value) == (ZERO, ZERO, ZERO)
                continue
            recorded = [e for e in self.ledger.events.get(item_id) if isinstance(e, Movement)]
            sums = (
                sum((e.on_hand_delta for e in recorded), ZERO),
                sum((e.reserved_delta for e in recorded), ZERO),
                sum((e.value for e in recorded), ZERO),
            )
            link = GENESIS_HASH
            for event in recorded:
                assert event.prev_hash == link
                assert recompute_hash(event) == event.hash
                link = event.hash
            state = (item.on_hand, item.reserved, item.value)
            assert state == sums
            assert state == (model.on_hand, model.reserved, model.value), (sku, loc)
            assert ZERO <= item.reserved <= item.on_hand
            assert item.value >= 0
            if item.on_hand == 0:
                assert item.value == 0
            self.rolls_forward_to_the_cent(recorded, (sku, loc))

    def rolls_forward_to_the_cent(self, recorded: list[Movement], key: tuple[str, str]) -> None:
        """One roll-forward row over the position's whole history: closing = opening + Σ
        columns to the cent, and the cost variance is what the late costs expensed."""
        row = None
        for number, event in enumerate(recorded):
            row = roll(row, "all", event, number)
        assert row is not None
        for part in ("qty", "value"):
            flows = sum((row[f"{flow}_{part}"] for flow in FLOWS), ZERO)
            assert row[f"closing_{part}"] == row[f"opening_{part}"] + flows
        assert (row["closing_qty"], row["closing_value"]) == (
            self.positions[key].on_hand,
            self.positions[key].value,
        )
        assert row["variance_value"] == self.variance[key]


def run_machine(ledger: Ledger, examples: int) -> None:
    machine: Any = type("Machine", (LedgerMachine,), {"ledger": ledger})
    run_state_machine_as_test(
        machine,
        settings=hypothesis_settings(max_examples=examples, stateful_step_count=30, deadline=None),
    )


def test_random_command_sequences_keep_the_invariants_and_match_the_model_on_sqlite(
    tmp_path: Any,
) -> None:
    with Ledger(Settings(database_url=None, data_dir=tmp_path / "var")) as ledger:
        run_machine(ledger, examples=30)


def test_random_command_sequences_keep_the_invariants_and_match_the_model_on_postgres(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as ledger:
        run_machine(ledger, examples=8)
