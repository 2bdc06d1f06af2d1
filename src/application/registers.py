"""The ledger's registers: ``Books`` (period closes), ``KeyRing`` (API keys) and
``Operations`` (projection requests), one instance each under a fixed id.

A change to a register loads it, runs one of its commands and saves it, on the posting
path's loop (posting.retrying): two writers that change it at once collide on its version;
the loser re-runs on fresh state, so the register's own guards always see the latest state.
Their typed state (``PeriodClose``, ``ApiKey``) is transcoded like the library's own values
(store.transcodings), so a register can be snapshotted and read back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from application import posting
from application.ports import LedgerPort

R = TypeVar("R", bound=Aggregate)
Outcome = TypeVar("Outcome")


def load(ledger: LedgerPort, cls: type[R]) -> R:
    """The register as recorded; a new, empty one before its first change."""
    return ledger.get(cls, cls.create_id()) or cls()


def change(
    ledger: LedgerPort, cls: type[R], act: Callable[[R], Outcome]
) -> tuple[Outcome, list[Recording[UUID]]]:
    """``act``'s outcome on the latest register, and what saving it recorded (nothing when
    ``act`` triggered no event); run again on fresh state when a concurrent save won
    (posting.retrying: ConcurrencyConflictError when other writers keep winning)."""

    def attempt() -> tuple[Outcome, list[Recording[UUID]]] | None:
        register = load(ledger, cls)
        outcome = act(register)
        recordings = posting.saved(ledger, register)
        return None if recordings is None else (outcome, recordings)

    return posting.retrying(attempt)
