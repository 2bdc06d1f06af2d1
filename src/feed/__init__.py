"""The ledger published outwards (SPEC §11): a cursor feed, a live stream, signed webhooks.

``feed.events`` maps stored events to feed events (the one place the published schema is
written); ``feed.waiter`` is the process's single watcher of the ledger's head;
``feed.webhooks`` keeps registrations and the attempts log; ``feed.delivery`` delivers.
"""
