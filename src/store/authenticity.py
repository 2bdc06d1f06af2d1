"""Movements the ledger may decide on: with the ledger key, each one's MAC is checked on load.

The application's database role may INSERT into the events table (it records them), so a
row there proves nothing by itself: a forged movement would let a command ship stock that
was never received. With ``STOCKLEDGER_LEDGER_KEY`` set, every movement this process loads
from the store (``AuthenticEventStore.get``: an aggregate's replay, its fast-forward past a
cached version, the event a snapshot is checked against, a single movement a command looks
up) must carry a MAC that is right for its own fields: its hash is recomputed from them
(``domain.movements.recompute_hash``) and the MAC checked over it under the key it names.
The hash covers the position's id, the version, the time and the previous link, so a
genuine MAC cannot be copied onto another row. One that fails raises ``LedgerTamperedError``
and the command decides nothing (503 ``ledger_tampered``).

What costs nothing: an aggregate this process wrote last and kept (store.owned) is not read
again; a cold load reads the newest snapshot (checked against the MAC'd movement at its
version, store.snapshots) and at most a snapshot interval of movements after it.

Movements recorded before a key was configured carry no MAC. One is accepted only when it
lies before the first movement the ledger recorded with a MAC (its position is looked up
once, then kept); a MAC-less movement after that point was not written by the service. A
forger cannot insert below that point: the store only appends.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import EventStore

from domain.movements import check_mac, recompute_hash
from domain.stock_item import Movement
from store import backend

log = logging.getLogger("stockledger.authenticity")

# The key every MAC'd movement's stored state holds (JSON, as the transcoder writes it).
_MAC_KEY = b'"mac":"'


class LedgerTamperedError(Exception):
    """A movement loaded for a decision is not one the service recorded."""

    def __init__(self, detail: str, originator_id: UUID, version: int) -> None:
        super().__init__(detail)
        self.originator_id = originator_id
        self.version = version


@dataclass(frozen=True)
class Detection:
    """The last refusal: when, which movement, and why (shown by the console's home)."""

    at: datetime
    sku: str
    location: str
    version: int
    reason: str


class Authenticity:
    """The MAC check of one ledger's movements, and what it has refused so far."""

    def __init__(self, keys: Sequence[bytes], recorder: Any, postgres: bool) -> None:
        self.keys = list(keys)
        self.recorder = recorder
        self.postgres = postgres
        self.refusals = 0  # decisions refused since this process started
        self.last: Detection | None = None
        self._first_anchored: int | None = None  # position of the first MAC'd movement
        self._searched = 0  # positions up to this one hold no MAC (searched already)
        self._legacy: dict[UUID, int] = {}  # id → highest version known to be pre-key
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return bool(self.keys)

    def check(self, events: list[Any]) -> None:
        """Raises LedgerTamperedError at the first movement of ``events`` that the service
        did not record (see the module docstring)."""
        unanchored: dict[UUID, Any] = {}
        for event in events:
            if not isinstance(event, Movement):
                continue
            mac = getattr(event, "mac", None)
            if not mac:
                newest = unanchored.get(event.originator_id)
                if newest is None or event.originator_version > newest.originator_version:
                    unanchored[event.originator_id] = event
                continue
            if check_mac(self.keys, recompute_hash(event), mac) is not True:
                self._refuse(event, "its MAC does not match its fields under the ledger key")
        for event in unanchored.values():
            if not self._is_legacy(event):
                self._refuse(event, "it carries no MAC but was recorded after the ledger key")

    def _is_legacy(self, event: Any) -> bool:
        oid, version = event.originator_id, event.originator_version
        if self._legacy.get(oid, 0) >= version:
            return True
        first = self._first_anchored or self._find_first_anchored()
        if first is None:
            return True  # nothing has been recorded with a key yet
        (position,) = backend.positions_of(self.recorder, [(oid, version)], self.postgres)
        if position > first:
            return False
        with self._lock:
            self._legacy[oid] = max(version, self._legacy.get(oid, 0))
        return True

    def _find_first_anchored(self) -> int | None:
        """The position of the first row that holds a MAC (one indexed walk, then kept;
        a walk that finds none is not walked again)."""
        head = self.recorder.max_notification_id() or 0
        # Where the MAC's key appears in the stored state (bytea on PostgreSQL).
        holds = "position(?::bytea in state)" if self.postgres else "instr(state, ?)"
        where = "{position} > ? AND " + holds + " > 0"
        with self.recorder.datastore.transaction(commit=False) as cursor:
            params = (self._searched, _MAC_KEY)
            found = backend.first_position(cursor, self.postgres, where, params)
        if found is None:
            self._searched = max(self._searched, head)
        self._first_anchored = found
        return found

    def _refuse(self, event: Any, reason: str) -> None:
        sku, location = getattr(event, "sku", "?"), getattr(event, "location", "?")
        version = event.originator_version
        with self._lock:
            self.refusals += 1
            self.last = Detection(datetime.now(UTC), sku, location, version, reason)
        line = {
            "event": "ledger_tampered",
            "aggregate": str(event.originator_id),
            "sku": sku,
            "location": location,
            "version": version,
            "topic": type(event).__qualname__,
            "reason": reason,
        }
        log.error(json.dumps(line))
        raise LedgerTamperedError(
            f"the ledger's movement {version} of {sku}@{location} failed its check: {reason}; "
            "no decision was made on it (run `stockledger verify`)",
            event.originator_id,
            version,
        )


@dataclass(frozen=True)
class Window:
    """Which of an aggregate's stored rows a read asks for (the library's ``get`` arguments)."""

    gt: int | None = None
    lte: int | None = None
    desc: bool = False
    limit: int | None = None


class WindowedStore(EventStore[UUID]):
    """An event store whose subclasses read through ``read(originator_id, window)``: the
    library's ``get`` signature in one place (this store and store.snapshots')."""

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        return self.read(originator_id, Window(gt, lte, desc, limit))

    def read(self, originator_id: UUID, window: Window) -> Iterator[Any]:
        """The library's read of ``window``."""
        return super().get(
            originator_id, gt=window.gt, lte=window.lte, desc=window.desc, limit=window.limit
        )


class AuthenticEventStore(WindowedStore):
    """The event store, checking every movement it returns (with a ledger key)."""

    def __init__(self, mapper: Any, recorder: Any, authenticity: Authenticity) -> None:
        super().__init__(mapper, recorder)
        self.authenticity = authenticity

    def read(self, originator_id: UUID, window: Window) -> Iterator[Any]:
        found = super().read(originator_id, window)
        if not self.authenticity.active:
            return found
        events = list(found)
        self.authenticity.check(events)
        return iter(events)
