"""Tamper evidence (SPEC §7): each position's stored movements form a verifiable hash chain."""

from __future__ import annotations

import dataclasses

from application.commands import (
    CloseQuote,
    CreateQuote,
    PostAdjustment,
    PostConsumption,
    PostDelivery,
    PostReturn,
    PostTransfer,
)
from application.ledger import Ledger
from domain.movements import GENESIS_HASH, recompute_hash
from tests.application.helpers import USER, D, line, movements, quote_line, receive


def test_recomputing_a_positions_chain_from_stored_events_matches_what_was_recorded(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "3", "3.333333")
    ledger.execute(CreateQuote("q-1", "ACME", "main", [quote_line("A", "1")]), user=USER)
    ledger.execute(CloseQuote("q-1"), user=USER)
    ledger.execute(PostDelivery("d-1", "main", [line("A", "1")], quote_id="q-1"), user=USER)
    ledger.execute(PostReturn("ret-1", "d-1", [line("A", "0.5")], note="damaged box"), user=USER)
    ledger.execute(PostTransfer("t-1", "main", "bar", [line("A", "1")]), user=USER)
    ledger.execute(PostAdjustment("a-1", "A", "main", D("0.25"), "found"), user=USER)
    stored = movements(ledger, "A")
    assert len(stored) == 6
    previous = GENESIS_HASH
    for event in stored:
        assert event.prev_hash == previous
        assert recompute_hash(event) == event.hash
        previous = event.hash
    (transfer_in,) = movements(ledger, "A", "bar")
    assert transfer_in.prev_hash == GENESIS_HASH
    assert recompute_hash(transfer_in) == transfer_in.hash


def test_tampering_a_decoded_events_field_changes_its_hash(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "3", "3.333333")
    ledger.execute(PostConsumption("c-1", "main", [line("A", "1")]), user=USER)
    event = movements(ledger, "A")[-1]
    for name, forged in [
        ("value", event.value + D("0.01")),
        ("quantity", D(2)),
        ("document_id", "c-2"),
        ("prev_hash", GENESIS_HASH),
        ("timestamp", event.timestamp.replace(year=2000)),
    ]:
        tampered = dataclasses.replace(event, **{name: forged})
        assert recompute_hash(tampered) != event.hash, name
