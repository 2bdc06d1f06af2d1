"""COGS and the valuation roll-forward against a pure reference, over several months in a
zone where UTC and local months differ; then closing those months."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.schemas.reports import report_body
from application.errors import NotFoundError, PeriodNotEndedError
from application.ledger import Ledger
from application.periods import ClosePeriod
from application.records import MovementRecord
from application.settings import Settings
from domain.errors import ValidationError
from domain.rollforward import valuation_rows
from projections.cogs import AMOUNTS, COGS_AMOUNTS, Cogs, cogs_of
from projections.registry import Entry, entry
from projections.service import ReadModels
from tests.projections.commands import Driver
from tests.projections.conftest import Clock, live_rows, store, wait_until

GROUP_KEYS = ("period", "location", "sku")

ZONE = "America/New_York"
PERIODS = ["2025-01", "2025-02", "2025-03", "2025-04"]
FLOW = {
    "RECEIVE": "receipts",
    "RETURN": "returns",
    "TRANSFER_IN": "transfers_in",
    "TRANSFER_OUT": "transfers_out",
    "SHIP": "shipped",
    "CONSUME": "consumed",
    "WASTE": "waste",
    "ADJUSTMENT": "adjustments",
}
ZERO = Decimal(0)


class Recorder(Driver):
    """A driver that keeps every movement the commands report."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.moves: list[MovementRecord] = []
        self.ledger.execute = self._keeping(ledger.execute)  # type: ignore[method-assign]

    def _keeping(self, command: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            result = command(*args, **kwargs)
            if result.created:
                self.moves.extend(result.movements)
            return result

        return run


def reference(
    moves: list[MovementRecord], zone: ZoneInfo
) -> dict[tuple[str, str, str], dict[str, Decimal]]:
    """Roll-forward rows per (period, location, sku), from movements alone."""
    rows: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    held: dict[tuple[str, str], tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for period in PERIODS:
        in_period = [m for m in moves if m.recorded_at.astimezone(zone).strftime("%Y-%m") == period]
        touched = {(m.location, m.sku) for m in in_period} | {k for k, v in held.items() if any(v)}
        for location, sku in touched:
            qty, value = held[(location, sku)]
            row = {name: ZERO for name in AMOUNTS}
            row["opening_qty"], row["opening_value"] = qty, value
            for m in in_period:
                if (m.location, m.sku) == (location, sku) and m.kind in FLOW:
                    row[f"{FLOW[m.kind]}_qty"] += m.on_hand_delta
                    row[f"{FLOW[m.kind]}_value"] += m.value
                    qty += m.on_hand_delta
                    value += m.value
            row["closing_qty"], row["closing_value"] = qty, value
            held[(location, sku)] = (qty, value)
            rows[(period, location, sku)] = row
    return rows


def reference_cogs(row: dict[str, Decimal]) -> dict[str, Decimal]:
    out = {
        "shipped_qty": -row["shipped_qty"],
        "shipped_value": -row["shipped_value"],
        "returned_qty": row["returns_qty"],
        "returned_value": row["returns_value"],
        "consumed_qty": -row["consumed_qty"],
        "consumed_value": -row["consumed_value"],
        "waste_qty": -row["waste_qty"],
        "waste_value": -row["waste_value"],
        "variance_value": ZERO,  # no late costs in this history
        "voided_value": ZERO,  # no voids either (SPEC §17)
    }
    out["net_cogs"] = out["shipped_value"] - out["returned_value"] + out["consumed_value"]
    return out


@pytest.fixture
def history(settings: Settings, tmp_path: Path) -> Iterator[tuple[ReadModels, Recorder, Clock]]:
    zoned = settings.model_copy(update={"timezone": ZONE})
    clock = Clock(datetime(2025, 1, 1, 5, 30, tzinfo=ZoneInfo("UTC")))  # 00:30 in New York
    ledger = Ledger(zoned, clock=clock)
    models = ReadModels(zoned, ledger)
    driver = Recorder(ledger)
    rng = random.Random(7)
    start = datetime(2025, 1, 1, 5, 30, tzinfo=ZoneInfo("UTC"))
    for day in range(0, 118, 2):
        clock.now = start + timedelta(days=day)
        for op in _day_of_commands(rng):
            driver.apply(op)
        if day == 30:
            # Just before local midnight on 31 January: UTC says February, New York January.
            clock.now = datetime(2025, 2, 1, 4, 59, tzinfo=ZoneInfo("UTC"))
            driver.apply(("receipt", "main", [("A", Decimal(5), Decimal("1.10"))]))
            driver.apply(("deliver", "main", "A", Decimal(2)))
    yield models, driver, clock
    models.close()
    ledger.close()


def caught_up_live(models: ReadModels, driver: Recorder) -> None:
    """The read models started and caught up with everything the driver posted."""
    models.start()
    assert models.wait_for(driver.ledger.head(), timeout=30)


def _day_of_commands(rng: random.Random) -> list[tuple[Any, ...]]:
    def q() -> Decimal:
        return Decimal(rng.randint(1, 4000)) / 1000

    loc = rng.choice(["main", "bar"])
    other = "bar" if loc == "main" else "main"
    sku = rng.choice(["A", "B", "C"])
    return [
        ("receipt", loc, [(sku, q() * 3, Decimal(rng.randint(50, 900)) / 100)]),
        ("deliver", loc, sku, q()),
        ("consume", loc, sku, q()),
        ("waste", loc, sku, q()),
        ("transfer", loc, other, sku, q()),
        ("adjust", loc, sku, rng.randint(-2, 2), Decimal("1.5")),
        ("quote", loc, sku, q(), rng.choice(["close", "cancel", "deliver"])),
        ("return", q() / 4),
    ]


def test_valuation_and_cogs_equal_the_reference_in_every_month(
    history: tuple[ReadModels, Recorder, Clock],
) -> None:
    models, driver, _ = history
    caught_up_live(models, driver)
    expected = reference(driver.moves, ZoneInfo(ZONE))
    assert {k[0] for k in expected} == set(PERIODS)
    for period in PERIODS:
        report = report_body(models.cogs.valuation(period, None, None), GROUP_KEYS)
        got = {(r["period"], r["location"], r["sku"]): r for r in report["rows"]}
        want = {k: v for k, v in expected.items() if k[0] == period and (any(v.values()))}
        assert set(got) == set(want), period
        for key, row in got.items():
            flows = sum((row[f"{f}_{p}"] for f in FLOW.values() for p in ["value"]), ZERO)
            qtys = sum((row[f"{f}_qty"] for f in FLOW.values()), ZERO)
            assert row["closing_value"] == row["opening_value"] + flows, key
            assert row["closing_qty"] == row["opening_qty"] + qtys, key
            assert {n: row[n] for n in AMOUNTS} == want[key], key
        for name in AMOUNTS:
            assert report["totals"][name] == sum((r[name] for r in want.values()), ZERO)
    cogs = report_body(models.cogs.cogs("2025-01", "2025-04", None, None, GROUP_KEYS), GROUP_KEYS)
    want_cogs = {
        k: reference_cogs(v) for k, v in expected.items() if any(reference_cogs(v).values())
    }
    got_cogs = {(r["period"], r["location"], r["sku"]): r for r in cogs["rows"]}
    assert set(got_cogs) == set(want_cogs)
    for key, row in got_cogs.items():
        assert {n: row[n] for n in COGS_AMOUNTS} == want_cogs[key]
    assert cogs["totals"]["net_cogs"] > 0
    by_period = report_body(
        models.cogs.cogs("2025-02", "2025-02", None, None, ["period"]), ("period",)
    )
    assert [r["period"] for r in by_period["rows"]] == ["2025-02"]
    assert by_period["rows"][0]["net_cogs"] == sum(
        (v["net_cogs"] for k, v in want_cogs.items() if k[0] == "2025-02"), ZERO
    )
    # The late-January sale belongs to January in New York.
    late = [m for m in driver.moves if m.recorded_at.isoformat().startswith("2025-02-01T04:59")]
    assert late and all(
        ((p := ("2025-01", m.location, m.sku)) in expected and p in got_cogs) or m.kind != "SHIP"
        for m in late
    )


def test_closing_a_month_records_totals_that_equal_the_reference_and_verify(
    history: tuple[ReadModels, Recorder, Clock],
) -> None:
    models, driver, clock = history
    ledger = driver.ledger
    with pytest.raises(PeriodNotEndedError):
        ledger.close_period(ClosePeriod("2025-05"), user="fiona")
    with pytest.raises(ValidationError):
        ledger.close_period(ClosePeriod("2025-13"), user="fiona")
    with pytest.raises(NotFoundError):
        ledger.closed_period("2025-01")
    record, created = ledger.close_period(ClosePeriod("2025-01"), user="fiona")
    assert created
    expected = reference(driver.moves, ZoneInfo(ZONE))
    january = [v for k, v in expected.items() if k[0] == "2025-01" and any(v.values())]
    for name in AMOUNTS:
        want = sum((r[name] for r in january), ZERO)
        assert Decimal(str(record.totals["valuation"][name])) == want, name
    for name in COGS_AMOUNTS:
        want = sum((reference_cogs(r)[name] for r in january), ZERO)
        assert Decimal(str(record.totals["cogs"][name])) == want, name
    again, created_again = ledger.close_period(ClosePeriod("2025-01"), user="someone-else")
    assert not created_again and again.digest == record.digest
    # Business goes on; the closed month still reproduces.
    clock.now = clock.now + timedelta(days=3)
    driver.apply(("receipt", "main", [("A", Decimal(1), Decimal(1))]))
    shown, verified = ledger.closed_period("2025-01")
    assert verified is True
    assert shown.closed_by == "fiona"
    assert shown.digest == record.digest
    assert [p.period for p in ledger.books().closes.values()] == ["2025-01"]
    caught_up_live(models, driver)
    assert models.verify().ok


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    """Rows with every figure as its text, so a different scale (1.5 vs 1.50) differs."""
    return [{k: None if v is None else str(v) for k, v in row.items()} for row in rows]


def test_cogs_summed_in_the_store_equals_folding_every_row_in_python(
    history: tuple[ReadModels, Recorder, Clock],
) -> None:
    models, driver, _ = history
    caught_up_live(models, driver)
    stored = list(live_rows(models, "cogs").values())
    for keys in (GROUP_KEYS, ("period", "location"), ("location",), ("sku",), ("period",)):
        for from_, to, location in ((None, None, None), ("2025-02", "2025-03", "main")):
            # The report before the store summed: cogs_of per row, rows without COGS left out.
            grouped: dict[tuple[str, ...], dict[str, Decimal]] = {}
            for row in stored:
                amounts = cogs_of(row)
                if not any(amounts.values()) or (location and row["location"] != location):
                    continue
                if (from_ and row["period"] < from_) or (to and row["period"] > to):
                    continue
                acc = grouped.setdefault(
                    tuple(row[k] for k in keys), {n: ZERO for n in COGS_AMOUNTS}
                )
                for name, amount in amounts.items():
                    acc[name] += amount
            want = [{**dict(zip(keys, k, strict=True)), **v} for k, v in sorted(grouped.items())]
            got = report_body(models.cogs.cogs(from_, to, location, None, keys), keys)
            assert _plain(got["rows"]) == _plain(want), (keys, from_)
            assert want


def test_a_valuation_screen_is_a_slice_of_the_report_with_its_totals(
    history: tuple[ReadModels, Recorder, Clock],
) -> None:
    models, driver, _ = history
    # A position emptied in April: May carries it nowhere (it holds nothing).
    driver.apply(("receipt", "main", [("Z", Decimal("2.000"), Decimal("1.25"))]))
    driver.apply(("deliver", "main", "Z", Decimal(2)))
    caught_up_live(models, driver)
    for period, location in (*((p, None) for p in PERIODS), ("2025-05", None), ("2025-03", "bar")):
        whole = report_body(models.cogs.valuation(period, location, None), GROUP_KEYS)
        assert whole["rows"], period
        for size in (1, 2, 4):
            pages = (len(whole["rows"]) + size - 1) // size
            for page in range(1, pages + 2):  # and one past the end: the last page
                found = models.cogs.valuation_screen(period, location, None, page, size)
                shown = report_body(found.report, GROUP_KEYS)
                number = min(page, pages)
                assert (found.number, found.count) == (number, len(whole["rows"]))
                start = (number - 1) * size
                assert _plain(shown["rows"]) == _plain(whole["rows"][start : start + size])
                assert _plain([shown["totals"]]) == _plain([whole["totals"]])
                assert shown["position"] == whole["position"]
    empty = models.cogs.valuation_screen("2024-12", None, None, 3, 100)
    assert (empty.report.rows, empty.number, empty.count) == ([], 1, 0)
    assert report_body(empty.report, GROUP_KEYS)["totals"] == {n: ZERO for n in AMOUNTS}


def test_a_row_reaching_the_store_after_its_successor_still_values_its_month(
    settings: Settings,
) -> None:
    """Commit skew across a month end: February's row is written after March's. Each
    position's row for a period (period <= P < until) is still the one ``valuation_rows``
    picks from every row, live and rebuilt, and verify agrees."""
    clock = Clock(datetime(2025, 1, 10, 12, tzinfo=ZoneInfo("UTC")))
    with store(settings, clock) as (ledger, models):
        driver = Driver(ledger)
        models.start()
        for month, day, sku in ((1, 10, "A"), (1, 11, "B"), (3, 1, "A"), (2, 28, "A"), (5, 2, "B")):
            clock.now = datetime(2025, month, day, 12, tzinfo=ZoneInfo("UTC"))
            driver.apply(("receipt", "main", [(sku, Decimal(2), Decimal("2.00"))]))
            assert models.wait_for(ledger.head(), timeout=30)
        stored = live_rows(models, "cogs")
        until = {key[:3:2]: row["until"] for key, row in stored.items()}
        assert until == {
            ("2025-01", "A"): "2025-02",
            ("2025-02", "A"): "2025-03",
            ("2025-03", "A"): "9999-99",
            ("2025-01", "B"): "2025-05",
            ("2025-05", "B"): "9999-99",
        }
        for period in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"):
            shown = models.cogs.valuation(period, None, None).rows
            want = valuation_rows(list(stored.values()), period)
            assert [(r.sku, dict(r.amounts)) for r in shown] == [
                (w["sku"], {n: w[n] for n in AMOUNTS}) for w in want
            ], period
        models.stop()
        models.rebuild("cogs")
        assert live_rows(models, "cogs") == stored
        assert models.verify().ok


def _registered(models: ReadModels) -> Entry:
    with models.db.session() as session:
        found = entry(session, "cogs")
    assert found is not None
    return found


def test_an_older_cogs_table_answers_the_valuation_while_its_upgrade_rebuilds(
    history: tuple[ReadModels, Recorder, Clock],
) -> None:
    """Upgrading to v3 rebuilds ``cogs`` in the background while the v2 table (no
    ``until``) serves: the valuation answers from it, the same figures, and again after."""
    models, driver, _ = history
    caught_up_live(models, driver)

    def answers() -> list[Any]:
        return [
            (
                report_body(models.cogs.valuation(period, None, None), GROUP_KEYS),
                report_body(
                    models.cogs.valuation_screen(period, None, None, 2, 2).report, GROUP_KEYS
                ),
            )
            for period in (*PERIODS, "2025-05")
        ]

    before = answers()
    models.stop()
    live = _registered(models)
    table = models.projections["cogs"].table(live.generation)
    with models.db.session() as session, session.transaction():  # the table v2 built
        session.execute(f"DROP INDEX {table}_i1")
        session.execute(f"ALTER TABLE {table} DROP COLUMN until")
        session.execute("UPDATE rm_registry SET version = 2, schema = 'v2' WHERE name = 'cogs'")
    assert answers() == before
    models.start()
    wait_until(lambda: _registered(models).version == Cogs.VERSION, what="the cogs upgrade")
    assert models.wait_for(driver.ledger.head(), timeout=30)
    assert _registered(models).generation > live.generation
    assert answers() == before
