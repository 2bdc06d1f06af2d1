"""``stockledger``: serve the API, manage keys, run and rebuild projections, verify, demo.

Configuration comes from the environment (STOCKLEDGER_DATABASE_URL, STOCKLEDGER_DATA_DIR,
STOCKLEDGER_TIMEZONE, STOCKLEDGER_CURRENCY_DECIMALS); see application.settings. Every
command takes ``--tenant NAME`` to work on that tenant's ledger (cli.context).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from application.errors import ApplicationError
from application.ledger import Ledger
from application.settings import Settings
from cli import gl_journal, report
from cli.context import TenantOption, fail, opened_read_models, out, tenant_settings
from cli.db import db_app
from cli.failures import database_failures
from cli.keys import keys_app
from cli.progress import rebuild_bar, rebuild_fields
from cli.tenants import tenants_app
from domain.access import Role

if TYPE_CHECKING:
    pass

app = typer.Typer(
    help="StockLedger: an event-sourced inventory ledger.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
projections_app = typer.Typer(help="Run, inspect and rebuild the read models.")
app.add_typer(keys_app, name="keys")
app.add_typer(projections_app, name="projections")
app.add_typer(db_app, name="db")
app.add_typer(tenants_app, name="tenants")
app.command("journal")(gl_journal.journal)
app.command("report")(report.report)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            envvar="STOCKLEDGER_METRICS_PORT",
            help="Also serve /metrics WITHOUT a key on this port of HOST (for a scraper; "
            "keep it off public networks; API process i of --workers uses this port + i). "
            "/metrics on PORT always needs a key.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="STOCKLEDGER_WORKERS",
            help="API processes sharing PORT (SO_REUSEPORT; PostgreSQL only). About one "
            "per core, less one for the projector process and PostgreSQL's share.",
        ),
    ] = 1,
    tenant: TenantOption = None,
) -> None:
    """Serve the HTTP API for the home store and every tenant (a key's tenant prefix picks
    its ledger); with --tenant, that tenant alone. On PostgreSQL the projectors of every
    store served run in one supervised process of their own (restarted if it dies); on
    SQLite inside the API process.

    On a store with no API keys yet it creates an admin key (user [bold]admin[/bold]) and
    prints it once.
    """
    from cli import serve as serving

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = tenant_settings(tenant)
    if workers > 1 and not settings.is_postgres:
        raise fail("--workers above 1 needs PostgreSQL (STOCKLEDGER_DATABASE_URL)")
    serving.prepare(settings, workers, tenant)  # names its connections, checks they fit
    if workers == 1:
        _serve_here(settings, host, port, metrics_port, tenant)
        return
    with opened_read_models(tenant) as read_models:  # the schema, created once before the workers
        _first_key(read_models.ledger)
    children = serving.api_workers(host, port, workers, metrics_port, tenant)
    projector = serving.projector(settings, tenant)
    try:
        serving.wait_for_signal()
    finally:
        for child in [*children, *([projector] if projector else [])]:
            child.stop()


def _first_key(ledger: Ledger) -> None:
    if not ledger.keyring().keys:
        key_id, token = ledger.issue_key("admin", Role.ADMIN.value, issued_by="stockledger serve")
        out.print(f"No API keys yet: created admin key {key_id} (user admin). It is shown once:")
        print(token, flush=True)


def _serve_here(
    settings: Settings, host: str, port: int, metrics_port: int | None, tenant: str | None
) -> None:
    """The API in this process, beside the supervised projector process (PostgreSQL)."""
    import uvicorn

    from api.main import create_app
    from api.metrics import serve_metrics
    from cli import serve as serving

    # An unreachable store stops here.
    application = create_app(serving.api_settings(settings), tenant=tenant)
    projector = serving.projector(settings, tenant)  # before the admin key: it stays the last line
    serving.settle_gc(settings.gc_threshold, "api")  # so does this line
    stop_metrics = None
    try:
        _first_key(application.state.ledger)
        if metrics_port is not None:
            stop_metrics = serve_metrics(application.state.metrics, host, metrics_port)
            out.print(f"/metrics without a key on http://{host}:{metrics_port}/metrics")
        # uvicorn re-raises the signal that stopped it once it has shut down, under the
        # handler found at its start: a no-op here, so the projector is stopped below.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: None)
        uvicorn.run(application, host=host, port=port, access_log=False, log_level="info")
    finally:
        if projector is not None:
            projector.stop()
        if stop_metrics is not None:
            stop_metrics()


@projections_app.command("status")
def projections_status(tenant: TenantOption = None) -> None:
    """Name, version, position, head, lag and state of every projection."""
    with opened_read_models(tenant) as read_models:
        rows = read_models.status()
    columns = ("name", "version", "code_version", "position", "head", "lag", "state")
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(row[k]) for k in columns))
    out.print(table)
    for row in rows:
        if row.get("failing"):
            failing = row["failing"]
            out.print(
                f"[red]{row['name']}: cannot apply the event at position {failing['position']}"
                f"[/red] (since {failing['since']}): {failing['error']}",
                markup=True,
                highlight=False,
            )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=out,
    )


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[
        str, typer.Argument(help="balances, movements, cogs, or all (one read of the ledger)")
    ],
    wait: Annotated[
        bool,
        typer.Option(
            help="If a rebuild of NAME is already running elsewhere, wait for it "
            "and then rebuild (default: refuse)"
        ),
    ] = False,
    processes: Annotated[
        int,
        typer.Option(
            min=1,
            help="Fold the projections of all in N processes, each reading its own topics "
            "(faster only where cores are idle; about 45 % more CPU)",
        ),
    ] = 1,
    tenant: TenantOption = None,
) -> None:
    """Blue/green rebuild: a fresh copy is built beside the live one, which keeps serving,
    and replaces it atomically once caught up. Runs here, showing events/s and the ETA."""
    _rebuild_here(name, wait, tenant, processes)
    out.print(f"{name} rebuilt and live")


def _rebuild_here(name: str, wait: bool, tenant: str | None, processes: int = 1) -> None:
    """Rebuilds ``name`` (or all) in this process with the progress bar."""
    with opened_read_models(tenant) as read_models, rebuild_bar(out) as progress:
        start_head = read_models.events.head()
        task = progress.add_task(f"rebuild {name}", **rebuild_fields(None, start_head))

        def report(state: dict[str, Any]) -> None:
            progress.update(task, **rebuild_fields(state, start_head))

        try:
            read_models.rebuild(name, report, wait=wait, processes=processes)
        except ApplicationError as error:
            raise fail(error.detail) from None


@projections_app.command("run")
def projections_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="Projections to follow (default: all)")
    ] = None,
    tenant: TenantOption = None,
) -> None:
    """Worker: follow the log and keep projections up to date until SIGTERM or SIGINT
    (one worker per tenant: --tenant)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with opened_read_models(tenant) as read_models:
        out.print(f"following the ledger for {', '.join(names) if names else 'all projections'}")
        from feed.service import FeedService

        feed = FeedService(read_models.settings, read_models.ledger, read_models.db)
        feed.start(deliver=True)  # webhooks are delivered beside the projectors
        read_models.run(names or None, stop)
        feed.stop()
    out.print("stopped")


