"""``verify`` against someone with the database password: planted snapshots, impossible
figures behind self-consistent hashes, and rewrites a MAC with the ledger key catches."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import Movement, StockItem
from projections.service import ReadModels
from tests.tamper import plant_snapshot, rewrite_movements

D = Decimal
KEY = "k" * 40
OLD_KEY = "o" * 40
ITEM = StockItem.create_id("A", "main")


def with_key(settings: Settings, key: str | None) -> Settings:
    return Settings(database_url=settings.database_url, data_dir=settings.data_dir, ledger_key=key)


def post(ledger: Ledger, n: int = 1, sku: str = "A") -> None:
    ledger.execute(PostReceipt(f"r-{sku}-{n}", "main", [ReceiptLine(sku, D(10), D(2))]), user="u")
    ledger.execute(PostConsumption(f"c-{sku}-{n}", "main", [Line(sku, D(3))]), user="u")


def verified(settings: Settings) -> Any:
    """`stockledger projections rebuild all` then `stockledger verify`: the read models agree
    with whatever the ledger now says, so only the ledger's own checks can tell."""
    with Ledger(settings) as ledger:
        models = ReadModels(settings, ledger)
        try:
            models.rebuild("all")
            return models.verify()
        finally:
            models.close()


@pytest.fixture
def keyed(settings: Settings) -> Iterator[Settings]:
    yield with_key(settings, KEY)


def test_verify_reports_a_planted_snapshot(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        post(ledger)
        plant_snapshot(ledger, ITEM, on_hand=D(1000))
    report = verified(settings)
    assert len(report.problems) == 1, report.problems
    assert "snapshot of A@main at version 3 disagrees" in report.problems[0]
    assert "on_hand 1000" in report.problems[0]


def test_verify_reports_figures_that_do_not_add_up_behind_recomputed_hashes(
    settings: Settings,
) -> None:
    with Ledger(settings) as ledger:
        post(ledger)
        # the receipt claims 1000 on hand after +10 from nothing; every hash recomputed
        rewrite_movements(
            ledger, ITEM, lambda e: {"on_hand_after": D(1000)} if e.kind == "RECEIVE" else {}
        )
    problems = verified(settings).problems
    assert any(
        "figures do not add up at" in p and "on_hand 0 + 10 is 10, recorded on_hand_after 1000" in p
        for p in problems
    ), problems
    assert not any("hash chain broken" in p for p in problems)


def test_verify_reports_a_broken_invariant_even_when_the_figures_add_up(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        post(ledger)

        def over_reserve(event: Movement) -> dict[str, Any]:
            # 20 reserved of 10 on hand, carried consistently through the chain
            return (
                {"reserved_delta": D(20), "reserved_after": D(20)}
                if event.kind == "RECEIVE"
                else {"reserved_after": D(20)}
            )

        rewrite_movements(ledger, ITEM, over_reserve)
    problems = verified(settings).problems
    assert any("invariant broken" in p and "0 ≤ reserved ≤ on_hand" in p for p in problems)
    assert not any("figures do not add up" in p or "hash chain" in p for p in problems)


def test_with_the_key_verify_detects_a_rewrite_with_recomputed_hashes(keyed: Settings) -> None:
    with Ledger(keyed) as ledger:
        post(ledger)
        post(ledger, sku="B")
        assert all(m.mac for m in ledger.events.get(ITEM) if isinstance(m, Movement))
        assert verified(keyed).problems == []
        # who received it, and at what cost: nothing else tells but the MAC
        rewrite_movements(
            ledger,
            ITEM,
            lambda e: {"user": "mallory", "unit_cost": D(1)} if e.kind == "RECEIVE" else {},
        )
    report = verified(keyed)
    assert report.problems, report.notes
    assert all("anchor broken" in p for p in report.problems), report.problems
    assert any("(A@main v2)" in p and "MAC does not match" in p for p in report.problems)
    assert any("(A@main v3)" in p for p in report.problems)  # the next one's hash moved too
    unkeyed = verified(with_key(keyed, None))
    assert unkeyed.problems == []
    assert any("anchor not checked" in n for n in unkeyed.notes)


def test_with_the_key_stripping_every_mac_is_reported(keyed: Settings) -> None:
    with Ledger(keyed) as ledger:
        post(ledger)
        rewrite_movements(ledger, ITEM, lambda e: {"mac": None, "user": "mallory"})
    problems = verified(keyed).problems
    assert any("anchor missing" in p for p in problems), problems


def test_with_the_key_stripping_the_newest_macs_is_reported(keyed: Settings) -> None:
    with Ledger(keyed) as ledger:
        post(ledger)
        post(ledger, sku="B")
        rewrite_movements(ledger, StockItem.create_id("B", "main"), lambda e: {"mac": None})
    problems = verified(keyed).problems
    assert any("no MAC although earlier movements have one" in p for p in problems), problems


def test_movements_from_before_the_key_are_noted_and_anchored_by_later_ones(
    settings: Settings,
) -> None:
    with Ledger(settings) as ledger:
        post(ledger, 1)
    keyed = with_key(settings, KEY)
    with Ledger(keyed) as ledger:
        post(ledger, 2)
    report = verified(keyed)
    assert report.problems == []
    assert any("2 movements recorded before the ledger key" in n for n in report.notes)
    with Ledger(keyed) as ledger:
        # a pre-key movement rewritten: the later, anchored movements' hashes move with it
        rewrite_movements(
            ledger, ITEM, lambda e: {"user": "mallory"} if e.originator_version == 2 else {}
        )
    problems = verified(keyed).problems
    assert any("(A@main v4)" in p and "MAC does not match" in p for p in problems), problems


def test_a_rotated_key_still_verifies_what_the_old_one_signed(settings: Settings) -> None:
    with Ledger(with_key(settings, OLD_KEY)) as ledger:
        post(ledger, 1)
    rotated = with_key(settings, f"{KEY},{OLD_KEY}")
    with Ledger(rotated) as ledger:
        post(ledger, 2)
        macs = {
            m.mac.partition(":")[0]
            for m in ledger.events.get(ITEM)
            if isinstance(m, Movement) and m.mac
        }
    assert len(macs) == 2
    assert verified(rotated).problems == []
    problems = verified(with_key(settings, KEY)).problems
    assert problems and all("not given" in p for p in problems), problems
