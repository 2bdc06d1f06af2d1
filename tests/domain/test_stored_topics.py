"""Stored events are found by their topics and decoded by their field names: every topic a
user's database may hold must still be declared, with the same fields in the same order.
`stored_topics.json` was written from the domain as it stood before the aggregates moved onto
one base (domain.recorded); a rename anywhere in the domain fails here before it ships."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
from pathlib import Path

from eventsourcing.domain import Aggregate, CanMutateAggregate

import domain

PINNED = Path(__file__).with_name("stored_topics.json")


def declared() -> dict[str, list[str]]:
    """Each nested event's topic and its dataclass fields, over every aggregate in domain."""
    found: dict[str, list[str]] = {}
    for module_info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{module_info.name}")
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, Aggregate)):
                continue
            for name in dir(cls):
                event = getattr(cls, name)
                if isinstance(event, type) and issubclass(event, CanMutateAggregate):
                    topic = getattr(event, "TOPIC", None)
                    if topic:
                        found[topic] = [f.name for f in dataclasses.fields(event)]
    return found


def test_every_stored_topic_is_still_declared_with_its_fields_in_order() -> None:
    pinned: dict[str, list[str]] = json.loads(PINNED.read_text())
    now = declared()
    missing = sorted(set(pinned) - set(now))
    assert not missing, f"topics no longer declared: {missing}"
    changed = {t: (pinned[t], now[t]) for t in pinned if now[t] != pinned[t]}
    assert not changed, f"fields changed (stored, now): {changed}"
