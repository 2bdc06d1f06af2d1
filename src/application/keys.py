"""API keys (SPEC §7): tokens ``sl_<key id>_<secret>``, of which only SHA-256 of the
secret is recorded; issuing, revoking, and checking a token against the key ring.

A tenant's ledger (docs/OPERATIONS.md "Tenants") issues ``<tenant>.sl_<key id>_<secret>``:
the public prefix says which ledger to ask, and that ledger accepts only its own prefix.

A revoked key stops at once in every process (SPEC §7). ``authenticate`` asks the store
whether the key ring moved before it trusts its copy: one indexed read per request. A
command need not pay it (docs/DECISIONS.md "The key checked at commit"): ``accept`` takes
the caller from the copy alone, and while that ``Accepted`` is current (``ACCEPTED``), every
save checks the ring's version under the writer lock with the save's other reads
(``Ledger.save``); an answer given without such a save asks the store first (``confirm``).
So no write commits, and no answer leaves, for a key revoked before it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

from application import registers
from application.errors import KeyRevokedError
from application.ports import LedgerPort
from domain.access import ApiKey, KeyRing, Role


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain hash is enough (no stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


# A tenant's name: usable as a directory and (with _ for -) inside a database name.
TENANT_NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
# [tenant.] sl_ + 12 hex digits (secrets.token_hex(6)) + _ + 43 URL-safe characters
# (token_urlsafe(32)).
TOKEN = re.compile(
    rf"(?:(?P<tenant>{TENANT_NAME.pattern})\.)?(?P<key>sl_[0-9a-f]{{12}}_[A-Za-z0-9_-]{{43}})"
)


def well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of an issued key (checked before any database read)."""
    return TOKEN.fullmatch(token) is not None


def tenant_of(token: str) -> str | None:
    """The tenant a well-formed token names (None: the home ledger's, or malformed)."""
    match = TOKEN.fullmatch(token)
    return match["tenant"] if match else None


def check_token(ring: KeyRing, token: str) -> tuple[str, Role] | None:
    """(user, role) when the token names a live key and its secret matches."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != "sl" or not key_id or not secret:
        return None
    key = ring.keys.get(key_id)
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        return None
    return key.user, key.role


@dataclass
class Accepted:
    """A caller taken from this process's copy of the key ring at ``version`` of the ring,
    not yet checked against the store (``confirmed``: a save or a probe has checked it)."""

    token: str
    user: str
    role: Role
    version: int
    confirmed: bool = False


# The key the current request was accepted with (set by api.one_hop around a command).
ACCEPTED: ContextVar[Accepted | None] = ContextVar("accepted_key", default=None)
RING_ID = KeyRing.create_id()


class ApiKeys:
    """The API keys of one ledger, and the copy of the key ring that authentication trusts
    while the store holds no newer ``KeyRing`` event."""

    def __init__(self, ledger: LedgerPort, tenant: str | None = None) -> None:
        self._ledger = ledger
        # The prefix of this ledger's tokens (None: the home ledger's plain tokens).
        self._tenant = tenant
        # (stored version, ring) of the last ring read.
        self._cached: tuple[int, KeyRing] | None = None

    def ring(self) -> KeyRing:
        return registers.load(self._ledger, KeyRing)

    def issue(self, user: str, role: str, *, issued_by: str) -> tuple[str, str]:
        """A new key for ``user`` with ``role``; returns (key_id, token). Only the hash of
        the secret is recorded; the token is shown once."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        registers.change(
            self._ledger,
            KeyRing,
            lambda ring: ring.issue(key_id, user, role, hash_secret(secret), issued_by),
        )
        self._cached = None
        token = f"sl_{key_id}_{secret}"
        return key_id, f"{self._tenant}.{token}" if self._tenant else token

    def revoke(self, key_id: str, *, revoked_by: str) -> None:
        """Revokes a key (refuses an unknown one); a revoked key stays revoked."""
        registers.change(self._ledger, KeyRing, lambda ring: ring.revoke(key_id, revoked_by))
        self._cached = None

    def authenticate(self, token: str) -> tuple[str, Role] | None:
        """(user, role) for a valid, unrevoked token, else None.

        A malformed token is refused without touching the store. Otherwise one indexed
        probe asks whether the key ring has an event newer than the cached copy; only then
        is the ring read again. So a revocation or an issue in any process counts from the
        next request, and bad tokens never cost a ring reload. A token naming another
        tenant (or none, on a tenant's ledger) is refused the same way."""
        key = self._key_of(token)
        return None if key is None else check_token(self._current(), key)

    def _key_of(self, token: str) -> str | None:
        """The key part of a well-formed token of this ledger's tenant, else None."""
        match = TOKEN.fullmatch(token)
        return None if match is None or match["tenant"] != self._tenant else match["key"]

    def accept(self, token: str) -> Accepted | None:
        """The caller of ``token`` by the ring as last read here, without asking the store;
        None when that copy does not accept it (or its saves cannot check the ring): then
        ``authenticate`` decides. See the module docstring for what must follow."""
        cached = self._cached
        if cached is None or not getattr(self._ledger.recorder, "checks_reads", False):
            return None
        key = self._key_of(token)
        if key is None:
            return None
        found = check_token(cached[1], key)
        return Accepted(token, *found, cached[0]) if found is not None else None

    def confirm(self, accepted: Accepted) -> None:
        """Checks ``accepted`` against the store (one indexed read) unless a save did: a key
        revoked meanwhile raises KeyRevokedError; a ring moved by other keys moves it on."""
        if accepted.confirmed or not self._ledger.owned.newer(RING_ID, accepted.version):
            accepted.confirmed = True
            return
        version, ring = self._read()
        match = TOKEN.fullmatch(accepted.token)
        found = check_token(ring, match["key"]) if match else None
        if found != (accepted.user, accepted.role):
            raise KeyRevokedError("unknown or revoked API key")
        accepted.version, accepted.confirmed = version, True

    def live(self, key_id: str) -> ApiKey | None:
        """The unrevoked key ``key_id``, from the same cached ring as ``authenticate`` (the
        console's session cookie names a key and is re-checked with this on each request)."""
        key = self._current().keys.get(key_id)
        return key if key is not None and key.revoked_at is None else None

    def _current(self) -> KeyRing:
        cached = self._cached
        if cached is not None and not self._ledger.owned.newer(RING_ID, cached[0]):
            return cached[1]
        return self._read()[1]

    def _read(self) -> tuple[int, KeyRing]:
        stored = self._ledger.get(KeyRing, RING_ID)
        self._cached = cached = (stored.version if stored else 0, stored or KeyRing())
        return cached
