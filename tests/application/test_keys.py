"""API keys: issued once, stored hashed, checked fast, revoked for every process."""

from __future__ import annotations

from typing import Any

import pytest

from application.keys import well_formed
from application.ledger import Ledger
from application.settings import Settings


def test_a_key_issued_by_another_process_is_accepted_at_once(settings: Settings) -> None:
    with Ledger(settings) as server, Ledger(settings) as cli:
        _, first = cli.issue_key("ann", "clerk", issued_by="cli")
        assert server.authenticate(first) == ("ann", "clerk")
        _, second = cli.issue_key("bob", "viewer", issued_by="cli")
        assert server.authenticate(second) == ("bob", "viewer")
        assert server.authenticate(second + "x") is None
        assert server.authenticate("sl_nokey_secret") is None


def test_a_revocation_in_another_process_refuses_the_very_next_request(
    settings: Settings,
) -> None:
    with Ledger(settings) as server, Ledger(settings) as cli:
        key_id, token = server.issue_key("ann", "clerk", issued_by="admin")
        assert server.authenticate(token) == ("ann", "clerk")  # cached here from now on
        cli.revoke_key(key_id, revoked_by="admin")
        assert server.authenticate(token) is None

        key_id, token = server.issue_key("cy", "admin", issued_by="admin")
        assert cli.authenticate(token) == ("cy", "admin")
        server.revoke_key(key_id, revoked_by="admin")
        assert server.authenticate(token) is None
        assert cli.authenticate(token) is None


class _Counted:
    """Counts the store reads of one Ledger (every read goes through select_events)."""

    def __init__(self, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = ledger.recorder.select_events

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(ledger.recorder, "select_events", counted)


def test_bad_tokens_cost_a_bounded_number_of_reads(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(settings) as server:
        _, token = server.issue_key("ann", "clerk", issued_by="admin")
        assert server.authenticate(token) == ("ann", "clerk")
        reads = _Counted(server, monkeypatch)
        malformed = ["", "Bearer", "sl_nokey_secret", token + "x", token[:-1], "x" * 5000]
        for bad in malformed * 50:
            assert server.authenticate(bad) is None
        assert reads.calls == 0
        # Well formed but unknown or wrong: one version probe each, never a ring reload.
        unknown = f"sl_{'0' * 12}_{'A' * 43}"
        wrong_secret = token[:-1] + ("A" if token[-1] != "A" else "B")
        for bad in [unknown, wrong_secret] * 150:
            assert server.authenticate(bad) is None
        assert reads.calls == 300


def test_tokens_of_issued_keys_are_well_formed(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        for _ in range(20):
            _, token = ledger.issue_key("ann", "clerk", issued_by="admin")
            assert well_formed(token)


def test_only_a_hash_of_the_secret_is_stored(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        key_id, token = ledger.issue_key("ann", "clerk", issued_by="admin")
        secret = token.split("_", 2)[2]
        stored = ledger.keyring().keys[key_id]
        assert secret not in str(stored)
        for notification in ledger.recorder.select_notifications(1, 100):
            assert secret.encode() not in notification.state
