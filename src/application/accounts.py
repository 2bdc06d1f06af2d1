"""The account map register (SPEC §15): setting the map (admin) and freezing a closed
period's journal, each a change of the ``AccountMap`` register on the posting path's loop
(application.registers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from application import registers
from application.ports import LedgerPort
from domain.account_map import AccountMap, FrozenJournal, MapVersion
from domain.errors import ValidationError
from domain.journal import gaps, rules_of


def account_map(ledger: LedgerPort) -> AccountMap:
    """The register as recorded (empty before the first map)."""
    return registers.load(ledger, AccountMap)


def set_map(
    ledger: LedgerPort, raw: Iterable[Mapping[str, object]], locations: Iterable[str], user: str
) -> MapVersion:
    """Records a new map; refused (422) when a rule is bad or some role does not resolve at
    some location, the gaps named."""
    rules = rules_of(raw)
    missing = gaps(rules, locations)
    if missing:
        raise ValidationError(
            "the account map leaves roles unresolved: " + "; ".join(missing),
            [{"field": "rules", "gap": gap} for gap in missing],
        )

    def act(register: AccountMap) -> MapVersion:
        register.set_map(rules, user)
        return register.versions[-1]

    version, _ = registers.change(ledger, AccountMap, act)
    return version


def freeze(ledger: LedgerPort, period: str, body: str, map_version: int) -> FrozenJournal:
    """Records a closed period's journal; the one recorded first when another process froze
    it already."""

    def act(register: AccountMap) -> FrozenJournal:
        register.freeze(period, body, map_version)
        return register.frozen[period]

    frozen, _ = registers.change(ledger, AccountMap, act)
    return frozen
