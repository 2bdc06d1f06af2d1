"""What a runner's step costs its store, counted so it cannot grow back unnoticed: a batch
with no row for the projection is one statement (the position's checked UPDATE); a batch
with rows is one transaction of the UPDATE, the rows' read and write, and no registry read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from application.commands import Line, PostDelivery
from application.ledger import Ledger
from projections.db import Session
from projections.service import ReadModels
from projections.step import Known, step
from tests.projections.conftest import fill


def counted(session: Session) -> list[str]:
    """The statements ``session`` runs from now on (rows written in bulk count as one)."""
    seen: list[str] = []
    execute, insert_rows = session.execute, session.insert_rows

    def counting_execute(statement: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(statement.split()[0].upper())
        return execute(statement, *args, **kwargs)

    def counting_insert(head: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(head.split()[0].upper())
        return insert_rows(head, *args, **kwargs)

    session.execute = counting_execute  # type: ignore[method-assign]
    session.insert_rows = counting_insert  # type: ignore[method-assign]
    return seen


def test_a_delivery_costs_a_runner_one_statement_without_a_row_for_it_and_five_with_one(
    ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=2, lines=3)
    food_cost, balances = models.projections["food_cost"], models.projections["balances"]
    with models.db.session() as session:
        knowns = {food_cost.NAME: Known(), balances.NAME: Known()}
        for projection in (food_cost, balances):
            while step(session, models.events, projection, 1000, known=knowns[projection.NAME]):
                pass
        ledger.execute(PostDelivery("D-1", "main", [Line("F0000", Decimal(1))]), user="u")
        seen = counted(session)
        assert step(session, models.events, food_cost, 1000, known=knowns[food_cost.NAME]) > 0
        assert seen == ["UPDATE"]
        seen.clear()
        assert step(session, models.events, balances, 1000, known=knowns[balances.NAME]) > 0
        assert seen[0] == "BEGIN" and seen[1] == "UPDATE" and seen[-1] == "COMMIT", seen
        assert len(seen) == 5, seen  # and between them: the balance's read and its upsert
    assert models.positions()["food_cost"] == models.positions()["balances"] == ledger.head()
