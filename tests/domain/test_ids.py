"""Aggregate ids are part of the stored data: the same names give the same ids forever
(uuid5 in the ledger's namespace), however they are computed or remembered."""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.ids import NAMESPACE
from domain.item import Item, Location
from domain.quote import Quote
from domain.recipe import Recipe
from domain.stock_item import StockItem


def test_ids_are_uuid5_of_their_names_in_the_ledger_namespace() -> None:
    named = {
        StockItem.create_id("BEER", "main"): "stock-item:BEER@main",
        Item.create_id("BEER"): "item:BEER",
        Location.create_id("main"): "location:main",
        Recipe.create_id("burger"): "recipe:burger",
        Quote.create_id("Q-1"): "quote:Q-1",
    }
    assert named == {uuid5(NAMESPACE, name): name for name in named.values()}
    # Fixed once: these ids are recorded in every existing store. Asked again (remembered
    # now), the same.
    assert UUID("f7213b41-7a30-5056-84e5-bbe1a95f4710") == NAMESPACE
    assert StockItem.create_id("BEER", "main") == UUID("ec3919b3-43bd-5e0f-a5a8-e7f734e92c0f")
