"""Webhook delivery: one worker thread per webhook, beside the projectors.

Exactly one process delivers a webhook at a time: on PostgreSQL its worker holds a
session-level advisory lock (released when the process dies, so a standby takes over); on
SQLite the embedded server is the only deliverer. A worker posts the events of its types in
position order, one at a time, and stores the webhook's position in the same transaction as
the attempt that a receiver acknowledged (2xx): after a crash the last unacknowledged event
is sent again — at least once, never out of order. Receivers de-duplicate on ``webhook-id``.

A failure is retried with exponential backoff and full jitter; once failures have lasted
``failing_after`` (24 h) the webhook becomes ``failing`` and its worker stops until an admin
resumes it. Each worker has its own thread and connection and every request a timeout, so a
slow receiver delays only its own webhook, never a command or another webhook.

Every attempt checks the destination again (``feed.sending``: DNS rebinding) and records
whatever went wrong — a refused address, a malformed stored URL, a redirect — as an attempt
with its reason: a delivery error never ends the worker.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from application.errors import NotFoundError
from feed.destinations import Destinations
from feed.events import Feed
from feed.sending import attempt
from feed.waiter import HeadWaiter
from feed.webhooks import ACTIVE, FAILING, Webhook, Webhooks, iso_of_ms
from projections.db import Database, Session

# Jitter from a generator of its own: the process-wide one stays the caller's (a test
# seeding it, hypothesis watching it for strategies) while retries run in other threads.
_JITTER = random.Random()

log = logging.getLogger("stockledger.feed")


class DeliverySettings(BaseSettings):
    """``STOCKLEDGER_WEBHOOK_*``: timings of delivery (tests shorten them)."""

    model_config = SettingsConfigDict(env_prefix="STOCKLEDGER_WEBHOOK_", frozen=True)

    timeout: float = Field(default=10.0, gt=0)  # ok-float: seconds per request
    backoff_base: float = Field(default=1.0, gt=0)  # ok-float: seconds
    backoff_max: float = Field(default=3600.0, gt=0)  # ok-float: seconds
    failing_after: float = Field(default=86_400.0, ge=0)  # ok-float: seconds (24 h)
    batch: int = Field(default=100, ge=1)
    # How long an attempt stays in the log (30 days); 0 keeps every attempt.
    keep_attempts: float = Field(default=30 * 86_400.0, ge=0)  # ok-float: seconds
    prune_every: float = Field(default=3600.0, gt=0)  # ok-float: seconds between prunings


class Deliverer:
    """Starts a worker for every active webhook this process can lock."""

    def __init__(
        self,
        webhooks: Webhooks,
        feed: Feed,
        waiter: HeadWaiter,
        db: Database,
        config: DeliverySettings | None = None,
        destinations: Destinations | None = None,
    ) -> None:
        self.webhooks = webhooks
        # Where deliveries may go; the registrations' rule unless told (tests resolve names
        # through a resolver of their own).
        self.destinations = destinations or webhooks.destinations
        self.feed = feed
        self.waiter = waiter
        self.db = db
        self.config = config or DeliverySettings()
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._workers: dict[str, threading.Thread] = {}
        self._thread: threading.Thread | None = None
        self._next_prune = 0.0  # monotonic time of the next pruning of the attempts log

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._supervise, daemon=True, name="webhooks")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        threads = [t for t in (self._thread, *self._workers.values()) if t is not None]
        for thread in threads:
            thread.join(timeout=self.config.timeout + 5)
        self._thread = None
        self._workers = {}

    def _supervise(self) -> None:
        while not self._stop.is_set():
            try:
                for hook in self.webhooks.all((ACTIVE,)):
                    worker = self._workers.get(hook.id)
                    if worker is None or not worker.is_alive():
                        worker = threading.Thread(
                            target=self._work,
                            args=(hook.id,),
                            daemon=True,
                            name=f"webhook-{hook.id}",
                        )
                        self._workers[hook.id] = worker
                        worker.start()
                self._prune()
            except Exception:
                log.exception("webhook supervisor failed; retrying")
            self.wake.wait(1.0)
            self.wake.clear()

    def _prune(self) -> None:
        """Deletes attempts older than ``keep_attempts``, at most every ``prune_every``."""
        now = time.monotonic()
        if not self.config.keep_attempts or now < self._next_prune:
            return
        self._next_prune = now + self.config.prune_every
        cutoff = datetime.now(UTC) - timedelta(seconds=self.config.keep_attempts)
        self.webhooks.prune_attempts(cutoff.isoformat(timespec="milliseconds"))

    def _work(self, hook_id: str) -> None:
        session = self.db.connect()
        try:
            if not session.dialect.hold(session.conn, "webhook", hook_id):
                return  # another process delivers it; retried by the supervisor
            self._follow(session, hook_id)
        except NotFoundError:
            pass  # deleted
        except Exception:
            log.exception("webhook %s worker failed", hook_id)
        finally:
            self.db.release(session)

    def _follow(self, session: Session, hook_id: str) -> None:
        while not self._stop.is_set():
            hook = self.webhooks.get(hook_id, session)
            if hook.status != ACTIVE:
                return
            if self.waiter.wait_beyond(hook.position, 1.0) <= hook.position:
                continue
            page = self.feed.page(hook.position, self.config.batch, hook.types)
            for event in page.items:
                if not self._deliver(session, hook_id, event):
                    return
            if page.next > (page.items[-1]["position"] if page.items else hook.position):
                self.webhooks.skip_to(session, hook, page.next)

    def _deliver(self, session: Session, hook_id: str, event: dict[str, Any]) -> bool:
        """Posts ``event`` until acknowledged (True), or the webhook stops or fails (False).

        The backoff counts this worker's tries: a resumed webhook (or a restarted process)
        retries at once, while the attempt numbers in the log continue."""
        position = int(event["position"])
        tries = 0
        while not self._stop.is_set():
            hook: Webhook = self.webhooks.get(hook_id, session)
            if hook.status != ACTIVE:
                return False
            code, error = attempt(
                self.destinations, hook.url, hook.secret, event, self.config.timeout
            )
            if code is not None and 200 <= code < 300:
                self.webhooks.record(
                    session, hook, position, delivered=True, status_code=code, error=None
                )
                return True
            now_ms = int(time.time() * 1000)
            failing = (
                hook.failing_since is not None
                and now_ms - hook.failing_since >= self.config.failing_after * 1000
            )
            self.webhooks.record(
                session,
                hook,
                position,
                delivered=False,
                status_code=code,
                error=error,
                status=FAILING if failing else ACTIVE,
            )
            if failing:
                since = iso_of_ms(hook.failing_since)
                log.warning("webhook %s failing since %s: stopped (%s)", hook_id, since, error)
                return False
            ceiling = min(self.config.backoff_base * 2**tries, self.config.backoff_max)
            tries += 1
            self._stop.wait(_JITTER.uniform(ceiling / 2, ceiling))
        return False
