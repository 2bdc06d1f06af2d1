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

Ids are recorded too: a ``Register`` is named by its ``NAME``; a ``Named`` aggregate (a quote,
an item, …) by its ``id_prefix`` and the first argument of its ``__init__``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
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


class Named(Recorded):
    """An aggregate named by the first argument of its ``__init__`` (a quote's ``quote_id``,
    an item's ``sku``) under the ``id_prefix`` its class statement gives
    (``class Quote(Named, id_prefix="quote")``): ``Quote.create_id("Q-1")`` is the id of the
    name ``quote:Q-1``."""

    ID_PREFIX = ""

    if TYPE_CHECKING:  # each subclass that names its id_prefix is given its own (below),
        # which takes the name by position or (the library does) as the first argument's

        @classmethod
        def create_id(cls, name: str, /) -> UUID: ...

    def __init_subclass__(cls, id_prefix: str = "", **kwargs: Any) -> None:
        if id_prefix:
            cls.ID_PREFIX = id_prefix
            setattr(cls, "create_id", staticmethod(_create_id_of(cls)))  # noqa: B010
        super().__init_subclass__(**kwargs)


def _create_id_of(cls: type[Named]) -> Callable[..., UUID]:
    """``cls.create_id`` under the name of the first argument of its ``__init__``: the library
    names a new aggregate by passing ``create_id`` the arguments its signature names."""
    argument = first_argument(cls)
    prefix = cls.ID_PREFIX

    def create_id(*args: str, **kwargs: str) -> UUID:
        """Deterministic: never change an aggregate's id_prefix once data exists."""
        name = args[0] if args else kwargs[argument]
        return named_id(f"{prefix}:{name}")

    parameter = inspect.Parameter(argument, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)
    signature = inspect.Signature([parameter], return_annotation=UUID)
    create_id.__signature__ = signature  # type: ignore[attr-defined]
    return create_id


def first_argument(cls: type[Recorded]) -> str:
    """The name of the first argument of ``cls.__init__`` (what names a ``Named`` aggregate)."""
    return list(inspect.signature(cls.__init__).parameters)[1]


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
