"""The account map (SPEC §15): one register of every version of the map, who set it and
when, and the journals frozen with a period's close.

A closed period's journal is produced once with the map in force at its close (or, for a
period closed before any map was set, the first map) and recorded here as text
(``JournalFrozen``): every later request answers those bytes, so a map change, a catalogue
change or a read-model rebuild never alters a closed period's journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidStateError
from domain.journal import Rule
from domain.recorded import Register


@dataclass(frozen=True)
class MapVersion:
    version: int
    rules: tuple[Rule, ...]
    set_at: datetime
    set_by: str


@dataclass(frozen=True)
class FrozenJournal:
    period: str
    body: str  # the journal as canonical JSON; the exports are derived from it
    map_version: int


class AccountMap(Register):
    """The single register of account maps and frozen journals."""

    TOPIC = "stockledger:AccountMap"
    NAME = "account-map"

    class MapSet(Register.Event):
        rules: list[dict[str, Any]]
        user: str

        def apply(self, aggregate: Any) -> None:
            rules = tuple(Rule(**rule) for rule in self.rules)
            number = len(aggregate.versions) + 1
            aggregate.versions.append(MapVersion(number, rules, self.timestamp, self.user))

    class JournalFrozen(Register.Event):
        period: str
        body: str
        map_version: int

        def apply(self, aggregate: Any) -> None:
            aggregate.frozen[self.period] = FrozenJournal(self.period, self.body, self.map_version)

    def __init__(self) -> None:
        self.versions: list[MapVersion] = []
        self.frozen: dict[str, FrozenJournal] = {}

    def set_map(self, rules: tuple[Rule, ...], user: str) -> None:
        """Records a new version of the map (the caller has checked it resolves)."""
        self.trigger_event(self.MapSet, rules=[r.as_dict() for r in rules], user=user)

    def current(self) -> MapVersion:
        """The map in force now; InvalidStateError naming what to set when there is none."""
        if not self.versions:
            raise InvalidStateError(
                "no account map: set one with PUT /api/accounts/map (an account for each of "
                "the roles inventory, grni, cogs, food_cost, waste, shrinkage, cost_variance, "
                "payables)",
                [{"field": "rules"}],
            )
        return self.versions[-1]

    def in_force_at(self, at: datetime) -> MapVersion:
        """The map in force at ``at``; the first map when ``at`` precedes every map."""
        self.current()
        eligible = [version for version in self.versions if version.set_at <= at]
        return eligible[-1] if eligible else self.versions[0]

    def freeze(self, period: str, body: str, map_version: int) -> None:
        """Records a closed period's journal, once."""
        if period not in self.frozen:
            self.trigger_event(
                self.JournalFrozen, period=period, body=body, map_version=map_version
            )
