"""Read-model storage through the backend's dialect: sessions with explicit transactions.

Every connection is in autocommit mode and transactions are explicit, so a batch of rows and
its tracking position commit together or not at all. ``Database.leasing`` hands many
long-lived sessions (the runners of a process) a few pooled connections between them. SQL
is written once with ``?`` placeholders; what differs per backend lives in
``projections.dialects``.
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


class LeasedSession(Session):
    """A session many of which share a pool: it borrows a pooled connection for each
    statement outside a transaction and keeps one for the whole of a transaction. The
    projection runners of a process hold one each for their lives, and would otherwise
    hold a connection each (docs/OPERATIONS.md "Connections and pool sizes")."""

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(None, dialect)

    @contextmanager
    def _leased(self) -> Iterator[Any]:
        if self.conn is not None:
            yield self.conn
            return
        with self.dialect.pooled() as conn:
            self.conn = conn
            try:
                yield conn
            finally:
                self.conn = None

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._leased() as conn:
            return self.dialect.execute(conn, statement, params)

    def insert_rows(
        self, head: str, tail: str, kinds: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        with self._leased():
            super().insert_rows(head, tail, kinds, rows)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with self._leased():
            super().copy_rows(table, columns, rows)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        with self._leased(), super().transaction(write=write):
            yield self

    def tables(self, prefix: str) -> list[str]:
        with self._leased():
            return super().tables(prefix)

    def missing_table(self, error: Exception, table: str) -> bool:
        with self._leased():
            return super().missing_table(error, table)


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

    def leasing(self) -> Database:
        """This store, for threads that each keep a session for long (the projection runners
        of a process): its ``connect`` gives ``LeasedSession``s drawing on this pool."""
        return _Leasing(self)

    def close(self) -> None:
        self.dialect.close()


class _Leasing(Database):
    """``Database.leasing``: the same settings, dialect and pool; closed by its owner."""

    def __init__(self, owner: Database) -> None:
        self.settings = owner.settings
        self.dialect = owner.dialect

    def connect(self) -> Session:
        return LeasedSession(self.dialect)

    def release(self, session: Session) -> None:
        pass  # a leased session holds no connection between statements

    def close(self) -> None:
        pass
