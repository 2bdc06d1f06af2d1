"""Webhook registrations, each one's delivery state, and the attempts log.

Kept in tables of their own (``wh_webhooks``, ``wh_attempts``) beside the read models, not
in the ledger: a registration is configuration, not stock history, and its delivery
position changes after every acknowledged event (docs/DECISIONS.md "Webhooks"). Every
change names who made it (``created_by``, ``changed_by``) and leaves a JSON log line.

A deleted webhook keeps its row (status ``deleted``, hidden from lists) so the attempts
log stays attributable. Attempts older than the retention (``prune_attempts``, called by the
deliverer; 30 days unless told) are deleted, so the log does not grow with the ledger.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from application.errors import NotFoundError
from application.settings import Settings
from domain.errors import ValidationError
from feed.destinations import Destinations, RefusedDestinationError, UrlError
from projections.db import Database, Session
from projections.dialects import Dialect
from store.backend import schema_lock

log = logging.getLogger("stockledger.feed")

ACTIVE, FAILING, PAUSED, DELETED = "active", "failing", "paused", "deleted"
COLUMNS = (
    "id, url, types, description, secret, status, position, last_error, failing_since, "
    "attempt, created_by, created_at, changed_by, changed_at"
)


def _ddl(dialect: Dialect) -> list[str]:
    text, big = dialect.column_type("text"), dialect.column_type("int")
    return [
        f"CREATE TABLE IF NOT EXISTS wh_webhooks (id {text} PRIMARY KEY, url {text} NOT NULL, "
        f"types {text} NOT NULL, description {text}, secret {text} NOT NULL, "
        f"status {text} NOT NULL, position {big} NOT NULL, last_error {text}, "
        f"failing_since {big}, attempt {big} NOT NULL, created_by {text} NOT NULL, "
        f"created_at {text} NOT NULL, changed_by {text} NOT NULL, changed_at {text} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS wh_attempts (webhook_id {text} NOT NULL, "
        f"event_position {big} NOT NULL, attempt {big} NOT NULL, status_code {big}, "
        f"error {text}, at {text} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS wh_attempts_by_webhook ON wh_attempts (webhook_id, at)",
    ]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def iso_of_ms(epoch_ms: int | None) -> str | None:
    """Epoch milliseconds (as ``failing_since`` is stored) as an ISO time, UTC."""
    if epoch_ms is None:
        return None
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signing_key(secret: str) -> bytes:
    """Standard Webhooks: the key is the base64 part of ``whsec_…``."""
    return base64.b64decode(secret.removeprefix("whsec_"))


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    types: list[str]
    description: str | None
    secret: str
    status: str
    position: int
    last_error: str | None
    failing_since: int | None  # epoch milliseconds of the first failure in a row
    attempt: int  # failed attempts at the current event (a resume does not reset it)

    @classmethod
    def of(cls, row: Any) -> Webhook:
        return cls(
            id=str(row[0]),
            url=str(row[1]),
            types=list(json.loads(row[2])),
            description=row[3],
            secret=str(row[4]),
            status=str(row[5]),
            position=int(row[6]),
            last_error=row[7],
            failing_since=None if row[8] is None else int(row[8]),
            attempt=int(row[9]),
        )

    def public(self) -> dict[str, Any]:
        """What a listing shows (never the secret)."""
        return {
            "id": self.id,
            "url": self.url,
            "types": self.types,
            "description": self.description,
            "status": self.status,
            "position": self.position,
            "last_error": self.last_error,
            "failing_since": iso_of_ms(self.failing_since),
        }


class Webhooks:
    """Registrations and delivery state in the read-model database."""

    def __init__(
        self, db: Database, settings: Settings, destinations: Destinations | None = None
    ) -> None:
        self.db = db
        # Where webhooks may deliver (STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS; feed.destinations).
        self.destinations = destinations or Destinations(settings.webhook_networks)
        try:
            with schema_lock(settings), db.session() as session, session.transaction():
                for statement in _ddl(db.dialect):
                    session.execute(statement)
        except db.dialect.errors as error:
            log.warning(
                "cannot create the webhook tables (%s): run `db migrate` as the owner", error
            )

    def _audit(self, action: str, webhook_id: str, user: str, **details: Any) -> None:
        log.info(json.dumps({"webhook": webhook_id, "action": action, "by": user, **details}))

    # -- registration (admin) -----------------------------------------------------------------

    def create(
        self, url: str, types: list[str], description: str | None, user: str, head: int
    ) -> dict[str, Any]:
        """A new active webhook delivering events after ``head`` (what happens from now on);
        its secret is returned here only. A URL whose destination is refused is a
        ``ValidationError`` naming ``url`` (the API's 422, the console's error page)."""
        try:
            self.destinations.admit(url)
        except (UrlError, RefusedDestinationError) as refused:
            error = {"field": "url", "in": "body", "message": str(refused), "type": "url"}
            raise ValidationError(f"url: {refused}", [error]) from None
        hook_id = "wh_" + secrets.token_hex(8)
        secret = new_secret()
        at = now_iso()
        row = (hook_id, url, json.dumps(types), description, secret, ACTIVE, head)
        with self.db.session() as session:
            session.execute(
                f"INSERT INTO wh_webhooks ({COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, ?, ?, ?)",
                (*row, user, at, user, at),
            )
        self._audit("created", hook_id, user, url=url, types=types, position=head)
        return {"id": hook_id, "url": url, "types": types, "secret": secret, "status": ACTIVE}

    def get(self, hook_id: str, session: Session | None = None) -> Webhook:
        if session is None:
            with self.db.session() as own:
                return self.get(hook_id, own)
        rows = session.execute(
            f"SELECT {COLUMNS} FROM wh_webhooks WHERE id = ? AND status <> ?", (hook_id, DELETED)
        )
        if not rows:
            raise NotFoundError(f"no webhook {hook_id}")
        return Webhook.of(rows[0])

    def all(self, statuses: tuple[str, ...] = (ACTIVE, FAILING, PAUSED)) -> list[Webhook]:
        marks = ", ".join("?" for _ in statuses)
        with self.db.session() as session:
            rows = session.execute(
                f"SELECT {COLUMNS} FROM wh_webhooks WHERE status IN ({marks}) ORDER BY created_at",
                statuses,
            )
        return [Webhook.of(r) for r in rows]

    def _set_status(self, hook_id: str, status: str, user: str) -> None:
        """A resumed webhook's failures start again (``failing_since``); the attempt
        numbers at its current event continue."""
        with self.db.session() as session:
            self.get(hook_id, session)
            session.execute(
                "UPDATE wh_webhooks SET status = ?, failing_since = NULL, "
                "changed_by = ?, changed_at = ? WHERE id = ?",
                (status, user, now_iso(), hook_id),
            )
        self._audit(status if status == DELETED else "resumed", hook_id, user)

    def resume(self, hook_id: str, user: str) -> dict[str, Any]:
        """Active again, retrying from the event it stopped at."""
        self._set_status(hook_id, ACTIVE, user)
        return {"status": ACTIVE}

    def delete(self, hook_id: str, user: str) -> None:
        self._set_status(hook_id, DELETED, user)

    def attempts(self, hook_id: str, limit: int) -> list[dict[str, Any]]:
        """The latest attempts, newest first."""
        with self.db.session() as session:
            self.get(hook_id, session)
            rows = session.execute(
                "SELECT event_position, attempt, status_code, error, at FROM wh_attempts "
                "WHERE webhook_id = ? ORDER BY at DESC, event_position DESC, attempt DESC "
                "LIMIT ?",
                (hook_id, limit),
            )
        return [
            {
                "event_position": int(r[0]),
                "attempt": int(r[1]),
                "status_code": None if r[2] is None else int(r[2]),
                "error": r[3],
                "at": r[4],
            }
            for r in rows
        ]

    # -- delivery state (the deliverer) -------------------------------------------------------

    def record(
        self,
        session: Session,
        hook: Webhook,
        position: int,
        *,
        delivered: bool,
        status_code: int | None,
        error: str | None,
        status: str = ACTIVE,
    ) -> None:
        """One attempt at ``position`` and the state it leaves, in one transaction; a
        delivered event moves the webhook's position (only while it is still ``active``)."""
        at = now_iso()
        with session.transaction():
            session.execute(
                "INSERT INTO wh_attempts (webhook_id, event_position, attempt, status_code, "
                "error, at) VALUES (?, ?, ?, ?, ?, ?)",
                (hook.id, position, hook.attempt + 1, status_code, error, at),
            )
            if delivered:
                session.execute(
                    "UPDATE wh_webhooks SET position = ?, attempt = 0, failing_since = NULL, "
                    "last_error = NULL WHERE id = ? AND status = ?",
                    (position, hook.id, ACTIVE),
                )
            else:
                since = hook.failing_since or int(time.time() * 1000)
                session.execute(
                    "UPDATE wh_webhooks SET attempt = attempt + 1, failing_since = ?, "
                    "last_error = ?, status = CASE WHEN status = ? THEN ? ELSE status END "
                    "WHERE id = ?",
                    (since, error, ACTIVE, status, hook.id),
                )

    def skip_to(self, session: Session, hook: Webhook, position: int) -> None:
        """Moves past events the webhook does not subscribe to."""
        session.execute(
            "UPDATE wh_webhooks SET position = ? WHERE id = ? AND position < ?",
            (position, hook.id, position),
        )

    def prune_attempts(self, before: str) -> int:
        """Deletes the attempts made before ``before`` (an ISO time, as ``at`` is written),
        webhook by webhook along ``wh_attempts_by_webhook``; returns how many."""
        deleted = 0
        with self.db.session() as session, session.transaction():
            for (hook_id,) in session.execute("SELECT id FROM wh_webhooks"):
                where = "FROM wh_attempts WHERE webhook_id = ? AND at < ?"
                (count,) = session.execute(f"SELECT COUNT(*) {where}", (hook_id, before))[0]
                if count:
                    session.execute(f"DELETE {where}", (hook_id, before))
                    deleted += int(count)
        if deleted:
            line = {"webhooks": "attempts pruned", "deleted": deleted, "before": before}
            log.info(json.dumps(line))
        return deleted
