"""API keys: issued once, stored hashed, checked fast, revoked for every process."""

from __future__ import annotations

import pytest

import application.ledger as ledger_module
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


def test_a_revocation_here_takes_effect_at_once_and_elsewhere_within_the_ttl(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(settings) as server, Ledger(settings) as cli:
        key_id, token = server.issue_key("ann", "clerk", issued_by="admin")
        assert server.authenticate(token) == ("ann", "clerk")
        cli.revoke_key(key_id, revoked_by="admin")
        # Another process's revocation: trusted copy until it is KEYRING_TTL old.
        monkeypatch.setattr(ledger_module, "KEYRING_TTL", 0.0)
        assert server.authenticate(token) is None

        key_id, token = server.issue_key("cy", "admin", issued_by="admin")
        assert server.authenticate(token) == ("cy", "admin")
        monkeypatch.setattr(ledger_module, "KEYRING_TTL", 3600.0)
        server.revoke_key(key_id, revoked_by="admin")
        assert server.authenticate(token) is None


def test_only_a_hash_of_the_secret_is_stored(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        key_id, token = ledger.issue_key("ann", "clerk", issued_by="admin")
        secret = token.split("_", 2)[2]
        stored = ledger.keyring().keys[key_id]
        assert secret not in str(stored)
        for notification in ledger.recorder.select_notifications(1, 100):
            assert secret.encode() not in notification.state
