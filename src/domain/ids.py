"""Aggregate ids: uuid5 of a name in the ledger's namespace.

Ids are recorded in every store, so neither the namespace nor any aggregate's naming
formula may ever change once data exists (tests/domain/test_ids.py pins them).
"""

from __future__ import annotations

from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "https://stockledger.invalid/")


@lru_cache(maxsize=1 << 16)
def named_id(name: str) -> UUID:
    """The id of the aggregate named ``name`` (uuid5 in the ledger's namespace), remembered:
    positions, items and recipes are named on every line of every command."""
    return uuid5(NAMESPACE, name)
