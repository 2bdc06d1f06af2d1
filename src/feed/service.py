"""The feed's parts wired for one process: the feed, the head watcher and the deliverer."""

from __future__ import annotations

from typing import Any

from application.events import LedgerEvents
from application.settings import Settings
from feed.delivery import Deliverer
from feed.events import Feed
from feed.waiter import HeadWaiter
from feed.webhooks import Webhooks
from projections.db import Database


class FeedService:
    """Started beside the projectors (``serve`` in-process, ``projections run`` workers)."""

    def __init__(self, settings: Settings, ledger: Any, db: Database) -> None:
        self.feed = Feed(ledger, settings.currency_decimals)
        self.waiter = HeadWaiter(LedgerEvents(ledger), db.dialect)
        self.webhooks = Webhooks(db, settings)
        self.deliverer = Deliverer(self.webhooks, self.feed, self.waiter, db)

    def start(self, *, deliver: bool) -> FeedService:
        """Delivers webhooks when ``deliver`` (where projectors run). The head is watched
        from the first wait of a stream or a webhook's worker: a process with neither
        watches nothing (no wake-up and no head read per commit)."""
        if deliver:
            self.deliverer.start()
        return self

    def stop(self) -> None:
        self.deliverer.stop()
        self.waiter.stop()
