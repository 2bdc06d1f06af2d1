"""KeyRing: API keys and their roles (SPEC §7). Only a hash of each secret is kept."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.codes import check_code
from domain.errors import InvalidStateError, ValidationError
from domain.recorded import Register


class Role(StrEnum):
    VIEWER = "viewer"
    CLERK = "clerk"
    FINANCE = "finance"
    ADMIN = "admin"


# What each role may do beyond reading: clerk posts, finance reports, admin everything.
GRANTS: dict[Role, frozenset[Role]] = {
    Role.VIEWER: frozenset({Role.VIEWER}),
    Role.CLERK: frozenset({Role.VIEWER, Role.CLERK}),
    Role.FINANCE: frozenset({Role.VIEWER, Role.FINANCE}),
    Role.ADMIN: frozenset(Role),
}


def allows(held: Role, needed: Role) -> bool:
    """True when a key of role ``held`` may do what needs ``needed``."""
    return needed in GRANTS[held]


@dataclass(frozen=True)
class ApiKey:
    """One issued key: who it acts as, its role, the hash of its secret, and when it was
    issued and (if so) revoked."""

    key_id: str
    user: str
    role: Role
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    # Console sessions of this key ended by signing out, still unexpired: the session's
    # name (a digest of its cookie) → when it would have expired (epoch seconds).
    ended: dict[str, int] = field(default_factory=dict, compare=False)


class KeyRing(Register):
    """Every API key ever issued: id, user, role, secret hash, revoked or not."""

    TOPIC = "stockledger:KeyRing"
    NAME = "keyring"

    class KeyIssued(Register.Event):
        key_id: str
        user: str
        role: str
        secret_hash: str
        issued_by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.keys[self.key_id] = ApiKey(
                key_id=self.key_id,
                user=self.user,
                role=Role(self.role),
                secret_hash=self.secret_hash,
                created_at=self.timestamp,
            )

    class KeyRevoked(Register.Event):
        key_id: str
        revoked_by: str

        def apply(self, aggregate: Any) -> None:
            key = aggregate.keys[self.key_id]
            aggregate.keys[self.key_id] = replace(key, revoked_at=self.timestamp)

    class SessionEnded(Register.Event):
        """A console session of ``key_id`` signed out before it expired (at ``expires``)."""

        key_id: str
        session: str
        expires: int
        ended_by: str

        def apply(self, aggregate: Any) -> None:
            key = aggregate.keys[self.key_id]
            now = self.timestamp.timestamp()  # ok-float: epoch seconds
            ended = {name: end for name, end in key.ended.items() if end > now}
            ended[self.session] = self.expires
            aggregate.keys[self.key_id] = replace(key, ended=ended)

    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}

    def issue(self, key_id: str, user: str, role: str, secret_hash: str, issued_by: str) -> None:
        """Adds a key; refuses an unknown role, a bad user name or a reused key id."""
        check_code(user, "user")
        if role not in Role.__members__.values():
            raise ValidationError(f"role must be one of {', '.join(Role)}", [{"field": "role"}])
        if key_id in self.keys:
            raise InvalidStateError(f"key {key_id} exists")
        self.trigger_event(
            self.KeyIssued,
            key_id=key_id,
            user=user,
            role=role,
            secret_hash=secret_hash,
            issued_by=issued_by,
        )

    def revoke(self, key_id: str, revoked_by: str) -> None:
        """Revokes a key; revoking a revoked key changes nothing."""
        if key_id not in self.keys:
            raise InvalidStateError(f"no key {key_id}")
        if self.keys[key_id].revoked_at is None:
            self.trigger_event(self.KeyRevoked, key_id=key_id, revoked_by=revoked_by)

    def end_session(self, key_id: str, session: str, expires: int, ended_by: str) -> None:
        """Records that a console session of ``key_id`` signed out (once; a session of an
        unknown key refused). The ended sessions of a key are kept until they expire."""
        if key_id not in self.keys:
            raise InvalidStateError(f"no key {key_id}")
        if session not in self.keys[key_id].ended:
            self.trigger_event(
                self.SessionEnded,
                key_id=key_id,
                session=session,
                expires=expires,
                ended_by=ended_by,
            )
