"""The backend seam: both dialects store values exactly and recognise a dropped table."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from projections.dialects import decode
from projections.service import ReadModels


def test_values_come_back_exactly_as_they_were_stored(models: ReadModels) -> None:
    values = {
        "num": Decimal("-12.3400"),
        "time": datetime(2026, 3, 14, 10, 0, 0, 123456, tzinfo=UTC),
        "int": 2**40,
        "text": "AB-001",
    }
    columns = ", ".join(f"{kind}_ {models.db.dialect.column_type(kind)}" for kind in values)
    with models.db.session() as session, session.transaction():
        session.execute(f"CREATE TABLE rm_probe ({columns})")
        dialect = session.dialect
        session.execute(
            "INSERT INTO rm_probe VALUES (?, ?, ?, ?)",
            dialect.encode_row(list(values.values()), list(values)),
        )
        (row,) = session.execute("SELECT num_, time_, int_, text_ FROM rm_probe")
        session.execute("DROP TABLE rm_probe")
    assert {kind: decode(v, kind) for kind, v in zip(values, row, strict=True)} == values


def test_a_dropped_table_is_told_apart_from_other_errors(models: ReadModels) -> None:
    with models.db.session() as session:
        with pytest.raises(Exception) as dropped, session.transaction(write=False):
            session.execute("SELECT 1 FROM rm_never_made")
        assert session.missing_table(dropped.value, "rm_never_made")
        with pytest.raises(Exception) as other, session.transaction(write=False):
            session.execute("SELECT FROM WHERE")
        assert not session.missing_table(other.value, "rm_registry")


def test_rows_are_inserted_and_upserted_exactly_many_at_a_time(models: ReadModels) -> None:
    # Session.insert_rows: on PostgreSQL one statement of an array per column.
    kinds = ["int", "num", "time", "text", "text"]
    names = ["k", "n", "t", "s", "z"]
    types = [models.db.dialect.column_type(kind) for kind in kinds]
    columns = ", ".join(f"{name} {type_}" for name, type_ in zip(names, types, strict=True))
    head = f"INSERT INTO rm_many ({', '.join(names)})"
    tail = f" ON CONFLICT (k) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in names[1:])}"
    dialect = models.db.dialect
    at = datetime(2026, 3, 14, 10, 0, 0, 123456, tzinfo=UTC)

    def rows(count: int, value: str) -> list[tuple[object, ...]]:
        made = [[k, Decimal(value) * k, at, f"S-{k}", None] for k in range(count)]
        return [dialect.encode_row(row, kinds) for row in made]

    with models.db.session() as session, session.transaction():
        session.execute(f"CREATE TABLE rm_many ({columns}, PRIMARY KEY (k))")
        session.insert_rows(head, tail, kinds, rows(1_100, "1.5"))
        session.insert_rows(head, tail, kinds, rows(1_300, "-0.0025"))  # 1,100 updated
        found = session.execute("SELECT k, n, t, s, z FROM rm_many ORDER BY k")
        session.execute("DROP TABLE rm_many")
    assert len(found) == 1_300
    decoded = [[decode(v, kind) for v, kind in zip(row, kinds, strict=True)] for row in found]
    assert decoded[1_299] == [1_299, Decimal("-3.2475"), at, "S-1299", None]
    assert sum(row[1] for row in decoded) == Decimal("-0.0025") * sum(range(1_300))