@app.command()
def verify(
    tenant: TenantOption = None,
    max_lag: Annotated[
        int,
        typer.Option(
            min=0,
            envvar="STOCKLEDGER_VERIFY_MAX_LAG",
            help="A read model more events than this behind the ledger's head is a "
            "discrepancy (as is one failing, or empty beside a ledger that has events)",
        ),
    ] = 1000,
) -> None:
    """Recompute the hash chains, arithmetic, MACs (with STOCKLEDGER_LEDGER_KEY), snapshots,
    closed-period digests and every read model against the ledger, and check that every
    read model keeps up (not failing, not missing, at most --max-lag events behind). Exit 0
    when clean, 1 with the first discrepancies; what could not be checked is a note."""
    with opened_read_models(tenant) as read_models, _progress() as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total, rate="")
            progress.update(tasks[stage], completed=done, total=total)

        result = read_models.verify(progress=report, max_lag=max_lag)
    for note in result.notes:
        out.print(f"[yellow]note:[/yellow] {note}")
    if result.ok:
        out.print("[green]ledger verified: no discrepancies[/green]")
        return
    out.print(f"[red]{len(result.problems)} discrepancies[/red]; the first:")
    for problem in result.problems[:20]:
        out.print(f"  - {problem}")
    raise typer.Exit(1)


@app.command()
def demo(
    skus: Annotated[int, typer.Option(min=1, help="Number of SKUs")] = 200,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days of history")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    tenant: TenantOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add the demo history to a store that has data")
    ] = False,
) -> None:
    """Fill an empty store with a realistic history: receipts, quotes closed and partly
    delivered, direct deliveries, returns, transfers, consumption, waste and counts at
    main, kitchen and bar, through the real commands.

    The demo alone back-dates: its clock steps through the past DAYS days, so the history
    spans months. It refuses a store that already holds movements unless --force. It ends
    by rebuilding every read model (as `projections rebuild all`), so the store verifies at once.
    """
    from cli.demo import Demo, DemoClock, has_movements, start_of

    settings = tenant_settings(tenant)
    clock = DemoClock(start_of(days))
    ledger = Ledger(settings, clock=clock, tenant=tenant)
    try:
        if has_movements(ledger) and not force:
            raise fail(
                "the store already holds movements: demo fills an empty store (a new "
                "STOCKLEDGER_DATA_DIR, or `stockledger tenants create NAME` and --tenant NAME); "
                "--force adds the demo's back-dated history to this store's data"
            )
        generator = Demo(ledger, clock, skus, seed)
        with _progress() as progress:
            task = progress.add_task("demo history", total=days, rate="")
            generator.run(days, lambda day: progress.update(task, completed=day + 1))
        out.print(
            f"done: {generator.serial} documents up to position {ledger.head()}"
            f" ({generator.refused} refused by the ledger's rules, as in real life)"
        )
    finally:
        ledger.close()
    # The ledger was written with no projector running: every read model is brought up to
    # date in one read of it, so verify (or serve with projectors off) sees a consistent store.
    # Under a role that may not write the read models (the API's least-privilege role) the
    # projector workers do it; the demo's history is recorded either way.
    from psycopg.errors import InsufficientPrivilege

    try:
        _rebuild_here("all", False, tenant)
    except InsufficientPrivilege:
        out.print(
            "read models left to the projector workers (this database role may not write"
            " them; or run `stockledger projections rebuild all` as the projector role)"
        )
        return
    out.print("read models up to date")


def main() -> None:
    with database_failures():
        app()


if __name__ == "__main__":
    main()
