"""The anchor (SPEC §7, issue 9): a movement's MAC over its hash, with a key the domain is given."""

from __future__ import annotations

import dataclasses

from domain.movements import check_mac, key_id, movement_mac
from domain.stock_item import StockItem
from tests.domain.helpers import AT, PLACES, D, last, src

KEY = b"k" * 32
OTHER = b"o" * 32


def test_a_movement_made_with_a_key_carries_the_mac_of_its_hash_and_without_none() -> None:
    item = StockItem("SKU-1", "main")
    item.receive(D(3), D(2), src(), AT, PLACES)
    assert last(item).mac is None
    keyed = dataclasses.replace(src(), anchor_key=KEY)
    item.ship(D(1), keyed, AT, PLACES)
    event = last(item)
    assert event.mac == movement_mac(KEY, event.hash)
    assert event.mac is not None and event.mac.startswith(key_id(KEY) + ":")
    assert KEY.decode() not in repr(keyed)


def test_a_mac_checks_only_under_its_own_key_and_only_for_its_hash() -> None:
    mac = movement_mac(KEY, "a" * 64)
    assert check_mac([OTHER, KEY], "a" * 64, mac) is True
    assert check_mac([KEY], "b" * 64, mac) is False
    assert check_mac([OTHER], "a" * 64, mac) is None
    forged = key_id(KEY) + ":" + "0" * 64
    assert check_mac([KEY], "a" * 64, forged) is False
