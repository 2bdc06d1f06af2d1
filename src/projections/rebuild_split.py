"""A rebuild's bulk phase spread over processes: one group of read models per process.

One Python process folds, formats and decodes on one core however many threads it runs,
so a rebuild of several read models gives each process a group of them: each reads and
decodes the events of its own group's topics and bulk-loads its own tables, and the
rebuild's own process takes the first group. The groups are balanced by each read
model's measured cost (``Projection.REBUILD_COST``). Each helper reports its position as it
goes and, once its tables are loaded and indexed, the position it ended at, from which the
switch-over goes on.

A helper opens the ledger itself with ``open_events`` (picklable, called in the helper),
and its own connection from the ``Settings``. It exits when its parent does, and the
parent stops its helpers on any error, so an interrupted rebuild leaves only its fresh
tables, which the next one drops. Only stores that take concurrent bulk loads want this
(PostgreSQL): the caller chooses by passing ``open_events``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from application.events import EventSource, LedgerEvents
from application.settings import Settings
from projections.base import Projection
from projections.bulk import Target, bulk_load
from projections.db import Database

# Opens the ledger as an EventSource in the process that calls it, and closes it after.
OpenEvents = Callable[[], AbstractContextManager[EventSource]]
# How often a helper looks whether its parent is still there, and the parent at helpers.
WATCH_S = 1.0


class OpenLedger:
    """``OpenEvents`` over the ledger of ``settings``: a helper reads it through its own
    ``Ledger`` (which creates no schema: the store is already there)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.model_copy(update={"create_schema": False})

    @contextmanager
    def __call__(self) -> Iterator[EventSource]:
        from application.ledger import Ledger  # in the helper only: the whole command side

        ledger = Ledger(self.settings)
        try:
            yield LedgerEvents(ledger)
        finally:
            ledger.close()


def split(projections: Sequence[Projection], groups: int) -> list[list[Projection]]:
    """At most ``groups`` non-empty groups of about equal weight, heaviest first."""
    shares: list[list[Projection]] = [[] for _ in range(max(1, groups))]
    loads = [0] * len(shares)
    for p in sorted(projections, key=lambda p: (-p.REBUILD_COST, p.NAME)):
        lightest = loads.index(min(loads))
        shares[lightest].append(p)
        loads[lightest] += p.REBUILD_COST
    return [share for share in shares if share]


class Helpers:
    """The helper processes of one rebuild, one per group after the first."""

    def __init__(
        self,
        settings: Settings,
        open_events: OpenEvents,
        groups: Sequence[Sequence[Projection]],
        generations: dict[str, int],
        chunk: int,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._messages: Any = context.Queue()
        self._positions: dict[int, int] = {}
        self._processes = [
            context.Process(
                target=_help,
                args=(
                    number,
                    settings,
                    open_events,
                    list(group),
                    {p.NAME: generations[p.NAME] for p in group},
                    chunk,
                    os.getpid(),
                    self._messages,
                ),
                daemon=True,
                name=f"rebuild-helper-{number}",
            )
            for number, group in enumerate(groups)
        ]

    def start(self) -> None:
        for process in self._processes:
            process.start()

    def poll(self, progressed: Callable[[str, int, int], None], *, wait: bool = False) -> None:
        """Hands on each helper's progress (projection name, position, head); raises a
        helper's error. With ``wait``, returns only once every helper has finished."""
        silent = 0  # waits in a row that heard nothing while a helper was gone unfinished
        while len(self._positions) < len(self._processes):
            try:
                if wait:
                    kind, number, value = self._messages.get(timeout=WATCH_S)
                else:
                    kind, number, value = self._messages.get_nowait()
            except queue.Empty:
                if not wait:
                    return
                gone = [
                    (n, process.exitcode)
                    for n, process in enumerate(self._processes)
                    if n not in self._positions and not process.is_alive()
                ]
                silent = silent + 1 if gone else 0
                if silent > 1:  # a helper's last words are read within one wait
                    raise RuntimeError(
                        f"rebuild helper {gone[0][0]} exited ({gone[0][1]})"
                    ) from None
                continue
            silent = 0
            if kind == "failed":
                raise RuntimeError(f"rebuild helper {number} failed: {value}")
            if kind == "done":
                self._positions[number] = value
            else:
                names, position, head = value
                for name in names:
                    progressed(name, position, head)

    def position(self, number: int) -> int:
        """The position helper ``number`` ended at."""
        return self._positions[number]

    def stop(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join()
        self._messages.close()


def _help(
    number: int,
    settings: Settings,
    open_events: OpenEvents,
    group: list[Projection],
    generations: dict[str, int],
    chunk: int,
    parent: int,
    messages: Any,
) -> None:
    """A helper process: bulk-loads the tables of ``group`` and says where it ended."""
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    names = [p.NAME for p in group]
    db = Database(settings)
    try:
        session = db.connect()
        try:
            with open_events() as events:
                targets = [Target(p, generations[p.NAME]) for p in group]

                def reached(position: int, last: bool) -> None:
                    head = max(events.head(), position)
                    messages.put(("progress", number, (names, position, head)))

                position = bulk_load(session, events, targets, chunk, reached)
        finally:
            db.release(session)
        messages.put(("done", number, position))
    except BaseException as error:
        messages.put(("failed", number, f"{type(error).__name__}: {error}"))
        raise
    finally:
        db.close()


def _watch(parent: int) -> None:
    """Ends this helper once its parent is gone (its rebuild is over, one way or another)."""
    while os.getppid() == parent:
        threading.Event().wait(WATCH_S)
    os._exit(1)
