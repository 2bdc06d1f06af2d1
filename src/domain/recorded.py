"""The base of every aggregate here: its stored topics, and the event its creation records.

An aggregate names its own topic (``TOPIC = "stockledger:Quote"``); each event nested in it
is stored under ``<aggregate topic>.<event class name>`` (``stockledger:Quote.Closed``),
derived here once, unless the event spells out its own ``TOPIC`` (``StockItem``'s movements
do: ``MOVEMENT_TOPICS``, the feed and every read model select by them). Its ``Created``
event records the arguments of its ``__init__`` (names and types as declared there), as the
library would; an aggregate declares ``Created`` itself when a read model reads its fields
(mypy then sees them) or when it records something else (``Versioned``'s ``spec_events``).

Stored events are found by these topics and decoded by these field names, so once data
exists never rename an aggregate's TOPIC, a nested event class, an ``__init__`` argument or
an event field (the library refuses to start on a nested event without a topic).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate

from domain.ids import named_id


class Recorded(Aggregate):
    """An aggregate whose nested events take their topics from its ``TOPIC``."""

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str]

    class Event(Aggregate.Event):
        TOPIC: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        topic = cls.__dict__.get("TOPIC")
        if topic:
            if "Created" not in cls.__dict__:
                created = _created_of(cls, f"{topic}.Created")
                setattr(cls, "Created", created)  # noqa: B010 (mypy: "Cannot assign to a type")
            for name, value in list(cls.__dict__.items()):
                if _is_event(name, value) and not value.__dict__.get("TOPIC"):
                    value.TOPIC = f"{topic}.{name}"
        super().__init_subclass__(**kwargs)


class Register(Recorded):
    """A single ledger-wide aggregate (the books, the key ring, …) under the fixed id of its
    ``NAME``; nothing creates it but its first use."""

    NAME = ""

    @classmethod
    def create_id(cls) -> UUID:
        """Deterministic: never change a register's NAME once data exists."""
        return named_id(cls.NAME)


def _is_event(name: str, value: Any) -> bool:
    return name != "Event" and isinstance(value, type) and issubclass(value, CanMutateAggregate)


def _created_of(cls: type[Recorded], topic: str) -> type[Recorded.Created]:
    """The Created event of ``cls``: one field per argument of its ``__init__``."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    namespace: dict[str, Any] = {
        "__annotations__": {p.name: p.annotation for p in params},
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}.Created",
        "TOPIC": topic,
    }
    return type("Created", (Recorded.Created,), namespace)
