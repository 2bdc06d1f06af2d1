"""Read-model storage through the backend's dialect: sessions with explicit transactions.

Every connection is in autocommit mode and transactions are explicit, so a batch of rows and
its tracking position commit together or not at all. SQL is written once with ``?``
placeholders; what differs per backend lives in ``projections.dialects``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from application.settings import Settings
from projections.dialects import Dialect, Row, dialect_for


class Session:
    """One connection with explicit transactions and ``?`` placeholders on both backends."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.dialect.execute(self.conn, statement, params)

    def insert_rows(
        self, head: str, tail: str, kinds: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """``rows`` inserted by ``head`` and ``tail`` (Dialect.insert_rows)."""
        rows = list(rows)
        if rows:
            self.dialect.insert_rows(self.conn, head, tail, kinds, rows)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk insert (COPY on PostgreSQL)."""
        self.dialect.copy_rows(self.conn, table, columns, rows)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A write transaction, or a read snapshot."""
        self.execute(self.dialect.begin(write=write))
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def tables(self, prefix: str) -> list[str]:
        return self.dialect.tables(self.conn, prefix)

    def missing_table(self, error: Exception, table: str) -> bool:
        return self.dialect.missing_table(self.conn, error, table)


class Database:
    """Connections to the read-model store: pooled for queries, dedicated for runners."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dialect = dialect_for(settings)

    def connect(self) -> Session:
        """A dedicated connection (close it with ``release``)."""
        return Session(self.dialect.connect(), self.dialect)

    def release(self, session: Session) -> None:
        self.dialect.release(session.conn)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A connection for a query or a short piece of work."""
        with self.dialect.pooled() as conn:
            yield Session(conn, self.dialect)

    def close(self) -> None:
        self.dialect.close()
