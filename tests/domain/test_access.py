"""KeyRing: keys are issued once per id with a known role, and revoked for good."""

from __future__ import annotations

import pytest

from domain.access import ApiKey, KeyRing, Role, allows
from domain.errors import InvalidStateError, ValidationError


def test_an_issued_key_is_a_record_of_its_user_role_and_hash_until_revoked() -> None:
    ring = KeyRing()
    ring.issue("k1", "ann", "clerk", "h" * 64, "admin")
    key = ring.keys["k1"]
    assert isinstance(key, ApiKey)
    assert (key.user, key.role, key.secret_hash, key.revoked_at) == (
        "ann",
        Role.CLERK,
        "h" * 64,
        None,
    )
    ring.revoke("k1", "admin")
    revoked = ring.keys["k1"]
    assert revoked.revoked_at is not None and revoked.created_at == key.created_at
    ring.revoke("k1", "admin")
    assert ring.keys["k1"] == revoked


def test_a_key_with_an_unknown_role_reused_id_or_unknown_id_is_refused() -> None:
    ring = KeyRing()
    with pytest.raises(ValidationError):
        ring.issue("k1", "ann", "owner", "h" * 64, "admin")
    ring.issue("k1", "ann", "viewer", "h" * 64, "admin")
    with pytest.raises(InvalidStateError):
        ring.issue("k1", "bob", "viewer", "h" * 64, "admin")
    with pytest.raises(InvalidStateError):
        ring.revoke("k2", "admin")


def test_finance_and_clerk_each_hold_viewer_and_only_admin_holds_everything() -> None:
    assert allows(Role.FINANCE, Role.VIEWER) and not allows(Role.FINANCE, Role.CLERK)
    assert allows(Role.CLERK, Role.VIEWER) and not allows(Role.CLERK, Role.FINANCE)
    assert all(allows(Role.ADMIN, role) for role in Role)
