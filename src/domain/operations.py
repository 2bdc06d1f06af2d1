"""Operations: requests to the projectors, recorded in the ledger like every other change.

An API process may not be allowed to touch the read models (in production it runs under a
role that cannot); it records the request instead, and whichever runner owns the projection
acts on it. The log also keeps who asked for what, and when.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.ids import NAMESPACE


class Operations(Aggregate):
    """The single register of operations requests."""

    TOPIC = "stockledger:Operations"

    class Created(Aggregate.Created):
        TOPIC = "stockledger:Operations.Created"

    class RebuildRequested(Aggregate.Event):
        TOPIC = "stockledger:Operations.RebuildRequested"
        projection: str
        user: str

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE, "operations")

    def __init__(self) -> None:
        """No state: the requests are read by the runners from the ledger itself."""

    def request_rebuild(self, projection: str, user: str) -> None:
        """Asks the runner of ``projection`` for a blue/green rebuild."""
        self.trigger_event(self.RebuildRequested, projection=projection, user=user)
