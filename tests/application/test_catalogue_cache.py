"""The catalogue cache (store.catalogue_cache): postings read items, locations and
recipes without a SELECT, and every posting is still checked against the catalogue as it
stands when it commits — a change made by another process (here: another Ledger on the
same store) included. On both backends; the same-batch case is PostgreSQL's group commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.ledger import Ledger
from application.records import CommandResult
from application.settings import Settings
from domain.errors import UnknownItemError, UnknownLocationError
from domain.item import ItemSpec, PackUnit
from domain.recipe import Ingredient, RecipeSpec
from store.catalogue_cache import CatalogueCache
from tests.application.helpers import USER, D, receive
from tests.application.test_group_commit import (
    WAIT,
    Posting,
    lock_waiters,
    receipt,
    recorder_of,
    writer_lock_held,
)
from tests.e2e.conftest import wait_until


def beer(factor: int) -> ItemSpec:
    return ItemSpec("Pils", "each", units=(PackUnit("case", D(factor)),))


def cases(ledger: Ledger, doc_id: str, count: str = "1", location: str = "main") -> CommandResult:
    line = ReceiptLine("BEER", D(count), D("24.00"), "case")
    return ledger.execute(PostReceipt(doc_id, location, [line]), user=USER)


def change(ledger: Ledger, sku: str, spec: ItemSpec) -> CommandResult:
    """Puts ``sku``'s item; an empty result, so it runs alongside the postings."""
    ledger.put_item(sku, spec, user="admin")
    return CommandResult("item", sku, [], 0, True)


def cache_of(ledger: Ledger) -> CatalogueCache:
    assert ledger.catalogue is not None
    return ledger.catalogue


def test_a_sku_is_read_from_the_store_once_then_from_the_cache(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        ledger.put_item("BEER", beer(24), user="admin")
        for n in range(5):
            assert cases(ledger, f"R-{n}").movements[0].quantity == 24
        assert (cache_of(ledger).misses, cache_of(ledger).hits) == (1, 4)


def test_a_factor_changed_by_another_process_is_used_by_the_next_posting(
    settings: Settings,
) -> None:
    with Ledger(settings) as ledger, Ledger(settings) as elsewhere:
        ledger.put_item("BEER", beer(24), user="admin")
        assert cases(ledger, "R-1").movements[0].quantity == 24  # case = 24, now cached
        elsewhere.put_item("BEER", beer(12), user="admin")

        after = cases(ledger, "R-2").movements[0]

        assert (after.quantity, after.entered_factor) == (12, 12)
        # The save on the cached 24 was refused, and the posting ran again.
        assert cache_of(ledger).misses == 2
        if settings.is_postgres:
            assert recorder_of(ledger).lost == 1


def test_a_recipe_revised_by_another_process_is_the_one_the_next_sale_uses(
    settings: Settings,
) -> None:
    def sell(sale_id: str) -> list[tuple[str, int, D]]:
        line = SaleLine("toast", D(1), D("3.00"))
        result = ledger.execute(PostSale(sale_id, "kitchen", [line]), user=USER)
        return [(m.sku, m.recipe_version or 0, m.quantity) for m in result.movements]

    with Ledger(settings) as ledger, Ledger(settings) as elsewhere:
        receive(ledger, "R-1", "BREAD", "10", "0.20", "kitchen")
        ledger.put_recipe("toast", RecipeSpec("Toast", (Ingredient("BREAD", D(1)),)), user="chef")
        assert sell("S-1") == [("BREAD", 1, D(1))]  # version 1, now cached
        two = RecipeSpec("Toast", (Ingredient("BREAD", D(2)),))
        elsewhere.put_recipe("toast", two, user="chef")

        assert sell("S-2") == [("BREAD", 2, D(2))]


def test_a_refusal_on_an_outdated_entry_is_decided_again_on_the_catalogue_as_it_is(
    settings: Settings,
) -> None:
    required = settings.model_copy(update={"require_items": True})
    with Ledger(required) as ledger, Ledger(required) as elsewhere:
        ledger.put_location("main", "Main store", "warehouse", user="admin")
        with pytest.raises(UnknownItemError):
            cases(ledger, "R-1")  # BEER has no item: its absence is cached
        elsewhere.put_item("BEER", beer(24), user="admin")
        assert cases(ledger, "R-2").movements[0].quantity == 24

        with pytest.raises(UnknownLocationError):
            cases(ledger, "R-3", location="bar")  # bar is not declared: cached too
        elsewhere.put_location("bar", "Bar", "bar", user="admin")
        assert cases(ledger, "R-4", location="bar").movements[0].quantity == 24


def change_then_stale_posting(
    ledger: Ledger, url: str, between: Callable[[], None] = lambda: None
) -> Posting:
    """BEER's case cached at 24; a first batch held at the writer lock, ``between`` run, then
    the next batch queued: the factor change to 12, then a posting decided on the cached 24
    (R-2)."""
    ledger.put_item("BEER", beer(24), user="admin")
    cases(ledger, "R-WARM")  # case = 24, cached
    recorder = recorder_of(ledger)
    posting = Posting()
    with writer_lock_held(url):
        posting.start("first", receipt(ledger, "R-FIRST", "OTHER"))
        wait_until(lambda: lock_waiters(url) == 1, WAIT, "the first batch at the lock")
        between()
        posting.start("change", lambda: change(ledger, "BEER", beer(12)))
        wait_until(lambda: recorder.waiting == 1, WAIT, "the change queued")
        posting.start("R-2", lambda: cases(ledger, "R-2"))
        wait_until(lambda: recorder.waiting == 2, WAIT, "the posting queued behind it")
    return posting


def test_a_factor_change_earlier_in_the_same_batch_leaves_out_a_posting_that_read_the_old(
    pg_settings: Settings,
) -> None:
    url = pg_settings.database_url or ""
    with Ledger(pg_settings) as ledger:
        results = change_then_stale_posting(ledger, url).join()

        assert recorder_of(ledger).lost == 1
        assert results["R-2"].movements[0].quantity == 12


def test_a_save_left_out_by_its_batch_is_told_only_once_the_batch_is_written(
    pg_settings: Settings,
) -> None:
    """The posting left out for reading the old factor runs again only after the change is
    committed, so it runs again once. (Told as soon as its batch was formed, its thread
    could re-run it on the catalogue before the change, and lose a second time: CI once.)
    Here a second writer takes the lock between the first batch and the change's, so the
    change's batch waits at the lock for a second while the left-out posting's thread is
    awake."""
    url = pg_settings.database_url or ""
    holding, release = threading.Event(), threading.Event()

    def hold_next() -> None:
        with psycopg.connect(url) as conn:
            conn.execute("LOCK TABLE ledger_write_lock IN EXCLUSIVE MODE")
            holding.set()
            release.wait(WAIT)
            conn.rollback()

    second = threading.Thread(target=hold_next)

    def queue_second_writer() -> None:
        second.start()
        wait_until(lambda: lock_waiters(url) == 2, WAIT, "the second writer behind it")

    with Ledger(pg_settings) as ledger:
        recorder = recorder_of(ledger)
        posting = change_then_stale_posting(ledger, url, queue_second_writer)
        wait_until(lambda: holding.is_set() and lock_waiters(url) == 1, WAIT, "the change's batch")
        time.sleep(1)  # the left-out posting's thread is awake meanwhile: the race's window
        assert recorder.waiting == 0  # nothing queued again before the change is written
        release.set()
        second.join()
        results = posting.join()

        assert recorder.lost == 1
        assert results["R-2"].movements[0].quantity == 12
