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
