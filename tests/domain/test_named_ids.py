"""Every named aggregate keeps the id it has always had: ``create_id`` now comes from the
shared base (``domain.recorded.Named``, by ``ID_PREFIX``), and these ids, written down
before it did, are recorded in every existing store."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from uuid import UUID

import pytest

from domain.count_sheet import CountSheet
from domain.item import Item, ItemSpec, Location
from domain.purchase_order import PurchaseOrder
from domain.quote import Quote
from domain.recipe import Recipe
from domain.recorded import Named
from domain.sale import SaleRecord
from domain.storage_areas import StorageAreas
from domain.supplier import Supplier
from domain.supplier_invoice import ReceiptBilling

PINNED: list[tuple[type[Named], str, str]] = [
    (Quote, "Q-1", "5577684a-0994-5cb8-a317-16f340378d77"),
    (PurchaseOrder, "PO-1", "0ae2835f-85b5-5100-9945-41b09755d787"),
    (CountSheet, "C-1", "9ec85737-37ec-5034-98dc-9ec07fa46faf"),
    (ReceiptBilling, "R-1", "917d7ebc-1048-5804-8cca-3cc749a18ad5"),
    (Item, "BEER", "7588716d-af44-5b06-9f0a-23ad53e7ee1d"),
    (Recipe, "burger", "fb460207-bda9-59e9-bfb4-4d94109597e7"),
    (Supplier, "ACME", "b1be5263-1909-53d4-9590-9e73e8408d86"),
    (Location, "main", "c19b6207-bb4e-5097-80db-d341a35b3837"),
    (StorageAreas, "main", "5a81e8aa-14d5-5906-8c40-dd33446ab867"),
    (SaleRecord, "S-1", "3bafc9b1-8c44-5183-aa0e-9f9359149eeb"),
]


@pytest.mark.parametrize(("aggregate", "name", "pinned"), PINNED)
def test_create_id_gives_the_id_recorded_before(
    aggregate: type[Named], name: str, pinned: str
) -> None:
    assert aggregate.create_id(name) == UUID(pinned)


@pytest.mark.parametrize(("aggregate", "name", "pinned"), PINNED)
def test_the_library_names_a_new_aggregate_by_its_first_argument(
    aggregate: type[Named], name: str, pinned: str
) -> None:
    """The library passes ``create_id`` the ``__init__`` arguments its signature names."""
    first = list(inspect.signature(aggregate.__init__).parameters)[1]
    as_the_library_calls: Callable[..., UUID] = aggregate.create_id
    assert list(inspect.signature(as_the_library_calls).parameters) == [first]
    assert as_the_library_calls(**{first: name}) == UUID(pinned)


def test_an_aggregate_created_has_the_pinned_id() -> None:
    item = Item.register("BEER", ItemSpec("Pils", "each"), "admin")
    assert item.id == UUID("7588716d-af44-5b06-9f0a-23ad53e7ee1d")
    assert SaleRecord("S-1").id == UUID("3bafc9b1-8c44-5183-aa0e-9f9359149eeb")
    place = Location.declare("main", "Main", None, "admin")
    assert place.id == UUID("c19b6207-bb4e-5097-80db-d341a35b3837")
