"""Operations: requests to the projectors, recorded in the ledger like every other change.

An API process may not be allowed to touch the read models (in production it runs under a
role that cannot); it records the request instead, and whichever runner owns the projection
acts on it. The log also keeps who asked for what, and when.
"""

from __future__ import annotations

from domain.recorded import Register


class Operations(Register):
    """The single register of operations requests."""

    TOPIC = "stockledger:Operations"
    NAME = "operations"

    class RebuildRequested(Register.Event):
        projection: str
        user: str

    def __init__(self) -> None:
        """No state: the requests are read by the runners from the ledger itself."""

    def request_rebuild(self, projection: str, user: str) -> None:
        """Asks the runner of ``projection`` for a blue/green rebuild."""
        self.trigger_event(self.RebuildRequested, projection=projection, user=user)
