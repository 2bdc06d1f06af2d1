"""A versioned spec: a catalogue aggregate that is one specification under a code — an
``Item`` under its SKU, a ``Recipe`` under its menu item.

Its first version checks the code and the spec; every change records the whole spec again
as the next version (the aggregate's version), attributed to a user, and putting the same
spec again records nothing, so old versions stay readable from the ledger. Both of its
events record (code, spec, user) — the code under the aggregate's own name for it (``sku``,
``menu_item``), the spec as plain values — and are declared once, by ``spec_events``, under
the aggregate's fixed topics (``<topic>.Created``, ``<topic>.Changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from domain.codes import check_code
from domain.recorded import Named, Recorded, first_argument


class Spec(Protocol):
    """What a versioned aggregate's spec offers: its own checks and its recorded form."""

    def check(self) -> None: ...

    def recorded(self) -> dict[str, Any]: ...

    @classmethod
    def from_recorded(cls, data: dict[str, Any]) -> Self: ...


class SpecCreated(Recorded.Created):
    """The first version (its fields and topic come from ``spec_events``)."""

    TOPIC = ""


class SpecChanged(Recorded.Event):
    """A next version: the whole spec again (fields and topic from ``spec_events``)."""

    TOPIC = ""
    if TYPE_CHECKING:  # declared by spec_events, after the code (the stored order)
        spec: dict[str, Any]

    def apply(self, aggregate: Any) -> None:
        aggregate.spec = type(aggregate.spec).from_recorded(self.spec)


def spec_events(topic: str, code: str) -> tuple[type[SpecCreated], type[SpecChanged]]:
    """The Created and Changed events of the versioned aggregate of ``topic``, recording
    (``code``, spec, user) in that order (the order their stored form has always had)."""
    owner = topic.rpartition(":")[2]
    fields = {code: str, "spec": dict[str, Any], "user": str}

    def event(name: str, base: type[Any]) -> Any:
        namespace = {
            "__annotations__": dict(fields),
            "__module__": __name__,
            "__qualname__": f"{owner}.{name}",
            "TOPIC": f"{topic}.{name}",
        }
        return type(name, (base,), namespace)

    return event("Created", SpecCreated), event("Changed", SpecChanged)


class Versioned(Named):
    """One spec under a code, every change a new version (see the module docstring).
    A subclass takes its code as the first argument of its ``__init__`` (``CODE``, which
    names its id too) and reads its first spec there (its spec class's ``from_recorded``,
    which reads every next version back too); its events are declared here, by
    ``spec_events`` under its ``TOPIC``."""

    CODE = ""
    Changed: ClassVar[type[SpecChanged]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        topic = cls.__dict__.get("TOPIC")
        if topic:
            cls.CODE = first_argument(cls)
            created, cls.Changed = spec_events(topic, cls.CODE)
            setattr(cls, "Created", created)  # noqa: B010 (mypy: "Cannot assign to a type")
        super().__init_subclass__(**kwargs)

    @property
    def code(self) -> str:
        return str(getattr(self, self.CODE))

    @classmethod
    def first_version(cls, code: str, spec: Spec, user: str) -> Self:
        """Version 1; refuses a bad code and what the spec's ``check`` refuses."""
        check_code(code, cls.CODE)
        spec.check()
        return cls(**{cls.CODE: code, "spec": spec.recorded(), "user": user})

    def next_version(self, spec: Spec, user: str, guard: Callable[[], None] | None = None) -> bool:
        """Records ``spec`` as the next version when it differs (True, after ``guard``,
        which may refuse the change); False when unchanged. Refuses what ``check`` refuses."""
        spec.check()
        if spec == getattr(self, "spec", None):
            return False
        if guard is not None:
            guard()
        recorded = {self.CODE: self.code, "spec": spec.recorded(), "user": user}
        self.trigger_event(self.Changed, **recorded)
        return True
