"""A rebuild reading by topic and spread over processes: the same rows as the live
runners, a position that goes on from the head, and errors that stop it with the live
tables untouched."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

from application.commands import PostReceipt, ReceiptLine
from application.events import EventSource, LedgerEvents, Recorded
from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import MOVEMENT_TOPICS
from projections.bulk import read_pages
from projections.rebuild import Rebuild
from projections.rebuild_split import OpenLedger, split
from projections.registry import entry
from projections.service import ReadModels
from tests.projections.conftest import live_rows, store
from tests.projections.test_rebuild import catch_up, generation
from tests.projections.test_rebuild_all import year_of_trade
from tests.projections.test_shared_reader import CountedReads


def receipt(ledger: Ledger, number: int) -> None:
    line = ReceiptLine(f"S{number % 3}", Decimal(2), Decimal("1.5"))
    ledger.execute(PostReceipt(f"R{number}", "main", [line]), user="u")


def test_pages_read_by_topic_continue_each_other_and_end_at_the_head(
    settings: Settings,
) -> None:
    with store(settings) as (ledger, _):
        for number in range(12):
            receipt(ledger, number)
        ledger.put_location("bar", "The bar", None, user="u")  # not a movement, last
        events = LedgerEvents(ledger)
        every = events.read(0, 10_000)
        movements = [r.position for r in every if r.topic in MOVEMENT_TOPICS]
        read = list(read_pages(events, 0, 5, MOVEMENT_TOPICS))
        assert [p for page in read for p, _, _ in page.events] == movements
        assert all(t in MOVEMENT_TOPICS for page in read for _, t, _ in page.events)
        assert [page.last for page in read] == [False] * (len(read) - 1) + [True]
        assert read[-1].position == events.head() > movements[-1]


class Failing(CountedReads):
    """An EventSource whose second read fails."""

    def read(
        self, after: int, limit: int, *, upto: int | None = None, topics: Collection[str] = ()
    ) -> list[Recorded]:
        if self.reads == 1:
            self.reads += 1
            raise OSError("the store went away")
        return super().read(after, limit, upto=upto, topics=topics)


def test_a_read_failing_mid_rebuild_stops_it_and_the_live_rows_serve(
    settings: Settings,
) -> None:
    with store(settings) as (ledger, models):
        for number in range(20):
            receipt(ledger, number)
        catch_up(models, ledger)
        before = live_rows(models, "balances")
        failing = Failing(models.events)
        with pytest.raises(OSError, match="went away"):
            Rebuild(models.db, failing, [models.projections["balances"]], chunk=3).run()
        assert generation(models, "balances") == 1
        assert live_rows(models, "balances") == before
        Rebuild(models.db, models.events, [models.projections["balances"]], chunk=3).run()
        assert live_rows(models, "balances") == before


def test_a_read_model_with_no_events_is_rebuilt_up_to_the_head(settings: Settings) -> None:
    with store(settings) as (ledger, models):
        for number in range(7):
            receipt(ledger, number)
        catch_up(models, ledger)
        Rebuild(models.db, models.events, [models.projections["items"]], chunk=2).run()
        with models.db.session() as session:
            items = entry(session, "items")
        assert items is not None
        assert (items.generation, items.position) == (2, models.events.head())


def test_the_groups_split_every_read_model_once_and_balance_their_costs(
    settings: Settings,
) -> None:
    with store(settings) as (_, models):
        chosen = list(models.projections.values())
        groups = split(chosen, 2)
        assert sorted(p.NAME for group in groups for p in group) == sorted(models.projections)
        (with_cogs,) = [group for group in groups if models.projections["cogs"] in group]
        assert models.projections["movements"] not in with_cogs
        weights = {p.NAME: p.REBUILD_COST for p in chosen if p.REBUILD_COST > 1}
        assert weights == {"cogs": 4, "movements": 3, "food_cost": 2}
        assert split(chosen[:1], 2) == [chosen[:1]]


@pytest.mark.postgres
def test_a_rebuild_spread_over_processes_gives_the_rows_the_live_runners_built(
    pg_settings: Settings,
) -> None:
    ledger, _ = year_of_trade(pg_settings)
    models = ReadModels(pg_settings, ledger)
    try:
        catch_up(models, ledger)
        live = {name: live_rows(models, name) for name in models.projections}
        progress: list[dict[str, Any]] = []
        chosen = list(models.projections.values())
        split_rebuild = Rebuild(
            models.db,
            models.events,
            chosen,
            progress.append,
            chunk=7,
            open_events=OpenLedger(pg_settings),
        )
        split_rebuild.run()
        head = models.events.head()
        for name in models.projections:
            assert generation(models, name) == 2, name
            assert live_rows(models, name) == live[name], name
        assert {p["name"] for p in progress if p["done"]} == set(models.projections)
        assert max(p["position"] for p in progress) == head
        assert models.verify().ok
    finally:
        models.close()
        ledger.close()


class Unopenable:
    """``OpenEvents`` that fails in the helper process."""

    @contextmanager
    def __call__(self) -> Iterator[EventSource]:
        raise OSError("no route to the store")
        yield  # a generator, for contextmanager


@pytest.mark.postgres
def test_a_helper_failing_stops_the_rebuild_and_the_live_rows_serve(
    pg_settings: Settings,
) -> None:
    with store(pg_settings) as (ledger, models):
        for number in range(20):
            receipt(ledger, number)
        catch_up(models, ledger)
        live = {name: live_rows(models, name) for name in models.projections}
        chosen = list(models.projections.values())
        broken = Rebuild(models.db, models.events, chosen, chunk=4, open_events=Unopenable())
        with pytest.raises(RuntimeError, match="no route to the store"):
            broken.run()
        for name in models.projections:
            assert generation(models, name) == 1, name
            assert live_rows(models, name) == live[name], name
        models.rebuild("all")
        for name in models.projections:
            assert live_rows(models, name) == live[name], name
