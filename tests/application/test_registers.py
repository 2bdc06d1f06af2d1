"""The registers (Books, KeyRing) keep typed state built from unchanged event payloads, and
that state survives a snapshot through the ledger's transcodings."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.domain import Snapshot

from application.ledger import Ledger
from application.periods import ClosePeriod
from application.settings import Settings
from domain.access import ApiKey, KeyRing, Role
from domain.books import Books, PeriodClose


def _payloads(ledger: Ledger, topic: str) -> list[dict[str, Any]]:
    notes = ledger.recorder.select_notifications(1, 100, topics=[topic])
    return [json.loads(note.state) for note in notes]


def test_closes_and_keys_are_frozen_records_built_from_the_events_as_first_recorded(
    settings: Settings,
) -> None:
    with Ledger(settings) as ledger:
        key_id, _ = ledger.issue_key("ann", "clerk", issued_by="admin")
        ledger.revoke_key(key_id, revoked_by="admin")
        ledger.close_period(ClosePeriod("2020-01"), user="fiona")
        issued = _payloads(ledger, "stockledger:KeyRing.KeyIssued")
        closed = _payloads(ledger, "stockledger:Books.PeriodClosed")
    # The payloads are those of the first release: stores written then still load.
    assert {"key_id", "user", "role", "secret_hash", "issued_by"} <= set(issued[0])
    assert issued[0]["role"] == "clerk"
    assert {"period", "user", "position", "digest", "totals"} <= set(closed[0])
    with Ledger(settings) as restarted:
        key = restarted.keyring().keys[key_id]
        close = restarted.books().closes["2020-01"]
    assert isinstance(key, ApiKey) and key.role is Role.CLERK
    assert key.revoked_at is not None and key.revoked_at >= key.created_at
    assert isinstance(close, PeriodClose)
    assert (close.period, close.closed_by) == ("2020-01", "fiona")
    assert close.totals["valuation"]["closing_value"] == 0


def test_the_typed_state_of_a_register_survives_a_snapshot(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        ledger.issue_key("ann", "finance", issued_by="admin")
        ledger.close_period(ClosePeriod("2020-01"), user="fiona")
        for register in (ledger.keyring(), ledger.books()):
            snapshot = Snapshot.take(register)
            stored = ledger.mapper.to_stored_event(snapshot)
            restored = ledger.mapper.to_domain_event(stored).mutate(None)
            assert type(restored) in (KeyRing, Books)
            assert restored.__dict__ == register.__dict__
