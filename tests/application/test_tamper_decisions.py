"""With the ledger key, no command decides on a movement the service did not record (issue
27.4): a row the application's database role INSERTs is refused with LedgerTamperedError and
nothing is recorded; without a key the ledger behaves as before. Both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application.commands import PostConsumption, PostDelivery, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.errors import InsufficientStockError
from domain.stock_item import StockItem
from store.authenticity import LedgerTamperedError
from store.roles import APP_ROLE, grant_roles, role_url
from tests.application.helpers import USER, D, line, receive, state
from tests.tamper import forge_movement, plant_snapshot

KEY = "a-ledger-key-kept-outside-the-database-0123456789"
ITEM = StockItem.create_id("A", "main")


def keyed(settings: Settings, key: str | None = KEY) -> Settings:
    return Settings(database_url=settings.database_url, data_dir=settings.data_dir, ledger_key=key)


def deliver(ledger: Ledger, doc_id: str, qty: str) -> Decimal:
    result = ledger.execute(PostDelivery(doc_id, "main", [line("A", qty)]), user=USER)
    return result.movements[0].on_hand_after


def test_a_forged_receipt_makes_a_delivery_depending_on_it_refused_and_nothing_recorded(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with Ledger(keyed(settings)) as ledger:
        receive(ledger, "r-1", "A", "10", "2")
        forged = forge_movement(ledger, ITEM, D(400))
        head = ledger.head()
        # This process wrote the position last and trusts its copy: the save meets the
        # forged version, and the re-run on fresh state reads (and refuses) it.
        with pytest.raises(LedgerTamperedError) as refused:
            deliver(ledger, "d-1", "400")
        assert (refused.value.originator_id, refused.value.version) == (ITEM, forged)
        assert ledger.head() == head
        assert ledger.authenticity.refusals >= 1
        last = ledger.authenticity.last
        assert last is not None and (last.sku, last.location, last.version) == ("A", "main", 3)
    with Ledger(keyed(settings)) as restarted:  # a cold load reads the forged row first
        with pytest.raises(LedgerTamperedError):
            deliver(restarted, "d-2", "400")
        with pytest.raises(LedgerTamperedError):
            deliver(restarted, "d-3", "1")  # any decision on that position
        assert restarted.head() == head
        assert receive(restarted, "r-2", "A", "1", "2", location="bar").movements
    logged = [r.getMessage() for r in caplog.records if "ledger_tampered" in r.getMessage()]
    assert logged and '"sku": "A"' in logged[0] and KEY not in caplog.text


def test_a_forged_receipt_carrying_a_mac_copied_from_a_genuine_one_is_refused(
    settings: Settings,
) -> None:
    with Ledger(keyed(settings)) as ledger:
        genuine = receive(ledger, "r-1", "A", "10", "2").movements[0]
        mac = next(e for e in ledger.events.get(ITEM, desc=True)).mac
        assert mac and genuine.on_hand_after == D(10)
        forge_movement(ledger, ITEM, D(400), mac=mac)
    with Ledger(keyed(settings)) as restarted, pytest.raises(LedgerTamperedError):
        deliver(restarted, "d-1", "400")


def test_without_a_ledger_key_a_forged_receipt_is_not_detected_as_before(
    settings: Settings,
) -> None:
    with Ledger(keyed(settings, None)) as ledger:
        receive(ledger, "r-1", "A", "10", "2")
        forge_movement(ledger, ITEM, D(400))
    with Ledger(keyed(settings, None)) as restarted:
        assert deliver(restarted, "d-1", "400") == D(10)
        assert restarted.authenticity.refusals == 0


def test_an_honest_ledger_with_a_key_decides_as_usual_across_snapshots_and_restarts(
    settings: Settings,
) -> None:
    lines = [ReceiptLine("A", D(1), D(2))] * 150  # a snapshot at version 100
    with Ledger(keyed(settings)) as ledger:
        ledger.execute(PostReceipt("r-1", "main", lines), user=USER)
        assert deliver(ledger, "d-1", "10") == D(140)
    with Ledger(keyed(settings)) as restarted:
        assert restarted.snapshots is not None
        assert [s.originator_version for s in restarted.snapshots.get(ITEM, desc=True, limit=1)]
        assert deliver(restarted, "d-2", "40") == D(100)
        restarted.execute(PostConsumption("c-1", "main", [line("A", "100")]), user=USER)
        assert state(restarted, "A") == (D(0), D(0), D(0))
        assert restarted.authenticity.refusals == 0


def test_a_forged_snapshot_is_still_ignored_with_a_key(settings: Settings) -> None:
    with Ledger(keyed(settings)) as ledger:
        receive(ledger, "r-1", "A", "10", "2")
        plant_snapshot(ledger, ITEM, on_hand=D(1000), value=D(2000))
    with Ledger(keyed(settings)) as restarted:
        with pytest.raises(InsufficientStockError):
            deliver(restarted, "d-1", "500")
        assert deliver(restarted, "d-2", "4") == D(6)
        assert restarted.authenticity.refusals == 0


def test_movements_from_before_the_key_are_trusted_but_a_forged_one_after_it_is_not(
    settings: Settings,
) -> None:
    with Ledger(keyed(settings, None)) as unkeyed:
        receive(unkeyed, "r-1", "A", "10", "2")
        receive(unkeyed, "r-2", "B", "5", "2")
    with Ledger(keyed(settings)) as ledger:
        assert deliver(ledger, "d-1", "4") == D(6)  # pre-key movements, then a MAC'd one
        forge_movement(ledger, StockItem.create_id("B", "main"), D(400))
    with Ledger(keyed(settings)) as restarted:
        assert deliver(restarted, "d-2", "6") == D(0)
        with pytest.raises(LedgerTamperedError):
            restarted.execute(PostDelivery("d-3", "main", [line("B", "400")]), user=USER)


@pytest.mark.postgres
def test_a_receipt_forged_by_the_services_own_database_role_is_refused(pg_url: str) -> None:
    """PostgreSQL under the production roles: the row is INSERTed through the app role's
    own connection (all it may do), the service running under that role with the key."""
    Ledger(Settings(database_url=pg_url)).close()  # the schema, as the owner
    grant_roles(pg_url, "app-secret", "projector-secret")
    app_url = role_url(pg_url, APP_ROLE, "app-secret")
    restricted = Settings(database_url=app_url, create_schema=False, ledger_key=KEY)
    with Ledger(restricted) as ledger:
        receive(ledger, "r-1", "A", "10", "2")
        forge_movement(ledger, ITEM, D(400))  # tests.tamper connects with app_url
        head = ledger.head()
    with Ledger(restricted) as restarted:
        with pytest.raises(LedgerTamperedError):
            deliver(restarted, "d-1", "400")
        assert restarted.head() == head
