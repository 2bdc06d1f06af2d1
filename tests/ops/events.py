"""The ledger's events read straight from PostgreSQL, as the operations tests check them."""

from __future__ import annotations

import json
from collections import Counter

from tests.pgserver import fetch


def recorded_receipts(url: str) -> Counter[str]:
    """Document id of every recorded receipt movement (one line each), read from the events."""
    rows = fetch(
        url, "SELECT state FROM ledger_events WHERE topic LIKE %s", ("%StockItem.Received",)
    )
    return Counter(str(json.loads(bytes(row[0]))["document_id"]) for row in rows)


def head(url: str) -> int:
    """The notification id of the last event recorded (0: none yet)."""
    ((last,),) = fetch(url, "SELECT max(notification_id) FROM ledger_events")
    return int(last or 0)
