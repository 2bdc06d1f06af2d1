"""API key tokens: ``sl_<key id>_<secret>``; only SHA-256 of the secret is stored."""

from __future__ import annotations

import hashlib
import hmac
import re

from domain.access import KeyRing


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain hash is enough (no stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


# sl_ + 12 hex digits (secrets.token_hex(6)) + _ + 43 URL-safe characters (token_urlsafe(32)).
TOKEN = re.compile(r"sl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of an issued key (checked before any database read)."""
    return TOKEN.fullmatch(token) is not None


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
