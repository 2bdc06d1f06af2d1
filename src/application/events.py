"""The ledger as a sequence of recorded events: the one port through which the read side,
verify, period close and the event feed read it (``EventSource``), and its implementation
over the event store (``LedgerEvents``).

Positions are the store's notification ids: increasing in commit order, not gap-free (a
rolled-back insert burns an id), so readers ask for "after p", never for "p + 1".
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from eventsourcing.persistence import ApplicationRecorder, Mapper


class Recorded:
    """One recorded event: its position, stored topic and stored bytes; the domain event is
    decoded only when asked for (decoding costs more than reading)."""

    __slots__ = ("_mapper", "_note")

    def __init__(self, note: Any, mapper: Any) -> None:
        self._note = note
        self._mapper = mapper

    @property
    def position(self) -> int:
        return int(self._note.id)

    @property
    def topic(self) -> str:
        return str(self._note.topic)

    @property
    def state(self) -> bytes:
        """The event's bytes exactly as stored (what the ledger digest covers)."""
        return bytes(self._note.state)

    def event(self) -> Any:
        return self._mapper.to_domain_event(self._note)


class EventSource(Protocol):
    """All that a reader of the ledger knows of it."""

    def read(
        self, after: int, limit: int, *, upto: int | None = None, topics: Collection[str] = ()
    ) -> list[Recorded]:
        """Up to ``limit`` events with ``after`` < position (≤ ``upto`` when given), oldest
        first; only events of ``topics`` when given."""
        ...

    def head(self) -> int:
        """The position of the newest recorded event (0 when there is none)."""
        ...


class Stored(Protocol):
    """An eventsourcing application (or the ledger's port): its recorder and mapper."""

    @property
    def recorder(self) -> ApplicationRecorder: ...

    @property
    def mapper(self) -> Mapper[Any]: ...


class LedgerEvents:
    """``EventSource`` over an eventsourcing application's recorder and mapper."""

    def __init__(self, app: Stored) -> None:
        self._recorder = app.recorder
        self._mapper = app.mapper

    def read(
        self, after: int, limit: int, *, upto: int | None = None, topics: Collection[str] = ()
    ) -> list[Recorded]:
        if upto is not None and after >= upto:
            return []
        notes = self._recorder.select_notifications(
            after + 1, limit, stop=upto, topics=sorted(topics), inclusive_of_start=True
        )
        return [Recorded(note, self._mapper) for note in notes]

    def head(self) -> int:
        return int(self._recorder.max_notification_id() or 0)
