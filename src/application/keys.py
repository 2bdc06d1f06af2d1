"""API key tokens: ``sl_<key id>_<secret>``; only SHA-256 of the secret is stored."""

from __future__ import annotations

import hashlib
import hmac

from domain.access import KeyRing


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain hash is enough (no stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


def check_token(ring: KeyRing, token: str) -> tuple[str, str] | None:
    """(user, role) when the token names a live key and its secret matches."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != "sl" or not key_id or not secret:
        return None
    key = ring.keys.get(key_id)
    if key is None or key["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(key["secret_hash"], hash_secret(secret)):
        return None
    return key["user"], key["role"]
