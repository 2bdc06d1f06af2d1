"""Configuration from the environment (``STOCKLEDGER_*``), read once at start-up."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the ledger lives and how it rounds and dates money.

    ``database_url`` unset means the embedded SQLite store under ``data_dir``. It may name
    several hosts (``postgresql://h1:5432,h2:5432/db?target_session_attrs=read-write``):
    after a failover the service finds the promoted standby without a restart.
    ``read_database_url`` (optional, PostgreSQL) is a hot standby the read-model queries
    read from; commands, projectors and rebuilds stay on ``database_url``.
    """

    # Inputs stay out of error messages: a bad key or database URL must not be printed.
    model_config = SettingsConfigDict(
        env_prefix="STOCKLEDGER_", frozen=True, hide_input_in_errors=True
    )

    database_url: str | None = None
    read_database_url: str | None = None
    data_dir: Path = Path("./var")
    timezone: str = "UTC"
    currency_decimals: int = Field(default=2, ge=0, le=6)
    # The ISO 4217 code the console writes beside money (its amounts carry no currency).
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    # Aggregates kept in memory between commands (fast-forwarded from the store on use).
    aggregate_cache_size: int = Field(default=10_000, ge=0)
    # Seconds a PostgreSQL writer waits for the event table lock before giving up.
    lock_timeout: int = Field(default=5, ge=1)
    # Seconds one PostgreSQL write transaction may take, lock wait included; past it the
    # server cancels it, a watchdog ends its session, and the command answers 503.
    write_timeout: int = Field(default=15, ge=1)
    # Event store connections (the library's pool) of an API process, per store: at most
    # pool_size + pool_max_overflow, opened on demand (docs/OPERATIONS.md "Connections").
    # The defaults keep one serve within 16 connections under load and 4 tenants within 32;
    # measured, larger pools did not answer 16 clients faster (the CPU is the bound).
    pool_size: int = Field(default=1, ge=1)
    pool_max_overflow: int = Field(default=1, ge=0)
    # Read-model query connections (PostgreSQL) of an API process, per store, at most.
    read_pool_size: int = Field(default=2, ge=1)
    # `serve`'s projector process, per store: at most this many connections, which its event
    # reads, projection runners, webhooks and registry look-ups share.
    projector_pool_size: int = Field(default=1, ge=1)
    # Seconds a pooled connection may stay unused before it is closed (one per period).
    pool_max_idle: int = Field(default=60, ge=1)
    # Connections one `serve` may hold on each PostgreSQL cluster (its share, when several
    # serve or worker hosts use one cluster); unset: what the server has free at start.
    connection_limit: int | None = Field(default=None, ge=1)
    # Create tables and the append-only trigger at start-up (off for a least-privilege role).
    create_schema: bool = True
    # Run the projectors inside `serve` (the embedded default); off when workers run them.
    run_projectors: bool = True
    # How much `serve`'s projector process lowers its CPU priority (os.nice): the API's
    # answers come first on a busy machine, the read models take the rest (0: as the API).
    projector_nice: int = Field(default=10, ge=0, le=19)
    # The cyclic garbage collector's first threshold in `serve`'s processes, once the
    # objects made at start-up are frozen out of its sight (docs/DECISIONS.md "Garbage
    # collection in serve"); 0 keeps Python's defaults.
    gc_threshold: int = Field(default=20_000, ge=0)
    # SPEC §8: with items required, a movement of a SKU without an item, or at a location
    # never declared, is refused (unknown_item / unknown_location).
    require_items: bool = False
    # Issue 35.4: a new SKU or location differing from a known one only in case is refused
    # (422 similar_code) unless this is on.
    allow_similar_codes: bool = False
    # Seconds a query with min_position waits for the read models to reach it (API.md: 5).
    read_your_writes_wait: float = Field(default=5.0, gt=0, le=60)  # ok-float: seconds
    # Anchors every movement with an HMAC (docs/OPERATIONS.md "Ledger key"): comma-separated
    # keys of at least 32 characters; the first signs new movements, all are used to verify.
    ledger_key: SecretStr | None = None
    # Signs the web console's session cookies (docs/OPERATIONS.md "Web console"); unset, each
    # process draws a random one, so sessions end when the server restarts.
    console_secret: SecretStr | None = None
    # Networks webhooks may deliver to although they are private, loopback, link-local or
    # otherwise not public (docs/FEED.md "Where a webhook may deliver"): comma-separated
    # CIDRs (`10.1.2.0/24, fd00::/8`); empty (the default) allows public addresses only.
    webhook_allowed_networks: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _postgres_only(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            msg = f"STOCKLEDGER_{str(info.field_name).upper()} must be a postgresql:// URL"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _replica_of_postgres(self) -> Settings:
        if self.read_database_url and not self.database_url:
            msg = "STOCKLEDGER_READ_DATABASE_URL needs STOCKLEDGER_DATABASE_URL (PostgreSQL)"
            raise ValueError(msg)
        return self

    @field_validator("ledger_key")
    @classmethod
    def _long_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if any(len(k.strip()) < 32 for k in value.get_secret_value().split(",")):
            msg = "every STOCKLEDGER_LEDGER_KEY key must have at least 32 characters"
            raise ValueError(msg)
        return value

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _cidr_list(cls, value: str) -> str:
        try:
            networks = _networks(value)
        except ValueError as error:
            msg = f"STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS: {error} (a comma-separated CIDR list)"
            raise ValueError(msg) from None
        return ",".join(str(n) for n in networks)

    @property
    def webhook_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """``webhook_allowed_networks`` parsed; empty when none is allowed."""
        return _networks(self.webhook_allowed_networks)

    @property
    def ledger_keys(self) -> list[bytes]:
        """The ledger keys, the signing one first; empty when none is configured."""
        if self.ledger_key is None:
            return []
        return [k.strip().encode() for k in self.ledger_key.get_secret_value().split(",")]

    @property
    def for_queries(self) -> Settings:
        """These settings with the read-model store the queries read (the standby, if any)."""
        if not self.read_database_url:
            return self
        return self.model_copy(update={"database_url": self.read_database_url})

    @property
    def is_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _networks(text: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """``"10.0.0.0/8, ::1"`` → the networks (host bits cleared; an address alone is /32, /128)."""
    return tuple(ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
