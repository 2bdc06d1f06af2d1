"""Replay equals live: rows kept up to date batch by batch equal a rebuild from position 0."""

from __future__ import annotations

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from application.ledger import Ledger
from projections.service import ReadModels
from projections.step import step
from tests.projections.commands import Driver, operations
from tests.projections.conftest import folded_rows, live_rows


def test_a_rebuilt_projection_is_row_for_row_identical_to_the_live_one(
    ledger: Ledger, models: ReadModels
) -> None:
    driver = Driver(ledger)

    @hsettings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=st.lists(operations, min_size=1, max_size=8), batch=st.integers(1, 7))
    def check(ops: list[tuple[object, ...]], batch: int) -> None:
        for op in ops:
            driver.apply(op)
        # Live: small batches of the runner's step, so batch boundaries fall anywhere.
        with models.db.session() as session:
            for projection in models.projections.values():
                while step(session, models.events, projection, batch):
                    pass
        head = ledger.head()
        assert min(models.positions().values()) == head
        for name, projection in models.projections.items():
            live = live_rows(models, name)
            assert live == folded_rows(ledger, projection)
            models.rebuild(name)
            assert live_rows(models, name) == live

    check()
    assert live_rows(models, "movements"), "the sequences should have recorded movements"
