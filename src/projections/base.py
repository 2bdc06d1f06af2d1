"""What every read model is: a name, a version, a row shape (its table) and a pure fold.

``fold(rows, event, position)`` changes the rows an event touches and nothing else, reading
only those rows and the event. The live runner loads the touched rows from the table, folds
a batch and upserts them; a rebuild folds from empty state in memory and bulk-inserts. Both
run the same fold, so both give the same rows.

Storage goes through the session's dialect (types, value conversion, deferred indexes), so
a read model never asks which backend it runs on. Which generation is live, and up to which
position, is the registry's business (``projections.registry``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from domain.stock_item import MOVEMENT_TOPICS, Movement
from projections.db import Session
from projections.dialects import decode

Key = tuple[Any, ...]
Rows = dict[Key, dict[str, Any]]
Batch = Sequence[tuple[int, Movement]]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # num | time | int | text
    nullable: bool = False


class Projection:
    """Base of the three read models; subclasses set the class constants and ``fold``."""

    NAME: ClassVar[str]
    VERSION: ClassVar[int]
    COLUMNS: ClassVar[tuple[Column, ...]]
    KEY: ClassVar[tuple[str, ...]]
    INDEXES: ClassVar[tuple[tuple[str, ...], ...]] = ()
    # Rows are written once and never changed: the live path skips loading them, and a
    # rebuild flushes them chunk by chunk instead of keeping them all in memory.
    APPEND_ONLY: ClassVar[bool] = False
    # The stored topics the projection folds (movements unless it says otherwise).
    TOPICS: ClassVar[frozenset[str]] = MOVEMENT_TOPICS
    # What its own work in a rebuild costs relative to the others' 1 (measured: each rebuilt
    # alone, less reading and decoding; docs/BENCHMARKS.md): projections.rebuild_split.
    REBUILD_COST: ClassVar[int] = 1

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._names = tuple(c.name for c in self.COLUMNS)
        self._kinds = tuple(c.kind for c in self.COLUMNS)

    def own(self, batch: Batch) -> Batch:
        """The events of ``batch`` this projection folds (a rebuild reads several kinds)."""
        return [(p, e) for p, e in batch if getattr(type(e), "TOPIC", None) in self.TOPICS]

    def key_of(self, event: Movement, position: int) -> Key:
        raise NotImplementedError

    def keys_of(self, event: Movement, position: int) -> list[Key]:
        """The keys of the rows ``fold`` changes for ``event``: ``key_of``'s one, unless a
        read model folds events that touch several rows (or none)."""
        return [self.key_of(event, position)]

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        raise NotImplementedError

    # -- shape -----------------------------------------------------------------------------

    @classmethod
    def names(cls) -> list[str]:
        return [c.name for c in cls.COLUMNS]

    @classmethod
    def schema(cls) -> str:
        """Signature of the row shape: a table built for another shape cannot take rows."""
        text = ",".join(f"{c.name}:{c.kind}:{c.nullable}" for c in cls.COLUMNS)
        return hashlib.sha256(f"{text}|{cls.KEY}".encode()).hexdigest()[:16]

    @classmethod
    def table(cls, generation: int) -> str:
        return f"rm_{cls.NAME}_g{generation}"

    @classmethod
    def create_table(cls, session: Session, table: str, *, indexed: bool = True) -> None:
        """The table of one generation; ``indexed=False``, where the dialect defers indexes,
        leaves the key and indexes to ``add_indexes``, so a bulk load need not maintain them
        row by row."""
        dialect = session.dialect
        cols = ", ".join(
            f"{c.name} {dialect.column_type(c.kind)}{'' if c.nullable else ' NOT NULL'}"
            for c in cls.COLUMNS
        )
        now = indexed or not dialect.defers_indexes
        key = f", PRIMARY KEY ({', '.join(cls.KEY)})" if now else ""
        session.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols}{key})")
        if now:
            cls._create_indexes(session, table)

    @classmethod
    def add_indexes(cls, session: Session, table: str) -> None:
        """The key and indexes of a table made with ``indexed=False``."""
        if session.dialect.defers_indexes:
            session.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(cls.KEY)})")
            cls._create_indexes(session, table)

    @classmethod
    def _create_indexes(cls, session: Session, table: str) -> None:
        for number, index in enumerate(cls.INDEXES):
            session.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_i{number} ON {table} ({', '.join(index)})"
            )

    def settled(self, rows: Rows, newest: datetime) -> list[Key]:
        """Keys of folded rows that no event yet to come can change, once events recorded
        up to ``newest`` have been read; a bulk rebuild writes them out early to keep its
        memory flat (none by default)."""
        return []

    def settles_by(self, newest: datetime) -> Any:
        """What ``settled`` reads of ``newest``: a rebuild asks ``settled`` again only when
        this changes (by default, after every chunk)."""
        return newest

    def complete(self, rows: Rows) -> None:
        """Derives what only the rows together tell, on rows folded in memory, before a
        rebuild writes the last of them or verify compares them (nothing by default)."""

    def written(self, session: Session, table: str, created: Sequence[Key]) -> None:
        """After ``apply`` wrote a batch that added the rows of ``created``: derives what
        only the stored rows together tell (nothing by default; never called for an
        append-only read model, whose every row is new and final)."""

    # -- rows ------------------------------------------------------------------------------

    def to_db(self, row: dict[str, Any], session: Session) -> tuple[Any, ...]:
        return session.dialect.encode_row([row[name] for name in self._names], self._kinds)

    def from_db(self, values: Sequence[Any]) -> dict[str, Any]:
        return {c.name: decode(v, c.kind) for c, v in zip(self.COLUMNS, values, strict=True)}

    def key_from(self, row: dict[str, Any]) -> Key:
        return tuple(row[name] for name in self.KEY)

    def select(
        self,
        session: Session,
        table: str,
        where: str = "",
        params: Sequence[Any] = (),
        order: str = "",
    ) -> list[dict[str, Any]]:
        statement = f"SELECT {', '.join(self.names())} FROM {table}"
        if where:
            statement += f" WHERE {where}"
        if order:
            statement += f" ORDER BY {order}"
        return [self.from_db(r) for r in session.execute(statement, params)]

    def load(self, session: Session, table: str, keys: Sequence[Key]) -> Rows:
        """The stored rows for ``keys`` (those that exist)."""
        found: Rows = {}
        width = len(self.KEY)
        key_cols = ", ".join(self.KEY)
        one = "(" + ", ".join("?" for _ in self.KEY) + ")"
        for start in range(0, len(keys), 300):
            chunk = keys[start : start + 300]
            params = [
                session.dialect.encode(v, self._kind(self.KEY[i]))
                for key in chunk
                for i, v in enumerate(key)
            ]
            if width == 1:
                where = f"{key_cols} IN ({', '.join('?' for _ in chunk)})"
            else:
                where = f"({key_cols}) IN (VALUES {', '.join(one for _ in chunk)})"
            for row in self.select(session, table, where, params):
                found[self.key_from(row)] = row
        return found

    def upsert(self, session: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
        names = self.names()
        head, tail = f"INSERT INTO {table} ({', '.join(names)})", ""
        if not self.APPEND_ONLY:
            updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in self.KEY)
            tail = f" ON CONFLICT ({', '.join(self.KEY)}) DO UPDATE SET {updates}"
        session.insert_rows(head, tail, self._kinds, [self.to_db(r, session) for r in rows])

    def _kind(self, name: str) -> str:
        return next(c.kind for c in self.COLUMNS if c.name == name)

    def apply(self, session: Session, table: str, batch: Batch) -> None:
        """Folds a batch into the table: load the touched rows, fold, write them back."""
        if not batch:
            return
        keys = list(dict.fromkeys(k for p, e in batch for k in self.keys_of(e, p)))
        rows = {} if self.APPEND_ONLY else self.load(session, table, keys)
        created = [] if self.APPEND_ONLY else [k for k in keys if k not in rows]
        for position, event in batch:
            self.fold(rows, event, position)
        self.upsert(session, table, [rows[k] for k in keys])
        if created:
            self.written(session, table, created)
