"""What ``verify`` checks of each movement and snapshot, beyond the read models (SPEC §3, §7).

Per position, in order: the hash chain (``prev_hash`` links, the hash recomputed from the
fields), the arithmetic (each after figure is the previous one plus the movement's delta),
the §3 invariants on the after figures (0 ≤ reserved ≤ on_hand, on_hand = 0 ⇒ value = 0,
value ≥ 0), and the anchor: with the ledger key(s), each movement's MAC over its hash.

The anchor rule. Movements recorded before a key was configured carry no MAC; they are
counted and reported as a note, not a discrepancy. Once any movement carries a MAC, every
later movement (in ledger order) must carry a valid one: a superuser who rewrites a movement
and recomputes the hashes cannot recompute its MAC (nor the MAC of the next anchored
movement of that position, whose hash covers the rewritten link), and stripping the MACs
means stripping every one in the ledger — which, with a key given, is itself reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import EventStore

from domain.movements import GENESIS_HASH, check_mac, recompute_hash
from store.snapshots import decode_and_check, snapshot_rows

ZERO = Decimal(0)


class SnapshotSource(Protocol):
    """What the snapshot check reads of the ledger: its snapshot store (the library's,
    with its recorder and mapper) and its event store, to check each snapshot against."""

    @property
    def snapshots(self) -> Any: ...

    @property
    def events(self) -> EventStore[UUID]: ...

    @property
    def is_postgres(self) -> bool: ...


class PositionChecks:
    """Feeds every movement of the ledger in order; collects problems and notes."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        self.keys = list(keys)
        self.chains: dict[UUID, str] = {}
        self.figures: dict[UUID, tuple[Decimal, Decimal, Decimal]] = {}
        self.movements = 0
        self.unanchored = 0  # movements without a MAC before the first one with a MAC
        self.anchored = 0

    def feed(self, event: Any, where: str) -> list[str]:
        problems: list[str] = []
        oid = event.originator_id
        self.movements += 1
        if event.prev_hash != self.chains.get(oid, GENESIS_HASH):
            problems.append(f"hash chain broken at {where}: prev_hash does not link")
        if recompute_hash(event) != event.hash:
            problems.append(f"hash chain broken at {where}: recorded hash does not match")
        self.chains[oid] = event.hash
        problems.extend(self._arithmetic(event, where))
        problems.extend(self._anchor(event, where))
        return problems

    def _arithmetic(self, event: Any, where: str) -> list[str]:
        problems: list[str] = []
        on_hand, reserved, value = self.figures.get(event.originator_id, (ZERO, ZERO, ZERO))
        for name, before, delta, after in (
            ("on_hand", on_hand, event.on_hand_delta, event.on_hand_after),
            ("reserved", reserved, event.reserved_delta, event.reserved_after),
            ("value", value, event.value, event.value_after),
        ):
            if before + delta != after:
                problems.append(
                    f"figures do not add up at {where}: {name} {before} + {delta} "
                    f"is {before + delta}, recorded {name}_after {after}"
                )
        on_hand, reserved, value = event.on_hand_after, event.reserved_after, event.value_after
        if not ZERO <= reserved <= on_hand:
            problems.append(
                f"invariant broken at {where}: 0 ≤ reserved ≤ on_hand fails "
                f"(reserved {reserved}, on_hand {on_hand})"
            )
        if value < 0:
            problems.append(f"invariant broken at {where}: value {value} < 0")
        if on_hand == 0 and value != 0:
            problems.append(f"invariant broken at {where}: on_hand 0 with value {value}")
        self.figures[event.originator_id] = (on_hand, reserved, value)
        return problems

    def _anchor(self, event: Any, where: str) -> list[str]:
        mac = getattr(event, "mac", None)
        if not mac:
            if self.anchored:
                return [f"anchor broken at {where}: no MAC although earlier movements have one"]
            self.unanchored += 1
            return []
        self.anchored += 1
        if not self.keys:
            return []
        verdict = check_mac(self.keys, event.hash, mac)
        if verdict is None:
            key = mac.partition(":")[0]
            return [f"anchor not checkable at {where}: MAC made with key {key}, not given"]
        if not verdict:
            return [f"anchor broken at {where}: MAC does not match (rewritten movement)"]
        return []

    def finish(self) -> tuple[list[str], list[str]]:
        """(problems, notes) once every movement has been fed."""
        problems: list[str] = []
        notes: list[str] = []
        if not self.keys:
            notes.append(
                "anchor not checked: no STOCKLEDGER_LEDGER_KEY given "
                f"({self.anchored} of {self.movements} movements carry a MAC)"
            )
            return problems, notes
        if self.movements and not self.anchored:
            problems.append(
                f"anchor missing: none of {self.movements} movements carries a MAC although a "
                "key is given (the service runs without the key, or the MACs were stripped)"
            )
        elif self.unanchored:
            notes.append(
                f"{self.unanchored} movements recorded before the ledger key was configured "
                "carry no MAC: only their hash chains are checked"
            )
        return problems, notes


def check_snapshots(ledger: SnapshotSource) -> list[str]:
    """Every stored snapshot against the events at its version."""
    problems = []
    store = ledger.snapshots
    for row in snapshot_rows(ledger):
        snapshot, problem = decode_and_check(store.mapper, row, ledger.events)
        if problem is None:
            continue
        state = getattr(snapshot, "state", None)
        name = f"{row.originator_id}"
        if isinstance(state, dict) and "sku" in state and "location" in state:
            name = f"{state['sku']}@{state['location']}"
        problems.append(
            f"snapshot of {name} at version {row.originator_version} disagrees with the "
            f"ledger: {problem}"
        )
    return problems
